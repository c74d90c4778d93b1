package lsk.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import lsk.crypto.Ffdhe;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lsk keys rotate} and {@code lsk keys list} on the real keyring. */
class KeysRotateTest {
    @TempDir
    Path tmp;
    KeysFixture f;
    String fs;
    /** MGC key descriptions carry a NID, not the tag: a random one keeps them apart from other runs'. */
    final String nid = "10." + java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 255) + "."
            + java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 255) + "."
            + java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 255) + "@tcp";

    @BeforeEach
    void setUp() throws Exception {
        f = new KeysFixture(tmp);
        f.extra.add("lustre:MGC" + nid);
        fs = "f" + f.tag;
        Files.createDirectory(tmp.resolve("sk"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        // a server key, and the client key derived from it (one shared key), 0600 as sites keep them
        f.write("sk/server.key", "-t", "server", "-f", fs, "-n", "n" + f.tag, "-e", "3600");
        Files.copy(tmp.resolve("sk/server.key"), tmp.resolve("sk/client.key"));
        assertEquals(0, f.run("lgss_sk", "-t", "client", "-g", nid, "-m", "sk/client.key").exit());
        for (String k : List.of("server.key", "client.key")) {
            Files.setPosixFilePermissions(tmp.resolve("sk/" + k), PosixFilePermissions.fromString("rw-------"));
        }
    }

    @BeforeEach
    void nextData() throws Exception {
        byte[] d = new byte[4096];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(d);
        Files.write(tmp.resolve("next.bin"), d);
    }

    @AfterEach
    void cleanUp() throws Exception {
        f.close();
    }

    private KeyConfig read(String name) throws Exception {
        return KeyFiles.read(name, tmp, System.in, System.err).config();
    }

    @Test
    void rotatesLoadsBesideTheFormerKeyAndSaysWhereToCopy() throws Exception {
        assertEquals(0, f.run("lgss_sk", "-l", "sk/server.key").exit());
        String base = "lustre:" + fs + ":n" + f.tag;
        assertEquals(List.of(base), f.mine());
        KeyConfig oldServer = read("sk/server.key");
        KeyConfig oldClient = read("sk/client.key");
        String oldHex = HexFormat.of().formatHex(oldServer.sharedKey());

        KeysFixture.Run r = f.run("keys", "rotate", "-x", "600", "-d", "next.bin", "sk/server.key", "sk/client.key");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        KeyConfig server = read("sk/server.key");
        KeyConfig client = read("sk/client.key");
        // same parameters, one new shared key for both files
        assertTrue(server.sameSharedKey(client));
        assertFalse(server.sameSharedKey(oldServer));
        assertEquals(oldServer.toBuilder().sharedKey(server.sharedKey()).build(), server);
        assertEquals(oldClient.toBuilder().sharedKey(client.sharedKey()).build(), client);
        assertArrayEquals(Ffdhe.FFDHE2048.primeBytes(), client.prime());
        assertEquals(3600, server.expire());
        // owner and mode kept, nothing left beside the keys
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("sk/server.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("sk/client.key"))));
        assertEquals(List.of("client.key", "server.key"), f.listing("sk"));
        // the former server key lives on for 600 s beside the new dated one; the client key is replaced
        List<String> mine = f.mine();
        assertEquals(3, mine.size(), mine.toString());
        assertTrue(mine.contains(base), mine.toString());
        assertTrue(mine.stream().anyMatch(d -> d.matches(java.util.regex.Pattern.quote(base) + ":\\d{8}_\\d{6}_\\d{6}")),
                mine.toString());
        assertTrue(mine.contains("lustre:" + fs), mine.toString());
        assertTrue(f.kr.search(lsk.keyring.Keyring.USER, "user", "lustre:MGC" + nid).isPresent());
        // what goes where; never key bytes
        assertTrue(r.out().contains("sk/server.key: to every MDS and OSS of " + fs + " (nodemap 'n" + f.tag
                + "'); there: lgss_sk -s -x 600 -l sk/server.key\n"), r.out());
        assertTrue(r.out().contains("sk/client.key: to every client of " + fs + " (nodemap 'n" + f.tag + "', MGS " + nid + "); "
                + "there: lgss_sk -l sk/client.key\n"), r.out());
        String newHex = HexFormat.of().formatHex(server.sharedKey());
        assertFalse(r.out().contains(newHex.substring(0, 16)) || r.out().contains(oldHex.substring(0, 16)));

        KeysFixture.Run list = f.run("keys", "list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().startsWith("SERIAL"), list.out());
        List<String> lines = list.out().lines().filter(l -> l.contains(f.tag)).toList();
        assertEquals(4, lines.size(), list.out()); // the MGC key shows the file system
        String former = lines.stream().filter(l -> l.split("\\s+")[1].equals(base)).findFirst().orElseThrow();
        String[] c = former.split("\\s+");
        assertEquals(List.of("server", fs, "n" + f.tag, "3600"), List.of(c[2], c[3], c[4], c[5]));
        assertNotEquals("perm", c[6]); // its rotation window, e.g. 9m
        assertTrue(c[6].matches("\\d+[smh]"), former);
        String clientLine = lines.stream().filter(l -> l.split("\\s+")[1].equals("lustre:" + fs)).findFirst()
                .orElseThrow();
        assertEquals("client", clientLine.split("\\s+")[2]);
        assertEquals("perm", clientLine.split("\\s+")[6]);
        assertFalse(list.out().contains(newHex.substring(0, 16)));
    }

    @Test
    void nothingIsWrittenUnlessEveryFileIsAKey() throws Exception {
        byte[] before = Files.readAllBytes(tmp.resolve("sk/server.key"));
        Files.write(tmp.resolve("junk.key"), new byte[10]);
        Files.setPosixFilePermissions(tmp.resolve("junk.key"), PosixFilePermissions.fromString("rw-------"));
        KeysFixture.Run r = f.run("keys", "rotate", "-n", "-d", "next.bin", "sk/server.key", "junk.key");
        assertEquals(1, r.exit());
        assertEquals("keys rotate: File junk.key does not have a complete key: got 10 bytes, expected 2407 bytes\n",
                r.err());
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve("sk/server.key")));
    }

    @Test
    void aDataSourceThatRepeatsTheKeyIsRefused() throws Exception {
        byte[] before = Files.readAllBytes(tmp.resolve("sk/server.key"));
        KeysFixture.Run r = f.run("keys", "rotate", "-d", "rand.bin", "sk/server.key");
        assertEquals(1, r.exit());
        assertEquals("keys rotate: the new shared key of sk/server.key is its current one: 'rand.bin' does not give"
                + " random data\n", r.err());
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve("sk/server.key")));
    }

    @Test
    void noLoadWritesOnlyAndKeepsAscii() throws Exception {
        f.write("a.key", "-t", "server", "-f", fs, "-a");
        KeysFixture.Run r = f.run("keys", "rotate", "--no-load", "-d", "next.bin", "a.key");
        assertEquals(0, r.exit(), r.err());
        assertTrue(KeyFiles.read("a.key", tmp, System.in, System.err).ascii());
        assertEquals(List.of(), f.mine());
        assertTrue(r.out().contains("a.key: to every MDS and OSS of " + fs), r.out());
        assertEquals(1, f.run("keys", "rotate").exit());
        assertEquals(1, f.run("keys", "rotate", "-x", "soon", "a.key").exit());
    }
}
