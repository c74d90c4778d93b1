package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 10, item 7): openlog keeps the ident pointer, and the ident was a JNA string
 * argument, freed once collected: after a GC every syslog line carried garbage instead of
 * {@code lsvcgssd}/{@code lgss_keyring}. The ident libc holds is read back from the lines
 * themselves (LOG_PERROR prints them to stderr) in a child JVM that collects garbage and reuses
 * freed native memory between lines.
 */
class SyslogIdentTest {
    @Test
    void identSurvivesGarbageCollection() throws Exception {
        for (String ident : List.of("lsvcgssd", "lgss_keyring")) {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    SyslogIdentProbe.class.getName(), ident).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);
            List<String> lines = err.lines().toList();
            assertEquals(5, lines.size(), err);
            for (int i = 0; i < 5; i++) {
                assertEquals(ident + "[" + p.pid() + "]: line " + i, lines.get(i));
            }
        }
    }
}
