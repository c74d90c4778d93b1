package lsk.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;
import lsk.base.Errno;
import lsk.base.LskException;

/**
 * JNA binding of the cache-channel part of the native shim (jni/cachechannel.c): the sunrpc
 * cache channel files of a Lustre 2.15.x server ({@link CacheChannelLines}), which Java can
 * neither poll (procfs) nor open (the simulated kernel's SOCK_SEQPACKET sockets). Functions
 * return a value &gt;= 0 on success, -errno on failure.
 */
public interface CacheChannelNative extends Library {
    /** open(2) access modes for {@link #lsk_cc_open}. */
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int POLLIN = 0x1;

    /** A socket path is connected (SOCK_SEQPACKET), a regular file opened; links and others refused. */
    long lsk_cc_open(String path, int flags);

    /** The revents of poll(POLLIN), 0 on timeout. */
    long lsk_cc_poll(int fd, int timeoutMs);

    /** One request: its length, 0 at end of file, {@code cap + 1} when it was longer than {@code cap}. */
    long lsk_cc_read(int fd, byte[] buf, long cap);

    /** One answer in one write; -EIO when short. */
    long lsk_cc_write(int fd, byte[] buf, long len);

    long lsk_cc_close(int fd);

    /** A SOCK_SEQPACKET listener (tests, simulated kernel). */
    long lsk_cc_listen(String path);

    long lsk_cc_accept(int fd);

    static CacheChannelNative load() throws LskException {
        try {
            return Native.load("lskshim", CacheChannelNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new LskException("native shim liblskshim.so cannot be loaded (build with `mvn package`"
                    + " on Linux x86_64 with gcc): " + e.getMessage(), Errno.EOPNOTSUPP, e);
        }
    }
}
