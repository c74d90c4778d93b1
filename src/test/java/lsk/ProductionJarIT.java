package lsk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What {@code mvn package} ships: target/lsk.jar holds the product only (no bench, no test
 * tooling, no test libraries) and starts at lsk.Main; the bench has a jar of its own beside it.
 */
class ProductionJarIT {
    private static final Path TARGET = Path.of(System.getProperty("lsk.basedir", "."), "target");
    /** Developer and test tooling, which lives in src/test and its test-scope libraries. */
    private static final List<String> NOT_IN_PRODUCT = List.of("lsk/bench/", "lsk/testutil/", "lsk/fuzz/",
            "org/junit/", "org/opentest4j/", "com/code_intelligence/", "com/google/gson/");

    @Test
    void productJarHoldsNoBenchOrTestTooling() throws IOException {
        List<String> bad = new ArrayList<>();
        try (JarFile jar = new JarFile(TARGET.resolve("lsk.jar").toFile())) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                String n = e.getName();
                if (NOT_IN_PRODUCT.stream().anyMatch(n::startsWith)
                        || n.startsWith("lsk/") && n.matches(".*(Test|IT)(\\$.*)?\\.class")) {
                    bad.add(n);
                }
            }
            assertEquals(Main.class.getName(), jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
            assertTrue(jar.getEntry(Main.class.getName().replace('.', '/') + ".class") != null, "no Main in lsk.jar");
        }
        assertEquals(List.of(), bad, "tooling in the production jar");
    }

    @Test
    void benchJarHoldsTheBenchOnlyAndUsesTheProductJar() throws IOException {
        Path bench = TARGET.resolve("lsk-bench.jar");
        assertTrue(Files.isRegularFile(bench), bench + " missing: scripts/lsk bench needs it");
        List<String> bad = new ArrayList<>();
        try (JarFile jar = new JarFile(bench.toFile())) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                String n = e.getName();
                if (!e.isDirectory() && !n.startsWith("META-INF/")
                        && !(n.startsWith("lsk/bench/") && !n.matches(".*Test(\\$.*)?\\.class"))) {
                    bad.add(n);
                }
            }
            Attributes a = jar.getManifest().getMainAttributes();
            assertEquals("lsk.jar", a.getValue(Attributes.Name.CLASS_PATH));
            assertEquals(lsk.bench.Bench.class.getName(), a.getValue(Attributes.Name.MAIN_CLASS));
        }
        assertEquals(List.of(), bad, "not the bench in the bench jar");
    }
}
