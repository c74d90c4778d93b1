package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lgss_sk end to end, as a separate process. It runs from this build's class path
 * (LSK_CLASSPATH), because the jar does not exist yet when tests run; scripts/lsk runs the jar
 * the same way otherwise.
 */
class LgssSkScriptTest {
    @TempDir
    Path tmp;

    record Proc(int exit, byte[] out, byte[] err) {
    }

    Proc run(String... args) throws Exception {
        Path script = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lgss_sk").toAbsolutePath();
        String[] cmd = new String[args.length + 1];
        cmd[0] = script.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        environment(pb.environment());
        pb.environment().put("LSK_ARGV0", "lgss_sk");
        pb.redirectError(tmp.resolve("stderr").toFile()).redirectOutput(tmp.resolve("stdout").toFile());
        int rc = pb.start().waitFor();
        return new Proc(rc, Files.readAllBytes(tmp.resolve("stdout")), Files.readAllBytes(tmp.resolve("stderr")));
    }

    /** Runs from this build's classes; {@link LgssSkJarIT} overrides this to use the jar. */
    void environment(java.util.Map<String, String> env) {
        env.put("LSK_CLASSPATH", System.getProperty("java.class.path"));
    }

    @Test
    void writesAndReadsLikeTheRealTool() throws Exception {
        Run.copyTree(Vectors.path("keyfiles/data"), tmp.resolve("data"));
        Proc w = run("-t", "mgs,server", "-f", "tank", "-n", "biology", "-g", "192.168.1.101@tcp,10.10.0.101@o2ib",
                "-d", "data/alt128.bin", "-w", "mgs_server_tank_biology.key");
        assertEquals(0, w.exit(), new String(w.err(), StandardCharsets.UTF_8));
        assertArrayEquals(Vectors.bytes("keyfiles/mgs_server_tank_biology.key"),
                Files.readAllBytes(tmp.resolve("mgs_server_tank_biology.key")));
        assertEquals("r--------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("mgs_server_tank_biology.key"))));
        Proc r = run("-r", "mgs_server_tank_biology.key");
        assertEquals(0, r.exit());
        assertArrayEquals(Vectors.bytes("keyfiles/mgs_server_tank_biology.key.read.txt"), r.out());
        assertArrayEquals(Vectors.bytes("keyfiles/mgs_server_tank_biology.key.read.stderr.txt"), r.err());
    }

    @Test
    void failsWithTheCMessage() throws Exception {
        Proc p = run("-r", "x.key", "junk");
        assertEquals(1, p.exit());
        assertEquals("error: extraneous arguments provided, check usage\n", new String(p.err(), StandardCharsets.UTF_8));
    }
}
