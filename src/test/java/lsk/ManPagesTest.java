package lsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lsk.cmd.Command;
import org.junit.jupiter.api.Test;

/**
 * The man pages in man/ against the code: every option each parser accepts (its own tables, through
 * {@link Command#options()}; for the bench and l_getauth, their sources) is in the page's OPTIONS
 * section (lsk.8: the command's subsection of COMMANDS), every command {@link Main} registers has a
 * subsection in lsk.8, and groff, when installed, warns about nothing.
 */
class ManPagesTest {
    private static final Path BASE = Path.of(System.getProperty("lsk.basedir", "."));
    private static final Path MAN = BASE.resolve("man");
    /** The drop-ins documented on a page of their own (lsk.8 only points to it). */
    private static final Map<String, String> OWN_PAGE = Map.of("lgss_sk", "lgss_sk.8",
            "lgss_keyring", "lgss_keyring.8", "lsvcgssd", "lsvcgssd.8", "svcgssd", "lsvcgssd.8");
    private static final List<String> PAGES = List.of("lgss_sk.8", "lgss_keyring.8", "lsvcgssd.8", "lsk.8");

    @Test
    void everyRegisteredCommandHasASubsectionInLsk8() throws IOException {
        String lsk = page("lsk.8");
        List<String> missing = new ArrayList<>();
        for (String name : Main.commands().keySet()) {
            if (subsection(lsk, name).isEmpty()) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "commands without a '.SS \"lsk NAME\"' under COMMANDS in man/lsk.8");
    }

    @Test
    void everyCommandNamesItsOptions() {
        List<String> silent = new ArrayList<>();
        Main.commands().forEach((name, c) -> {
            if (c.options().isEmpty()) { // each takes --help at least
                silent.add(name);
            }
        });
        assertEquals(List.of(), silent, "commands whose Command.options() is empty: override it from the parser's tables");
    }

    @Test
    void everyOptionIsDocumented() throws IOException {
        Map<String, List<String>> missing = new TreeMap<>();
        for (Map.Entry<String, Command> e : Main.commands().entrySet()) {
            String name = e.getKey();
            String where = OWN_PAGE.getOrDefault(name, "lsk.8");
            List<String> m = undocumented(optionsText(where, name), e.getValue().options());
            if (!m.isEmpty()) {
                missing.put(name + " (man/" + where + ")", m);
            }
        }
        assertEquals(Map.of(), missing, "options the parsers accept that the pages do not document");
    }

    /** lsk bench runs from the test tree's jar (scripts/lsk), not through Main: its parser's case labels. */
    @Test
    void benchOptionsAreDocumented() throws IOException {
        String src = Files.readString(BASE.resolve("src/test/java/lsk/bench/Bench.java"));
        Set<String> opts = new LinkedHashSet<>();
        Matcher line = Pattern.compile("(?m)^\\s*case (\"-[^\\n]*) ->").matcher(src);
        while (line.find()) {
            Matcher lit = Pattern.compile("\"(-[^\"]+)\"").matcher(line.group(1));
            while (lit.find()) {
                opts.add(lit.group(1));
            }
        }
        assertTrue(opts.contains("--quick") && opts.contains("--upcalls"), "bench parser not found: " + opts);
        assertEquals(List.of(), undocumented(subsection(page("lsk.8"), "bench"), List.copyOf(opts)));
    }

    /** l_getauth (jni/l_getauth.c) is documented in lsvcgssd.8: its getopt_long tables. */
    @Test
    void lGetauthOptionsAreDocumented() throws IOException {
        String src = Files.readString(BASE.resolve("jni/l_getauth.c"));
        List<String> opts = new ArrayList<>();
        Matcher shortOpts = Pattern.compile("getopt_long\\(argc, argv, \"([^\"]*)\"").matcher(src);
        assertTrue(shortOpts.find(), "l_getauth's getopt_long call not found");
        for (char c : shortOpts.group(1).toCharArray()) {
            if (c != ':') {
                opts.add("-" + c);
            }
        }
        Matcher longOpts = Pattern.compile("\\{\\s*\"([a-z][a-z-]*)\",\\s*(?:no|required|optional)_argument").matcher(src);
        while (longOpts.find()) {
            opts.add("--" + longOpts.group(1));
        }
        assertTrue(opts.contains("--authreq"), "l_getauth's long options not found: " + opts);
        assertEquals(List.of(), undocumented(section(page("lsvcgssd.8"), "OPTIONS"), opts));
    }

