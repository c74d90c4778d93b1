package lsk.gssd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import lsk.LskException;

/**
 * One daemon per socket. On the default socket the guard is the C daemon's own SysV semaphore
 * (key {@value #SVC_SEM_KEY}, taken with SEM_UNDO so the kernel gives it back when the process
 * dies), so lsk and the C lsvcgssd exclude each other. Any other socket path gets a guard of
 * its own that also dies with the process: an AF_UNIX socket bound in the abstract namespace
 * under a name derived from the path, so tests and demos can run several daemons side by side.
 */
final class SingleInstance implements AutoCloseable {
    /** The server key of lsupport's gssd_init_unique (the client's is 0x3a92d473). */
    static final int SVC_SEM_KEY = 0x3b92d473;
    static final String ABSTRACT_PREFIX = "lsk-lsvcgssd:";
    private static final int EAGAIN = 11;
    private static final int EADDRINUSE = 98;

    private final DaemonNative sys;
    private final int semKey;
    private final int fd;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private SingleInstance(DaemonNative sys, int semKey, int fd) {
        this.sys = sys;
        this.semKey = semKey;
        this.fd = fd;
    }

    /** The guard for {@code socket}, or empty when another instance holds it. */
    static Optional<SingleInstance> acquire(Path socket, DaemonNative sys) throws LskException {
        if (socket.toAbsolutePath().normalize().equals(Svcgssd.DEFAULT_SOCKET)) {
            return semaphore(SVC_SEM_KEY, sys);
        }
        return abstractName(abstractName(socket), sys);
    }

    static Optional<SingleInstance> semaphore(int key, DaemonNative sys) throws LskException {
        long rc = sys.lsk_sem_guard(key);
        if (rc == -EAGAIN) {
            return Optional.empty();
        }
        if (rc < 0) {
            throw new LskException("cannot take the single-instance semaphore 0x" + Integer.toHexString(key)
                    + ": errno " + -rc, (int) -rc);
        }
        return Optional.of(new SingleInstance(sys, key, -1));
    }

    static Optional<SingleInstance> abstractName(String name, DaemonNative sys) throws LskException {
        long rc = sys.lsk_abstract_guard(name);
        if (rc == -EADDRINUSE) {
            return Optional.empty();
        }
        if (rc < 0) {
            throw new LskException("cannot bind the single-instance guard @" + name + ": errno " + -rc, (int) -rc);
        }
        return Optional.of(new SingleInstance(sys, 0, (int) rc));
    }

    /**
     * The abstract name for a socket path: a digest of the path with its directory resolved
     * (links in it followed), so two spellings of one socket get one guard.
     */
    static String abstractName(Path socket) {
        Path abs = socket.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        try {
            if (dir != null) {
                abs = dir.toRealPath().resolve(abs.getFileName());
            }
        } catch (IOException e) {
            // the directory does not exist (yet): binding will say so; use the path as given
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(abs.toString().getBytes(StandardCharsets.UTF_8));
            return ABSTRACT_PREFIX + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256", e);
        }
    }

    /**
     * Releases the guard. A daemon never needs to (its exit does it); for in-process users.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        if (fd >= 0) {
            sys.lsk_close(fd);
        } else {
            sys.lsk_sem_release(semKey);
        }
    }
}
