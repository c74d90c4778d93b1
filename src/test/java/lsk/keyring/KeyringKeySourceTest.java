package lsk.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import lsk.base.LskException;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
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

    /** A server key with a 64-bit shared key, as C's {@code lgss_sk -k 64 -l} loads it. */
    private int addWeak(String description, KeyConfig strong) throws Exception {
        KeyConfig weak = strong.toBuilder().sharedKeyLenBits(64).build();
        return kr.addKey("user", description, KeyFileCodec.encodeBinary(weak), Keyring.USER);
    }

    /** Issue 10 item 8: a key under 128 bits beside usable ones is skipped (one warning). */
    @Test
    void weakKeysAreNotUsed() throws Exception {
        String base = "lustre:f" + tag + ":default";
        KeyConfig strong = server("f" + tag, "default");
        addWeak(base, strong);
        kr.addKey("user", base + ":20260101_000000_000000", KeyFileCodec.encodeBinary(strong), Keyring.USER);
        assertEquals(List.of(strong), new KeyringKeySource(kr).keys(base));
    }

    /** When only weak keys match, the failure names the key and its length; the responder refuses. */
    @Test
    void onlyAWeakKeyFailsTheHandshakeWithTheReason() throws Exception {
        String fs = "f" + tag;
        String base = "lustre:" + fs + ":default";
        KeyConfig strong = server(fs, "default");
        int serial = addWeak(base, strong);
        LskException e = assertThrows(LskException.class, () -> new KeyringKeySource(kr).keys(base));
        assertEquals("key " + serial + ": shared key length of '" + base
                + "' is 64 bits, less than the minimum of 128 bits: not used", e.getMessage());

        KeyConfig client = KeyFileCodec.decodeBinary(lsk.testutil.Vectors.bytes("keyfiles/h_client_tank_ffdhe2048.key"))
                .toBuilder().fsname(fs).sharedKeyLenBits(64).sharedKey(strong.sharedKey()).build();
        Initiator ini = Initiator.start(client, fs + "-MDT0000_UUID", 0, 0x00020000c0a80132L, Entropy.secure());
        Responder r = new Responder(new KeyringKeySource(kr), NodemapResolver.NONE, Entropy.secure());
        GssException g = assertThrows(GssException.class, () -> r.accept(ini.token(), 0x00020000c0a80132L, "default"));
        assertTrue(g.getMessage().contains("is 64 bits, less than the minimum of 128 bits: not used"), g.getMessage());
    }
}
