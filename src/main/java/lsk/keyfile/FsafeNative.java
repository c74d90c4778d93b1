package lsk.keyfile;

import lsk.base.Errno;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import lsk.base.LskException;

/**
 * JNA binding of the key directory part of the native shim ({@code jni/fsafe.c}): each
 * function one system call returning its result or {@code -errno}. Names are NUL-terminated
 * byte arrays, so no JNA charset setting changes the bytes the kernel sees; file contents go
 * through {@link com.sun.jna.Memory} so they can be wiped. Only {@link KeyDir} uses it.
 */
interface FsafeNative extends Library {
    int READ = 1;
    int WRITE = 2;
    /** O_CREAT | O_EXCL. */
    int CREATE = 4;
    /** An unnamed file in the directory (O_TMPFILE); the name must be ".". */
    int TMPFILE = 8;

    long lsk_fsafe_open_dir(byte[] path);

    /** Always O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, plus {@code how}'s bits. */
    long lsk_fsafe_openat(int dirfd, byte[] name, int how, int mode);

    /** {@code out}: mode, uid, gid, dev, ino, nlink, size. */
    long lsk_fsafe_fstat(int fd, long[] out);

    long lsk_fsafe_lstatat(int dirfd, byte[] name, long[] out);

    long lsk_fsafe_pread(int fd, Pointer buf, int len, long offset);

    long lsk_fsafe_write(int fd, Pointer buf, int len);

    long lsk_fsafe_fsync(int fd);

    long lsk_fsafe_fchmod(int fd, int mode);

    long lsk_fsafe_fchown(int fd, int uid, int gid);

    long lsk_fsafe_close(int fd);

    /** 1: LOCK_EX | LOCK_NB; 0: LOCK_UN. */
    long lsk_fsafe_flock(int fd, int op);

    long lsk_fsafe_link_fd(int fd, int dirfd, byte[] name);

    long lsk_fsafe_linkat(int dirfd, byte[] from, byte[] to);

    long lsk_fsafe_renameat(int dirfd, byte[] from, byte[] to);

    long lsk_fsafe_unlinkat(int dirfd, byte[] name);

    long lsk_fsafe_geteuid();

    long lsk_fsafe_strerror(int errnum, byte[] buf, int len);

    /** Loads the shim, or fails with one clear message. JNA caches the library itself. */
    static FsafeNative load() throws LskException {
        try {
            return Native.load("lskshim", FsafeNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new LskException("native shim liblskshim.so cannot be loaded (build with `mvn package`"
                    + " on Linux x86_64 with gcc): " + e.getMessage(), Errno.EOPNOTSUPP, e);
        }
    }
}
