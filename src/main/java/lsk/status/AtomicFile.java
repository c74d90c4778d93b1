package lsk.status;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import lsk.base.Errno;
import lsk.base.LskException;

/**
 * Replaces a file's contents at once, as root in a directory someone else may also write to,
 * following no link: the new text goes to {@code .<name>.tmp} in the same directory, created
 * with O_CREAT|O_EXCL (which refuses an existing name, a planted link included: a leftover is
 * unlinked first, which removes a link, never its target), its mode set through an O_NOFOLLOW
 * descriptor, then renamed over the target (rename replaces a link at the target name rather
 * than writing through it). The temp file is removed on every failure. The directory itself
 * must be a real directory, not a symbolic link, and not writable by everyone.
 */
public final class AtomicFile {
    /** Readers (node_exporter, lsk status) need not be root; the contents are no secret. */
    public static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final int ELOOP = 40;

    private AtomicFile() {
    }

    /** The temp file's name beside {@code target}: a dot file, which the textfile collector skips (*.prom only). */
    public static Path tempOf(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".tmp");
    }

    public static void write(Path target, String text) throws LskException {
        Path dir = target.toAbsolutePath().getParent();
        checkDirectory(dir);
        Path tmp = tempOf(target.toAbsolutePath());
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            Files.deleteIfExists(tmp); // a crash's leftover (or something planted): unlinked, not followed
            try (SeekableByteChannel ch = Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            Files.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(MODE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // reported below: the write failed either way
            }
            throw new LskException("cannot write " + target + ": " + e.getMessage(), Errno.EACCES, e);
        }
    }

    /** Removes the temp file of {@code target} if one is there (not following a link). */
    public static void cleanup(Path target) {
        try {
            Files.deleteIfExists(tempOf(target.toAbsolutePath()));
        } catch (IOException e) {
            // nothing more to do
        }
    }

    private static void checkDirectory(Path dir) throws LskException {
        if (Files.isSymbolicLink(dir)) {
            throw new LskException(dir + " is a symbolic link: not written through", ELOOP);
        }
        int mode;
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new LskException(dir + " is not a directory", Errno.ENOENT);
            }
            mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new LskException("cannot check " + dir + ": " + e.getMessage(), Errno.EACCES, e);
        }
        if ((mode & 0002) != 0) {
            throw new LskException(dir + " is writable by everyone: choose a directory of root's (or node_exporter's)",
                    Errno.EACCES);
        }
    }
}
