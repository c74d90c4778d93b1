package lsk.bench;

import java.io.File;
import java.io.IOException;
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
    static final List<String[]> VARIANTS = List.of(
            new String[] {"default"},
            new String[] {"c1", "-XX:TieredStopAtLevel=1"},
            new String[] {"appcds", "@CDS"},
            new String[] {"appcds_c1", "@CDS", "-XX:TieredStopAtLevel=1"},
            new String[] {"appcds_c1_serialgc", "@CDS", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"});

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
            List<String> upcall = List.of("lsk.cli.Main", "bench", Bench.UPCALL_PROXY, "client.key", "reply", "out");
            // The AppCDS archive: classes loaded by one upcall, dumped at its exit.
            List<String> dump = new ArrayList<>(List.of(java, "-XX:ArchiveClassesAtExit=" + jsa, "-cp", cp));
            dump.addAll(upcall);
            long t0 = System.nanoTime();
            run(dump, dir);
            sink.put("appcds_archive_create_ms", (System.nanoTime() - t0) / 1e6, "ms");

            List<String> noop = List.of("lsk.cli.Main", "--help");
            double best = Double.MAX_VALUE;
            String bestName = null;
            for (String[] v : VARIANTS) {
                if (!allVariants && v[0].matches("c1|appcds_c1_serialgc")) {
                    continue;
                }
                List<String> opts = new ArrayList<>();
                for (int i = 1; i < v.length; i++) {
                    opts.add(v[i].equals("@CDS") ? "-XX:SharedArchiveFile=" + jsa : v[i]);
                }
                double start = median(runs, java, opts, cp, noop, dir);
                sink.put("jvm_start_noop_" + v[0] + "_ms", start, "ms");
                double up = median(runs, java, opts, cp, upcall, dir);
                sink.put("upcall_proxy_ffdhe2048_" + v[0] + "_ms", up, "ms");
                if (up < best) {
                    best = up;
                    bestName = v[0];
                }
            }
            summary.add(String.format(Locale.ROOT, "upcall proxy (JVM start + initiator work, ffdhe2048): best %s ms "
                    + "with %s (target <= 250 ms: %s)", Bench.fmt(best), bestName, best <= 250 ? "met" : "NOT met"));
        } finally {
            Bench.deleteTree(dir);
        }
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
        if (rc != 0 && !cmd.contains("--help")) {
            throw new IOException("'" + String.join(" ", cmd.subList(cmd.size() - 3, cmd.size())) + "' exited " + rc);
        }
    }
}
