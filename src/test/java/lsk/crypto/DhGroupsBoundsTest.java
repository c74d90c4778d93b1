package lsk.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import lsk.handshake.JunkTokens;
import org.junit.jupiter.api.Test;

/** Issue 10 item 5: what a peer's prime can make the cache spend, and what it can evict. */
class DhGroupsBoundsTest {
    static final BigInteger GOOD_A = DhTest.lgssPrime1024();
    static final BigInteger GOOD_B = DhTest.P_11_MOD_24;
    final Random rnd = new Random(10);

    @Test
    void junkNeverEvictsValidatedPrimes() throws Exception {
        DhGroups groups = new DhGroups(2, 1);
        groups.validatePeer(GOOD_A, DhGroups.Admission.ALWAYS);
        groups.validatePeer(GOOD_B, DhGroups.Admission.ALWAYS);
        for (int i = 0; i < 40; i++) {
            BigInteger junk = i % 2 == 0 ? JunkTokens.sievePassing(600, rnd) : JunkTokens.smallFactor(600, rnd);
            DhException e = assertThrows(DhException.class, () -> groups.validatePeer(junk, DhGroups.Admission.ALWAYS));
            assertFalse(e instanceof DhBusyException);
        }
        assertTrue(groups.isValidated(GOOD_A) && groups.isValidated(GOOD_B), "validated primes kept");
        assertEquals(2, groups.size());
        // A third good prime does take the least recently used place: the bound is on memory.
        groups.validatePeer(GOOD_A, DhGroups.Admission.ALWAYS);
        groups.validatePeer(Ffdhe.FFDHE2048.p(), DhGroups.Admission.ALWAYS); // named: no entry at all
        assertEquals(2, groups.size());
    }

    @Test
    void cheapFiltersComeBeforeTheBoundsAndTheExpensiveCheck() throws Exception {
        DhGroups groups = new DhGroups(4, 1);
        AtomicInteger admitted = new AtomicInteger();
        DhGroups.Admission counting = admitted::incrementAndGet;
        BigInteger[] cheap = {JunkTokens.smallFactor(8192, rnd), JunkTokens.smallFactor(16384, rnd),
                GOOD_A.add(BigInteger.TWO), BigInteger.ONE.shiftLeft(16400).subtract(BigInteger.ONE),
                BigInteger.valueOf(23)};
        for (BigInteger p : cheap) {
            assertThrows(DhException.class, () -> groups.validatePeer(p, counting));
        }
        assertEquals(0, admitted.get(), "no check started for junk the cheap filters catch");
        BigInteger junk = JunkTokens.sievePassing(1024, rnd);
        assertThrows(DhException.class, () -> groups.validatePeer(junk, counting));
        assertEquals(1, admitted.get());
        // Remembered as failed: asked again, no new check.
        assertThrows(DhException.class, () -> groups.validatePeer(junk, counting));
        assertEquals(1, admitted.get());
    }

    @Test
    void checksBeyondTheLimitAreRefusedNotQueued() throws Exception {
        DhGroups groups = new DhGroups(4, 1);
        ExecutorService pool = Executors.newCachedThreadPool(); // not the common pool: 1 thread on 2 cores
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BigInteger junk = JunkTokens.sievePassing(1024, rnd);
        CompletableFuture<Throwable> holder = CompletableFuture.supplyAsync(() -> outcome(() ->
                groups.validatePeer(junk, () -> {
                    inside.countDown();
                    await(release);
                })), pool);
        assertTrue(inside.await(30, TimeUnit.SECONDS));
        try {
            // Another new prime: refused at once, and not remembered as bad.
            long t0 = System.nanoTime();
            assertThrows(DhBusyException.class, () -> groups.validatePeer(GOOD_A, DhGroups.Admission.ALWAYS));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            // The same prime as the running check: waits for it and shares its verdict.
            CompletableFuture<Throwable> joiner = CompletableFuture.supplyAsync(() -> outcome(() ->
                    groups.validatePeer(junk, DhGroups.Admission.ALWAYS)), pool);
            // One's own prime (validate): waits for a slot instead of being refused.
            CompletableFuture<Throwable> own = CompletableFuture.supplyAsync(() -> outcome(() -> groups.validate(GOOD_B)), pool);
            Thread.sleep(200);
            assertFalse(joiner.isDone() || own.isDone());
            release.countDown();
            assertInstanceOf(DhException.class, holder.get(60, TimeUnit.SECONDS));
            Throwable j = joiner.get(60, TimeUnit.SECONDS);
            assertInstanceOf(DhException.class, j);
            assertFalse(j instanceof DhBusyException);
            assertEquals(null, own.get(60, TimeUnit.SECONDS));
        } finally {
            release.countDown();
            pool.shutdown();
        }
        assertSame(groups.validatePeer(GOOD_A, DhGroups.Admission.ALWAYS), groups.validatePeer(GOOD_A,
                DhGroups.Admission.ALWAYS), "checked after all once a slot was free");
    }

    @Test
    void admissionRefusalLeavesNoVerdict() throws Exception {
        DhGroups groups = new DhGroups(4, 1);
        assertThrows(DhBusyException.class, () -> groups.validatePeer(GOOD_A, () -> {
            throw new DhBusyException("over budget");
        }));
        assertFalse(groups.isValidated(GOOD_A));
        groups.validatePeer(GOOD_A, DhGroups.Admission.ALWAYS);
        assertTrue(groups.isValidated(GOOD_A));
        // Cached: the admission is not asked again.
        groups.validatePeer(GOOD_A, () -> {
            throw new DhBusyException("must not be asked");
        });
    }

    /** p passes Fermat only if prime (given q prime: Pocklington); q prime with p composite is refused. */
    @Test
    void primeQWithCompositePIsRefused() {
        BigInteger q = BigInteger.ONE.shiftLeft(600).add(BigInteger.valueOf(11));
        q = q.subtract(q.mod(BigInteger.valueOf(12))).add(BigInteger.valueOf(11));
        while (true) {
            BigInteger p = q.shiftLeft(1).add(BigInteger.ONE);
            if (SmallPrimes.mayBeSafePrime(q) && q.isProbablePrime(64) && !p.isProbablePrime(64)) {
                BigInteger fp = p;
                assertThrows(DhException.class, () -> new DhGroups(2, 1).validatePeer(fp, DhGroups.Admission.ALWAYS));
                return;
            }
            q = q.add(BigInteger.valueOf(12));
        }
    }

    @Test
    void boundsArePositive() {
        assertThrows(IllegalArgumentException.class, () -> new DhGroups(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DhGroups(0, 1));
        int d = DhGroups.defaultConcurrentChecks();
        assertTrue(d >= 1 && d <= 2);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static Throwable outcome(Call c) {
        try {
            c.run();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
