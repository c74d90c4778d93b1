package lsk.keyring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import lsk.base.LskException;
import lsk.base.Errno;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyring.SkKeyring.LoadOptions;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lgss_sk -l / -R behaviour on the real kernel keyring, checked through /proc/keys. Every test
 * uses its own random tag inside fsnames and nodemaps (other suites share root's user keyring)
 * and counts and removes only its own keys.
 */
class SkKeyringTest {
    private static final LoadOptions PLAIN = LoadOptions.defaults();
    private static final LoadOptions SUFFIX = new LoadOptions(true, -1, null);

    private Keyring kr;
    private String tag;
    private String fs;
    private String nm;
    private final List<String> extraDescriptions = new ArrayList<>();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private SkKeyring sk;

    @BeforeEach
    void setUp() throws Exception {
        kr = Keyring.open();
        tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        fs = "f" + tag;
        nm = "n" + tag;
        sk = new SkKeyring(kr, new PrintStream(logBytes, true, StandardCharsets.UTF_8), 2,
                Clock.systemDefaultZone(), new Random());
    }

    @AfterEach
    void cleanUp() throws Exception {
        kr.link(Keyring.USER, Keyring.SESSION);
        for (int k : kr.find(Keyring.USER,
                d -> d.description().contains(tag) || extraDescriptions.contains(d.description()))) {
            kr.revoke(k);
            kr.unlink(k, Keyring.USER);
        }
        assertEquals(List.of(), ProcKeys.live(tag), "test keys left behind");
    }

    private static byte[] randomKey(int bytes) {
        byte[] k = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(k);
        return k;
    }

    private KeyConfig key(int type, String fsname, String nodemap) {
        return KeyConfig.builder().type(type).fsname(fsname).nodemap(nodemap).sharedKey(randomKey(32)).build();
    }

    private int live() {
        return ProcKeys.live(tag).size();
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    /** The Lustre test-suite sequence: 7 keys, then -R of each leaves 5, 4, 2, 0. */
    @Test
    void lustreTestSuiteScenario() throws Exception {
        KeyConfig mgs = key(KeyConfig.TYPE_MGS, "", nm);
        KeyConfig server = key(KeyConfig.TYPE_SERVER, fs, nm);
        KeyConfig server2 = key(KeyConfig.TYPE_SERVER, fs, "m" + tag);
        KeyConfig client = key(KeyConfig.TYPE_CLIENT, fs, "default");

        sk.load(mgs, PLAIN);
        sk.load(mgs, SUFFIX);
        sk.load(server, PLAIN);
        sk.load(server, SUFFIX);
        sk.load(server2, SUFFIX);
        sk.load(server2, SUFFIX);
        sk.load(client, PLAIN);
        assertEquals(7, live());

        assertEquals(2, sk.remove(mgs, PLAIN));
        assertEquals(5, live());
        // lustre:<fs> is a prefix of the server keys' descriptions: only the shared key keeps them
        assertEquals(1, sk.remove(client, PLAIN));
        assertEquals(4, live());
        assertEquals(2, sk.remove(server, PLAIN));
        assertEquals(2, live());
        assertEquals(2, sk.remove(server2, PLAIN));
        assertEquals(0, live());
        assertEquals(0, sk.remove(server2, PLAIN));
        assertTrue(log().endsWith("No matching key found to remove\n"), log());
    }

    /** mgs+server key from the vectors: both descriptions, perms, payload = the file image. */
    @Test
    void mgsServerKeyDescriptionsPermsAndPayload() throws Exception {
        byte[] file = Vectors.bytes("keyfiles/mgs_server_tank_biology.key");
        KeyConfig cfg = KeyFileCodec.decodeBinary(file).toBuilder().fsname(fs).nodemap(nm).build();
        List<String> added = sk.load(cfg, PLAIN);
        assertEquals(List.of("lustre:MGS:" + nm, "lustre:" + fs + ":" + nm), added);

        List<ProcKeys> keys = ProcKeys.live(tag);
        assertEquals(2, keys.size());
        byte[] expected = KeyFileCodec.encodeBinary(cfg);
        for (ProcKeys k : keys) {
            assertTrue(added.contains(k.description()));
            assertEquals("user", k.type());
            // Deliberately not C's 0x3f3f3f3f: possessor and owner only (issue 10 item 1).
            assertEquals(0x3f3f0000, k.perm());
            assertEquals("perm", k.timeout());
            assertEquals("2407", k.summary());
            byte[] payload = pipe(k.serial());
            assertArrayEquals(expected, payload);
            // the file's bytes outside the renamed fsname/nodemap fields are unchanged
            assertArrayEquals(Arrays.copyOfRange(file, 0, KeyFileCodec.OFF_FSNAME),
                    Arrays.copyOfRange(payload, 0, KeyFileCodec.OFF_FSNAME));
            assertArrayEquals(Arrays.copyOfRange(file, KeyFileCodec.OFF_SHARED_KEY, KeyFileCodec.SIZE),
                    Arrays.copyOfRange(payload, KeyFileCodec.OFF_SHARED_KEY, KeyFileCodec.SIZE));
        }
        assertTrue(log().contains("Added key " + keys.get(0).serial() + " with description "), log());
    }

    /** Reads a payload with keyutils' keyctl if installed, else with our binding. */
    private byte[] pipe(int serial) throws Exception {
        if (Files.isExecutable(Path.of("/usr/bin/keyctl")) || Files.isExecutable(Path.of("/bin/keyctl"))) {
            Process p = new ProcessBuilder("keyctl", "pipe", Integer.toString(serial)).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());
            return out;
        }
        return kr.read(serial);
    }

    /** A client key with MGS NIDs: lustre:<fs> and one lustre:MGC<nid> per NID (libcfs notation). */
    @Test
    void clientKeyWithMgsNids() throws Exception {
        int b = Integer.parseUnsignedInt(tag, 16);
        long tcp = (2L << 48) | (0xc0a8L << 16) | (b & 0xffff);            // 192.168.x.y@tcp
        long o2ib3 = (5L << 48) | (3L << 32) | 0x0a000000L | (b >>> 8);    // 10.x.y.z@o2ib3
        String tcpStr = "192.168." + ((b >>> 8) & 0xff) + "." + (b & 0xff) + "@tcp";
        String o2ibStr = "10." + ((b >>> 24) & 0xff) + "." + ((b >>> 16) & 0xff) + "." + ((b >>> 8) & 0xff)
                + "@o2ib3";
        extraDescriptions.add("lustre:MGC" + tcpStr);
        extraDescriptions.add("lustre:MGC" + o2ibStr);
        KeyConfig cfg = key(KeyConfig.TYPE_CLIENT, fs, "default").toBuilder().mgsNids(tcp, o2ib3)
                .prime(Vectors.hex("ff")).build();
        List<String> added = sk.load(cfg, PLAIN);
        assertEquals(List.of("lustre:" + fs, "lustre:MGC" + tcpStr, "lustre:MGC" + o2ibStr), added);
        for (String d : added) {
            assertEquals(1, ProcKeys.all().stream()
                    .filter(k -> k.description().equals(d) && k.flags().indexOf('R') < 0).count(), d);
        }
    }

    /** An ASCII client key (as read from its file) loads as exactly lustre:<fs>. */
    @Test
    void asciiClientKeyLoadsAsExactlyLustreFs() throws Exception {
        KeyConfig vec = KeyFileCodec.decodeBinary(Vectors.bytes("keyfiles/client_tank_p1024.key"));
        byte[] ascii = KeyFileCodec.encodeAscii(vec.toBuilder().fsname(fs).build());
        KeyConfig cfg = KeyFileCodec.decodeBinary(KeyFileCodec.asciiPayload(ascii));
        assertEquals(List.of("lustre:" + fs), sk.load(cfg, PLAIN));
        List<ProcKeys> keys = ProcKeys.live(tag);
        assertEquals(1, keys.size());
        assertEquals("lustre:" + fs, keys.get(0).description());
        assertEquals(0x3f3f0000, keys.get(0).perm()); // not C's 0x3f3f3f3f, see above
    }

    /** -s: the new key is dated, former keys (equal or ':'-extended) get the -x timeout. */
    @Test
    void suffixAddsDatedKeyAndTimesOutFormerKeys() throws Exception {
        KeyConfig server = key(KeyConfig.TYPE_SERVER, fs, nm);
        String base = "lustre:" + fs + ":" + nm;
        assertEquals(List.of(base), sk.load(server, SUFFIX)); // nothing to keep yet: plain description
        String second = sk.load(server, new LoadOptions(true, 7000, null)).get(0);
        assertTrue(second.matches(base.replace(".", "\\.") + ":\\d{8}_\\d{6}_\\d{6}"), second);
        assertEquals("1h", timeoutOf(base));
        assertEquals("perm", timeoutOf(second));
        assertTrue(log().contains("inserting new key with desc " + second + "\n"), log());
        assertTrue(log().contains("Setting timeout 7000s on former key "), log());

        String third = sk.load(server, SUFFIX).get(0); // default -x: 2 days
        assertNotEquals(second, third);
        for (String d : List.of(base, second)) {
            String t = timeoutOf(d);
            assertTrue(t.equals("2d") || t.equals("1d"), d + " timeout " + t);
        }
        assertEquals("perm", timeoutOf(third));
        assertEquals(3, live());

        // without -s the key of that exact description is replaced in place
        int before = kr.search(Keyring.USER, "user", base).getAsInt();
        sk.load(server, PLAIN);
        assertEquals(before, kr.search(Keyring.USER, "user", base).getAsInt());
        assertTrue(log().contains("Key " + before + " found in user keyring, replacing\n"), log());
        assertEquals(3, live());
    }

    private String timeoutOf(String description) {
        return ProcKeys.live(tag).stream().filter(k -> k.description().equals(description)).findFirst()
                .orElseThrow().timeout();
    }

    @Test
    void suffixIsLocalTimeWithMicroseconds() throws Exception {
        Clock fixed = Clock.fixed(Instant.parse("2024-03-05T06:07:08.123456789Z"), ZoneOffset.UTC);
        SkKeyring s = new SkKeyring(kr, new PrintStream(new ByteArrayOutputStream()), 0, fixed, new Random());
        KeyConfig mgs = key(KeyConfig.TYPE_MGS, "", nm);
        s.load(mgs, SUFFIX);
        assertEquals(List.of("lustre:MGS:" + nm + ":20240305_060708_123456"), s.load(mgs, SUFFIX));
    }

    /** -R removes only keys with the same payload size, shared key length and shared key bytes. */
    @Test
    void removeOnlyMatchingSharedKeys() throws Exception {
        KeyConfig k1 = key(KeyConfig.TYPE_SERVER, fs, nm);
        KeyConfig k2 = key(KeyConfig.TYPE_SERVER, fs, nm);
        sk.load(k1, PLAIN);
        sk.load(k2, SUFFIX);
        String base = "lustre:" + fs + ":" + nm;
        // an unrelated 5-byte user key under a matching description is skipped
        int junk = kr.addKey("user", base + ":junk", new byte[] {1, 2, 3, 4, 5}, Keyring.USER);
        assertEquals(3, live());

        // same first 32 bytes but a 512-bit key: different length
        byte[] k1Key = k1.sharedKey();
        byte[] longer = Arrays.copyOf(k1Key, 64);
        KeyConfig longKey = k1.toBuilder().sharedKeyLenBits(512).sharedKey(longer).build();
        assertEquals(0, sk.remove(longKey, PLAIN));
        assertTrue(log().contains("has different shared key length - skipping\n"), log());
        assertTrue(log().contains("key " + junk + " has unexpected size 5 - skipping\n"), log());
        assertEquals(3, live());

        assertEquals(1, sk.remove(k1, PLAIN));
        assertEquals(2, live());
        assertFalse(kr.search(Keyring.USER, "user", base).isPresent());
        assertTrue(log().contains("has different shared key - skipping\n"), log());
        assertTrue(log().contains("Removed 1 key(s) from keyring\n"), log());
        assertEquals(1, sk.remove(k2, PLAIN));
        assertEquals(1, live()); // only the junk key is left
    }

    @Test
    void randomizedAndUuidClientDescriptions() throws Exception {
        KeyConfig client = key(KeyConfig.TYPE_CLIENT, fs, "default");
        List<String> r = sk.load(client, new LoadOptions(false, -1, null, true));
        assertEquals(2, r.size());
        assertTrue(r.get(0).matches("lustre:" + fs + ":[0-9A-F]{4}"), r.get(0));
        assertEquals("lustre:" + fs, r.get(1));
        String uuid = "c" + tag + "-1234";
        assertEquals(List.of("lustre:" + fs + ":" + uuid), sk.load(client, new LoadOptions(false, -1, uuid)));
        assertEquals(3, live());
        assertEquals(3, sk.remove(client, PLAIN)); // lustre:<fs> and both ':'-extended ones
    }

    @Test
    void serverKeyWithoutFsnameIsRefused() {
        LskException e = assertThrows(LskException.class,
                () -> sk.load(key(KeyConfig.TYPE_SERVER, "", nm), PLAIN));
        assertEquals(Errno.ENOKEY, e.errno());
        assertTrue(log().contains("Key configuration has no file system attribute.  Can't load as server type\n"));
        assertEquals(0, live());
    }

    @Test
    void quietAtVerbosityZeroAndNoSecretsInLog() throws Exception {
        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        SkKeyring s = new SkKeyring(kr, new PrintStream(quiet), 0, Clock.systemDefaultZone(), new Random());
        KeyConfig server = key(KeyConfig.TYPE_SERVER, fs, nm);
        s.load(server, PLAIN);
        s.load(server, SUFFIX);
        assertEquals(2, s.remove(server, PLAIN)); // the plain and the dated key
        assertEquals("", quiet.toString());
        sk.load(server, SUFFIX);
        sk.remove(server, PLAIN);
        String hex = HexFormat.of().formatHex(server.sharedKey());
        assertFalse(log().toLowerCase().contains(hex.substring(0, 16)));
    }
}
