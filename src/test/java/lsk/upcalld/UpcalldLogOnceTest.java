package lsk.upcalld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lgss_keyringd -f} with LSK_LOG_STDERR (how tests and the demo run it) writes each line
 * once, as lgss_keyring's C lines ({@code [pid]:LEVEL:function(): }, lgss_utils.c __logmsg,
 * commit 02b456e4): it wrote every line twice, through the log and again through -f's stderr.
 */
class UpcalldLogOnceTest {
    @TempDir
    Path tmp;

    private ProcessBuilder service() {
        Path lsk = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lsk").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(lsk.toString(), "lgss_keyringd", "-f", "--socket",
                tmp.resolve("s.socket").toString(), "--idle-timeout", "0", "--param-root", tmp.resolve("root").toString(),
                "--lustre-version", "2.17.0").redirectErrorStream(true);
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("LSK_LOG_STDERR", "1");
        return pb;
    }

    @Test
    void eachLineOnceInTheCFormat() throws Exception {
        Process first = service().redirectOutput(tmp.resolve("first.log").toFile()).start();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(tmp.resolve("s.socket"))) {
                assertTrue(first.isAlive() && System.nanoTime() < end, () -> "no service: " + read("first.log"));
                Thread.sleep(20);
            }
            Process second = service().start();
            String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, second.exitValue(), out);
            List<String> lines = out.lines().filter(l -> l.contains("Another instance")).toList();
            assertEquals(List.of("lgss_keyring: [" + second.pid() + "]:WARNING:run(): Another instance is running, exit"),
                    lines, out);
            // -f shows every level (INFO here), once each.
            while (!read("first.log").contains("serving on")) {
                assertTrue(System.nanoTime() < end, () -> read("first.log"));
                Thread.sleep(20);
            }
            assertEquals(1, read("first.log").lines().filter(l -> l.matches(
                    "lgss_keyring: \\[" + first.pid() + "\\]:INFO:run\\(\\): serving on .*")).count(), read("first.log"));
        } finally {
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String read(String name) {
        try {
            return Files.readString(tmp.resolve(name));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
