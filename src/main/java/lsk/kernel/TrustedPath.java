package lsk.kernel;

import lsk.base.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import lsk.base.LskException;

/**
 * Checks that nobody but root (or the user running lsk) can change what a path names, before
 * root writes through it or runs it. A directory is trusted when it is owned by root or by
 * this process's effective uid and no group or other user can write to it; a symbolic link is
 * never followed where the check applies. Another user who can write to a directory on the way
 * could swap what lies below it between the check and the use, so the check is sound only
 * because it refuses exactly those directories.
 */
public final class TrustedPath {
    private static final int GROUP_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;
    private static final int TYPE_MASK = 0170000, TYPE_DIR = 0040000, TYPE_LINK = 0120000;

    private TrustedPath() {
    }

    /** How the directories above a checked tree are judged. */
    public enum Above {
        /**
         * A world-writable directory with the sticky bit (/tmp) is accepted above the tree: others
         * cannot rename or remove root's entries in it while they exist.
         */
        STICKY_OK,
        /**
         * Not even a sticky directory: for paths that are still used after this process may have
         * died (a request-key entry's program), when a /tmp clean-up lets anyone create them anew.
         */
        STRICT
    }

    /** The effective uid, from /proc/self/status (its owner turns root when the process is not dumpable). */
    public static int effectiveUid() throws LskException {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (l.startsWith("Uid:")) {
                    return Integer.parseInt(l.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        throw new LskException("cannot tell this process's uid from /proc/self/status", Errno.EIO);
    }

    /**
     * Refuses {@code top} and every directory from it down to {@code leaf}'s parent unless each
     * is a trusted directory (not a link), and {@code leaf} if it is a symbolic link; then the
     * directories above {@code top} as {@code above} says. {@code what} names the tree in messages.
     */
    public static void checkTree(Path top, Path leaf, Above above, String what) throws LskException {
        int uid = effectiveUid();
        Path t = top.toAbsolutePath().normalize(), l = leaf.toAbsolutePath().normalize();
        if (!l.startsWith(t)) {
            throw new IllegalArgumentException(leaf + " is not under " + top);
        }
        checkAbove(t, above, uid, what);
        Path d = t;
        checkDir(d, uid, what);
        Path below = l.equals(t) ? Path.of("") : t.relativize(l.getParent());
        for (Path part : below) {
            if (part.toString().isEmpty()) {
                break;
            }
            d = d.resolve(part);
            checkDir(d, uid, what);
        }
        if (!l.equals(t) && isLink(l)) {
            throw refused(what, l + " is a symbolic link");
        }
    }

    /** {@link #checkTree} for one directory. */
    public static void checkDir(Path dir, Above above, String what) throws LskException {
        checkTree(dir, dir, above, what);
    }

    /**
     * The directories above {@code top}: each must be owned by root or us and not writable by
     * others ({@code above} may accept sticky ones); a link on the way must be root's or ours,
     * and the directories it leads to are checked the same way.
     */
    private static void checkAbove(Path top, Above above, int uid, String what) throws LskException {
        boolean viaLink = false;
        for (Path a = top.getParent(); a != null; a = a.getParent()) {
            Map<String, Object> st = stat(a, what);
            if (type(st) == TYPE_LINK) {
                if (!owned(st, uid)) {
                    throw refused(what, a + " is a symbolic link owned by uid " + st.get("uid"));
                }
                viaLink = true;
                continue;
            }
            checkAboveDir(a, st, above, uid, what);
        }
        if (viaLink && top.getParent() != null) {
            Path real;
            try {
                real = top.getParent().toRealPath();
            } catch (IOException e) {
                throw refused(what, "cannot resolve " + top.getParent() + ": " + e.getMessage());
            }
            for (Path a = real; a != null; a = a.getParent()) {
                checkAboveDir(a, stat(a, what), above, uid, what);
            }
        }
    }

    private static void checkAboveDir(Path a, Map<String, Object> st, Above above, int uid, String what)
            throws LskException {
        int mode = (Integer) st.get("mode");
        if (!owned(st, uid)) {
            throw refused(what, a + " is owned by uid " + st.get("uid"));
        }
        if ((mode & GROUP_OTHER_WRITE) != 0 && !(above == Above.STICKY_OK && (mode & STICKY) != 0)) {
            throw refused(what, a + " is writable by group or others (mode " + octal(mode) + ")");
        }
    }

    private static void checkDir(Path d, int uid, String what) throws LskException {
        Map<String, Object> st = stat(d, what);
        int mode = (Integer) st.get("mode");
        if (type(st) == TYPE_LINK) {
            throw refused(what, d + " is a symbolic link");
        }
        if (type(st) != TYPE_DIR) {
            throw refused(what, d + " is not a directory");
        }
        if (!owned(st, uid)) {
            throw refused(what, d + " is owned by uid " + st.get("uid") + ", not root");
        }
        if ((mode & GROUP_OTHER_WRITE) != 0) {
            throw refused(what, d + " is writable by group or others (mode " + octal(mode) + ")");
        }
    }

    /** Whether {@code p} itself is a symbolic link (false if it does not exist). */
    public static boolean isLink(Path p) {
        return Files.isSymbolicLink(p);
    }

    private static Map<String, Object> stat(Path p, String what) throws LskException {
        try {
            return Files.readAttributes(p, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new LskException(what + ": " + p + " does not exist", Errno.ENOENT);
        } catch (IOException | UnsupportedOperationException e) {
            throw new LskException(what + ": cannot stat " + p + ": " + e.getMessage(), Errno.EIO);
        }
    }

    private static int type(Map<String, Object> st) {
        return (Integer) st.get("mode") & TYPE_MASK;
    }

    private static boolean owned(Map<String, Object> st, int uid) {
        int owner = (Integer) st.get("uid");
        return owner == 0 || owner == uid;
    }

    private static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    private static LskException refused(String what, String why) {
        return new LskException(what + ": " + why + ": refused", Errno.EPERM);
    }
}
