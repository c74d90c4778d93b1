package lsk.keyfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import lsk.testutil.LocalUser;

/**
 * Issue 10 item 9, file races in key directories, each against the real command line in a
 * child JVM (as root, as lgss_sk runs): a link swapped in during {@code -m} is not followed; a
 * directory others may write is refused; another user holding the key's lock, or planting a
 * lock file, cannot make {@code -m} hang; copies a killed rewrite left are removed.
 */
class KeyDirRaceTest {
    static final byte[] KEY = Vectors.bytes("keyfiles/server_tank_default.key");
    /** One process holding a flock on FILE until killed (flock(1) running a command would fork). */
    static final String HOLD = "exec 9<FILE && flock MODE 9 && exec sleep 300";

    @TempDir
    Path tmp;

    /** The swap happens after -m read the key and before it writes (a deterministic race). */
    @Test
    void symlinkSwappedInDuringModifyIsNotFollowed() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        Path key = keys.resolve("k.key");
        writeKey(key);
        Path victim = Files.createDirectory(tmp.resolve("etc")).resolve("victim");
        Files.writeString(victim, "not a key\n");

        Process p = lgssSk(keys, List.of("-D" + KeyFiles.PAUSE_PROPERTY + "=WRITE_START"), Map.of(),
                "-m", "k.key", "-e", "3600");
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        assertEquals("paused WRITE_START", err.readLine());
        Files.delete(key);
        Files.createSymbolicLink(key, victim);
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String rest = err.lines().reduce("", (a, b) -> a + b + "\n");

