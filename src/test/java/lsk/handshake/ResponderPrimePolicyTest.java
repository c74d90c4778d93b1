package lsk.handshake;

import lsk.sk.GssException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lsk.base.Errno;
import lsk.crypto.DhGroups;
import lsk.keyfile.KeyConfig;
import org.junit.jupiter.api.Test;

/** Issue 10 item 5 at the responder: size limit, per-peer budget, busy checks; good clients unaffected. */
class ResponderPrimePolicyTest {
    static final KeyConfig SERVER = HandshakeRandomTest.SERVER;
    /** Random 2048-bit safe prime made by the C lgss_sk: validated once, then cached. */
    static final KeyConfig CLIENT_P2048 = HandshakeVectorsTest.key("keyfiles/client_tank_p2048.key");
    static final KeyConfig CLIENT_P1024 = HandshakeVectorsTest.key("keyfiles/client_tank_p1024.key");
    static final long NID_A = 0x00020000c0a80132L;
    static final long NID_B = 0x00020000c0a80133L;
    final Random rnd = new Random(5);

    static Responder responder(KeyConfig server, DhGroups groups, PrimePolicy policy) {
        return new Responder(d -> d.equals("lustre:tank:default") ? List.of(server) : List.of(), NodemapResolver.NONE,
                Entropy.secure(), groups, policy);
    }

    /** A whole good handshake of client key c from nid; fails the test if it does not succeed. */
    static void good(Responder r, KeyConfig c, long nid, DhGroups clientGroups) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            Initiator i = Initiator.start(c, JunkTokens.TARGET, JunkTokens.INTEGRITY, nid, Entropy.secure(), clientGroups);
            Responder.Result res = r.accept(i.token(), nid, "default");
            try {
                HandshakeRandomTest.assertPaired(i.finish(res.responseToken()), res.context());
                return;
            } catch (RetryException e) {
                continue; // short S: a new exchange
            }
        }
        throw new AssertionError("retried 3 times");
    }

    GssException refused(Responder r, BigInteger p, long nid) {
        byte[] tok = JunkTokens.token(CLIENT_P2048, p, JunkTokens.INTEGRITY, rnd);
        GssException e = assertThrows(GssException.class, () -> r.accept(tok, nid, "default"));
        assertEquals(GssException.GSS_S_FAILURE, e.major(), e.getMessage());
        return e;
    }

    @Test
    void primeAboveTheLimitIsRefusedBeforeAnyCheck() {
        DhGroups groups = new DhGroups(4, 1);
        Responder r = responder(SERVER, groups, PrimePolicy.DEFAULT);
        for (BigInteger p : new BigInteger[] {JunkTokens.sievePassing(16384, rnd), JunkTokens.sievePassing(8200, rnd)}) {
            GssException e = refused(r, p, NID_A);
            assertTrue(e.getMessage().contains("above the limit of 8192"), e.getMessage());
        }
        // At the limit, the prime is checked (here the sieve catches it).
        assertTrue(refused(r, JunkTokens.smallFactor(8192, rnd), NID_A).getMessage().contains("small factor"));
        // A larger limit, by the responder's option or by the server key's prime_bits.
        BigInteger big = JunkTokens.smallFactor(16384, rnd);
        Responder wide = responder(SERVER, groups, PrimePolicy.DEFAULT.withMaxBits(16384));
        assertTrue(refused(wide, big, NID_A).getMessage().contains("small factor"));
        KeyConfig bigKey = SERVER.toBuilder().primeBits(16384).build();
        assertTrue(refused(responder(bigKey, groups, PrimePolicy.DEFAULT), big, NID_A).getMessage()
                .contains("small factor"));
        assertThrows(IllegalArgumentException.class, () -> PrimePolicy.DEFAULT.withMaxBits(16392));
    }

    @Test
    void newPrimesPerPeerAreBounded() throws Exception {
        DhGroups groups = new DhGroups(8, 1);
        DhGroups clientGroups = new DhGroups();
        Responder r = responder(SERVER, groups, new PrimePolicy(8192, 2, Duration.ofMinutes(10), 16));
        good(r, CLIENT_P2048, NID_A, clientGroups);                  // A: first new prime
        GssException first = refused(r, JunkTokens.sievePassing(600, rnd), NID_A); // A: second, checked
        assertTrue(first.getMessage().contains("not a safe prime"), first.getMessage());
        GssException over = refused(r, JunkTokens.sievePassing(600, rnd), NID_A);  // A: third, refused unchecked
        assertEquals(Errno.EAGAIN, over.errno());
        assertTrue(over.getMessage().contains("not checked"), over.getMessage());
        good(r, CLIENT_P2048, NID_A, clientGroups);                  // A's cached prime still serves
        assertTrue(refused(r, JunkTokens.sievePassing(600, rnd), NID_B).getMessage().contains("not a safe prime"));
        good(r, CLIENT_P1024, NID_B, clientGroups);                  // another peer's new prime is checked
        assertTrue(groups.isValidated(new BigInteger(1, CLIENT_P2048.prime())));
        assertTrue(groups.isValidated(new BigInteger(1, CLIENT_P1024.prime())));
    }

    @Test
    void cachedPrimesAreServedWhileTheCheckSlotIsBusy() throws Exception {
        DhGroups groups = new DhGroups(8, 1);
        DhGroups clientGroups = new DhGroups();
        Responder r = responder(SERVER, groups, PrimePolicy.DEFAULT);
        good(r, CLIENT_P2048, NID_A, clientGroups);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> hold = pool.submit(() -> {
                try {
                    groups.validatePeer(JunkTokens.sievePassing(1024, new Random(1)), () -> {
                        inside.countDown();
                        try {
                            release.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                } catch (Exception expected) {
                    // junk
                }
            });
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            good(r, CLIENT_P2048, NID_A, clientGroups);
            good(r, HandshakeRandomTest.CLIENT, NID_B, clientGroups); // ffdhe2048: no check at all
            GssException busy = refused(r, JunkTokens.sievePassing(1024, rnd), NID_B);
            assertEquals(Errno.EAGAIN, busy.errno());
            release.countDown();
            hold.get(60, TimeUnit.SECONDS);
            good(r, CLIENT_P1024, NID_B, clientGroups); // slot free again: checked
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
