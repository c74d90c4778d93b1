package lsk.kernel;

import lsk.base.Errno;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import lsk.base.LskException;

/**
 * JNA binding of the channel part of the native shim (jni/channel.c): the only place the
 * kernel's structs (lgssd_ioctl_param, rsi/rsc downcall data) are laid out. Functions return
 * a size or 0 on success, -errno on failure.
 */
public interface ChannelNative extends Library {
    long lsk_rsi_downcall_build(byte[] out, long outlen, long hash, int err, int maj, int min,
                                byte[] inHandle, int inHandleLen, byte[] inToken, int inTokenLen,
                                byte[] outHandle, int outHandleLen, byte[] outToken, int outTokenLen);

    /**
     * (jni/downcall.c, as the rsi builder) The rsc downcall with a header of {@code headerSize} bytes ({@link KernelAbi.RscHeader}: 48
     * has no nodemap field and takes only an empty {@code nmname}, else -EINVAL).
     */
    long lsk_rsc_downcall_build(byte[] out, long outlen, int headerSize, int flags, int mappedUid, int uid,
                                int gid, String mech, String nmname, byte[] handle, int handleLen,
                                byte[] ctx, int ctxLen);

    long lsk_downcall_write(String path, byte[] blob, long len);

    /**
     * Fills {@code struct lgssd_ioctl_param} in the given layout ({@code layout} is its size,
     * {@link KernelAbi.IoctlParam#size}: 80 or 72) into {@code out}; its size, or -EINVAL for
     * another layout, -ENOBUFS when {@code out} is short (jni/initchannel.c).
     */
    long lsk_init_param_fill(byte[] out, long outlen, int layout, int secid, String uuid, int lustreSvc, int uid,
                             int gid, Pointer token, long tokenLen, Pointer reply, long replySize, Pointer status);

    /**
     * Fills {@code param} as {@link #lsk_init_param_fill} does and writes exactly the layout's
     * size from it to {@code path} in one write; 0 or -errno (-EIO for a short write). After it,
     * the status is in {@code param} (80-byte layout: the kernel copies the struct back) or in
     * {@code *status} (72-byte layout).
     */
    long lsk_init_channel(String path, Pointer param, long paramLen, int layout, int secid, String uuid,
                          int lustreSvc, int uid, int gid, Pointer token, long tokenLen, Pointer reply,
                          long replySize, Pointer status);

    long lsk_mkfifo(String path, int mode);

    /** prctl(PR_SET_DUMPABLE, 0): no core dump of this process's keys (jni/daemon.c). */
    long lsk_no_core_dumps();

    /**
     * Makes this process non-dumpable before it reads any key; a process without the shim
     * reads no key through the kernel either, so its absence is left to the caller's own error.
     */
    static void noCoreDumps() {
        try {
            load().lsk_no_core_dumps();
        } catch (LskException e) {
            // reported by the first operation that needs the shim
        }
    }

    /** statfs(2) f_type of the file system holding {@code path}, or -errno (jni/mount.c). */
    long lsk_statfs_magic(String path);

    /** mount("none", target, "debugfs", 0, NULL), 0 or -errno. */
    long lsk_mount_debugfs(String target);

    /**
     * Loads the shim, or fails with one clear message (commands that do not need it never call
     * this). Not cached in a static: JNA caches the library itself.
     */
    static ChannelNative load() throws LskException {
        try {
            return Native.load("lskshim", ChannelNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new LskException("native shim liblskshim.so cannot be loaded (build with `mvn package`"
                    + " on Linux x86_64 with gcc): " + e.getMessage(), Errno.EOPNOTSUPP, e);
        }
    }
}
