package lsk.kernel;

import java.nio.file.Path;
import lsk.base.LskException;

/**
 * debugfs at {@code /sys/kernel/debug}, where Lustre 2.16.59 and later keep rsi_info/rsc_info
 * and 2.16.x keeps init_channel. Like {@code cfs_get_param_paths}, lsk mounts it when it is not
 * mounted; when that is impossible the error says what to do. Only for the real root: a
 * simulated kernel's tree is plain directories.
 */
public final class Debugfs {
    /** statfs f_type of debugfs (DEBUGFS_MAGIC). */
    public static final long MAGIC = 0x64626720L;
    public static final String MOUNT_POINT = "sys/kernel/debug";

    /** The two calls this needs, so tests can stand in for a kernel without debugfs. */
    public interface Fs {
        long statfsMagic(String path);

        long mountDebugfs(String target);

        static Fs of(ChannelNative shim) {
            return new Fs() {
                @Override public long statfsMagic(String path) { return shim.lsk_statfs_magic(path); }
                @Override public long mountDebugfs(String target) { return shim.lsk_mount_debugfs(target); }
            };
        }
    }

    private Debugfs() {
    }

    /**
     * Makes sure debugfs is mounted at {@code root}/sys/kernel/debug; returns true when it had
     * to mount it. Does nothing for a simulated root.
     */
    public static boolean ensureMounted(ParamPaths paths, Fs fs) throws LskException {
        if (!paths.isSystem()) {
            return false;
        }
        String mp = Path.of("/").resolve(MOUNT_POINT).toString();
        long magic = fs.statfsMagic(mp);
        if (magic == MAGIC) {
            return false;
        }
        if (magic < 0) {
            throw new LskException("cannot check debugfs at " + mp + ": errno " + -magic + " (Lustre keeps"
                    + " parameter files there; mount it: mount -t debugfs none " + mp + ")", (int) -magic);
        }
        long rc = fs.mountDebugfs(mp);
        if (rc < 0) {
            throw new LskException("debugfs is not mounted at " + mp + " and mounting it failed: errno " + -rc
                    + (rc == -1 ? " (not root?)" : "") + "; Lustre keeps parameter files there: mount it with"
                    + " 'mount -t debugfs none " + mp + "'", (int) -rc);
        }
        return true;
    }
}
