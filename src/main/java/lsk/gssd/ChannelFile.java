package lsk.gssd;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.kernel.CacheChannelNative;
import lsk.kernel.ParamPaths;

/**
 * One sunrpc cache channel of a Lustre 2.15.x server, kept open and opened again when it goes
 * away (module reloaded, simulated kernel restarted), as the C daemon's main loop does. A
 * descriptor is closed only under the write lock and written only under the read lock, so an
 * answer never goes to a descriptor number the reader has closed and the system has reused.
 */
final class ChannelFile implements AutoCloseable {
    /** Not open and cannot be opened now. */
    static final int ENOTCONN = 107;
    private final CacheChannelNative cc;
    private final ParamPaths paths;
    private final Path path;
    private final int flags;
    private final Log log;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private int fd = -1;
    private boolean warned;
    /** Closed for good: a late answer must not reopen it (an open init channel tells the kernel a daemon listens). */
    private boolean closed;

    /** {@code path} lies under {@code paths}' root, which is checked before each open. */
    ChannelFile(CacheChannelNative cc, ParamPaths paths, Path path, int flags, Log log) {
        this.cc = cc;
        this.paths = paths;
        this.path = path;
        this.flags = flags;
        this.log = log;
    }

    Path path() {
        return path;
    }

    /** Opens it unless open; false (logged once until it works) when it cannot be opened now. */
    boolean open() {
        lock.writeLock().lock();
        try {
            if (fd >= 0) {
                return true;
            }
            if (closed) {
                return false;
            }
            try {
                paths.checkTrusted(path); // a simulated root: root writes session keys here
            } catch (LskException e) {
                log.log(warned ? Log.TRACE : Log.ERR, "ERROR: " + e.getMessage());
                warned = true;
                return false;
            }
            long r = cc.lsk_cc_open(path.toString(), flags);
            if (r < 0) {
                // the C daemon retries silently (level 4) every 0.5 s: one line, not one per try
                log.log(warned ? Log.TRACE : Log.WARN, "failed to open " + path + ": errno " + -r);
                warned = true;
                return false;
            }
            fd = (int) r;
            warned = false;
            log.log(Log.INFO, "successfully open " + path);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The open descriptor, or -1; only the thread that also {@link #reset}s may poll or read it. */
    int fd() {
        lock.readLock().lock();
        try {
            return fd;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Closes the descriptor (the next {@link #open} opens the file anew). */
    void reset() {
        lock.writeLock().lock();
        try {
            if (fd >= 0) {
                cc.lsk_cc_close(fd);
                fd = -1;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * One record in one write. With {@code reopen}, a closed or failed channel is opened again
     * and the write tried once more (the context channel; the init channel is reopened only by
     * its reader).
     */
    void write(byte[] line, boolean reopen) throws LskException {
        long r = writeOnce(line);
        if (r < 0 && reopen && r != -Errno.EINVAL) { // EINVAL: the kernel refused the record itself
            reset();
            if (open()) {
                r = writeOnce(line);
            }
        }
        if (r < 0) {
            int errno = r == Long.MIN_VALUE ? ENOTCONN : (int) -r;
            throw new LskException("write to " + path + " failed: errno " + errno, errno);
        }
    }

    private long writeOnce(byte[] line) {
        if (fd() < 0 && !open()) {
            return Long.MIN_VALUE;
        }
        lock.readLock().lock();
        try {
            return fd < 0 ? Long.MIN_VALUE : cc.lsk_cc_write(fd, line, line.length);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            reset();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
