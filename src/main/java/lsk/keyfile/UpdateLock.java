package lsk.keyfile;

import lsk.base.Errno;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import lsk.base.LskException;

/**
 * A key file held for a read-modify-write ({@code -m}, key conversion on load), serialized
 * across processes and threads: an exclusive flock(2) on the key file itself, opened without
 * following a link or blocking (a FIFO or a link swapped in is refused, not waited on). No
 * lock file exists: none can be planted, held or left beside the keys (a stray file there
 * breaks {@code mount.lustre skpath=DIR}). A rewrite renames a new file over the name, so a
 * waiter that gets the lock checks that the name still is the file it locked, else retries;
 * the new file is itself locked by the writer from before it is named until all its names
 * (hard links) are in place, so a run that opens it early waits for the whole rewrite.
 * The wait is bounded: a holder that never lets go (another user who can read the key) makes
 * this fail after the timeout instead of hanging.
 *
 * <p>{@link #read} and {@link #write} go through the directory opened when the lock was taken:
 * a link swapped in later cannot redirect them. Close to release.
 */
public final class UpdateLock implements AutoCloseable {
    /** Polling interval while another open file holds the lock. */
    private static final long POLL_MS = 20;

    private final KeyDir dir;
    private final int fd;
    private final String display;

    private UpdateLock(KeyDir dir, int fd, String display) {
        this.dir = dir;
        this.fd = fd;
        this.display = display;
    }

    /**
     * Takes the update lock of {@code target}, waiting at most {@code timeout}.
     *
     * @param display how the user named the file (messages)
     * @throws LskException "error: locking '&lt;name&gt;': ..." (ETIMEDOUT when another holder
     *                      kept it past the timeout), or the read error for a file that is not
     *                      a regular one
     */
    public static UpdateLock acquire(Path target, String display, Duration timeout) throws LskException {
        long deadline = System.nanoTime() + timeout.toNanos();
        KeyDir dir;
        try {
            dir = KeyDir.forFile(target);
        } catch (IOException e) {
            throw new LskException("error: locking '" + display + "': " + KeyFiles.strerror(e), Errno.of(e), e);
        }
        try {
            while (true) {
                int fd = dir.openRead(dir.name());
                boolean keep = false;
                try {
                    KeyDir.Stat st = dir.fstat(fd);
                    if (!st.isRegular()) {
                        throw new LskException("Error opening key file '" + display + "': not a regular file",
                                Errno.EINVAL);
                    }
                    while (!dir.tryLock(fd, display)) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new LskException("error: locking '" + display + "': still held by another process"
                                    + " after " + timeout.toSeconds() + " s (another lgss_sk -m or key"
                                    + " conversion?); try again later", Errno.ETIMEDOUT);
                        }
                        Thread.sleep(POLL_MS);
                    }
                    Optional<KeyDir.Stat> now = dir.lstat(dir.name());
                    if (now.isPresent() && now.get().sameFile(st)) {
                        keep = true;
                        return new UpdateLock(dir, fd, display);
                    }
                    // replaced by the previous holder's rewrite: lock the new file
                } finally {
                    if (!keep) {
                        dir.closeFile(fd);
                    }
                }
            }
        } catch (IOException e) {
            dir.close();
            throw new LskException("error: locking '" + display + "': " + KeyFiles.strerror(e), Errno.of(e), e);
        } catch (InterruptedException e) {
            dir.close();
            Thread.currentThread().interrupt();
            throw new LskException("error: locking '" + display + "': interrupted", Errno.EIO);
        } catch (LskException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** Reads the locked file (the C tool's messages, see {@link KeyFiles#read}). */
    public KeyFiles.KeyFile read(PrintStream err) throws KeyFileFormatException {
        return KeyFiles.readOpen(dir, fd, display, err);
    }

    /**
     * Replaces the locked file by {@code config}, keeping its owner and mode (see
     * {@link KeyFiles#write}).
     *
     * @return hard links of the old file outside its directory, which keep the old key (see
     *         {@link KeyFiles#oldLinksWarning})
     */
    public int write(KeyConfig config, boolean ascii) throws LskException {
        byte[] bytes = ascii ? KeyFileCodec.encodeAscii(config) : KeyFileCodec.encodeBinary(config);
        try {
            return KeyWriter.write(dir, display, bytes, true);
        } catch (IOException e) {
            throw new LskException("error: opening '" + display + "': " + KeyFiles.strerror(e), Errno.of(e), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public void close() {
        dir.closeFile(fd); // releases the flock
        dir.close();
    }
}
