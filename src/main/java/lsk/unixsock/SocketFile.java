package lsk.unixsock;

import lsk.base.Errno;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import lsk.base.LskException;
import lsk.cmd.Log;

/**
 * The daemon's listening socket file, mode 0600. In the default directory (root's, 0700,
 * {@link SocketDir}) nobody else can reach it; elsewhere (Lustre's /tmp/svcgssd.socket) the mode
 * and the peer check keep other users out. It is bound under a temporary name in the same
 * directory, set to 0600 and only then renamed into place, without replacing anything: it is
 * never reachable with the mode the umask gave it. A path that already exists is probed first:
 * a live listener (another daemon, C or lsk) is never unlinked, anything that is not a socket
 * (links are not followed) is refused, and only a stale socket (connection refused) is
 * replaced. On close the file is removed only if it is still the one this process bound (same
 * device and inode); a socket systemd passed is systemd's and stays.
 */
public final class SocketFile implements AutoCloseable {
    public static final int ENOTSOCK = 88;
    public static final int EADDRINUSE = 98;
    static final int EEXIST = 17;
    static final int ENAMETOOLONG = 36;
    static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-------");
    /** sun_path holds 108 bytes, NUL included. */
    private static final int MAX_PATH = 107;

    private final Path path;
    private final ServerSocketChannel channel;
    /** unix:dev and unix:ino of the bound file, or null when it is not ours to remove. */
    private final Map<String, Object> identity;

    private SocketFile(Path path, ServerSocketChannel channel, Map<String, Object> identity) {
        this.path = path;
        this.channel = channel;
        this.identity = identity;
    }

    public static SocketFile bind(Path path, int backlog, DaemonNative sys, Log log) throws LskException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir.equals(SocketDir.RUN_LSK) || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            SocketDir.secure(dir, sys.lsk_geteuid());
        }
        byte[] rnd = new byte[4];
        new SecureRandom().nextBytes(rnd);
        Path tmp = dir.resolve(".lsk" + HexFormat.of().formatHex(rnd));
        if (tmp.toString().length() > MAX_PATH || path.toString().length() > MAX_PATH) {
            throw new LskException(path + ": too long for a Unix socket (at most " + (MAX_PATH - 12)
                    + " bytes for the directory)", ENAMETOOLONG);
        }
        long rc = sys.lsk_unix_probe(path.toString());
        if (rc == -EADDRINUSE) {
            throw new LskException(path + ": another daemon is listening on this socket; not replacing it",
                    EADDRINUSE);
        }
        if (rc == -ENOTSOCK) {
            throw new LskException(path + " exists and is not a socket; refusing to replace it", ENOTSOCK);
        }
        if (rc < 0) {
            throw new LskException("cannot check " + path + " before binding it: errno " + -rc, (int) -rc);
        }
        if (rc == 1) {
            log.log(Log.INFO, "removed stale socket " + path);
        }
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(tmp), backlog);
            Files.setPosixFilePermissions(tmp, MODE);
            rc = sys.lsk_rename_noreplace(tmp.toString(), path.toString());
            if (rc == -EEXIST) {
                throw new LskException(path + " appeared while binding; not replacing it", EADDRINUSE);
            }
            if (rc < 0) {
                throw new LskException("cannot move the socket to " + path + ": errno " + -rc, (int) -rc);
            }
            return new SocketFile(path, ch, identity(path));
        } catch (IOException | LskException | RuntimeException e) {
            closeQuietly(ch);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stale temporary socket is harmless
            }
            if (e instanceof LskException le) {
                throw le;
            }
            throw new LskException("cannot listen on " + path + ": " + e.getMessage(), Errno.EACCES, e);
        }
    }

    /**
     * The socket systemd passed (lsvcgss.socket: SocketMode=0600 in a 0700 directory). A looser
     * mode is narrowed to 0600, with a log line.
     */
    public static SocketFile inherited(ServerSocketChannel ch, Log log) throws LskException {
        Path path = pathOf(ch);
        try {
            if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(MODE)
                    && !Files.isSymbolicLink(path)) {
                Files.setPosixFilePermissions(path, MODE);
                log.log(Log.WARN, "warning: " + path + " was passed with a mode other than 0600; set to 0600");
            }
        } catch (IOException e) {
            throw new LskException("the socket passed by systemd is not usable: " + e.getMessage(),
                    Errno.EINVAL, e);
        }
        return new SocketFile(path, ch, null);
    }

    /** The file a listening Unix socket is bound to. */
    public static Path pathOf(ServerSocketChannel ch) throws LskException {
        try {
            if (ch.getLocalAddress() instanceof UnixDomainSocketAddress a && !a.getPath().toString().isEmpty()) {
                return a.getPath();
            }
        } catch (IOException e) {
            throw new LskException("the passed socket: " + e.getMessage(), Errno.EINVAL, e);
        }
        throw new LskException("the passed socket is not bound to a path", Errno.EINVAL);
    }

    public ServerSocketChannel channel() {
        return channel;
    }

    public Path path() {
        return path;
    }

    /** Closes the socket and removes its file if it is still ours. */
    @Override
    public void close() {
        closeQuietly(channel);
        try {
            if (identity != null && identity.equals(identity(path))) {
                Files.delete(path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            // best effort: a leftover socket is stale and replaced at the next start
        }
    }

    private static Map<String, Object> identity(Path p) {
        try {
            return Files.readAttributes(p, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void closeQuietly(ServerSocketChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // nothing to do
        }
    }
}
