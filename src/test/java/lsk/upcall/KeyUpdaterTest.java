package lsk.upcall;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.keyring.Keyring;
import org.junit.jupiter.api.Test;

/**
 * Storing the outcome in the key: EAGAIN (the kernel's request_key() has not returned yet) is
 * retried with a bounded back-off; after a failure payload the key is unlinked whatever the
 * update did. A fake keyring and a fake clock: nothing sleeps.
 */
class KeyUpdaterTest {
    /** Fails the first {@code eagains} updates with EAGAIN (forever if negative), then {@code then}. */
    static final class FakeKeys implements KeyUpdater.Ops {
        final int eagains;
        final int then;
        final List<byte[]> updates = new ArrayList<>();
        final List<int[]> unlinks = new ArrayList<>();
        int unlinkErrno;

        FakeKeys(int eagains, int then) {
            this.eagains = eagains;
            this.then = then;
        }

        @Override public void update(int key, byte[] payload) throws LskException {
            updates.add(payload.clone());
            if (eagains < 0 || updates.size() <= eagains) {
                throw new LskException("keyctl_update: Resource temporarily unavailable", Errno.EAGAIN);
            }
            if (then != 0) {
                throw new LskException("keyctl_update: errno " + then, then);
            }
        }

        @Override public void unlink(int key, int keyring) throws LskException {
            unlinks.add(new int[] {key, keyring});
            if (unlinkErrno != 0) {
                throw new LskException("keyctl_unlink: errno " + unlinkErrno, unlinkErrno);
            }
        }
    }

    static final class FakeClock implements KeyUpdater.Clock {
        long now = 1_000_000L;
        final List<Duration> sleeps = new ArrayList<>();

        @Override public long nanoTime() {
            return now;
        }

        @Override public void sleep(Duration d) {
            sleeps.add(d);
            now += d.toNanos() + 1_000_000; // and each update takes a millisecond
        }
    }

    final List<String> logs = new ArrayList<>();
    final Log log = (level, m) -> logs.add(level + " " + m);
    final FakeClock clock = new FakeClock();

    KeyUpdater updater(FakeKeys keys) {
        return new KeyUpdater(keys, KeyUpdater.Backoff.DEFAULT, clock, log);
    }

    @Test
    void eagainSeveralTimesThenSuccess() throws Exception {
        FakeKeys keys = new FakeKeys(4, 0);
        byte[] payload = {1, 2, 3};
        updater(keys).update(0x1234, payload);
        assertEquals(5, keys.updates.size());
        keys.updates.forEach(p -> assertArrayEquals(payload, p));
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
                Duration.ofMillis(80)), clock.sleeps);
        assertTrue(logs.stream().noneMatch(m -> m.startsWith(Log.ERR + " ")), logs.toString());
    }

    @Test
    void eagainForeverIsBounded() {
        FakeKeys keys = new FakeKeys(-1, 0);
        LskException e = assertThrows(LskException.class, () -> updater(keys).update(0x1234, new byte[] {1}));
        assertEquals(Errno.EAGAIN, e.errno());
        Duration slept = clock.sleeps.stream().reduce(Duration.ZERO, Duration::plus);
        assertTrue(slept.compareTo(Duration.ofSeconds(50)) > 0 && slept.compareTo(Duration.ofSeconds(60)) <= 0,
                slept.toString());
        assertTrue(clock.sleeps.stream().allMatch(d -> d.compareTo(Duration.ofSeconds(2)) <= 0), clock.sleeps.toString());
        assertEquals(Duration.ofSeconds(2), clock.sleeps.get(clock.sleeps.size() - 1));
        assertTrue(keys.updates.size() < 45, "tries " + keys.updates.size());
        List<String> errors = logs.stream().filter(m -> m.startsWith(Log.ERR + " ")).toList();
        assertEquals(1, errors.size(), logs.toString());
        assertTrue(errors.get(0).contains("00001234") && errors.get(0).contains("giving up"), errors.get(0));
    }

    @Test
    void otherErrorsAreNotRetried() {
        FakeKeys keys = new FakeKeys(0, 128 /* EKEYREVOKED */);
        LskException e = assertThrows(LskException.class, () -> updater(keys).update(1, new byte[] {1}));
        assertEquals(128, e.errno());
        assertEquals(1, keys.updates.size());
        assertTrue(clock.sleeps.isEmpty());
    }

    @Test
    void failureIsStoredRetriedAndUnlinked() {
        FakeKeys keys = new FakeKeys(2, 0);
        assertTrue(updater(keys).fail(77, Keyring.SESSION, -110, 0xd0000));
        assertEquals(3, keys.updates.size());
        ByteBuffer p = ByteBuffer.wrap(keys.updates.get(2)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(12, p.capacity());
        assertEquals(0, p.getInt(0));
        assertEquals(-110, p.getInt(4));
        assertEquals(0xd0000, p.getInt(8));
        assertEquals(1, keys.unlinks.size());
        assertArrayEquals(new int[] {77, Keyring.SESSION}, keys.unlinks.get(0));
    }

    @Test
    void failurePathUnlinksEvenWhenTheUpdateFails() {
        for (FakeKeys keys : new FakeKeys[] {new FakeKeys(0, 128), new FakeKeys(-1, 0)}) {
            assertFalse(updater(keys).fail(77, Keyring.USER, -13, 0));
            assertEquals(1, keys.unlinks.size());
            assertArrayEquals(new int[] {77, Keyring.USER}, keys.unlinks.get(0));
        }
        FakeKeys both = new FakeKeys(0, 128);
        both.unlinkErrno = Errno.ENOENT;
        assertFalse(updater(both).fail(5, Keyring.SESSION, -13, 0));
        assertTrue(logs.stream().anyMatch(m -> m.contains("unlink from")), logs.toString());
    }

    /** lgss_keyring's error path: root contexts leave the session keyring, user ones the user keyring. */
    @Test
    void errorKeyPicksTheKeyringOfTheCredential() throws Exception {
        for (String[] c : new String[][] {{"1:sk:0:0:r:i:1:0x1:tank-MDT0000-mdc-x:0x2:1", "-3"},
            {"1:sk:500:500::-:1:0x1:tank-MDT0000-mdc-x:0x2:1", "-4"}}) {
            List<String> argv = new ArrayList<>(List.of("create", "99", "lgssc", "500@1", c[0], "0", "0", "0", "0",
                    "5"));
            FakeKeys keys = new FakeKeys(0, 128);
            Negotiation.errorKey(UpcallArgs.parse(argv), keys, log, -13, 0);
            assertEquals(1, keys.unlinks.size());
            assertArrayEquals(new int[] {99, Integer.parseInt(c[1])}, keys.unlinks.get(0));
        }
    }
}
