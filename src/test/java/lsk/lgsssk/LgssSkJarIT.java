package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** scripts/lgss_sk from the packaged jar (target/lsk.jar), run by failsafe after `package`. */
class LgssSkJarIT extends LgssSkScriptTest {
    @Override
    void environment(Map<String, String> env) {
        Path jar = Path.of(System.getProperty("lsk.basedir", "."), "target", "lsk.jar");
        assertTrue(Files.isRegularFile(jar), "jar not built: " + jar);
        env.remove("LSK_CLASSPATH");
        env.put("LSK_JAR", jar.toAbsolutePath().toString());
    }
}
