package lsk.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import lsk.base.Bytes;
import lsk.upcall.KeyPayload;

/**
 * The upcall at mount scale: {@code n} concurrent request_key(2) calls for n distinct targets
 * (OST0000..), through the real /sbin/request-key on the simulated kernel, as a client mounting
 * a file system with n OSTs makes them. Per route and phase: time until every key holds its
 * context, per-upcall latency (request to key updated) median and p99, memory taken (the drop in
 * MemAvailable from just before the first request to its lowest point while the batch runs)
 * and the peak number of the batch's JVMs; for the service, its peak RSS.
 *
 * <p>Phases: {@code cold} is the first batch with nothing of lsk running on the client side
 * (for the service route: no service, the first upcall starts it), {@code warm} the batch right
 * after (the service still up). Today's route has no resident part: its cold and warm differ
 * by the page cache and the class-data archive only.
 */
final class UpcallScale {
    /** The goals: 64 concurrent within 1 s, one upcall within 60 ms, memory within 200 MiB. */
    static final double GOAL_ALL_MS = 1000;
    static final double GOAL_ONE_MS = 60;
    static final double GOAL_MIB = 200;

    private final Processes.Sink sink;
    private final List<String> summary;
    private final int n;
    private int batch;

    UpcallScale(Processes.Sink sink, List<String> summary, int n) {
        this.sink = sink;
        this.summary = summary;
        this.n = n;
    }

    /** Every route this build has, cold then warm; everything the rig made is removed after. */
    void measure(Path top, boolean quick) throws Exception {
        Duration timeout = Duration.ofSeconds(Math.max(60, n));
        try (UpcallRig rig = new UpcallRig(top).start(timeout, quick)) {
            // Two single upcalls, untimed: the jar in the page cache, request-key's entry read once.
            for (int i = 0; i < 2; i++) {
                batch(rig, UpcallRig.Route.JVM, 1, timeout);
            }
            // The service first: the JVM routes leave the machine loaded for a while (64 JVMs
            // exiting), which would be charged to whatever runs after them.
            List<UpcallRig.Route> routes = rig.hasNativeUpcall()
                    ? List.of(UpcallRig.Route.SERVICE, UpcallRig.Route.JVM, UpcallRig.Route.FALLBACK)
                    : List.of(UpcallRig.Route.JVM);
            for (UpcallRig.Route r : routes) {
                try {
                    for (String phase : List.of("cold", "warm")) {
                        report(r, phase, batch(rig, r, n, timeout));
                        // The next batch starts from quiet: the negotiators of this one gone (the service stays).
                        UpcallProcesses.awaitQuiet(rig.marker, r == UpcallRig.Route.SERVICE, Duration.ofSeconds(30));
                    }
                    single(rig, r, quick ? 5 : 11, timeout);
                } catch (IllegalStateException e) {
                    // One route failing (a context missing) must not hide the figures of the others.
                    String m = e.getMessage();
                    summary.add("upcalls, " + r.name().toLowerCase(Locale.ROOT) + ": FAILED: "
                            + (m.length() > 2000 ? m.substring(0, 2000) + "..." : m));
                    UpcallProcesses.awaitQuiet(rig.marker, false, Duration.ofSeconds(30));
                } finally {
                    if (r == UpcallRig.Route.SERVICE) {
                        UpcallProcesses.stopAll(rig.marker, Duration.ofSeconds(10));
                    }
                }
            }
            if (!rig.hasNativeUpcall()) {
                summary.add("upcalls: no native upcall built (target/native/lgss_keyring): only today's route measured");
            }
        }
    }

