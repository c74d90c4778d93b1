package lsk.keyring;

import lsk.sk.KeyPerm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import lsk.base.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The keyctl binding on the real kernel keyring. Each test uses its own random tag and removes its keys. */
class KeyringTest {
    private Keyring kr;
    private String tag;
    private final List<Integer> created = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        kr = Keyring.open();
        // possess the user keyring's keys (as lgss_sk does): root alone may only view them
        kr.link(Keyring.USER, Keyring.SESSION);
        tag = "lsktest" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    @AfterEach
    void cleanUp() {
        for (int k : created) {
            try {
                kr.revoke(k);
            } catch (KeyringException ignored) {
                // already gone
            }
            try {
                kr.unlink(k, Keyring.USER);
            } catch (KeyringException ignored) {
                // not linked there
            }
        }
        assertEquals(List.of(), ProcKeys.live(tag), "test keys left behind");
    }

    private int add(String desc, byte[] payload) throws KeyringException {
        int k = kr.addKey("user", desc, payload, Keyring.USER);
        created.add(k);
        return k;
    }

    @Test
    void addReadDescribeAndProcKeysAgree() throws Exception {
        byte[] payload = "payload-\u0000\u00ff-bytes".getBytes(StandardCharsets.ISO_8859_1);
        int k = add(tag + ":a", payload);
        assertArrayEquals(payload, kr.read(k));

        KeyDescription d = kr.describe(k);
        assertEquals("user", d.type());
        assertEquals(tag + ":a", d.description());
        assertEquals(0, d.uid());

        ProcKeys p = ProcKeys.bySerial(k);
        assertNotNull(p);
        assertEquals(tag + ":a", p.description());
        assertEquals("user", p.type());
        assertEquals(String.valueOf(payload.length), p.summary());
        assertEquals(d.perm(), p.perm());
        assertEquals("perm", p.timeout());
    }

    @Test
    void addKeyWithSameDescriptionUpdatesInPlace() throws Exception {
        int k1 = add(tag, new byte[] {1});
        int k2 = add(tag, new byte[] {2, 3});
        assertEquals(k1, k2);
        assertArrayEquals(new byte[] {2, 3}, kr.read(k1));
        kr.update(k1, new byte[] {4, 5, 6});
        assertArrayEquals(new byte[] {4, 5, 6}, kr.read(k1));
        // user keys cannot be empty: the kernel's EINVAL comes back typed
        KeyringException e = assertThrows(KeyringException.class, () -> kr.update(k1, new byte[0]));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void setPermAndTimeoutShowInProcKeys() throws Exception {
        int k = add(tag, new byte[] {1});
        kr.setPerm(k, KeyPerm.ALL);
        assertEquals(0x3f3f3f3f, kr.describe(k).perm());
        assertEquals(0x3f3f3f3f, ProcKeys.bySerial(k).perm());
        kr.setTimeout(k, 7000);
        assertEquals("1h", ProcKeys.bySerial(k).timeout()); // whole hours left, rounded down
    }

    @Test
    void searchFindsExactDescriptionOnly() throws Exception {
        int k = add(tag + ":x", new byte[] {1});
        assertEquals(k, kr.search(Keyring.USER, "user", tag + ":x").getAsInt());
        assertFalse(kr.search(Keyring.USER, "user", tag).isPresent());
        assertFalse(kr.search(Keyring.USER, "logon", tag + ":x").isPresent());
    }

    @Test
    void listAndFindSeeKeysOfTheUserKeyring() throws Exception {
        int a = add(tag, new byte[] {1});
        int b = add(tag + ":2", new byte[] {2});
        int c = add(tag + "x", new byte[] {3});
        int[] all = kr.list(Keyring.USER);
        for (int k : new int[] {a, b, c}) {
            assertTrue(Arrays.stream(all).anyMatch(x -> x == k), "key " + k + " listed");
        }
        List<Integer> found = kr.find(Keyring.USER, d -> d.matchesBase(tag));
        assertEquals(2, found.size());
        assertTrue(found.containsAll(List.of(a, b)));
    }

    @Test
    void linkUnlinkAndResolve() throws Exception {
        int user = kr.resolve(Keyring.USER, false);
        assertTrue(user > 0);
        assertEquals("keyring", kr.describe(user).type());
        int k = add(tag, new byte[] {1});
        int session = kr.resolve(Keyring.SESSION, true);
        kr.link(k, session);
        assertTrue(Arrays.stream(kr.list(session)).anyMatch(x -> x == k));
        kr.unlink(k, session);
        assertFalse(Arrays.stream(kr.list(session)).anyMatch(x -> x == k));
    }

    @Test
    void revokedKeyCannotBeReadAndErrorsCarryErrno() throws Exception {
        int k = add(tag, new byte[] {1});
        kr.revoke(k);
        KeyringException e = assertThrows(KeyringException.class, () -> kr.read(k));
        assertEquals(KeyringException.EKEYREVOKED, e.errno());
        assertEquals("read", e.operation());
        assertEquals(k, e.key());
        assertTrue(e.getMessage().contains("Key has been revoked"), e.getMessage());
        kr.unlink(k, Keyring.USER);
        KeyringException gone = assertThrows(KeyringException.class, () -> kr.read(k));
        // no longer possessed (EACCES) until the kernel collects it (ENOKEY)
        assertTrue(gone.errno() == Errno.ENOKEY || gone.errno() == Errno.EACCES
                || gone.errno() == KeyringException.EKEYREVOKED, gone.getMessage());
    }

    @Test
    void instantiateAndRejectNeedAuthority() throws Exception {
        int k = add(tag, new byte[] {1});
        // only a request-key upcall holding the authorisation key may instantiate
        KeyringException e = assertThrows(KeyringException.class, () -> kr.instantiate(k, new byte[] {2}, 0));
        assertEquals(Errno.EPERM, e.errno());
        e = assertThrows(KeyringException.class, () -> kr.reject(k, 10, Errno.EKEYREJECTED, 0));
        assertEquals(Errno.EPERM, e.errno());
    }

    @Test
    void missingShimGivesOneClearError() {
        KeyringException e = assertThrows(KeyringException.class, () -> Keyring.open("lskshim-absent"));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertTrue(e.getMessage().startsWith("cannot use the kernel keyring: the lsk native shim"), e.getMessage());
    }

    @Test
    void namesWithNulAreRefused() {
        KeyringException e = assertThrows(KeyringException.class, () -> kr.addKey("user", "a\0b", new byte[1], Keyring.USER));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void describeParsesDescriptionsWithSemicolons() throws Exception {
        KeyDescription d = KeyDescription.parse("user;0;0;3f3f3f3f;a;b:c");
        assertEquals("a;b:c", d.description());
        assertEquals(0x3f3f3f3f, d.perm());
        assertTrue(KeyDescription.parse("user;0;0;1;lustre:fs:nm:2024").matchesBase("lustre:fs:nm"));
        assertFalse(KeyDescription.parse("user;0;0;1;lustre:fs2").matchesBase("lustre:fs"));
        assertFalse(KeyDescription.parse("user;0;0;1;lustre:f").matchesBase("lustre:fs"));
    }
}
