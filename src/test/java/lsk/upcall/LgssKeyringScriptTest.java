package lsk.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lgss_keyring hands every mechanism but sk to Lustre's own lgss_keyring, with the same
 * argv and before any JVM starts, and refuses them with one syslog line when there is no usable
 * one. The C tool is a fake named by LSK_C_LGSS_KEYRING; logger is a fake on PATH.
 */
class LgssKeyringScriptTest {
    static final Path SCRIPT = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lgss_keyring")
            .toAbsolutePath();
    static final String CO = "1:%s:0:0:r:i:1:0x20000c0a80165:tank-MDT0000-mdc-ffff8881a2b4c000:0x20000c0a80132:42";

    @TempDir
    Path tmp;
    /**
     * Under /run: root's all the way up, unlike /tmp (or a checkout under it), so a fake tool
     * there passes the ownership checks wherever the build tree is.
     */
    Path trustedDir;
    Path fakeTool;

    record Proc(int exit, List<String> toolArgv, List<String> logLines, String err) {
    }

    @BeforeEach
    void fakes() throws Exception {
        trustedDir = Path.of("/run").resolve("lsk-test-lgss-c-" + UUID.randomUUID());
        Files.createDirectories(trustedDir);
        Files.setPosixFilePermissions(trustedDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        fakeTool = tool(trustedDir.resolve("lgss_keyring"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path logger = bin.resolve("logger");
        Files.writeString(logger, "#!/bin/sh\nprintf '%s|' \"$@\" >> \"$FAKE_LOG\"; echo >> \"$FAKE_LOG\"\n");
        Files.setPosixFilePermissions(logger, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A fake C tool: records its argv, one per line, and exits 7. */
    Path tool(Path p) throws Exception {
        Files.writeString(p, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$FAKE_ARGV\"\nexit 7\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @AfterEach
    void clean() throws Exception {
        try (Stream<Path> s = Files.walk(trustedDir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static boolean root() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS) == 0;
    }

    static List<String> argv(String mech, String... head) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of("create", "123456", "lgssc", "0@1", String.format(CO, mech), "0", "0", "0", "0", "987"));
        return a;
    }

    Proc run(List<String> args, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        Files.deleteIfExists(tmp.resolve("argv"));
        Files.deleteIfExists(tmp.resolve("log"));
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("FAKE_ARGV", tmp.resolve("argv").toString());
        pb.environment().put("FAKE_LOG", tmp.resolve("log").toString());
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().putAll(env);
        pb.redirectError(tmp.resolve("stderr").toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        int rc = pb.start().waitFor();
        return new Proc(rc, lines(tmp.resolve("argv")), lines(tmp.resolve("log")),
                Files.readString(tmp.resolve("stderr")));
    }

    static List<String> lines(Path p) throws Exception {
        return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    }

    @Test
    void otherMechanismsRunLustresToolWithTheSameArgv() throws Exception {
        assumeTrue(root(), "the fake tool must be root's");
        for (List<String> a : List.of(argv("krb5"), argv("gssnull"), argv("krb5", "-R", "EXAMPLE.COM"),
                argv("krb5", "-REXAMPLE.COM"), argv("gssnull", "--realm=EXAMPLE.COM"),
                argv("krb5", "--realm", "EXAMPLE.COM"))) {
            Proc p = run(a, Map.of("LSK_C_LGSS_KEYRING", fakeTool.toString()));
            assertEquals(7, p.exit(), a + ": " + p.err());
            assertEquals(a, p.toolArgv());
            assertEquals(List.of(), p.logLines());
        }
    }

    @Test
    void withoutLustresToolTheUpcallIsRefusedWithOneLogLine() throws Exception {
        Proc p = run(argv("krb5"), Map.of("LSK_C_LGSS_KEYRING", trustedDir.resolve("missing").toString()));
        assertEquals(1, p.exit());
        assertEquals(List.of(), p.toolArgv());
        assertEquals(1, p.logLines().size(), p.logLines().toString());
        String line = p.logLines().get(0);
        // as lgss_utils.c __logmsg (commit 02b456e4): user facility, LOG_INFO, "[%d]:%s:%s(): "
        assertTrue(line.matches("-t\\|lgss_keyring\\|-p\\|user\\.info\\|--\\|\\[[1-9][0-9]*\\]:ERROR:main\\(\\): key 123456: .*"),
                line);
        assertTrue(line.contains("key 123456: mech krb5 is not handled by lsk") && line.contains("not installed"),
                line);
    }

    @Test
    void untrustedToolsAreNeverRun() throws Exception {
        Path worldWritable = tool(trustedDir.resolve("ww"));
        Files.setPosixFilePermissions(worldWritable, PosixFilePermissions.fromString("rwxr-xrwx"));
        Path openDir = Files.createDirectories(trustedDir.resolve("open"));
        Files.setPosixFilePermissions(openDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path inOpenDir = tool(openDir.resolve("lgss_keyring"));
        Path inTmp = tool(tmp.resolve("lgss_keyring")); // /tmp is everyone's
        for (String[] c : new String[][] {{worldWritable.toString(), "is not root's or is writable by others"},
            {inOpenDir.toString(), openDir + " is not root's"}, {inTmp.toString(), "is not root's"},
            {"lgss_keyring", "not an absolute path"}, {"", "not an absolute path"},
            {trustedDir.toString(), "not an executable file"}}) {
            Proc p = run(argv("krb5"), Map.of("LSK_C_LGSS_KEYRING", c[0]));
            assertEquals(1, p.exit(), c[0]);
            assertEquals(List.of(), p.toolArgv(), c[0]);
            assertEquals(1, p.logLines().size(), c[0] + ": " + p.logLines());
            assertTrue(p.logLines().get(0).contains(c[1]), p.logLines().get(0));
        }
    }

    /** sk, and anything that is not a well-formed upcall, goes to lsk (which says what is wrong). */
    @Test
    void skAndMalformedUpcallsGoToLsk() throws Exception {
        // The native upcall, when built, finds no service (a socket in a missing directory) and
        // falls back to lsk through LSK_LAUNCHER, which the script set to its own lsk.
        Map<String, String> env = Map.of("LSK_C_LGSS_KEYRING", fakeTool.toString(), "LSK_LOG_STDERR", "1",
                "LSK_PARAM_ROOT", tmp.toString(), "LSK_UPCALL_FOREGROUND", "1",
                "LSK_UPCALLD_SOCKET", tmp.resolve("missing/s.sock").toString());
        Proc sk = run(argv("sk"), env);
        assertEquals(1, sk.exit());
        assertTrue(sk.err().contains("cannot tell the running Lustre version"), sk.err());
        if (root() && Files.isExecutable(NativeUpcallRig.N) && !SCRIPT.startsWith("/tmp/")) {
            assertTrue(sk.err().contains("the upcall service at " + tmp.resolve("missing/s.sock") + " is not usable"),
                    sk.err());
        }
        List<String> hostile = argv("krb5");
        hostile.set(4, String.format(CO, "krb5\nforged"));
        Proc bad = run(hostile, env);
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("invalid callout info"), bad.err());
        for (Proc p : new Proc[] {sk, bad}) {
            assertEquals(List.of(), p.toolArgv());
            assertFalse(p.logLines().stream().anyMatch(l -> l.contains("not handled")), p.logLines().toString());
        }
    }
}
