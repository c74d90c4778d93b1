package lsk.gssd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import lsk.LskException;
import lsk.kernel.Log;

/**
 * The daemon's listening socket file. A path that already exists is probed first: a live
 * listener (another daemon, C or lsk) is never unlinked, anything that is not a socket
 * (links are not followed: the default path is in /tmp) is refused, and only a stale socket
 * (connection refused) is replaced. On close the file is removed only if it is still the one
 * this process bound (same device and inode).
 */
final class SocketFile implements AutoCloseable {
    static final int ENOTSOCK = 88;
    static final int EADDRINUSE = 98;

    private final Path path;
    private final ServerSocketChannel channel;
    /** unix:dev and unix:ino of the bound file, or null when they could not be read. */
    private final Map<String, Object> identity;

    private SocketFile(Path path, ServerSocketChannel channel, Map<String, Object> identity) {
        this.path = path;
        this.channel = channel;
        this.identity = identity;
    }

    static SocketFile bind(Path path, int backlog, DaemonNative sys, Log log) throws LskException {
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
            ch.bind(UnixDomainSocketAddress.of(path), backlog);
            return new SocketFile(path, ch, identity(path));
        } catch (IOException e) {
            closeQuietly(ch);
            throw new LskException("cannot listen on " + path + ": " + e.getMessage(), LskException.Errno.EACCES, e);
        }
    }

    ServerSocketChannel channel() {
        return channel;
    }

    Path path() {
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
