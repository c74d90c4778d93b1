package lsk.unixsock;

import lsk.base.Errno;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import lsk.base.LskException;

/**
 * systemd socket activation (lsvcgss.socket, lsk-keyringd.socket): systemd binds the socket and
 * passes it as fd 3, naming this process in LISTEN_PID. The shim moves it to fd 0, where the
 * JVM's {@link System#inheritedChannel()} wraps it as a channel the selector can use; a
 * daemonizing start hands the same fd 0 to its detached child (lsvcgssd marks it in its own
 * environment variable).
 */
public final class Activation {
    public static final String LISTEN_PID = "LISTEN_PID";
    public static final String LISTEN_FDS = "LISTEN_FDS";
    public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";

    private Activation() {
    }

    /**
     * True when systemd passed this process its socket, which is then at fd 0. Variables meant
     * for another process (LISTEN_PID not ours) are ignored, as sd_listen_fds does.
     */
    public static boolean take(Map<String, String> env, DaemonNative sys, String name, String unit) throws LskException {
        String pid = env.get(LISTEN_PID);
        String fds = env.get(LISTEN_FDS);
        if (pid == null || fds == null || !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
            return false;
        }
        if (!fds.equals("1")) {
            throw new LskException("systemd passed " + fds + " sockets; " + name + " listens on exactly one"
                    + " (one ListenStream= in " + unit + ")", Errno.EINVAL);
        }
        long rc = sys.lsk_take_listen_fd();
        if (rc < 0) {
            throw new LskException("the fd systemd passed is not a listening Unix stream socket: errno " + -rc,
                    (int) -rc);
        }
        return true;
    }

    /** The listening socket at fd 0. */
    public static ServerSocketChannel channel() throws LskException {
        Channel c;
        try {
            c = System.inheritedChannel();
        } catch (IOException e) {
            throw new LskException("cannot use the passed socket: " + e.getMessage(), Errno.EINVAL, e);
        }
        if (c instanceof ServerSocketChannel s) {
            return s;
        }
        throw new LskException("fd 0 is not the passed listening socket", Errno.EINVAL);
    }
}
