package lsk.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lsk.Main;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;

/**
 * Measurements that start JVMs: wall time from process start to exit, median over runs, of the
 * real one-shot commands (start-up is what every upcall and every lgss_sk call pays). Two ways
 * to start each: a plain {@code java} with no options ({@code default}), and {@code scripts/lsk}
 * ({@code script}: the JVM options of {@code scripts/lsk-jvm.conf} and the class-data archives
 * the build trained), when the product is the jar of a built tree.
 */
final class Processes {
    /** Where a result goes: name, value, unit. */
    @FunctionalInterface
    interface Sink {
        void put(String name, double value, String unit);
    }

    /** How one command line is started. */
    private interface Launcher {
        List<String> command(List<String> lskArgs);
    }

    private static final Pattern DEMO_TIMES = Pattern.compile(
            "request to key updated: min ([0-9]+) ms, median ([0-9]+) ms, max ([0-9]+) ms");

    private Processes() {
    }

    static void measure(Sink sink, int runs, boolean demo, KeyConfig clientKey, List<String> summary) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path product = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // The shaded jar holds every dependency; from a class directory (tests), this JVM's path.
        String cp = Files.isRegularFile(product) ? product.toString() : absoluteClassPath();
        Map<String, Launcher> launchers = new java.util.LinkedHashMap<>();
        launchers.put("default", a -> concat(List.of(java, "-cp", cp, Main.class.getName()), a));
        Path script = product.getParent().resolveSibling("scripts").resolve("lsk");
        if (Files.isRegularFile(product) && Files.isExecutable(script)) {
            launchers.put("script", a -> concat(List.of(script.toString()), a));
        }
        Path dir = Files.createTempDirectory("lsk-bench-proc");
        try {
            Files.write(dir.resolve("client.key"), KeyFileCodec.encodeBinary(clientKey));
            for (Map.Entry<String, Launcher> e : launchers.entrySet()) {
                String v = e.getKey();
                Launcher l = e.getValue();
                sink.put("jvm_start_noop_" + v + "_ms", median(runs, l.command(List.of("--help")), dir, false), "ms");
                double read = median(runs, l.command(List.of("lgss_sk", "-r", "client.key")), dir, true);
                sink.put("lgss_sk_read_" + v + "_ms", read, "ms");
                summary.add(String.format(Locale.ROOT, "lgss_sk -r (JVM start to exit), %s: %s ms", v, Bench.fmt(read)));
                // A client key (ffdhe2048, the default for 2048 bits) written by a whole lgss_sk process.
                int[] n = {0};
                double[] t = new double[runs];
                for (int i = 0; i < runs; i++) {
                    List<String> cmd = l.command(List.of("lgss_sk", "-t", "client", "-f", "tank", "-w", "k" + v + n[0]++));
                    long s0 = System.nanoTime();
                    run(cmd, dir, true);
                    t[i] = (System.nanoTime() - s0) / 1e6;
                }
                double m = Harness.median(t);
                sink.put("keywrite_client_ffdhe2048_process_" + v + "_ms", m, "ms");
                summary.add(String.format(Locale.ROOT, "client key (ffdhe2048) by a whole lgss_sk process, %s: %s ms "
                        + "(target < 500 ms: %s)", v, Bench.fmt(m), m < 500 ? "met" : "NOT met"));
            }
            if (demo) {
                Launcher best = launchers.getOrDefault("script", launchers.get("default"));
                upcallOnSimulatedKernel(sink, runs > 5 ? 15 : 3, best, summary);
            }
        } finally {
            Bench.deleteTree(dir);
        }
    }

    /**
     * The real upcall: {@code lsk demo --repeat n} (simulated kernel, lsvcgssd, the kernel
     * keyring and /sbin/request-key running scripts/lgss_keyring with its JVM options), from
     * request to key updated. Needs root and keyutils; otherwise reported as n/a.
     */
    private static void upcallOnSimulatedKernel(Sink sink, int n, Launcher l, List<String> summary)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(l.command(List.of("demo", "--repeat", Integer.toString(n))))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher m = DEMO_TIMES.matcher(out);
        if (p.exitValue() != 0 || !m.find()) {
            sink.put("upcall_request_to_key_updated_median_ms", Double.NaN, "ms");
            summary.add("upcall on the simulated kernel: not measured (lsk demo needs root, keyutils, "
                    + "/sbin/request-key; exit " + p.exitValue() + ")");
            return;
        }
        double med = Double.parseDouble(m.group(2));
        sink.put("upcall_request_to_key_updated_min_ms", Double.parseDouble(m.group(1)), "ms");
        sink.put("upcall_request_to_key_updated_median_ms", med, "ms");
        summary.add(String.format(Locale.ROOT, "upcall on the simulated kernel (request-key to key updated, two JVMs: "
                + "lgss_keyring and its detached negotiation): median %s ms over %d (target <= 250 ms: %s)",
                Bench.fmt(med), n, med <= 250 ? "met" : "NOT met"));
    }

    /** The class path with absolute entries (the children run in a temporary directory). */
    private static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            out.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, out);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static double median(int runs, List<String> cmd, Path dir, boolean mustSucceed) throws Exception {
        run(cmd, dir, mustSucceed); // first run: page cache
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run(cmd, dir, mustSucceed);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return Harness.median(t);
    }

    private static void run(List<String> cmd, Path dir, boolean mustSucceed) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int rc = p.waitFor();
        if (rc != 0 && mustSucceed) {
            throw new IOException("'" + String.join(" ", cmd) + "' exited " + rc);
        }
    }
}
