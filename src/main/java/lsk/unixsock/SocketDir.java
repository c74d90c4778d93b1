package lsk.unixsock;

import lsk.base.Errno;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import lsk.base.LskException;

/**
 * The directory of the daemons' default sockets ({@link #RUN_LSK}): root's alone, so
 * no other user can squat the socket path, replace the socket or even reach it. Created 0700 when
 * missing; an existing one must be a real directory (not a link), owned by the daemon's user
 * (root: only root can create or change entries in /run, so what is checked stays true), mode
 * 0700.
 */
public final class SocketDir {
    /** lsvcgssd's and lgss_keyringd's default socket directory. */
    public static final Path RUN_LSK = Path.of("/run/lsk");
    static final int MODE = 0700;
    private static final int ELOOP = 40;
    private static final int ENOTDIR = 20;
    private static final int EPERM = 1;

    private SocketDir() {
    }

    /** @param owner the daemon's effective uid, which must own the directory (0 in production) */
    public static void secure(Path dir, long owner) throws LskException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below, whoever made it
        } catch (IOException e) {
            throw new LskException("cannot create the socket directory " + dir + ": " + e.getMessage(),
                    Errno.EACCES, e);
        }
        if (Files.isSymbolicLink(dir)) {
            throw new LskException(dir + " is a symbolic link; the socket directory must be a directory of root's",
                    ELOOP);
        }
        Map<String, Object> a;
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new LskException(dir + " is not a directory", ENOTDIR);
            }
            a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new LskException("cannot check " + dir + ": " + e.getMessage(), Errno.EACCES, e);
        }
        int uid = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode") & 07777;
        if (uid != owner || mode != MODE) {
            throw new LskException(dir + " is owned by uid " + uid + " with mode " + Integer.toOctalString(mode)
                    + "; the socket directory must be uid " + owner + "'s with mode 700 (remove it and let the"
                    + " daemon create it)", EPERM);
        }
    }
}
