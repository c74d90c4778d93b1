package lsk.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.cmd.Io;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command refuses bad upcalls with exit 1 and one logged error, before touching any key. */
class LgssKeyringCommandTest {
    @TempDir
    Path tmp;

    private String[] run(List<String> argv) {
        return run(argv, Map.of());
    }

    private String[] run(List<String> argv, Map<String, String> extraEnv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        // The parameter root is an empty dir: no debug_level there, so the default level (warnings).
        Io io = new Io(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), tmp,
                env(extraEnv));
        int rc = new LgssKeyring().run(argv, io);
        return new String[] {Integer.toString(rc), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void malformedUpcallsAreLoggedAndRefused() {
        String[] r = run(List.of("create", "1", "lgssc"));
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("invalid parameter number 3"), r[1]);
        // lgss_utils.c __logmsg's "[%d]:%s:%s(): " (commit 02b456e4), after LOG_PERROR's "ident: "
        assertTrue(r[1].matches("lgss_keyring: \\[" + ProcessHandle.current().pid()
                + "\\]:ERROR:run\\(\\): upcall arguments: invalid parameter number 3 \\(10 expected\\)\n"), r[1]);

        r = run(UpcallParsersTest.argv().stream().map(a -> a.equals("987654") ? "x" : a).toList());
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("session keyring"), r[1]);

        List<String> badCoinfo = UpcallParsersTest.argv();
        badCoinfo.set(4, "1:sk:0:0:r:i:2:0x1:tgt\u0007:0x2:1");
        r = run(badCoinfo);
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("invalid callout info"), r[1]);
        assertEquals(1, r[1].lines().count(), "one log line: " + r[1]);
    }

    /**
     * A root, MDT or OST callout from a requester whose uid (request-key's %u) or callout uid is
     * not 0 is refused before anything else, in one log line; the key (not one this test may
     * instantiate) is rejected where the process holds the authority, which request-key gives.
     */
    @Test
    void rootCalloutsFromNonRootRequestersAreRefused() {
        String[][] cases = {{"r", "0", "1000"}, {"m", "1000", "0"}, {"o", "0", "4294967"}, {"rmo", "65534", "65534"},
            {"", "0", "1000"}};
        for (String[] c : cases) {
            List<String> a = UpcallParsersTest.argv();
            a.set(4, UpcallParsersTest.KERNEL_COINFO.replace("17:sk:0:0:r:i:", "17:sk:" + c[1] + ":0:" + c[0] + ":"
                    + (c[0].isEmpty() ? "-" : "i") + ":"));
            a.set(5, c[2]);
            String[] r = run(a, Map.of(LgssKeyring.ENV_FOREGROUND, "1"));
            assertEquals("1", r[0], String.join(" ", c));
            assertTrue(r[1].contains("key 0001e240: refused: a root context (callout flags '" + c[0] + "', uid " + c[1]
                    + ") for requester uid " + c[2] + "; key not rejected"), r[1]);
            assertEquals(1, r[1].lines().count(), "one log line: " + r[1]);
        }
        // uid 0 on both counts gets past the check (and fails later: no kernel under this root).
        String[] r = run(UpcallParsersTest.argv(), Map.of(LgssKeyring.ENV_FOREGROUND, "1"));
        assertEquals("1", r[0]);
        assertFalse(r[1].contains("refused"), r[1]);
    }

    private Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("LSK_LOG_STDERR", "1", "LSK_PARAM_ROOT",
                tmp.toString()));
        env.putAll(extra);
        return env;
    }

    /** A 12th field from a kernel whose version sends 11 means the version is wrong: refused, said once. */
    @Test
    void twelveFieldsFromAnElevenFieldKernelAreRefused() {
        List<String> a = UpcallParsersTest.argv();
        a.set(4, UpcallParsersTest.KERNEL_COINFO + ":");
        String[] r = run(a, Map.of("LSK_LUSTRE_VERSION", "2.16.1", LgssKeyring.ENV_FOREGROUND, "1"));
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("12 fields") && r[1].contains("sends 11"), r[1]);
        assertEquals(1, r[1].lines().count(), "one log line: " + r[1]);
    }

    @Test
    void otherMechanismsAreNotHandled() {
        List<String> a = UpcallParsersTest.argv();
        a.set(4, UpcallParsersTest.KERNEL_COINFO.replace(":sk:", ":krb5:"));
        String[] r = run(a);
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("unsupported mech: krb5"), r[1]);
    }
}
