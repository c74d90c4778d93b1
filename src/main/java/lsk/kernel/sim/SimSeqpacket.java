package lsk.kernel.sim;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * SOCK_SEQPACKET Unix sockets through libc (JDK channels only do SOCK_STREAM): the simulated
 * 2.15 channel files, where one message is one read() or write() of the real
 * {@code /proc/net/rpc/.../channel} file. A blocked accept() or read() is woken by
 * {@link #shutdown} (Linux returns EINVAL/0 then), which {@link #close} alone would not do.
 */
final class SimSeqpacket {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOCK_NONBLOCK = 04000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    /** What {@link #receiveNow} returns when no message is queued. */
    static final byte[] NOTHING = new byte[0];
    private static final int SHUT_RDWR = 2;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(struct sockaddr_un): sa_family_t then sun_path[108]. */
    private static final int SOCKADDR_UN = 110;

    /** The libc calls used; each throws LastErrorException with errno on failure. */
    interface Libc extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        int listen(int fd, int backlog) throws LastErrorException;

        int accept4(int fd, Pointer addr, Pointer len, int flags) throws LastErrorException;

        int connect(int fd, byte[] addr, int len) throws LastErrorException;

        long read(int fd, byte[] buf, long n) throws LastErrorException;

        long recv(int fd, byte[] buf, long n, int flags) throws LastErrorException;

        long send(int fd, byte[] buf, long n, int flags) throws LastErrorException;

        int shutdown(int fd, int how) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final class Holder {
        static final Libc LIBC = Native.load("c", Libc.class);
    }

    private SimSeqpacket() {
    }

    private static byte[] address(Path path) throws IOException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= SOCKADDR_UN - 2) {
            throw new IOException("socket path too long (" + p.length + " bytes): " + path);
        }
        byte[] a = new byte[SOCKADDR_UN];
        a[0] = AF_UNIX; // little-endian sa_family_t
        System.arraycopy(p, 0, a, 2, p.length);
        return a;
    }

    private static IOException io(String what, LastErrorException e) {
        return new IOException(what + ": errno " + e.getErrorCode(), e);
    }

    /** A listening socket bound at {@code path} (which must not exist); non-blocking accepts if asked. */
    static int listen(Path path, boolean nonblocking) throws IOException {
        int fd;
        try {
            fd = Holder.LIBC.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
        } catch (LastErrorException e) {
            throw io("socket", e);
        }
        try {
            byte[] a = address(path);
            Holder.LIBC.bind(fd, a, a.length);
            Holder.LIBC.listen(fd, 64);
            return fd;
        } catch (LastErrorException e) {
            close(fd);
            throw io("bind/listen " + path, e);
        } catch (IOException e) {
            close(fd);
            throw e;
        }
    }

    /** A connection to the socket at {@code path} (tests' stand-in for the daemon). */
    static int connect(Path path) throws IOException {
        try {
            int fd = Holder.LIBC.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            try {
                byte[] a = address(path);
                Holder.LIBC.connect(fd, a, a.length);
                return fd;
            } catch (LastErrorException | IOException e) {
                close(fd);
                throw e;
            }
        } catch (LastErrorException e) {
            throw io("connect " + path, e);
        }
    }

    /** A queued connection of a non-blocking listener, or -1 when none waits. */
    static int acceptNow(int fd, boolean nonblocking) throws IOException {
        try {
            return Holder.LIBC.accept4(fd, Pointer.NULL, Pointer.NULL, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN) {
                return -1;
            }
            throw io("accept", e);
        }
    }

    /** One queued message (at most {@code max} bytes), {@link #NOTHING} when none is queued, null at EOF. */
    static byte[] receiveNow(int fd, int max) throws IOException {
        byte[] b = new byte[max];
        try {
            long n = Holder.LIBC.recv(fd, b, b.length, MSG_DONTWAIT);
            return n == 0 ? null : Arrays.copyOf(b, (int) n);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN) {
                return NOTHING;
            }
            throw io("recv", e);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** One message (truncated to {@code max} bytes, as SOCK_SEQPACKET does), or null at EOF. */
    static byte[] read(int fd, int max) throws IOException {
        byte[] b = new byte[max];
        try {
            long n = Holder.LIBC.read(fd, b, b.length);
            return n == 0 ? null : Arrays.copyOf(b, (int) n);
        } catch (LastErrorException e) {
            throw io("read", e);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    /** Sends {@code msg} as one message. */
    static void send(int fd, byte[] msg) throws IOException {
        try {
            Holder.LIBC.send(fd, msg, msg.length, MSG_NOSIGNAL);
        } catch (LastErrorException e) {
            throw io("send", e);
        }
    }

    static void shutdown(int fd) {
        try {
            Holder.LIBC.shutdown(fd, SHUT_RDWR);
        } catch (LastErrorException e) {
            // not connected (a listener on some kernels): nothing to wake
        }
    }

    static void close(int fd) {
        try {
            Holder.LIBC.close(fd);
        } catch (LastErrorException e) {
            // already gone
        }
    }
}