    /** One upcall at a time (warm): request to key updated, the "one upcall" row. */
    private void single(UpcallRig rig, UpcallRig.Route route, int runs, Duration timeout) throws Exception {
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            t[i] = batch(rig, route, 1, timeout).allMs();
        }
        double m = Harness.median(t);
        String name = route.name().toLowerCase(Locale.ROOT);
        sink.put("upcall_1_" + name + "_warm_median_ms", m, "ms");
        summary.add(String.format(Locale.ROOT, "one upcall, %s, warm: median %s ms over %d (goal <= %.0f: %s)", name,
                Bench.fmt(m), runs, GOAL_ONE_MS, m <= GOAL_ONE_MS ? "met" : "NOT met"));
    }

    /** The top of the built tree: scripts/ and target/ (the product jar's directory's parent). */
    static Path top() throws Exception {
        String b = System.getProperty("lsk.basedir");
        if (b != null) {
            return Path.of(b).toAbsolutePath().normalize();
        }
        Path product = Path.of(lsk.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // target/lsk.jar, or target/classes when run from a class path
        return product.getParent().getParent();
    }

    /** What one batch gave. */
    record Result(double allMs, double medianMs, double p99Ms, double firstMs, UpcallProcesses.Sample sample) {
    }

    /**
     * n request_key calls at once, each on its own thread (request_key blocks until the upcall
     * has instantiated the key); one poller then watches every key until it holds its context.
     */
    Result batch(UpcallRig rig, UpcallRig.Route route, int count, Duration timeout) throws Exception {
        int b = batch++;
        int[] keys = new int[count];
        long[] done = new long[count];
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch instantiated = new CountDownLatch(count);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int k = i;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    keys[k] = rig.request(route, "b" + b + "-" + k, k);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                } finally {
                    instantiated.countDown();
                }
            }, "upcall-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        UpcallProcesses.Sampler sampler = new UpcallProcesses.Sampler(rig.marker);
        long t0 = System.nanoTime();
        go.countDown();
        long end = t0 + timeout.toNanos();
        int left = count;
        try {
            while (left > 0) {
                if (System.nanoTime() > end || failure.get() != null) {
                    throw new IllegalStateException(route + " batch of " + count + ": " + left + " contexts missing"
                            + (failure.get() != null ? " (" + failure.get() + ")" : "") + "; " + rig.diagnostics());
                }
                left = 0;
                for (int i = 0; i < count; i++) {
                    if (done[i] == 0 && keys[i] != 0) {
                        done[i] = holdsContext(rig, keys[i]) ? System.nanoTime() : 0;
                    }
                    left += done[i] == 0 ? 1 : 0;
                }
                Thread.sleep(left > 0 ? 5 : 0);
            }
        } finally {
            UpcallProcesses.Sample s = sampler.stop();
            instantiated.await();
            rig.drop(keys);
            if (left == 0) {
                double[] lat = new double[count];
                long last = 0;
                for (int i = 0; i < count; i++) {
                    lat[i] = (done[i] - t0) / 1e6;
                    last = Math.max(last, done[i]);
                }
                Arrays.sort(lat);
                return new Result((last - t0) / 1e6, Harness.median(lat), lat[Math.min(count - 1,
                        (int) Math.ceil(0.99 * count) - 1)], lat[0], s);
            }
        }
        throw new AssertionError("unreachable");
    }

    /** Whether the key holds a context (more than the placeholder byte); a failure payload fails the batch. */
    private static boolean holdsContext(UpcallRig rig, int key) {
        byte[] p = rig.read(key);
        if (p == null) {
            throw new IllegalStateException("key " + key + " gone: negotiation failed; " + rig.diagnostics());
        }
        try {
            if (KeyPayload.asFailure(p).isPresent()) {
                throw new IllegalStateException("key " + key + " holds a failure payload; " + rig.diagnostics());
            }
            return p.length > 1;
        } finally {
            Bytes.wipe(p);
        }
    }

    private void report(UpcallRig.Route route, String phase, Result r) {
        String p = "upcalls_" + n + "_" + route.name().toLowerCase(Locale.ROOT) + "_" + phase + "_";
        double mib = r.sample().memAvailableDropKiB() / 1024.0;
        sink.put(p + "all_contexts_ms", r.allMs(), "ms");
        sink.put(p + "latency_median_ms", r.medianMs(), "ms");
        sink.put(p + "latency_p99_ms", r.p99Ms(), "ms");
        sink.put(p + "memavailable_drop_MiB", mib, "MiB");
        sink.put(p + "peak_jvms", r.sample().peakJvms(), "processes");
        if (route == UpcallRig.Route.SERVICE) {
            sink.put(p + "service_peak_rss_MiB", r.sample().peakServiceRssKiB() / 1024.0, "MiB");
        }
        summary.add(String.format(Locale.ROOT, "%d concurrent upcalls, %s, %s: all contexts %s ms (goal <= %.0f: %s), "
                        + "latency median %s ms, p99 %s ms, first %s ms, MemAvailable -%s MiB (goal <= %.0f: %s), "
                        + "peak %d JVMs", n, route.name().toLowerCase(Locale.ROOT), phase, Bench.fmt(r.allMs()),
                GOAL_ALL_MS, r.allMs() <= GOAL_ALL_MS ? "met" : "NOT met", Bench.fmt(r.medianMs()), Bench.fmt(r.p99Ms()),
                Bench.fmt(r.firstMs()), Bench.fmt(mib), GOAL_MIB, mib <= GOAL_MIB ? "met" : "NOT met",
                r.sample().peakJvms()));
    }
}
