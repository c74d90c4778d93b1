package lsk.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import lsk.crypto.Ffdhe;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lsk keys load}: mount.lustre skpath= semantics on the real keyring. */
class KeysLoadTest {
    @TempDir
    Path tmp;
    KeysFixture f;
    String fs;

    @BeforeEach
    void setUp() throws Exception {
        f = new KeysFixture(tmp);
        fs = "f" + f.tag;
        Files.createDirectory(tmp.resolve("sk"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    @AfterEach
    void cleanUp() throws Exception {
        f.close();
    }

    @Test
    void aKeyDirectoryMadeWithLskLoadsWithZeroErrors() throws Exception {
        // Lustre's test framework: -w, copy, -t client -m, then mount -o skpath=DIR
        f.write("sk/server.key", "-t", "server", "-f", fs);
        Files.copy(tmp.resolve("sk/server.key"), tmp.resolve("sk/client.key"));
        KeysFixture.Run m = f.run("lgss_sk", "-t", "client", "-m", "sk/client.key");
        assertEquals(0, m.exit(), m.err());
        assertEquals(List.of("client.key", "server.key"), f.listing("sk"));
        KeysFixture.Run r = f.run("keys", "load", "sk");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertEquals(List.of("lustre:" + fs, "lustre:" + fs + ":default"), f.mine());
    }

    @Test
    void everyRegularFileDotFilesIncludedAndEveryErrorReported() throws Exception {
        f.write("sk/a.key", "-t", "server", "-f", fs, "-n", "a");
        Files.write(tmp.resolve("sk/.a.key.lock"), new byte[0]);
        Files.setPosixFilePermissions(tmp.resolve("sk/.a.key.lock"), PosixFilePermissions.fromString("rw-------"));
        f.write("sk/b.key", "-t", "server", "-f", fs, "-n", "b");
        Files.createDirectory(tmp.resolve("sk/sub")); // not a regular file: skipped
        KeysFixture.Run r = f.run("keys", "load", "sk");
        assertEquals(130, r.exit(), r.err()); // -ENOKEY from main, as mount.lustre
        assertEquals("File sk/.a.key.lock does not have a complete key: got 0 bytes, expected 2407 bytes\n"
                + "Failed to load key sk/.a.key.lock\n"
                + "lsk keys load: Error loading shared keys: Required key not available\n", r.err());
        assertEquals(List.of("lustre:" + fs + ":a", "lustre:" + fs + ":b"), f.mine());
    }

    @Test
    void linksAreFollowedDanglingOnesAndOpenKeysFail() throws Exception {
        f.write("a.key", "-t", "server", "-f", fs);
        Files.createSymbolicLink(tmp.resolve("sk/link.key"), tmp.resolve("a.key"));
        Files.createSymbolicLink(tmp.resolve("sk/dangling"), tmp.resolve("nowhere"));
        f.write("sk/open.key", "-t", "server", "-f", fs, "-n", "open");
        Files.setPosixFilePermissions(tmp.resolve("sk/open.key"), PosixFilePermissions.fromString("rw-r--r--"));
        KeysFixture.Run r = f.run("keys", "load", "sk");
        assertEquals(256 - 13, r.exit(), r.err()); // the last failure: -EACCES
        assertEquals("Unable to stat sk/dangling: No such file or directory\n"
                + "warning: secret key 'sk/open.key' has insecure file mode 0100644\n"
                + "Shared key files must be readable/writeable only by owner\n"
                + "Failed to load key sk/open.key\n"
                + "lsk keys load: Error loading shared keys: Permission denied\n", r.err());
        assertEquals(List.of("lustre:" + fs + ":default"), f.mine());
    }

    @Test
    void pathErrorsAsMountLustre() throws Exception {
        KeysFixture.Run missing = f.run("keys", "load", "nope");
        assertEquals(256 - 2, missing.exit());
        assertEquals("stat() failed for key nope: No such file or directory\n"
                + "lsk keys load: Error loading shared keys: No such file or directory\n", missing.err());
        KeysFixture.Run dev = f.run("keys", "load", "/dev/null");
        assertEquals(130, dev.exit());
        assertEquals("Invalid shared key path: /dev/null\n"
                + "lsk keys load: Error loading shared keys: Required key not available\n", dev.err());
        KeysFixture.Run empty = f.run("keys", "load", "sk");
        assertEquals(0, empty.exit());
        assertEquals("", empty.err());
        KeysFixture.Run usage = f.run("keys", "load");
        assertEquals(1, usage.exit());
    }

    @Test
    void aSingleFileAndVerboseMessages() throws Exception {
        f.write("sk/m.key", "-t", "mgs", "-f", fs, "-n", "n" + f.tag);
        KeysFixture.Run r = f.run("keys", "load", "-v", "sk/m.key");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("with description lustre:MGS:n" + f.tag + "\n"), r.err());
        assertEquals(List.of("lustre:MGS:n" + f.tag), f.mine());
    }

    @Test
    void clientMountConvertsServerKeysAndRandomizesDescriptions() throws Exception {
        f.write("sk/s.key", "-t", "server", "-f", fs, "-a");
        KeysFixture.Run r = f.run("keys", "load", "--client", "sk");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Generating DH parameters to turn sk/s.key into a client key, this can take a while...\n",
                r.out());
        KeyFiles.KeyFile kf = KeyFiles.read("sk/s.key", tmp, System.in, System.err);
        assertEquals(KeyConfig.TYPE_CLIENT, kf.config().type());
        assertEquals(false, kf.ascii()); // C rewrites it binary
        assertArrayEquals(Ffdhe.FFDHE2048.primeBytes(), kf.config().prime());
        List<String> mine = f.mine();
        assertEquals(2, mine.size(), mine.toString());
        assertEquals("lustre:" + fs, mine.get(0));
        assertTrue(mine.get(1).matches("lustre:" + fs + ":[0-9A-F]{4}"), mine.toString());
        assertEquals(List.of("s.key"), f.listing("sk"));
    }
}
