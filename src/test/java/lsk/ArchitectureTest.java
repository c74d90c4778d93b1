package lsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of issue 11, checked on every build: each package of src/main/java/lsk says
 * in its {@code package-info.java} which lsk packages it may import ({@code <p>May import: lsk.a,
 * lsk.b.}, {@code nothing of lsk.} or {@code every package ...}); the real dependencies of the
 * compiled classes (jdeps) stay within that; neither graph has a cycle; no main source file is
 * over 400 lines; and no string literal names an lsk class, except in {@code lsk/Main.java},
 * the one file that knows every command. Each test lists all its violations at once.
 */
class ArchitectureTest {
    static final int MAX_LINES = 400;
    private static final Path BASE = Path.of(System.getProperty("lsk.basedir", "."));
    private static final Path SRC = BASE.resolve("src/main/java");
    private static final Path CLASSES = BASE.resolve("target/classes");
    private static final Pattern MAY_IMPORT = Pattern.compile("(?m)^\\s*\\*?\\s*<p>May import: (.*)\\.\\s*$");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern JDEPS_LINE = Pattern.compile("^\\s+(lsk(?:\\.\\w+)*)\\s+->\\s+(lsk(?:\\.\\w+)*)\\s");
    private static final Pattern CLASS_NAME = Pattern.compile("\\blsk(\\.[a-z]\\w*)*\\.[A-Z]\\w*");
    private static final String EVERY = "*";

