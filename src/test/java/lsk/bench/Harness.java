package lsk.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A small measuring harness (instead of JMH: it runs from the product jar with no annotation
 * processing, and the handshake operations take milliseconds, far above timer resolution).
 * Each measurement: a warm-up (JIT compilation, caches), then several timed rounds of at least
 * {@link Plan#roundMs} each; the result is the median round, so one round disturbed by another
 * process on the shared machine does not move it.
 */
final class Harness {
    /** One benchmarked operation; per thread (may hold per-thread state). */
    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    /**
     * @param warmupMs warm-up time before the rounds
     * @param rounds   timed rounds (median taken)
     * @param roundMs  minimum time per round; every round runs at least one operation
     */
    record Plan(long warmupMs, int rounds, long roundMs) {
        static final Plan TINY = new Plan(0, 1, 0);
    }

    private Harness() {
    }

    /** Runs op for the plan's warm-up time. */
    static void warm(Plan plan, Op op) throws Exception {
        runFor(op, plan.warmupMs());
    }

    /** One timed round of at least ms: nanoseconds per operation. */
    static double round(Op op, long ms) throws Exception {
        long[] res = runFor(op, ms);
        return (double) res[1] / res[0];
    }

    /** Median over rounds of the time per operation, nanoseconds, on the calling thread. */
    static double nsPerOp(Plan plan, Op op) throws Exception {
        runFor(op, plan.warmupMs());
        double[] r = new double[plan.rounds()];
        for (int i = 0; i < r.length; i++) {
            long[] res = runFor(op, plan.roundMs());
            r[i] = (double) res[1] / res[0];
        }
        return median(r);
    }

    /**
     * Median over rounds of the aggregate throughput of {@code threads} threads, each running
     * its own op from {@code factory} back to back, in operations per second.
     */
    static double opsPerSecond(Plan plan, int threads, Supplier<Op> factory) throws Exception {
        if (threads == 1) {
            return 1e9 / nsPerOp(plan, factory.get());
        }
        Op[] ops = new Op[threads];
        for (int i = 0; i < threads; i++) {
            ops[i] = factory.get();
        }
        parallel(ops, plan.warmupMs());
        double[] r = new double[plan.rounds()];
        for (int i = 0; i < r.length; i++) {
            r[i] = parallel(ops, plan.roundMs());
        }
        return median(r);
    }

    /** Runs every op on its own thread for ms; returns total ops per second. */
    private static double parallel(Op[] ops, long ms) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        long[][] results = new long[ops.length][];
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) {
            int k = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    results[k] = runFor(ops[k], ms);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-" + i);
            ts.add(t);
            t.start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        long elapsed = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw failure.get();
        }
        long n = 0;
        for (long[] res : results) {
            n += res[0];
        }
        return n * 1e9 / elapsed;
    }

    /** Runs op until ms have passed (at least once); returns {ops, elapsed ns}. */
    private static long[] runFor(Op op, long ms) throws Exception {
        long t0 = System.nanoTime();
        long end = t0 + ms * 1_000_000L;
        long n = 0;
        long now;
        do {
            op.run();
            n++;
            now = System.nanoTime();
        } while (now < end);
        return new long[] {n, now - t0};
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
