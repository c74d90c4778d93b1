package lsk.status;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import lsk.base.LskException;
import lsk.cmd.Log;

/**
 * Keeps the status file (and the Prometheus file, when asked for) up to date: written at start,
 * then at most once per {@link #PERIOD_MS} ms and only when a counter changed, and a last time
 * at {@link #close()} marked stopped. One daemon thread; the daemon's hot path never waits for
 * it (it only reads the counters). A write that fails is logged once until one succeeds again:
 * serving matters more than the counters.
 */
public final class StatusWriter implements AutoCloseable {
    public static final long PERIOD_MS = 1000;

    private final Path status;
    private final Optional<Path> metrics;
    private final Supplier<Snapshot> counters;
    private final LongSupplier clock;
    private final Log log;
    private final Thread thread;
    private final Object lock = new Object();
    private Snapshot last;
    private boolean closed;
    private boolean failing;

    private StatusWriter(Path status, Optional<Path> metrics, Supplier<Snapshot> counters, LongSupplier clock, Log log) {
        this.status = status;
        this.metrics = metrics;
        this.counters = counters;
        this.clock = clock;
        this.log = log;
        this.thread = new Thread(this::run, "svcgssd-status");
        thread.setDaemon(true);
    }

    /** Writes the files once and keeps them current. */
    public static StatusWriter start(Path status, Optional<Path> metrics, Supplier<Snapshot> counters, Log log) {
        StatusWriter w = new StatusWriter(status, metrics, counters, () -> System.currentTimeMillis() / 1000, log);
        w.refresh(false);
        w.thread.start();
        return w;
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (!refresh(false)) {
                return;
            }
        }
    }

    /** Writes when the counters changed (or to mark the stop); false once closed. */
    private boolean refresh(boolean stop) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            Snapshot s = counters.get().at(clock.getAsLong(), stop);
            if (s.sameCounts(last)) {
                return true;
            }
            try {
                AtomicFile.write(status, StatusText.render(s));
                if (metrics.isPresent()) {
                    AtomicFile.write(metrics.get(), PrometheusText.render(s));
                }
                last = s;
                if (failing) {
                    failing = false;
                    log.log(Log.WARN, "status files written again");
                }
            } catch (LskException e) {
                if (!failing) {
                    failing = true;
                    log.log(Log.ERR, "ERROR: " + e.getMessage() + " (counters not written until this clears)");
                }
            }
            closed = stop;
            return !stop;
        }
    }

    /** Stops refreshing and writes the last counters, marked stopped. */
    @Override
    public void close() {
        thread.interrupt();
        refresh(true);
        try {
            thread.join(PERIOD_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
