package lsk.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.cmd.Io;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AbiCommandTest {
    @TempDir
    Path root;

    private String[] run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new AbiCommand().run(List.of(args), new Io(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                root, env));
        return new String[] {Integer.toString(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void printsTheRowOfTheRunningVersion() throws Exception {
        Files.createDirectories(root.resolve("sys/fs/lustre"));
        Files.writeString(root.resolve("sys/fs/lustre/version"), "2.16.1\n");
        String[] r = run(Map.of(ParamPaths.ENV_ROOT, root.toString()));
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("lustre version: 2.16.1\n"), r[1]);
        assertTrue(r[1].contains("lgssd_ioctl_param: 80 bytes\n"), r[1]);
        assertTrue(r[1].contains("rsc header: 48 bytes\n"), r[1]);
        assertTrue(r[1].contains("init_channel: sys/kernel/debug/lustre\n"), r[1]);
    }

    @Test
    void missingVersionFailsWithTheFileNamed() {
        String[] r = run(Map.of(ParamPaths.ENV_ROOT, root.toString()));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains(root.resolve("sys/fs/lustre/version").toString()), r[2]);
    }

    @Test
    void allListsEveryRange() {
        String[] r = run(Map.of(), "--all");
        assertEquals("0", r[0]);
        for (KernelAbi a : KernelAbi.values()) {
            assertTrue(r[1].contains("versions: " + a.range + "\n"), a.range);
        }
        assertEquals("1", run(Map.of(), "--bogus")[0]);
    }

    /** getopt_long's forms: --name=value, a unique prefix, and its diagnostics. */
    @Test
    void getoptForms() throws Exception {
        Files.createDirectories(root.resolve("sys/fs/lustre"));
        String[] r = run(Map.of(), "--lustre-version=2.16.1", "--param-root", root.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("lustre version: 2.16.1\n"), r[1]);
        assertEquals("0", run(Map.of(), "--al")[0]);
        r = run(Map.of(), "--lustre-version");
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("lsk abi: option '--lustre-version' requires an argument\n"), r[2]);
        r = run(Map.of(), "--bogus");
        assertTrue(r[2].startsWith("lsk abi: unrecognized option '--bogus'\n"), r[2]);
        assertEquals("1", run(Map.of(), "extra")[0]);
    }
}