    @Test
    void everyPackageSaysWhatItMayImport() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path dir : packageDirs()) {
            Path info = dir.resolve("package-info.java");
            if (!Files.isRegularFile(info)) {
                bad.add(packageOf(dir) + ": no package-info.java");
            } else if (!MAY_IMPORT.matcher(Files.readString(info)).find()) {
                bad.add(packageOf(dir) + ": package-info.java has no line '<p>May import: ...'");
            }
        }
        assertNoViolations("package-info.java", bad);
    }

    @Test
    void realDependenciesAreAllowedOnes() throws IOException {
        Map<String, Set<String>> allowed = allowed();
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : realGraph().entrySet()) {
            Set<String> ok = allowed.get(e.getKey());
            if (ok == null) {
                bad.add(e.getKey() + ": no 'May import' rule (package-info.java)");
                continue;
            }
            if (ok.contains(EVERY)) {
                continue;
            }
            Set<String> extra = new TreeSet<>(e.getValue());
            extra.removeAll(ok);
            if (!extra.isEmpty()) {
                bad.add(e.getKey() + " -> " + extra + " (allowed: " + new TreeSet<>(ok) + ")");
            }
        }
        assertNoViolations("imports not allowed by package-info.java", bad);
    }

    @Test
    void allowedGraphHasNoCycle() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        Set<String> all = allowed().keySet();
        for (Map.Entry<String, Set<String>> e : allowed().entrySet()) {
            // "every package" is the top: it may use everything, so nothing may use it.
            g.put(e.getKey(), e.getValue().contains(EVERY) ? minus(all, e.getKey()) : e.getValue());
        }
        assertNoViolations("cycles in the allowed package graph", cycles(g));
    }

    @Test
    void realGraphHasNoCycle() throws IOException {
        assertNoViolations("cycles in the real package graph (jdeps)", cycles(realGraph()));
    }

    /** The cycle detector itself, on a graph with two cycles and an acyclic part: it can fail. */
    @Test
    void cycleDetectorFindsCycles() {
        Map<String, Set<String>> g = new HashMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a", "d"));
        g.put("d", Set.of());
        g.put("e", Set.of("f", "d"));
        g.put("f", Set.of("e"));
        g.put("top", Set.of("a", "e"));
        assertEquals(List.of("a -> b -> c -> a", "e -> f -> e"), cycles(g));
        g.put("c", Set.of("d"));
        g.put("f", Set.of("d"));
        assertEquals(List.of(), cycles(g));
    }

    @Test
    void noMainSourceFileIsOver400Lines() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path f : mainSources()) {
            long n = Files.readAllLines(f, StandardCharsets.UTF_8).size();
            if (n > MAX_LINES) {
                bad.add(SRC.relativize(f) + ": " + n + " lines");
            }
        }
        assertNoViolations("main source files over " + MAX_LINES + " lines", bad);
    }

    @Test
    void noStringNamesAnLskClassOutsideMain() throws IOException {
        Path main = SRC.resolve("lsk/Main.java");
        List<String> bad = new ArrayList<>();
        for (Path f : mainSources()) {
            if (f.equals(main)) {
                continue;
            }
            for (String lit : stringLiterals(Files.readString(f))) {
                Matcher m = CLASS_NAME.matcher(lit);
                while (m.find()) {
                    bad.add(SRC.relativize(f) + ": \"" + m.group() + "\"");
                }
            }
        }
        assertNoViolations("lsk class names in string literals (only lsk/Main.java may name classes)", bad);
    }

    @Test
    void literalScannerSkipsCommentsAndReadsEscapes() {
        String src = "// \"lsk.a.B\"\n/* \"lsk.C\" */ String s = \"x\\\"lsk.D\" + 'q' + \"\"\"\n  lsk.e.F\n  \"\"\";";
        List<String> lits = stringLiterals(src);
        assertEquals(List.of("x\\\"lsk.D", "\n  lsk.e.F\n  "), lits);
        assertTrue(CLASS_NAME.matcher(lits.get(1)).find());
    }

    // ---- the graphs ----

    /** Allowed lsk imports by package, from package-info.java; {@link #EVERY} for "every package". */
    static Map<String, Set<String>> allowed() throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Path dir : packageDirs()) {
            Path info = dir.resolve("package-info.java");
            if (!Files.isRegularFile(info)) {
                continue;
            }
            String s = Files.readString(info);
            Matcher m = MAY_IMPORT.matcher(s);
            Matcher p = PACKAGE.matcher(s);
            if (!m.find() || !p.find()) {
                continue;
            }
            String rule = m.group(1).trim();
            Set<String> ok = new TreeSet<>();
            if (rule.startsWith("every")) {
                ok.add(EVERY);
            } else if (!rule.startsWith("nothing")) {
                for (String x : rule.split(",")) {
                    ok.add(x.trim());
                }
            }
            out.put(p.group(1), ok);
        }
        return out;
    }

    /** lsk package to the other lsk packages its classes use, as jdeps reads target/classes. */
    static Map<String, Set<String>> realGraph() {
        assertTrue(Files.isDirectory(CLASSES.resolve("lsk")), "no compiled classes in " + CLASSES);
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                CLASSES.toString());
        assertEquals(0, rc, "jdeps failed: " + err);
        Map<String, Set<String>> g = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = JDEPS_LINE.matcher(line);
            if (m.find()) {
                Set<String> to = g.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                if (!m.group(1).equals(m.group(2))) {
                    to.add(m.group(2));
                }
            }
        }
        assertTrue(g.size() > 1 && g.containsKey("lsk"), "jdeps output not understood:\n" + out);
        return g;
    }

    /**
     * Every cycle of the graph, one per strongly connected component of more than one node
     * (Tarjan), written as a path through it from its smallest node: "a -> b -> a". Sorted.
     */
    static List<String> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> sccs = new ArrayList<>();
        for (String v : new TreeSet<>(g.keySet())) {
            if (!index.containsKey(v)) {
                strongConnect(v, g, index, low, stack, onStack, sccs);
            }
        }
        List<String> out = new ArrayList<>();
        for (Set<String> scc : sccs) {
            if (scc.size() > 1) {
                out.add(String.join(" -> ", pathInside(g, new TreeSet<>(scc))));
            }
        }
        out.sort(null);
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<Set<String>> sccs) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : new TreeSet<>(g.getOrDefault(v, Set.of()))) {
            if (!index.containsKey(w)) {
                strongConnect(w, g, index, low, stack, onStack, sccs);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> scc = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                scc.add(w);
            } while (!w.equals(v));
            sccs.add(scc);
        }
    }

    /** A cycle within one component, from its smallest node back to it (breadth-first, shortest). */
    private static List<String> pathInside(Map<String, Set<String>> g, TreeSet<String> scc) {
        String start = scc.first();
        Map<String, String> prev = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : new TreeSet<>(g.getOrDefault(v, Set.of()))) {
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String x = v; x != null; x = prev.get(x)) {
                        path.add(0, x); // back to start, which has no predecessor
                    }
                    path.add(start);
                    return path;
                }
                if (scc.contains(w) && !prev.containsKey(w) && !w.equals(start)) {
                    prev.put(w, v);
                    queue.add(w);
                }
            }
        }
        return List.of(start, "?");
    }

    // ---- sources ----

    private static List<Path> packageDirs() throws IOException {
        try (Stream<Path> s = Files.walk(SRC.resolve("lsk"))) {
            return s.filter(Files::isDirectory).filter(ArchitectureTest::hasJava).sorted().toList();
        }
    }

    private static boolean hasJava(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(f -> f.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String packageOf(Path dir) {
        return SRC.relativize(dir).toString().replace('/', '.');
    }

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> s = Files.walk(SRC)) {
            return s.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static Set<String> minus(Set<String> all, String one) {
        Set<String> out = new TreeSet<>(all);
        out.remove(one);
        return out;
    }

    /** The contents of the string literals and text blocks of Java source, comments skipped. */
    static List<String> stringLiterals(String src) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                int e = src.indexOf('\n', i);
                i = e < 0 ? n : e + 1;
            } else if (src.startsWith("/*", i)) {
                int e = src.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int e = src.indexOf("\"\"\"", i + 3);
                while (e > 0 && src.charAt(e - 1) == '\\') {
                    e = src.indexOf("\"\"\"", e + 1);
                }
                e = e < 0 ? n : e;
                out.add(src.substring(i + 3, e));
                i = Math.min(n, e + 3);
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != c && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"') {
                    out.add(src.substring(i + 1, Math.min(j, n)));
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    private static void assertNoViolations(String what, List<String> bad) {
        if (!bad.isEmpty()) {
            fail(bad.size() + " " + what + ":\n  " + String.join("\n  ", bad));
        }
    }
}
