package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import lsk.lgsssk.parity.CaseRun;
import lsk.lgsssk.parity.FileCheck;
import lsk.lgsssk.parity.Normalise;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of ../shared/vectors/lgss_sk_parity (the real C lgss_sk's exit codes, output,
 * files and keyring after each step) run with scripts/lgss_sk from target/lsk.jar, compared
 * after the README's normalisations. Each case reports all its mismatches in one message.
 * Cases that still differ from C on purpose are in {@link #DIFFERENT}, with the reason: that
 * list is what remains different.
 */
class ParityVectorsIT {
    /**
     * What remains different from C on purpose, and why: either C's recorded text with one string
     * swapped for lsk's (in every case whose name matches), or a whole case expected to differ.
     * A whole-case entry still runs (a crash would show); one that starts to match C fails, so
     * the list stays true. This list is what the README's compatibility table must say.
     */
    static final List<Difference> DIFFERENT = List.of(
            Difference.swap(".*", "3f3f3f3f", "3f3f0000", "keys are loaded with permission 3f3f0000 (possessor and"
                    + " owner), not C's 3f3f3f3f, which lets every local user read, update and revoke the shared"
                    + " key (issue 10 item 1)"),
            Difference.whole("w20_keybits_0", "-k 0 writes a key of no bits, which anyone can forge tokens with:"
                    + " lsk refuses shared keys under 128 bits"),
            Difference.whole("w20_keybits_abc", "-k abc is -k 0 to C (atoi): refused as under 128 bits"),
            Difference.whole("w87_default_random_src", "-k 64: refused as under 128 bits"));

    /** See {@link #DIFFERENT}: {@code from} in C's texts becomes {@code to}, or (from null) the case differs. */
    record Difference(Pattern cases, String from, String to, String reason) {
        static Difference swap(String cases, String from, String to, String reason) {
            return new Difference(Pattern.compile(cases), from, to, reason);
        }

        static Difference whole(String name, String reason) {
            return new Difference(Pattern.compile(Pattern.quote(name)), null, null, reason);
        }
    }

    private static final Path BASE = Path.of(System.getProperty("lsk.basedir", ".")).toAbsolutePath();
    private static final Pattern PAYLOAD = Pattern.compile("payload_sha=([0-9a-f]{16})");
    private static final AtomicInteger EXACT = new AtomicInteger();
    private static final AtomicInteger SWAPPED = new AtomicInteger();
    private static final AtomicInteger KEPT = new AtomicInteger();
    private static final AtomicInteger RUN = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> cases() throws IOException {
        Path jar = BASE.resolve("target/lsk.jar");
        assertTrue(Files.isRegularFile(jar), "jar not built (mvn -B -q -o -DskipTests package): " + jar);
        Path vectors = Vectors.path("lgss_sk_parity");
        List<String> order = new ArrayList<>();
        JsonParser.parseString(Files.readString(vectors.resolve("order.json"))).getAsJsonArray()
                .forEach(e -> order.add(e.getAsString()));
        return order.stream().map(name -> DynamicTest.dynamicTest(name, () -> runCase(vectors, name, jar)));
    }

    @AfterAll
    static void summary() {
        System.out.println("lgss_sk parity: " + (EXACT.get() + SWAPPED.get() + KEPT.get()) + "/" + RUN.get()
                + " cases pass: " + EXACT.get() + " as C, " + SWAPPED.get() + " as C but for a swap in DIFFERENT, "
                + KEPT.get() + " kept different (DIFFERENT)");
    }

    private static void runCase(Path vectors, String name, Path jar) throws Exception {
        JsonObject kase = JsonParser.parseString(Files.readString(vectors.resolve("cases/" + name + ".json")))
                .getAsJsonObject();
        boolean keyring = kase.get("keyring").getAsBoolean();
        if (keyring) {
            assumeTrue(onPath("keyctl") && onPath("unshare"), "keyctl or unshare not installed");
        }
        boolean viaPath = kase.has("via_path") && kase.get("via_path").getAsBoolean();
        Path work = BASE.resolve("target/parity").resolve(name);
        deleteTree(work);
        Files.createDirectories(work);
        Path script = BASE.resolve("scripts/lgss_sk");
        Map<String, String> env = new HashMap<>();
        env.put("LSK_JAR", jar.toString());
        String sk = viaPath ? "lgss_sk" : script.toString();
        env.put("LSK_CLASSPATH", null); // the jar, as installed
        env.put("LSK_ARGV0", null);
        CaseRun run = CaseRun.run(kase, vectors, work, sk, viaPath ? script.getParent() : null, env);
        List<Difference> swaps = DIFFERENT.stream()
                .filter(d -> d.from() != null && d.cases().matcher(name).matches()).toList();
        boolean[] swapped = {false};
        List<String> mismatches = compare(kase, vectors, run, viaPath ? null : sk, t -> {
            for (Difference d : swaps) {
                if (t.contains(d.from())) {
                    swapped[0] = true;
                    t = t.replace(d.from(), d.to());
                }
            }
            return t;
        });
        RUN.incrementAndGet();
        Difference kept = DIFFERENT.stream()
                .filter(d -> d.from() == null && d.cases().matcher(name).matches()).findFirst().orElse(null);
        if (kept != null) {
            if (mismatches.isEmpty()) {
                fail(name + " now matches C: remove it from DIFFERENT (" + kept.reason() + ")");
            }
            KEPT.incrementAndGet();
            return;
        }
        if (!mismatches.isEmpty()) {
            fail(name + ": " + mismatches.size() + " difference(s) from C:\n  " + String.join("\n  ", mismatches));
        }
        (swapped[0] ? SWAPPED : EXACT).incrementAndGet();
    }

    /** Every mismatch of the case; {@code expect} turns C's recorded text into what lsk must print. */
    static List<String> compare(JsonObject kase, Path vectors, CaseRun run, String prog, UnaryOperator<String> expect)
            throws IOException {
        List<String> out = new ArrayList<>();
        boolean mask = kase.get("mask_prime").getAsBoolean();
        boolean randomKey = kase.get("random_key").getAsBoolean();
        List<byte[]> inputs = new ArrayList<>();
        for (JsonElement f : kase.getAsJsonObject("setup").getAsJsonArray("files")) {
            inputs.add(Files.readAllBytes(vectors.resolve("inputs").resolve(f.getAsJsonArray().get(0).getAsString())));
        }
        JsonObject c = kase.getAsJsonObject("c");
        FileCheck files = new FileCheck(vectors.resolve("blobs"), randomKey, inputs);
        files.compare(c.getAsJsonObject("files"), run.files);
        Normalise cn = new Normalise();
        Normalise ln = new Normalise();
        String dir = run.dir.toString();
        for (int i = 0; i < run.steps.size(); i++) {
            JsonObject cs = c.getAsJsonArray("steps").get(i).getAsJsonObject();
            CaseRun.Step ls = run.steps.get(i);
            String[][] parts = {
                {"rc", ls.rc()}, {"out", ls.out()}, {"err", ls.err()}, {"comb", ls.comb()}, {"kr", ls.kr()},
            };
            for (String[] p : parts) {
                if (!cs.has(p[0])) {
                    continue;
                }
                String theirs = cn.apply(expect.apply(cs.get(p[0]).getAsString()));
                String mine = ln.apply(Normalise.paths(p[1], dir, prog));
                if (p[0].equals("kr")) {
                    theirs = payloads(theirs, files.cPayloads);
                    mine = payloads(mine, files.lskPayloads);
                }
                if (mask && (p[0].equals("err") || p[0].equals("comb"))) {
                    theirs = Normalise.maskPrime(theirs);
                    mine = Normalise.maskPrime(mine);
                }
                if (!theirs.equals(mine)) {
                    out.add("step " + i + " " + p[0] + ":\n    lsk: " + show(mine) + "\n    C:   " + show(theirs));
                }
            }
        }
        out.addAll(files.mismatches);
        return out;
    }

    /** A payload that is a file left in the case is named by that file (primes may differ by design). */
    private static String payloads(String kr, Map<String, String> byPrefix) {
        Matcher m = PAYLOAD.matcher(kr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String f = byPrefix.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement("payload_sha=" + (f != null ? "FILE:" + f : m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String show(String s) {
        return s == null ? "(none)" : "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d.isEmpty() ? "." : d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                q.toFile().setWritable(true);
                Files.delete(q);
            }
        }
    }
}
