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
 * than writing through it). The temp file is removed on every failure. The directory must be
 * a real directory, not a symbolic link, and it and those above it root's alone.
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

    /**
     * The directory and every one above it must be root's (or this process's owner's) and not
     * writable by group or others, unless sticky (whose entries others cannot rename): then no
     * other user can swap a directory on the way for a link between this check and the write.
     */
    private static void checkDirectory(Path dir) throws LskException {
        if (Files.isSymbolicLink(dir)) {
            throw new LskException(dir + " is a symbolic link: not written through", ELOOP);
        }
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new LskException(dir + " is not a directory", Errno.ENOENT);
            }
            int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
                int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if (uid != 0 && uid != self) {
                    throw new LskException(p + " (above " + dir.getFileName() + ") is owned by uid " + uid
                            + ": another user could swap it; choose a directory of root's", Errno.EACCES);
                }
                if ((mode & 0022) != 0 && (mode & 01000) == 0) {
                    throw new LskException(p + " is writable by " + ((mode & 0002) != 0 ? "everyone" : "its group")
                            + ": choose a directory of root's that only root can write", Errno.EACCES);
                }
            }
        } catch (IOException e) {
            throw new LskException("cannot check " + dir + ": " + e.getMessage(), Errno.EACCES, e);
        }
    }
}
