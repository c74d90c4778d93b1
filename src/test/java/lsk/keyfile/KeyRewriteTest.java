package lsk.keyfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rewrite keeps what C's in-place write keeps: owner, group, mode, hard links (those in the
 * key's directory; links elsewhere are counted for the warning); the text fields' bytes after
 * their NUL; and leaves nothing beside the key (stray lock files of earlier versions go).
 */
class KeyRewriteTest {
    static final byte[] BASE = Vectors.bytes("keyfiles/cases/base.key");
    /** An unprivileged uid and gid for owner checks (the tests run as root). */
    static final int NOBODY = 65534;

    @TempDir
    Path tmp;

    private KeyConfig key(long expire) throws Exception {
        return KeyFiles.decode("base.key", BASE).config().toBuilder().expire(expire).build();
    }

    private long expireOf(Path p) throws Exception {
        return KeyFiles.decode("k", Files.readAllBytes(p)).config().expire();
    }

    private static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid");
    }

    private static int gid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:gid");
    }

    private static long nlink(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:nlink")).longValue();
    }

    private static String perms(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void rewriteKeepsModeOwnerAndGroup() throws Exception {
        Path k = tmp.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("rw-r-----"));
        Files.setAttribute(k, "unix:uid", NOBODY);
        Files.setAttribute(k, "unix:gid", NOBODY);
        assertEquals(0, KeyFiles.write(k, "k.key", key(200), false, true));
        assertEquals(200, expireOf(k));
        assertEquals("rw-r-----", perms(k));
        assertEquals(NOBODY, uid(k));
        assertEquals(NOBODY, gid(k));
        assertEquals(List.of("k.key"), KeyDirRaceTest.names(tmp));
    }

    @Test
    void newKeyIs0400AndOurs() throws Exception {
        Path k = tmp.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        assertEquals("r--------", perms(k));
        assertEquals(0, uid(k));
    }

    /** As C (parity case fs02_m_hardlink): every name of the key in its directory gets the new key. */
    @Test
    void hardLinksInTheDirectoryGetTheNewKey() throws Exception {
        Path k = tmp.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        Files.createLink(tmp.resolve("h.key"), k);
        Files.createLink(tmp.resolve("i.key"), k);
        assertEquals(0, KeyFiles.write(tmp.resolve("h.key"), "h.key", key(300), false, true));
        for (String n : List.of("h.key", "i.key", "k.key")) {
            assertEquals(300, expireOf(tmp.resolve(n)), n);
            assertEquals(3, nlink(tmp.resolve(n)), n);
            assertEquals("r--------", perms(tmp.resolve(n)));
        }
        assertTrue(Files.isSameFile(k, tmp.resolve("h.key")));
        assertEquals(List.of("h.key", "i.key", "k.key"), KeyDirRaceTest.names(tmp));
    }

    /** A link lsk cannot find (another directory) keeps the old key, and the writer says so. */
    @Test
    void hardLinkElsewhereKeepsTheOldKeyAndIsCounted() throws Exception {
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        Path other = Files.createDirectory(tmp.resolve("other"));
        Path k = keys.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        Files.createLink(other.resolve("copy.key"), k);
        assertEquals(1, KeyFiles.write(k, "k.key", key(200), false, true));
        assertEquals(200, expireOf(k));
        assertEquals(100, expireOf(other.resolve("copy.key")));
        assertEquals("warning: 'k.key' had 1 hard link outside its directory; it keeps the old key",
                KeyFiles.oldLinksWarning("k.key", 1).orElseThrow());
        assertTrue(KeyFiles.oldLinksWarning("k.key", 0).isEmpty());
    }

    /**
     * Concurrent read-modify-writes through two names of one key are serialized: both lock the
     * same inode, and a waiter whose file was replaced meanwhile locks the new one.
     */
    @Test
    void updatesThroughTwoLinkNamesSerialize() throws Exception {
        Path k = tmp.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        Files.createLink(tmp.resolve("h.key"), k);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = i % 2 == 0 ? "k.key" : "h.key";
            Thread t = new Thread(() -> {
                try (UpdateLock l = KeyFiles.lockForUpdate(tmp.resolve(name), name)) {
                    KeyConfig c = l.read(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).config();
                    Thread.sleep(10);
                    l.write(c.toBuilder().expire(c.expire() + 1).build(), false);
                } catch (Exception e) {
                    errors.add(e);
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(106, expireOf(k));
        assertTrue(Files.isSameFile(k, tmp.resolve("h.key")));
        assertEquals(List.of("h.key", "k.key"), KeyDirRaceTest.names(tmp));
    }

    /**
     * A run that opens the key between a rewrite's first rename and its last (another hard
     * link still to replace) waits until the rewrite is done, then applies on top: the links
     * never part. Deterministic: the first rewrite pauses right after renaming its own name.
     */
    @Test
    void runOpeningTheNewFileMidRewriteWaitsForAllLinks() throws Exception {
        Path k = tmp.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        Files.createLink(tmp.resolve("h.key"), k);
        Process a = KeyDirRaceTest.lgssSk(tmp, List.of("-D" + KeyFiles.PAUSE_PROPERTY + "=RENAMED"), Map.of(),
                "-m", "k.key", "-e", "3600");
        BufferedReader aErr = new BufferedReader(new InputStreamReader(a.getErrorStream(), StandardCharsets.UTF_8));
        assertEquals("paused RENAMED", aErr.readLine());
        assertEquals(3600, expireOf(k)); // k.key is the new file, h.key not yet
        Process b = KeyDirRaceTest.lgssSk(tmp, List.of(), Map.of(), "-m", "k.key", "-e", "7200");
        // Bounded negative check: b runs -m in well under this when not blocked.
        assertFalse(b.waitFor(3, TimeUnit.SECONDS), "-m did not wait for the rewrite in progress");
        a.getOutputStream().write('\n');
        a.getOutputStream().flush();
        assertEquals(0, KeyDirRaceTest.Run.of(a).exit());
        KeyDirRaceTest.Run rb = KeyDirRaceTest.Run.of(b);
        assertEquals(0, rb.exit(), rb.err());
        assertTrue(Files.isSameFile(k, tmp.resolve("h.key")));
        assertEquals(7200, expireOf(tmp.resolve("h.key")));
        assertEquals(List.of("h.key", "k.key"), KeyDirRaceTest.names(tmp));
    }

    /**
     * The 0-byte {@code .NAME.lock} files earlier lsk versions left go when the key is written;
     * anything else by that name (content, another owner, a link) stays, unfollowed.
     */
    @Test
    void strayLockFilesOfTheKeysOwnerGo() throws Exception {
        Path k = tmp.resolve("k.key");
        KeyFiles.write(k, "k.key", key(100), false, false);
        Files.setAttribute(k, "unix:uid", NOBODY);
        Files.write(tmp.resolve(".k.key.lock"), new byte[0]);
        Files.setAttribute(tmp.resolve(".k.key.lock"), "unix:uid", NOBODY);
        Files.write(tmp.resolve(".j.key.lock"), new byte[0]); // root's, j.key's owner: goes with -w
        Files.write(tmp.resolve(".l.key.lock"), "x".getBytes(StandardCharsets.US_ASCII));
        Files.write(tmp.resolve("target"), new byte[0]);
        Files.createSymbolicLink(tmp.resolve(".m.key.lock"), tmp.resolve("target"));
        KeyFiles.write(k, "k.key", key(200), false, true);
        KeyFiles.write(tmp.resolve("j.key"), "j.key", key(1), false, false);
        KeyFiles.write(tmp.resolve("l.key"), "l.key", key(1), false, false);
        KeyFiles.write(tmp.resolve("m.key"), "m.key", key(1), false, false);
        assertEquals(List.of(".l.key.lock", ".m.key.lock", "j.key", "k.key", "l.key", "m.key", "target"),
                KeyDirRaceTest.names(tmp));
        assertTrue(Files.exists(tmp.resolve("target")));

        // Root's empty lock beside a key of another user is not the key owner's: kept.
        Files.write(tmp.resolve(".k.key.lock"), new byte[0]);
        KeyFiles.write(k, "k.key", key(300), false, true);
        assertTrue(Files.exists(tmp.resolve(".k.key.lock")));
    }

    /** C's bytes after a shorter name's NUL survive decode, rewrite and the ASCII form. */
    @Test
    void bytesAfterATextFieldsNulSurvive() throws Exception {
        KeyConfig c = KeyConfig.builder().type(KeyConfig.TYPE_SERVER).fsname("tank")
                .overwriteNodemap("c0").overwriteFsname("tk").build();
        byte[] image = KeyFileCodec.encodeBinary(c);
        assertArrayEquals("tk\0k".getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOfRange(image, KeyFileCodec.OFF_FSNAME, KeyFileCodec.OFF_FSNAME + 4));
        assertArrayEquals("c0\0ault\0".getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOfRange(image, KeyFileCodec.OFF_NODEMAP, KeyFileCodec.OFF_NODEMAP + 8));
        KeyConfig back = KeyFileCodec.decodeBinary(image);
        assertEquals("tk", back.fsname());
        assertEquals("c0", back.nodemap());
        assertEquals(c, back);
        assertArrayEquals(image, KeyFileCodec.encodeBinary(back));
        assertArrayEquals(image, KeyFileCodec.asciiPayload(KeyFileCodec.encodeAscii(back)));
        // The plain setters set the whole field, as before.
        byte[] plain = KeyFileCodec.encodeBinary(back.toBuilder().nodemap("c0").build());
        assertFalse(Arrays.equals(image, plain));
        assertEquals(0, plain[KeyFileCodec.OFF_NODEMAP + 3]);
    }
}