        assertEquals(1, p.exitValue(), rest);
        assertEquals("not a key\n", Files.readString(victim), "the link was followed");
        assertTrue(Files.isSymbolicLink(key));
        assertTrue(rest.startsWith("error: opening 'k.key': k.key in " + keys.toRealPath() + " is a symbolic link"),
                rest);
        assertEquals(List.of("k.key"), names(keys));
    }

    /** Group- or other-writable key directories are refused for -w and -m; the key is untouched. */
    @ParameterizedTest
    @ValueSource(strings = {"rwxrwxrwx", "rwxrwx---", "rwx---rwx"})
    void directoryOthersMayWriteIsRefused(String mode) throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        writeKey(keys.resolve("k.key"));
        Files.copy(Vectors.path("keyfiles/data/alt128.bin"), tmp.resolve("data.bin"));
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString(mode));
        Run m = Run.of(lgssSk(keys, List.of(), Map.of(), "-m", "k.key", "-e", "3600"));
        assertEquals(1, m.exit());
        assertEquals("error: opening 'k.key': key directory " + keys.toRealPath() + " is writable by group or others"
                + " (mode 0" + Integer.toOctalString(octal(mode))
                + "): refusing to write a key there\n", m.err());
        assertArrayEquals(KEY, Files.readAllBytes(keys.resolve("k.key")));
        Run w = Run.of(lgssSk(tmp, List.of(), Map.of(), "-t", "server", "-f", "tank", "-d", "data.bin",
                "-w", "keys/new.key"));
        assertEquals(1, w.exit());
        assertTrue(w.err().startsWith("error: opening 'keys/new.key': key directory "), w.err());
        assertEquals(List.of("k.key"), names(keys));
    }

    /** Sticky /tmp-like directories too, and a directory owned by another user. */
    @Test
    void stickyWorldWritableAndForeignDirectoriesAreRefused() throws Exception {
        Path sticky = Files.createDirectory(tmp.resolve("sticky"));
        writeKey(sticky.resolve("k.key"));
        new ProcessBuilder("chmod", "1777", sticky.toString()).start().waitFor();
        Run m = Run.of(lgssSk(sticky, List.of(), Map.of(), "-m", "k.key", "-e", "3600"));
        assertEquals(1, m.exit());
        assertTrue(m.err().contains("(mode 01777)"), m.err());
        try (LocalUser u = LocalUser.create()) {
            Path theirs = Files.createDirectory(tmp.resolve("theirs"));
            writeKey(theirs.resolve("k.key"));
            Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setAttribute(theirs, "unix:uid", u.uid());
            Run f = Run.of(lgssSk(theirs, List.of(), Map.of(), "-m", "k.key", "-e", "3600"));
            Files.setAttribute(theirs, "unix:uid", 0);
            assertEquals(1, f.exit());
            assertEquals("error: opening 'k.key': key directory " + theirs.toRealPath() + " is owned by uid " + u.uid()
                    + ", neither root nor this user: refusing to write a key there\n", f.err());
            assertArrayEquals(KEY, Files.readAllBytes(theirs.resolve("k.key")));
        }
    }

    /** Another user who can read the key holds its lock forever: -m gives up after the timeout. */
    @Test
    void lockHeldByAnotherUserTimesOut() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = keys.resolve("k.key");
        writeKey(key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        try (LocalUser u = LocalUser.create()) {
            Process holder = u.start(keys, "sh", "-c", HOLD.replace("MODE", "--exclusive").replace("FILE", "k.key"));
            try {
                waitUntilLocked(key);
                long t0 = System.nanoTime();
                Run m = Run.of(lgssSk(keys, List.of(), Map.of("LSK_LOCK_TIMEOUT", "2"), "-m", "k.key", "-e", "3600"));
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
                assertEquals(1, m.exit());
                assertTrue(m.err().startsWith("error: locking 'k.key': still held by another process after 2 s"),
                        m.err());
                assertTrue(seconds < 30, "took " + seconds + " s");
                assertArrayEquals(KEY, Files.readAllBytes(key));
            } finally {
                holder.destroyForcibly();
                holder.waitFor();
            }
        }
        Run m = Run.of(lgssSk(keys, List.of(), Map.of(), "-m", "k.key", "-e", "3600"));
        assertEquals(0, m.exit(), m.err());
    }

    /**
     * A lock file planted beside the key (what earlier versions locked, following links): a link
     * to a file another user holds locked, and a FIFO. Neither is used, followed or waited on.
     */
    @Test
    void plantedLockFilesAreIgnored() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        writeKey(keys.resolve("k.key"));
        writeKey(keys.resolve("j.key"));
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Path target = theirs.resolve("held");
        Files.writeString(target, "theirs\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(keys.resolve(".k.key.lock"), target);
        assertEquals(0, new ProcessBuilder("mkfifo", keys.resolve(".j.key.lock").toString()).start().waitFor());
        try (LocalUser u = LocalUser.create()) {
            Process holder = u.start(theirs, "sh", "-c", HOLD.replace("MODE", "--shared").replace("FILE", "held"));
            try {
                waitUntilLocked(target);
                for (String k : List.of("k.key", "j.key")) {
                    Process p = lgssSk(keys, List.of(), Map.of(), "-m", k, "-e", "3600");
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new AssertionError("-m " + k + " hung");
                    }
                    assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes()));
                }
            } finally {
                holder.destroyForcibly();
                holder.waitFor();
            }
        }
        assertEquals("theirs\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(keys.resolve(".k.key.lock")));
        assertEquals(List.of(".j.key.lock", ".k.key.lock", "j.key", "k.key"), names(keys));
    }

    /** Copies earlier runs left (temp files of a killed rewrite, empty lock files) go at the next -m. */
    @Test
    void leftoversOfEarlierRunsAreRemoved() throws Exception {
        Path key = tmp.resolve("k.key");
        writeKey(key);
        Files.write(tmp.resolve(".k.key.8418257071964311530.tmp"), KEY);
        Files.write(tmp.resolve(".k.key.0a1b2c3d.tmp"), KEY);
        Files.write(tmp.resolve(".k.key.lock"), new byte[0]);
        Files.write(tmp.resolve(".other.key.1234.tmp"), KEY);
        Run m = Run.of(lgssSk(tmp, List.of(), Map.of(), "-m", "k.key", "-e", "3600"));
        assertEquals(0, m.exit(), m.err());
        assertEquals(List.of(".other.key.1234.tmp", "k.key"), names(tmp));
    }

    private static void writeKey(Path p) throws IOException {
        Files.write(p, KEY);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--------"));
    }

    /** Waits until flock(1) of another process holds {@code file} (bounded). */
    private static void waitUntilLocked(Path file) throws Exception {
        for (int i = 0; i < 200; i++) {
            Process probe = new ProcessBuilder("flock", "--nonblock", "--exclusive", file.toString(), "true").start();
            if (probe.waitFor() != 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the other user never locked " + file);
    }

    private static int octal(String rwx) {
        int m = 0;
        for (char c : rwx.toCharArray()) {
            m = m << 1 | (c == '-' ? 0 : 1);
        }
        return m;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    /** A finished child: exit status and stderr. */
    record Run(int exit, String err) {
        static Run of(Process p) throws Exception {
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("lgss_sk did not finish");
            }
            return new Run(p.exitValue(), err);
        }
    }

    static Process lgssSk(Path cwd, List<String> jvmArgs, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("lsk.Main");
        cmd.add("lgss_sk");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        return pb.start();
    }
}
