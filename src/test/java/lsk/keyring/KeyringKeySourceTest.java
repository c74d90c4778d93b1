package lsk.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import lsk.keyfile.KeyConfig;
import lsk.keyring.SkKeyring.LoadOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The responder's view: every generation of a key during a rotation, read back from the kernel. */
class KeyringKeySourceTest {
    private Keyring kr;
    private String tag;

    @BeforeEach
    void setUp() throws Exception {
        kr = Keyring.open();
        tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @AfterEach
    void cleanUp() throws Exception {
        kr.link(Keyring.USER, Keyring.SESSION);
        for (int k : kr.find(Keyring.USER, d -> d.description().contains(tag))) {
            kr.revoke(k);
            kr.unlink(k, Keyring.USER);
        }
        assertEquals(List.of(), ProcKeys.live(tag));
    }

    private static KeyConfig server(String fs, String nm) {
        byte[] k = new byte[32];
        ThreadLocalRandom.current().nextBytes(k);
        return KeyConfig.builder().type(KeyConfig.TYPE_SERVER).fsname(fs).nodemap(nm).sharedKey(k).build();
    }

    @Test
    void findsEveryGenerationInKeyringOrderAndNothingElse() throws Exception {
        SkKeyring sk = new SkKeyring(kr, new PrintStream(new ByteArrayOutputStream()), 0,
                Clock.systemDefaultZone(), new Random());
        String fs = "f" + tag;
        KeyConfig old = server(fs, "n" + tag);
        KeyConfig fresh = server(fs, "n" + tag);
        KeyConfig other = server(fs, "m" + tag);
        sk.load(old, LoadOptions.defaults());
        sk.load(fresh, new LoadOptions(true, -1, null));
        sk.load(other, LoadOptions.defaults());
        String base = "lustre:" + fs + ":n" + tag;
        kr.addKey("user", base + ":short", new byte[] {1}, Keyring.USER); // not an SSK image

        KeyringKeySource src = new KeyringKeySource(kr);
        List<KeyConfig> keys = src.keys(base);
        assertEquals(2, keys.size());
        List<Integer> serials = src.serials(base);
        assertEquals(3, serials.size());
        // the order is the keyring's: compare with the order of the SSK serials we added
        int oldSerial = kr.search(Keyring.USER, "user", base).getAsInt();
        boolean oldFirst = serials.indexOf(oldSerial) < serials.stream().filter(s -> s != oldSerial)
                .filter(s -> {
                    try {
                        return kr.describe(s).description().matches(".*:\\d{8}_\\d{6}_\\d{6}");
                    } catch (KeyringException e) {
                        throw new IllegalStateException(e);
                    }
                }).mapToInt(serials::indexOf).findFirst().orElseThrow();
        assertEquals(oldFirst ? List.of(old, fresh) : List.of(fresh, old), keys);
        assertEquals(List.of(other), src.keys("lustre:" + fs + ":m" + tag));
        assertEquals(List.of(), src.keys("lustre:" + fs + ":x" + tag));
    }
}
