package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command after the build: {@code scripts/demo} must hold every step (exit
 * 0), use the real request-key on this machine, and leave nothing behind.
 */
class DemoIT {
    @Test
    void demoHoldsEveryStepAndCleansUp() throws Exception {
        Path base = Path.of(System.getProperty("lsk.basedir", ".")).toAbsolutePath();
        Process p = new ProcessBuilder(base.resolve("scripts/demo").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "demo did not finish in 3 minutes");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("real /sbin/request-key runs scripts/lgss_keyring"), out);
        assertTrue(out.contains("skpi: contexts interoperate (SkMech)") && out.contains("steps held"), out);
        String dir = out.replaceAll("(?s).*work dir (\\S+).*", "$1");
        assertTrue(!dir.isEmpty() && !Files.exists(Path.of(dir)), "work dir left behind: " + dir);
        String fs = out.replaceAll("(?s).*file system (\\S+),.*", "$1");
        assertTrue(!Files.exists(Path.of(E2eRig.REQUEST_KEY_D, "lsk-demo-" + fs + ".conf")),
                "request-key.d entry left behind");
    }
}
