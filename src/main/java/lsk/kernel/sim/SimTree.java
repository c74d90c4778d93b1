package lsk.kernel.sim;

import lsk.base.Errno;
import lsk.base.LskException;
import lsk.kernel.TrustedPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files of a simulated kernel's tree: its root and its plain parameter files. */
final class SimTree {
    /** Directories of the tree: root's (or this user's), searchable by all, writable by the owner only. */
    static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));

    private SimTree() {
    }

    /**
     * Creates the root if missing; an existing one must be a directory of root's (or this
     * user's), not a link and not writable by group or others.
     */
    static void prepareRoot(Path root) throws LskException {
        Path r = root.toAbsolutePath().normalize();
        String what = "simulated kernel root " + r;
        if (!Files.exists(r, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(r, DIR_MODE);
            } catch (IOException e) {
                throw new LskException(what + ": cannot create it: " + e.getMessage(), Errno.EIO, e);
            }
        }
        TrustedPath.checkDir(r, TrustedPath.Above.STICKY_OK, what);
    }

    /** Writes {@code text} to {@code f} without following a link; keeps an existing file unless {@code replace}. */
    static void writeFile(Path f, String text, boolean replace) throws IOException {
        if (!replace && Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
