package lsk.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import lsk.cmd.Io;
import org.junit.jupiter.api.Test;

/** The bench command runs (one operation per measurement: no timing is checked) and names its lines. */
class BenchCommandTest {
    private static final Pattern LINE = Pattern.compile("[A-Za-z0-9_]+: (-?[0-9.]+|n/a)( [A-Za-z/]+)?");

    @Test
    void tinyRunPrintsEveryMeasurement() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new Bench().run(List.of("--tiny", "--no-process", "--threads", "2"), new Io(InputStream.nullInputStream(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Path.of("").toAbsolutePath(), Map.of()));
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        for (String g : List.of("ffdhe2048", "ffdhe4096", "rand2048")) {
            for (String side : List.of("responder", "initiator")) {
                assertLine(o, side + "_" + g + "_1thread");
                assertLine(o, side + "_" + g + "_2threads");
                assertLine(o, "handshake_cost_over_floor_" + side + "_" + g);
            }
            for (String part : List.of("modpow_g_x_ms", "modpow_y_x_ms", "pbkdf2_ms", "hmacs_ms", "ms")) {
                assertLine(o, "floor_" + g + "_" + part);
            }
        }
        for (String name : List.of("pbkdf2_sha256_10000_ms", "prime_check_rand2048_uncached_ms",
                "skmech_wrap_64k_MBps", "skmech_unwrap_1k_MBps", "keywrite_server_inprocess_ms",
                "keywrite_client_ffdhe2048_inprocess_ms", "safe_prime_256_generate_median_s")) {
            assertLine(o, name);
        }
        assertTrue(o.contains("# summary"), o);
        for (String l : o.split("\n")) {
            assertTrue(l.startsWith("#") || LINE.matcher(l).matches(), "malformed line: " + l);
        }
    }

    @Test
    void badOptionsAreRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), Path.of("").toAbsolutePath(), Map.of());
        assertEquals(1, new Bench().run(List.of("--threads", "0"), io));
        assertEquals(1, new Bench().run(List.of("--bogus"), io));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--bogus'"));
    }

    private static void assertLine(String out, String name) {
        assertTrue(Pattern.compile("(?m)^" + Pattern.quote(name) + ": ").matcher(out).find(), "no line " + name + " in:\n" + out);
    }
}
