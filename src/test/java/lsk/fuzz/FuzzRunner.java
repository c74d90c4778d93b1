package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs every {@code @FuzzTest} in {@code lsk.fuzz} in real fuzzing mode, one child JVM per target
 * (libFuzzer fuzzes one target per process; Jazzer's JUnit mode also fuzzes only one test per
 * JVM, and only for the annotation's maxDuration), each for a bounded time, and prints the
 * executions per target. Exit status 1 when any target found something (crash, uncaught
 * exception, per-input timeout, out of memory) or did not finish: its log, the crashing input
 * and a Java reproducer are left under the work directory.
 *
 * <pre>
 * java -cp TESTCLASSPATH lsk.fuzz.FuzzRunner [--seconds N] [--work DIR] [--seeds DIR] [TARGET...]
 * </pre>
 * TARGET is {@code Class#method} or a substring of it. {@code scripts/fuzz} wraps this; the build
 * runs it briefly in the integration-test phase.
 */
public final class FuzzRunner {
    private static final Pattern DONE = Pattern.compile("^Done (\\d+) runs in (\\d+) second");

    /** One fuzz target. */
    record Target(String className, String method) {
        String id() {
            return className.substring(className.lastIndexOf('.') + 1) + "#" + method;
        }
    }

    /** Outcome of one child run. */
    record Result(Target target, int exitCode, long execs, long seconds, Path log) {
        boolean ok() {
            return exitCode == 0 && execs > 0;
        }
    }

    private final long seconds;
    private final Path work;
    private final Path seeds;
    private final String classpath;

    FuzzRunner(long seconds, Path work, Path seeds, String classpath) {
        this.seconds = seconds;
        this.work = work;
        this.seeds = seeds;
        this.classpath = classpath;
    }

    public static void main(String[] args) throws Exception {
        long seconds = 3;
        Path work = Path.of("target", "fuzz");
        Path seeds = Path.of("src", "test", "resources");
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--seeds" -> seeds = Path.of(args[++i]);
                case "--list" -> {
                    discover().forEach(t -> System.out.println(t.id()));
                    return;
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("usage: FuzzRunner [--seconds N] [--work DIR] [--seeds DIR] [--list] [TARGET...]");
                        System.exit(2);
                    }
                    only.add(args[i]);
                }
            }
        }
        List<Target> targets = discover().stream()
                .filter(t -> only.isEmpty() || only.stream().anyMatch(o -> t.id().contains(o)))
                .toList();
        if (targets.isEmpty()) {
            System.err.println("no fuzz target matches " + only);
            System.exit(2);
        }
        FuzzRunner r = new FuzzRunner(seconds, work, seeds, System.getProperty("java.class.path"));
        List<Result> results = new ArrayList<>();
        for (Target t : targets) {
            Result res = r.run(t);
            System.out.printf("fuzz %-40s %s %,14d execs in %3d s%s%n", t.id(), res.ok() ? "ok  " : "FAIL",
                    res.execs(), res.seconds(), res.ok() ? "" : "  (exit " + res.exitCode() + ", see " + res.log() + ")");
            results.add(res);
        }
        long bad = results.stream().filter(x -> !x.ok()).count();
        System.out.println("fuzz: " + targets.size() + " targets, " + bad + " failed");
        System.exit(bad == 0 ? 0 : 1);
    }

    /** Every {@code @FuzzTest} method of the {@code *FuzzTest} classes beside this one, sorted. */
    static List<Target> discover() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(FuzzRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("lsk").resolve("fuzz");
        List<Target> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String f = p.getFileName().toString();
                if (!f.endsWith("FuzzTest.class")) {
                    continue;
                }
                Class<?> c = Class.forName("lsk.fuzz." + f.substring(0, f.length() - ".class".length()));
                Arrays.stream(c.getDeclaredMethods())
                        .filter(m -> m.isAnnotationPresent(FuzzTest.class))
                        .map(Method::getName)
                        .sorted()
                        .forEach(m -> out.add(new Target(c.getName(), m)));
            }
        }
        out.sort(Comparator.comparing(Target::id));
        return out;
    }

    Result run(Target t) throws IOException, InterruptedException {
        Path dir = work.resolve(t.id().replace('#', '.'));
        Path corpus = dir.resolve("corpus");
        Files.createDirectories(corpus);
        Path log = dir.resolve("fuzz.log");
        String simple = t.className().substring(t.className().lastIndexOf('.') + 1);
        Path seedDir = seeds.resolve("lsk").resolve("fuzz").resolve(simple + "Inputs").resolve(t.method());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Xmx768m", "-Xss4m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=4",
                "-cp", classpath,
                "-Dlsk.vectors=" + lsk.testutil.Vectors.dir().toAbsolutePath(),
                // Rejections are the point here: log only what would be a bug (SEVERE).
                "-Djava.util.logging.config.file=" + logging(),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + t.className(),
                "--target_method=" + t.method(),
                // Coverage only where the parsers are; the JDK and Bouncy Castle stay fast.
                "--instrumentation_includes=lsk.**",
                "--custom_hook_includes=lsk.**",
                "--reproducer_path=" + dir,
                "-artifact_prefix=" + dir + "/",
                "-max_total_time=" + seconds,
                "-timeout=20",           // a single input taking this long is a hang
                "-rss_limit_mb=2048",
                "-max_len=16384",
                "-print_final_stats=0",
                corpus.toString()));
        if (Files.isDirectory(seedDir)) {
            cmd.add(seedDir.toString());
        }
        Path vectorSeeds = dir.resolve("seeds");
        Files.createDirectories(vectorSeeds);
        for (var s : Seeds.all().getOrDefault(t.id(), Map.of()).entrySet()) {
            Files.write(vectorSeeds.resolve(s.getKey()), s.getValue());
        }
        cmd.add(vectorSeeds.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        // Generous bound on top of the fuzzing time: JVM start, instrumentation, seed replay.
        if (!p.waitFor(seconds + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(t, -1, 0, elapsed(start), log);
        }
        long execs = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
            Matcher m = DONE.matcher(line);
            if (m.find()) {
                execs = Long.parseLong(m.group(1));
            }
        }
        return new Result(t, p.exitValue(), execs, elapsed(start), log);
    }

    private Path logging() throws IOException {
        Path p = work.resolve("logging.properties");
        Files.createDirectories(work);
        Files.writeString(p, "handlers=java.util.logging.ConsoleHandler\n.level=SEVERE\n");
        return p.toAbsolutePath();
    }

    private static long elapsed(long start) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    }
}
