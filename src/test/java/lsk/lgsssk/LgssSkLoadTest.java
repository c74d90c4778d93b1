package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import lsk.crypto.Ffdhe;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import lsk.keyring.KeyDescription;
import lsk.keyring.Keyring;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lgss_sk -l / -R end to end on the real kernel keyring. Names carry a random tag, because
 * other suites share root's user keyring; only keys with the tag are counted and cleaned.
 */
class LgssSkLoadTest {
    @TempDir
    Path tmp;
    Keyring kr;
    String tag;

    @BeforeEach
    void setUp() throws Exception {
        kr = Keyring.open();
        tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Run.copyTree(Vectors.path("keyfiles/data"), tmp.resolve("data"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int k : kr.find(Keyring.USER, d -> d.description().contains(tag))) {
            kr.revoke(k);
            kr.unlink(k, Keyring.USER);
        }
    }

    List<String> mine() throws Exception {
        return kr.find(Keyring.USER, d -> d.description().contains(tag)).stream().map(k -> {
            try {
                KeyDescription d = kr.describe(k);
                return d.description();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).sorted().toList();
    }

    void write(String file, String... args) {
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.addAll(List.of("-d", "data/seq128.bin", "-w", file));
        Run r = Run.lgssSk(tmp, a.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void loadAndRemoveServerAndMgsKeys() throws Exception {
        write("s.key", "-t", "server", "-f", "f" + tag, "-n", "n" + tag);
        write("m.key", "-t", "mgs", "-g", "10.0.0.1@tcp", "-n", "m" + tag);
        assertEquals(0, Run.lgssSk(tmp, "-l", "s.key").exit());
        assertEquals(0, Run.lgssSk(tmp, "-l", "m.key").exit());
        assertEquals(List.of("lustre:MGS:m" + tag, "lustre:f" + tag + ":n" + tag), mine());
        assertEquals(0, Run.lgssSk(tmp, "-R", "s.key").exit());
        assertEquals(List.of("lustre:MGS:m" + tag), mine());
        assertEquals(0, Run.lgssSk(tmp, "-R", "m.key").exit());
        Run again = Run.lgssSk(tmp, "-R", "m.key");
        assertEquals(1, again.exit());
        assertEquals("No matching key found to remove\nerror: removing key failed: rc=-126\n", again.err());
        assertEquals(List.of(), mine());
    }

    @Test
    void refusesADirectoryAsC() throws Exception {
        // C's lgss_sk_parity x02_l_dir_after_m / x08_l_dir_mixed: the read fails, nothing loaded.
        Files.createDirectory(tmp.resolve("keys"));
        Files.setPosixFilePermissions(tmp.resolve("keys"), java.nio.file.attribute.PosixFilePermissions.fromString(
                "rwxr-xr-x"));
        write("keys/a.key", "-t", "server", "-f", "a" + tag);
        Run r = Run.lgssSk(tmp, "-l", "keys");
        assertEquals(1, r.exit());
        assertEquals("warning: secret key 'keys' has insecure file mode 040755\nread() failed on keys: Is a directory\n"
                + "error: loading keyfile failed: rc=-126\n", r.err());
        assertEquals(List.of(), mine());
    }

    @Test
    void serverKeyLoadedAsClientIsConverted() throws Exception {
        write("s.key", "-t", "server", "-f", "c" + tag);
        Run r = Run.lgssSk(tmp, "-t", "client", "-l", "s.key");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Generating DH parameters to turn s.key into a client key, this can take a while...\n", r.out());
        KeyConfig c = KeyFiles.read("s.key", tmp, System.in, System.err).config();
        assertEquals(KeyConfig.TYPE_CLIENT, c.type());
        assertTrue(java.util.Arrays.equals(Ffdhe.FFDHE2048.primeBytes(), c.prime()));
        assertEquals(List.of("lustre:c" + tag), mine());
    }
}
