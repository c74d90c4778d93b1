package lsk.handshake;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one line per interval for a kind of message a peer can cause at will; the lines left
 * out are counted and the count goes with the next line.
 */
final class RateLimitedLog {
    private final System.Logger log;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long next;
    private boolean started;
    private long suppressed;

    RateLimitedLog(System.Logger log, long interval, TimeUnit unit, LongSupplier clock) {
        this.log = log;
        this.intervalNanos = unit.toNanos(interval);
        this.clock = clock;
    }

    /** Logs the message unless one went out within the interval; true when it was logged. */
    boolean log(System.Logger.Level level, String message) {
        long left;
        synchronized (this) {
            long now = clock.getAsLong();
            if (started && now - next < 0) {
                suppressed++;
                return false;
            }
            started = true;
            next = now + intervalNanos;
            left = suppressed;
            suppressed = 0;
        }
        log.log(level, left == 0 ? message : message + " (and " + left + " more like it since the last such line)");
        return true;
    }
}
