package lsk.obd;

import lsk.base.Errno;
import com.sun.jna.Library;
import com.sun.jna.Native;
import lsk.base.LskException;

/**
 * JNA binding of the OBD part of the native shim (jni/obd.c). Functions return a length, a
 * descriptor or a device number ({@code >= 0}), or -errno.
 */
public interface ObdNative extends Library {
    /** {@code which} of {@link #lsk_obd_mount_name}: the LOV name, {@code <fsname>-clilov-<instance>}. */
    int MOUNT_LOV = 0;
    /** {@code which} of {@link #lsk_obd_mount_name}: the LMV name, {@code <fsname>-clilmv-<instance>}. */
    int MOUNT_LMV = 1;

    /** The LCFG_NODEMAP_LOOKUP_SHA {@code lustre_cfg} for {@code sha} (32 bytes); its length. Pure. */
    long lsk_obd_lcfg_lookup_sha(byte[] out, long outlen, byte[] sha, long shalen);

    /**
     * {@code obd_ioctl_data} followed by inline buffer 1 as liblustreapi packs it, the pointer
     * fields set from the given addresses ({@code outAddr} is where {@code out} will live);
     * returns {@code ioc_len}. Pure.
     */
    long lsk_obd_ioctl_pack(byte[] out, long outlen, long outAddr, int dev, int type, long pbuf1, int plen1,
                            byte[] inl1, int inllen1);

    /** open(path, O_RDWR | O_CLOEXEC). */
    long lsk_obd_open(String path);

    long lsk_obd_close(int fd);

    /** OBD_IOC_NAME2DEV: the device number of the device called {@code name}. */
    long lsk_obd_name2dev(int fd, String name);

    /** OBD_IOC_NODEMAP / LCFG_NODEMAP_LOOKUP_SHA on {@code dev}: the name's length, copied to {@code name}. */
    long lsk_obd_nodemap_lookup_sha(int fd, int dev, byte[] sha, long shalen, byte[] name, long namecap);

    /** open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC). */
    long lsk_open_dir_nofollow(String path);

    /** The LOV or LMV device name of the mount open as {@code fd} ({@link #MOUNT_LOV}, {@link #MOUNT_LMV}). */
    long lsk_obd_mount_name(int fd, int which, byte[] out, long outcap);

    /** glibc's strerror text; its length. */
    long lsk_strerror(int errnum, byte[] out, long outcap);

    /** Loads the shim, or fails with one clear message. */
    static ObdNative load() throws LskException {
        try {
            return Native.load("lskshim", ObdNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new LskException("native shim liblskshim.so cannot be loaded (build with `mvn package`"
                    + " on Linux x86_64 with gcc): " + e.getMessage(), Errno.EOPNOTSUPP, e);
        }
    }

    /** The text C prints for {@code errno} (positive). */
    static String strerror(ObdNative shim, int errno) {
        byte[] b = new byte[256];
        long n = shim.lsk_strerror(errno, b, b.length);
        return n < 0 ? "Unknown error " + errno : new String(b, 0, (int) n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
