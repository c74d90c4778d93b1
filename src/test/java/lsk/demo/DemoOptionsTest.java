package lsk.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.cmd.Io;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lsk demo}'s options, up to the point where a run would start (nothing is created). */
class DemoOptionsTest {
    @TempDir
    Path cwd;

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new Demo().run(List.of(args), new Io(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                cwd, Map.of()));
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void helpPrintsUsage() {
        for (String h : new String[] {"-h", "--help"}) {
            String[] r = run(h);
            assertEquals("0", r[0]);
            assertTrue(r[1].startsWith("usage: lsk demo [--lustre-version V] [--direct] [--repeat N]"), r[1]);
        }
    }

    @Test
    void refusesWhatItDoesNotTake() {
        String[] r = run("--bogus");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("demo: unrecognized option '--bogus'\nusage: lsk demo"), r[2]);
        r = run("--repeat", "x");
        assertEquals("1", r[0]);
        assertEquals("demo: --repeat needs a count (0..9999)\n", r[2]);
        r = run("--repeat");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("demo: option '--repeat' requires an argument\n"), r[2]);
        r = run("--lustre-version", "2.x");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("demo: --lustre-version: '2.x' is not a Lustre version"), r[2]);
        r = run("--lustre-version", "2.14.0");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("demo: ") && r[2].contains("2.15"), r[2]);
        r = run("--direct", "extra");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("demo: unexpected argument 'extra'\n"), r[2]);
    }
}