    /**
     * Every LSK_ variable the code reads (string literals in src/main/java and jni/, expansions in
     * scripts/ and lustre-keys/) is in some page's ENVIRONMENT section.
     */
    @Test
    void everyEnvironmentVariableIsDocumented() throws IOException {
        Set<String> vars = new TreeSet<>();
        scan(BASE.resolve("src/main/java"), Pattern.compile("\"(LSK_[A-Z0-9_]+)\""), vars);
        scan(BASE.resolve("jni"), Pattern.compile("\"(LSK_[A-Z0-9_]+)\""), vars);
        scan(BASE.resolve("scripts"), Pattern.compile("\\$\\{?(LSK_[A-Z0-9_]+)"), vars);
        scan(BASE.resolve("lustre-keys"), Pattern.compile("\\$\\{?(LSK_[A-Z0-9_]+)"), vars);
        assertTrue(vars.contains("LSK_PARAM_ROOT") && vars.contains("LSK_JAVA_OPTS"), "scan found " + vars);
        StringBuilder env = new StringBuilder();
        for (String p : PAGES) {
            env.append(section(page(p), "ENVIRONMENT"));
        }
        assertEquals(List.of(), undocumented(env.toString(), List.copyOf(vars)), "not in any page's ENVIRONMENT");
    }

    private static void scan(Path dir, Pattern p, Set<String> into) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Matcher m = p.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    into.add(m.group(1));
                }
            }
        }
    }

    /** The check itself: an option taken out of a page is reported (a test that cannot fail proves nothing). */
    @Test
    void aRemovedOptionIsReported() throws IOException {
        Command lgssSk = Main.commands().get("lgss_sk");
        String full = page("lgss_sk.8");
        assertEquals(List.of(), undocumented(section(full, "OPTIONS"), lgssSk.options()));
        String cut = full.replace(".B \\-\\-random\\-prime\n", ".B \\-\\-random\n")
                .replace(".BR \\-a \", \" \\-\\-ascii\n", ".B \\-a\n");
        assertEquals(List.of("--ascii", "--random-prime"), undocumented(section(cut, "OPTIONS"), lgssSk.options()));
        // Outside OPTIONS does not count: the synopsis and examples of lgss_sk.8 use --random-prime too.
        assertTrue(text(cut).contains("--random-prime"));
        String keys = subsection(page("lsk.8"), "keys");
        assertFalse(undocumented(keys.replace("\\-\\-no\\-load", "\\-\\-no"), Main.commands().get("keys").options())
                .isEmpty());
    }

    @Test
    void groffWarnsAboutNothing() throws Exception {
        assumeTrue(onPath("groff"), "groff not installed (Debian: groff-base)");
        for (String p : PAGES) {
            Process proc = new ProcessBuilder("groff", "-man", "-ww", "-z", "-Tutf8", MAN.resolve(p).toString())
                    .redirectErrorStream(true).start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, proc.waitFor(), p + ": " + out);
            assertEquals("", out, "groff -man -ww on man/" + p);
        }
    }

    // ---- page reading

    private static String page(String name) throws IOException {
        return Files.readString(MAN.resolve(name));
    }

    /** Where a command's options must be: OPTIONS of its own page, else its subsection of lsk.8. */
    private static String optionsText(String page, String command) throws IOException {
        return page.equals("lsk.8") ? subsection(page(page), command) : section(page(page), "OPTIONS");
    }

    /** The lines of {@code .SH title} up to the next {@code .SH}; empty if there is none. */
    static String section(String troff, String title) {
        StringBuilder sb = new StringBuilder();
        boolean in = false;
        for (String l : troff.split("\n", -1)) {
            if (l.startsWith(".SH")) {
                in = unquote(l.substring(3)).equals(title);
            } else if (in) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    /** Under COMMANDS, the {@code .SS "lsk NAME"} subsection(s) of a command; empty if there is none. */
    static String subsection(String troff, String command) {
        StringBuilder sb = new StringBuilder();
        boolean in = false;
        for (String l : section(troff, "COMMANDS").split("\n", -1)) {
            if (l.startsWith(".SS")) {
                in = unquote(l.substring(3)).equals("lsk " + command);
            } else if (in) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    private static String unquote(String s) {
        s = s.strip();
        return text(s.startsWith("\"") && s.endsWith("\"") && s.length() > 1 ? s.substring(1, s.length() - 1) : s);
    }

    /** Troff source to the text a reader sees, as far as options go: dashes, no font changes. */
    static String text(String troff) {
        return troff.replaceAll("\\\\f(\\[[^]]*]|\\(..|.)", "")
                .replace("\\-", "-").replace("\\&", "").replaceAll("\\\\\\(..", " ").replace("\\e", "\\");
    }

    /** The options not found in the text as whole words ({@code -v} is not in {@code -vv} or {@code --verbose}). */
    static List<String> undocumented(String troff, List<String> options) {
        String t = text(troff);
        List<String> out = new ArrayList<>();
        for (String o : options) {
            if (!Pattern.compile("(?<![A-Za-z0-9_-])" + Pattern.quote(o) + "(?![A-Za-z0-9_-])").matcher(t).find()) {
                out.add(o);
            }
        }
        return out;
    }

    private static boolean onPath(String prog) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, prog))) {
                return true;
            }
        }
        return false;
    }
}
