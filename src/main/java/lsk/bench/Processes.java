package lsk.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import lsk.keyfile.KeyConfig;

/**
 * Measurements that start JVMs: wall time from process start to exit, median over runs, for the
 * JVM option sets the launcher scripts may use (start-up is what an upcall pays every time).
 */
final class Processes {
    /** Where a result goes: name, value, unit. */
    @FunctionalInterface
    interface Sink {
        void put(String name, double value, String unit);
    }

    /** JVM options tried for one-shot processes, by label. */
    static final List<List<String>> VARIANTS = List.of(
            List.of("default"),
            List.of("c1", "-XX:TieredStopAtLevel=1"),
            List.of("appcds", "@CDS"),
            List.of("appcds_c1", "@CDS", "-XX:TieredStopAtLevel=1"),
            // what scripts/lsk gives lgss_keyring
            List.of("appcds_c1_serialgc", "@CDS", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:-UsePerfData"));
    /** What scripts/lsk gives lgss_sk: C2 kept for prime generation. */
    static final List<String> LGSS_SK_SCRIPT = List.of("appcds_serialgc", "@CDS", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    private Processes() {
    }

    static void measure(Sink sink, int runs, boolean allVariants, KeyConfig clientKey, byte[] reply, List<String> summary)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = absoluteClassPath();
        Path dir = Files.createTempDirectory("lsk-bench-proc");
        try {
            UpcallProxy.writeInputs(dir, clientKey, reply);
            Path jsa = dir.resolve("upcall.jsa");
            List<String> upcall = List.of("lsk.Main", "bench", Bench.UPCALL_PROXY, "client.key", "reply", "out");
            // A static AppCDS archive of the classes one upcall loads, as the build makes
            // target/lsk.jsa. (A dynamic archive, -XX:ArchiveClassesAtExit, measured slower than
            // none here: its classes are re-linked at start.)
            long t0 = System.nanoTime();
            makeArchive(java, cp, dir, jsa);
            sink.put("appcds_archive_create_ms", (System.nanoTime() - t0) / 1e6, "ms");

            List<String> noop = List.of("lsk.Main", "--help");
            double best = Double.MAX_VALUE;
            String bestName = null;
            for (List<String> v : VARIANTS) {
                if (!allVariants && v.get(0).matches("appcds|appcds_c1")) {
                    continue;
                }
                List<String> opts = new ArrayList<>();
                for (int i = 1; i < v.size(); i++) {
                    opts.add(v.get(i).equals("@CDS") ? "-XX:SharedArchiveFile=" + jsa : v.get(i));
                }
                double start = median(runs, java, opts, cp, noop, dir);
                sink.put("jvm_start_noop_" + v.get(0) + "_ms", start, "ms");
                double up = median(runs, java, opts, cp, upcall, dir);
                sink.put("upcall_proxy_ffdhe2048_" + v.get(0) + "_ms", up, "ms");
                if (up < best) {
                    best = up;
                    bestName = v.get(0);
                }
            }
            // A client key (ffdhe2048, the default for 2048 bits) written by a whole lgss_sk process.
            for (List<String> v : List.of(VARIANTS.get(0), LGSS_SK_SCRIPT)) {
                List<String> opts = new ArrayList<>();
                for (int i = 1; i < v.size(); i++) {
                    opts.add(v.get(i).equals("@CDS") ? "-XX:SharedArchiveFile=" + jsa : v.get(i));
                }
                int[] n = {0};
                double[] t = new double[runs];
                for (int i = 0; i < runs; i++) {
                    List<String> cmd = new ArrayList<>(List.of(java));
                    cmd.addAll(opts);
                    cmd.addAll(List.of("-cp", cp, "lsk.Main", "lgss_sk", "-t", "client", "-f", "tank", "-w",
                            "k" + v.get(0) + (n[0]++)));
                    long s0 = System.nanoTime();
                    run(cmd, dir);
                    t[i] = (System.nanoTime() - s0) / 1e6;
                }
                double m = Harness.median(t);
                sink.put("keywrite_client_ffdhe2048_process_" + v.get(0) + "_ms", m, "ms");
                summary.add(String.format(Locale.ROOT, "client key (ffdhe2048) by a whole lgss_sk process, %s: %s ms "
                        + "(target < 500 ms: %s)", v.get(0), Bench.fmt(m), m < 500 ? "met" : "NOT met"));
            }
            upcallOnSimulatedKernel(sink, allVariants ? 15 : 3, java, cp, summary);
            summary.add(String.format(Locale.ROOT, "upcall proxy (JVM start + initiator work, ffdhe2048): best %s ms "
                    + "with %s (target <= 250 ms: %s)", Bench.fmt(best), bestName, best <= 250 ? "met" : "NOT met"));
        } finally {
            Bench.deleteTree(dir);
        }
    }

    private static final java.util.regex.Pattern DEMO_TIMES = java.util.regex.Pattern.compile(
            "request to key updated: min ([0-9]+) ms, median ([0-9]+) ms, max ([0-9]+) ms");

    /**
     * The real upcall: {@code lsk demo --repeat n} (simulated kernel, lsvcgssd, the kernel
     * keyring and /sbin/request-key running scripts/lgss_keyring with its JVM options), from
     * request to key updated. Needs root and keyutils; otherwise reported as n/a.
     */
    static void upcallOnSimulatedKernel(Sink sink, int n, String java, String cp, List<String> summary)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-cp", cp, "lsk.Main", "demo", "--repeat", Integer.toString(n))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        java.util.regex.Matcher m = DEMO_TIMES.matcher(out);
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

    /** Static AppCDS archive: class list of a training run ({@code bench --cds-train}), then a dump. */
    static void makeArchive(String java, String cp, Path dir, Path jsa) throws IOException, InterruptedException {
        Path list = dir.resolve("classlist");
        run(List.of(java, "-XX:DumpLoadedClassList=" + list, "-XX:TieredStopAtLevel=1", "-cp", cp, "lsk.Main",
                "bench", Bench.CDS_TRAIN), dir);
        run(List.of(java, "-Xshare:dump", "-XX:SharedClassListFile=" + list, "-XX:SharedArchiveFile=" + jsa,
                "-cp", cp), dir);
    }

    /** The class path with absolute entries (the children run in a temporary directory). */
    static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            out.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, out);
    }

    private static double median(int runs, String java, List<String> opts, String cp, List<String> main, Path dir)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(opts);
        cmd.add("-cp");
        cmd.add(cp);
        cmd.addAll(main);
        run(cmd, dir); // first run: page cache
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run(cmd, dir);
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return Harness.median(t);
    }

    static void run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int rc = p.waitFor();
        if (rc != 0 && !cmd.contains("--help") && cmd.contains("lsk.Main")) {
            throw new IOException("'" + String.join(" ", cmd.subList(cmd.indexOf("lsk.Main"), cmd.size()))
                    + "' exited " + rc);
        }
    }
}
