package lsk.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lsk.base.LskException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request-key entries of the demo and the test rig ({@link RequestKeyEntry}): the handler
 * lives in root's 0700 directory under /run, the entry matches only its own random
 * descriptions, an entry left by a run killed with -9 goes at the next start, and untrusted
 * places are refused. On the real /etc/request-key.d and /run/lsk (as the demo uses them) when
 * run as root.
 */
class RequestKeyEntryTest {
    /** Root's all the way up, unlike /tmp (or a checkout under it), wherever the build tree is. */
    static final Path TARGET = Path.of("/run");
    private final List<Path> made = new ArrayList<>();

    static boolean root() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    /** What the demo writes, for key type user, with a script that does nothing. */
    static RequestKeyEntry install(RequestKeyEntry.Places places, String stem) throws LskException {
        return RequestKeyEntry.install(places, "test", stem, "user", "lsktest-" + stem, List.of(),
                dir -> "#!/bin/sh\nexit 1\n");
    }

    @AfterEach
    void clean() throws Exception {
        for (Path p : made) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(q);
                    }
                }
            }
        }
    }

    private static String stem() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theEntryNamesAHandlerInRootsPrivateDirAndOnlyItsOwnDescriptions() throws Exception {
        assumeTrue(root(), "writes /etc/request-key.d");
        String stem = stem();
        RequestKeyEntry e = install(RequestKeyEntry.Places.SYSTEM, stem);
        made.add(e.conf());
        made.add(e.dir());
        try {
            assertEquals(Path.of("/etc/request-key.d/lsk-" + stem + ".conf"), e.conf());
            List<String> lines = Files.readAllLines(e.conf());
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("# lsk request-key entry v1: writer pid " + ProcessHandle.current().pid()
                    + " started "), lines.get(0));
            String token = e.description("x").replaceAll("^lsktest-" + stem + "-([0-9a-f]{32}):x$", "$1");
            assertEquals(32, token.length(), "description " + e.description("x"));
            assertTrue(e.dir().toString().matches("/run/lsk/test-[0-9a-f]{32}"), e.dir().toString());
            assertFalse(e.dir().getFileName().toString().contains(token), "the handler dir does not give the token away");
            assertEquals("create user lsktest-" + stem + "-" + token + ":* * " + e.dir().resolve("handler.sh")
                    + " %o %k %t %d %c %u %g %T %P %S", lines.get(1));
            assertOwnedByRoot(e.dir(), "rwx------");
            assertOwnedByRoot(e.dir().resolve("handler.sh"), "rwx------");
            assertOwnedByRoot(e.conf(), "rw-------");
            int mode = (Integer) Files.getAttribute(e.dir().getParent(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(0, mode & 022, "/run/lsk is writable by others");
            assertEquals(0, Files.getAttribute(e.dir().getParent(), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } finally {
            assertEquals(List.of(), e.remove());
        }
        assertFalse(Files.exists(e.conf()) || Files.exists(e.dir()), "removed");
    }

    private static void assertOwnedByRoot(Path p, String perms) throws Exception {
        assertFalse(Files.isSymbolicLink(p), p + " is a link");
        assertEquals(0, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p + " owner");
        assertEquals(perms, PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)),
                p.toString());
    }

    /**
     * A demo killed with -9 (here a JVM that wrote its entry as the demo does, then SIGKILL)
     * leaves its entry and handler; the next start removes both, and leaves alone a live run's
     * entry and an entry without lsk's marker.
     */
    @Test
    void anEntryLeftByAKilledRunIsRemovedAtTheNextStart() throws Exception {
        assumeTrue(root(), "writes /etc/request-key.d");
        RequestKeyEntry.Places places = RequestKeyEntry.Places.SYSTEM;
        String stem = stem();
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StaleEntryWriter.class.getName(), stem).start();
        Path conf, dir;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertTrue(line != null && line.startsWith("entry "), "writer said: " + line);
            conf = Path.of(line.split(" ")[1]);
            dir = Path.of(line.split(" ")[2]);
        }
        made.add(conf);
        made.add(dir);
        writer.destroyForcibly(); // SIGKILL: no clean-up runs
        assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
        assertTrue(Files.exists(conf) && Files.exists(dir.resolve("handler.sh")), "the killed run left its entry");

        RequestKeyEntry live = install(places, stem());
        made.add(live.conf());
        made.add(live.dir());
        Path foreign = places.requestKeyD().resolve("lsk-" + stem() + ".conf");
        made.add(foreign);
        Files.writeString(foreign, "create user someone-else:* * /bin/true\n");

        List<Path> removed = RequestKeyEntry.removeStale(places);
        assertTrue(removed.contains(conf), removed.toString());
        assertFalse(Files.exists(conf, LinkOption.NOFOLLOW_LINKS), "stale entry still there");
        assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS), "its handler dir still there");
        assertTrue(Files.exists(live.conf()) && Files.exists(live.dir()), "a live run's entry was removed");
        assertTrue(Files.exists(foreign), "an entry without lsk's marker was removed");
        assertEquals(List.of(), live.remove());
    }

    @Test
    void untrustedPlacesAreRefused() throws Exception {
        Path base = TARGET.resolve("lsk-test-rk-" + UUID.randomUUID());
        made.add(base);
        Path rkd = Files.createDirectories(base.resolve("request-key.d"));
        Path shared = Files.createDirectories(base.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        LskException e = assertThrows(LskException.class,
                () -> install(new RequestKeyEntry.Places(rkd, shared.resolve("lsk")), stem()));
        assertTrue(e.getMessage().contains(shared + " is writable by group or others (mode 0777)"), e.getMessage());
        Files.setAttribute(shared, "unix:mode", 01777); // sticky, as /tmp: still not for what outlives the run
        e = assertThrows(LskException.class, () -> install(new RequestKeyEntry.Places(rkd, shared.resolve("lsk")), stem()));
        assertTrue(e.getMessage().contains(shared + " is writable by group or others (mode 1777)"), e.getMessage());

        Path link = Files.createSymbolicLink(base.resolve("rkd-link"), rkd);
        e = assertThrows(LskException.class, () -> install(new RequestKeyEntry.Places(link, base.resolve("run")), stem()));
        assertTrue(e.getMessage().contains(link + " is a symbolic link"), e.getMessage());

        e = assertThrows(LskException.class, () -> RequestKeyEntry.install(new RequestKeyEntry.Places(rkd,
                base.resolve("run")), "test", stem(), "user", "lsktest", List.of(Path.of("/tmp")), d -> "#!/bin/sh\n"));
        assertTrue(e.getMessage().contains("/tmp is writable by group or others"), e.getMessage());
        try (Stream<Path> s = Files.list(rkd)) {
            assertEquals(List.of(), s.toList(), "nothing written after a refusal");
        }

        RequestKeyEntry ok = install(new RequestKeyEntry.Places(rkd, base.resolve("run")), stem());
        assertTrue(Files.isRegularFile(ok.conf()));
        // The base it made is also lsvcgssd's socket directory (/run/lsk), which must be 0700.
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve("run"))));
        assertEquals(List.of(), ok.remove());
    }

    @Test
    void pathsThatWouldBreakTheScriptAreRefused() {
        assertEquals("'/a b/c'", RequestKeyEntry.quote(Path.of("/a b/c")));
        assertThrows(IllegalArgumentException.class, () -> RequestKeyEntry.quote(Path.of("/a'b")));
        assertThrows(IllegalArgumentException.class, () -> RequestKeyEntry.quote(Path.of("/a\nb")));
    }
}
