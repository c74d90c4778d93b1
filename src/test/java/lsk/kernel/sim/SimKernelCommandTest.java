package lsk.kernel.sim;

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

/** {@code lsk simkernel}'s options that end before a kernel is served. */
class SimKernelCommandTest {
    @TempDir
    Path cwd;

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new SimKernelCommand().run(List.of(args), new Io(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                cwd, Map.of()));
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void options() {
        assertTrue(run("--help")[1].startsWith("usage: lsk simkernel --root DIR"));
        String[] r = run("--nodemap", "x");
        assertEquals("1", r[0]);
        assertEquals("simkernel: --root is required\n", r[2]);
        r = run("--root");
        assertEquals("1", r[0]);
        assertEquals("simkernel: option '--root' requires an argument\n", r[2]);
        r = run("--root", "r", "--lustre-version", "2.x");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("simkernel: --lustre-version: '2.x' is not a Lustre version"), r[2]);
        r = run("--root", "r", "--client-nid", "-1");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("simkernel: malformed request line: client nid"), r[2]);
        r = run("--root", "r", "--bogus", "1");
        assertEquals("1", r[0]);
        assertEquals("simkernel: unrecognized option '--bogus'\n", r[2]);
    }
}
