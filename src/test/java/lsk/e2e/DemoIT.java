package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import lsk.demo.RequestKeyEntry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's first command after the build: {@code scripts/demo --lustre-version V} must hold
 * every step (exit 0) for each version's layouts, use the real request-key on this machine, run
 * the simulated kernel's rsi upcall through the built l_getauth with a daemon of that version
 * (2.15.x: the daemon on the kernel's sunrpc cache channels),
 * and leave nothing behind. About 3 s per version.
 */
class DemoIT {
    static List<String> versions() {
        return E2eRig.VERSIONS;
    }

    @ParameterizedTest(name = "Lustre {0}")
    @MethodSource("versions")
    void demoHoldsEveryStepAndCleansUp(String version) throws Exception {
        Path base = E2eRig.basedir();
        Set<Path> before = handlerDirs();
        Process p = new ProcessBuilder(base.resolve("scripts/demo").toString(), "--lustre-version", version)
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "demo did not finish in 3 minutes");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("real /sbin/request-key runs scripts/lgss_keyring"), out);
        assertTrue(out.contains("server kernel: Lustre " + version + (version.startsWith("2.15.")
                ? ", sunrpc cache channels (no rsi upcall)" : ", rsi upcall " + E2eRig.getauth())), out);
        assertTrue(out.contains("start lsvcgssd -s") && out.contains("for Lustre " + version + " ("), out);
        assertTrue(out.contains("skpi: contexts interoperate (SkMech)") && out.contains("steps held"), out);
        String dir = out.replaceAll("(?s).*work dir (\\S+).*", "$1");
        assertTrue(!dir.isEmpty() && !Files.exists(Path.of(dir)), "work dir left behind: " + dir);
        String fs = out.replaceAll("(?s).*file system (\\S+),.*", "$1");
        assertTrue(!Files.exists(Path.of(E2eRig.REQUEST_KEY_D, "lsk-demo-" + fs + ".conf")),
                "request-key.d entry left behind");
        assertTrue(out.contains("request-key.d entry, its handler dir and work dir removed"), out);
        Set<Path> after = handlerDirs();
        after.removeAll(before);
        assertTrue(after.isEmpty(), "handler dir left behind: " + after);
    }

    static Set<Path> handlerDirs() throws java.io.IOException {
        Path run = RequestKeyEntry.Places.SYSTEM.runBase();
        if (!Files.isDirectory(run)) {
            return new HashSet<>();
        }
        try (Stream<Path> s = Files.list(run)) {
            return s.filter(d -> d.getFileName().toString().startsWith("demo-")).collect(Collectors.toCollection(HashSet::new));
        }
    }

    /**
     * The path a machine without keyutils (no /sbin/request-key) takes: the negotiation run
     * directly on a key the demo makes. Every step must still hold.
     */
    @org.junit.jupiter.api.Test
    void directPathHoldsEveryStep() throws Exception {
        Process p = new ProcessBuilder(E2eRig.basedir().resolve("scripts/demo").toString(), "--direct")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "demo --direct did not finish in 3 minutes");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("skpi: contexts interoperate (SkMech)") && out.contains("steps held"), out);
        assertTrue(!out.contains("real /sbin/request-key runs"), out);
    }
}
