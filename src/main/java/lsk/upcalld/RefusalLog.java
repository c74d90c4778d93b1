package lsk.upcalld;

import java.time.Duration;
import java.util.function.LongSupplier;
import lsk.cmd.Log;

/**
 * The log of peers refused by SO_PEERCRED, at most one line per window: any local user may
 * connect to a socket it can reach, as often as it likes, and must not be able to flood the log.
 * The first refusal is logged at once; later ones within the window are counted and reported
 * with the next line.
 */
final class RefusalLog {
    private final Log log;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private long count;
    private long suppressed;
    private long lastLogged;
    private boolean logged;

    RefusalLog(Log log, Duration window) {
        this(log, window, System::nanoTime);
    }

    RefusalLog(Log log, Duration window, LongSupplier nanoTime) {
        this.log = log;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    synchronized void refused(String user) {
        count++;
        long now = nanoTime.getAsLong();
        if (logged && now - lastLogged < windowNanos) {
            suppressed++;
            return;
        }
        log.log(Log.WARN, "warning: refused a connection from user " + user + " (only root may send upcalls)"
                + (suppressed > 0 ? "; " + suppressed + " more refused since the last such line" : ""));
        logged = true;
        lastLogged = now;
        suppressed = 0;
    }

    synchronized long count() {
        return count;
    }
}
