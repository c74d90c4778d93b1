package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lsk.kernel.KernelAbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 10, item 12): a crashing daemon could leave a core file with its keys. The
 * daemon makes itself non-dumpable first thing (PR_SET_DUMPABLE 0) and its JVM writes crash
 * reports only under /run/lsk. Here it runs with an unlimited core size in a directory where
 * the kernel would write "core" (core_pattern permitting), and is killed with SIGABRT, whose
 * default action dumps core: no core file may appear.
 */
class SvcgssdCoreDumpTest {
    @TempDir
    Path tmp;

    Process daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.destroyForcibly();
        }
    }

    @Test
    void abortLeavesNoCoreFile() throws Exception {
        String pattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern")).trim();
        assumeTrue(!pattern.startsWith("|") && !pattern.contains("/"), "core files are not written to the"
                + " working directory here (core_pattern " + pattern + ")");
        Path sock = tmp.resolve("svcgssd.socket");
        Path script = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lsvcgssd").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("prlimit", "--core=unlimited", "--", script.toString(), "-f", "-s",
                "--socket", sock.toString(), "--param-root", "root", "--lustre-version", "2.17.0")
                .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile());
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove(KernelAbi.ENV_VERSION);
        daemon = pb.start();
        SvcgssdProcessTest.waitFor(() -> Files.exists(sock, LinkOption.NOFOLLOW_LINKS) || !daemon.isAlive(), "the socket");
        String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + daemon.pid() + "/cmdline")),
                StandardCharsets.UTF_8).replace('\0', ' ');
        assertTrue(cmdline.contains("-XX:ErrorFile=/run/lsk/hs_err_pid%p.log"), cmdline);
        assertTrue(Files.readString(Path.of("/proc/" + daemon.pid() + "/limits")).matches(
                "(?s).*Max core file size\\s+unlimited.*"), "the test needs an unlimited core size");

        new ProcessBuilder("kill", "-ABRT", Long.toString(daemon.pid())).start().waitFor();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        assertEquals(128 + 6, daemon.exitValue(), SvcgssdProcessTest.read(tmp.resolve("daemon.log")));
        try (var files = Files.list(tmp)) {
            List<Path> cores = files.filter(p -> p.getFileName().toString().startsWith("core")).toList();
            assertTrue(cores.isEmpty(), "core file written: " + cores);
        }
    }
}
