package lsk.crypto;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Validates DH primes once and remembers the verdict: a daemon sees the same p from thousands
 * of clients, and the C code spends ~260 ms re-checking a random 2048-bit safe prime on every
 * request. Thread-safe; concurrent requests for the same new p wait for one check.
 *
 * <p>RFC 7919 primes are recognised by value and need no primality test. Other primes must be
 * safe primes; both residues a safe prime can have mod 24 are accepted: 23 (OpenSSL 1.1 and
 * later; 2 generates the subgroup of prime order q) and 11 (OpenSSL 1.0, the C tool's older
 * keys; 2 generates the whole group of order 2q), see {@link DhGroup}.
 *
 * <h2>What a peer can make a check cost</h2>
 * A client that holds a shared key chooses p, and an uncached check of a 16384-bit p costs
 * seconds where a handshake costs milliseconds. So, in order:
 * <ol>
 * <li>cheap filters, outside every bound: size, p = 3 mod 4, and trial division of p and
 *     q = (p-1)/2 by the odd primes below 2^16 ({@link SmallPrimes}; random junk survives
 *     about 1 time in 100);</li>
 * <li>a prime that passed is held in an LRU cache of {@link #capacity()} entries that admits
 *     only primes that passed, so junk never evicts a validated prime; primes that failed go to
 *     a separate small LRU, so a misconfigured client that retries costs nothing;</li>
 * <li>at most {@link #concurrentChecks()} expensive checks run at once per instance; a peer's
 *     prime beyond that is refused at once with {@link DhBusyException}, never queued (a
 *     request for a prime already being checked waits for that check);</li>
 * <li>before an expensive check of a peer's prime starts, the caller's {@link Admission} may
 *     refuse it (the responder's per-peer budget).</li>
 * </ol>
 * The expensive check: a base-2 Fermat test of p (one modular exponentiation, which junk
 * fails whether or not its q is prime), then q by {@link BigInteger#isProbablePrime}
 * (Miller-Rabin plus Lucas, BPSW strength). p then needs no test of its own: with q prime,
 * q &gt; sqrt(p), 2^(p-1) = 1 (mod p) and gcd(2^((p-1)/q) - 1, p) = gcd(3, p) = 1 (the sieve),
 * Pocklington's criterion proves p prime. Junk thus costs at most two exponentiations.
 */
public final class DhGroups {
    /** Smallest prime accepted (the C code takes 512-bit primes in integrity mode; so do we). */
    public static final int MIN_BITS = 512;
    /** Largest prime a key file can hold. */
    public static final int MAX_BITS = 16384;
    public static final int DEFAULT_CAPACITY = 256;
    /** Failed primes remembered (their own LRU: they never take a validated prime's place). */
    static final int REJECTED_CAPACITY = 64;
    private static final int CERTAINTY = 128;

    /** Decides whether an expensive check of a peer's prime may start; throws to refuse it. */
    @FunctionalInterface
    public interface Admission {
        Admission ALWAYS = () -> { };

        void admit() throws DhBusyException;
    }

    private record Verdict(DhGroup group, String error) {
    }

    private final int capacity;
    private final int concurrentChecks;
    private final Semaphore checks;
    private final Map<BigInteger, DhGroup> validated;
    private final Map<BigInteger, String> rejected;
    /** Checks under way, by prime: at most one per p; an entry lives only while its owner runs. */
    private final ConcurrentHashMap<BigInteger, CompletableFuture<Verdict>> inFlight = new ConcurrentHashMap<>();

    public DhGroups() {
        this(DEFAULT_CAPACITY);
    }

    public DhGroups(int capacity) {
        this(capacity, defaultConcurrentChecks());
    }

    /**
     * @param capacity         validated primes held
     * @param concurrentChecks expensive checks allowed at once (a daemon: fewer than its workers,
     *                         so that handshakes with cached primes always find one free)
     */
    public DhGroups(int capacity, int concurrentChecks) {
        if (capacity < 1 || concurrentChecks < 1) {
            throw new IllegalArgumentException("capacity and concurrent checks must be positive");
        }
        this.capacity = capacity;
        this.concurrentChecks = concurrentChecks;
        this.checks = new Semaphore(concurrentChecks);
        this.validated = lru(capacity);
        this.rejected = lru(REJECTED_CAPACITY);
    }

    /** Half the cores, one at least and two at most. */
    public static int defaultConcurrentChecks() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
    }

    private static <V> Map<BigInteger, V> lru(int max) {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<BigInteger, V> eldest) {
                return size() > max;
            }
        });
    }

    public int capacity() {
        return capacity;
    }

    public int concurrentChecks() {
        return concurrentChecks;
    }

    /** Number of validated primes held (for tests and metrics). */
    public int size() {
        return validated.size();
    }

    /** True when p passed and is still held (for tests and metrics; does not refresh it). */
    public boolean isValidated(BigInteger p) {
        return validated.containsKey(p);
    }

    /**
     * The group of one's own prime (a client's key), checked once per distinct p; waits for a
     * check slot when all are busy.
     *
     * @throws DhException when p is not a usable safe prime for g = 2
     */
    public DhGroup validate(BigInteger p) throws DhException {
        return validate(p, Admission.ALWAYS, true);
    }

    /**
     * The group of a peer's prime, checked once per distinct p; never waits for a check slot.
     *
     * @param admission asked just before an expensive check of p would start
     * @throws DhBusyException when the check would exceed a bound (no verdict on p)
     * @throws DhException     when p is not a usable safe prime for g = 2
     */
    public DhGroup validatePeer(BigInteger p, Admission admission) throws DhException {
        return validate(p, admission, false);
    }

    private DhGroup validate(BigInteger p, Admission admission, boolean wait) throws DhException {
        Optional<Ffdhe> named = Ffdhe.of(p);
        if (named.isPresent()) {
            return new DhGroup(p, named.get().q(), named);
        }
        Verdict v = known(p);
        if (v == null) {
            String cheap = cheapReject(p);
            if (cheap != null) {
                throw new DhException(cheap);
            }
            v = checkOnce(p, admission, wait);
        }
        if (v.error() != null) {
            throw new DhException(v.error());
        }
        return v.group();
    }

    private Verdict known(BigInteger p) {
        DhGroup g = validated.get(p);
        if (g != null) {
            return new Verdict(g, null);
        }
        String error = rejected.get(p);
        return error == null ? null : new Verdict(null, error);
    }

    /** Joins the check of p under way, or runs one within the bounds. */
    private Verdict checkOnce(BigInteger p, Admission admission, boolean wait) throws DhException {
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Verdict> other = inFlight.putIfAbsent(p, mine);
        if (other != null) {
            return await(other);
        }
        try {
            Verdict v = known(p); // a check of p may have ended between the first look and here
            if (v == null) {
                v = checkBounded(p, admission, wait);
            }
            inFlight.remove(p, mine);
            mine.complete(v);
            return v;
        } catch (DhException | RuntimeException | Error e) {
            inFlight.remove(p, mine);
            mine.completeExceptionally(e); // those waiting for this check share its fate
            throw e;
        }
    }

    private Verdict checkBounded(BigInteger p, Admission admission, boolean wait) throws DhException {
        if (wait) {
            try {
                checks.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DhException("interrupted while waiting to check the DH prime");
            }
        } else if (!checks.tryAcquire()) {
            throw new DhBusyException("already checking " + concurrentChecks + " new DH prime(s)");
        }
        try {
            admission.admit();
            Verdict v = check(p);
            if (v.error() == null) {
                validated.put(p, v.group());
            } else {
                rejected.put(p, v.error());
            }
            return v;
        } finally {
            checks.release();
        }
    }

    private static Verdict await(CompletableFuture<Verdict> task) throws DhException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DhException("interrupted while checking the DH prime");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DhBusyException b) {
                throw new DhBusyException(b.getMessage());
            }
            throw new DhException("DH prime check failed: " + e.getCause());
        }
    }

    /** The reason p fails the cheap filters, or null. */
    private static String cheapReject(BigInteger p) {
        int bits = p.bitLength();
        if (p.signum() <= 0 || bits < MIN_BITS || bits > MAX_BITS) {
            return "DH prime of " + bits + " bits is outside " + MIN_BITS + ".." + MAX_BITS;
        }
        if ((p.intValue() & 3) != 3) {
            // Every safe prime above 7 is 3 mod 4.
            return "DH prime is not 3 mod 4: not a safe prime";
        }
        if (!SmallPrimes.mayBeSafePrime(p.shiftRight(1))) {
            return "DH prime or (p-1)/2 has a small factor: not a safe prime";
        }
        return null;
    }

    /** The expensive part, for a p that passed {@link #cheapReject} (see the class comment). */
    private static Verdict check(BigInteger p) {
        BigInteger pm1 = p.subtract(BigInteger.ONE);
        if (!BigInteger.TWO.modPow(pm1, p).equals(BigInteger.ONE)) {
            return new Verdict(null, "DH prime is not a safe prime");
        }
        BigInteger q = pm1.shiftRight(1);
        if (!q.isProbablePrime(CERTAINTY)) {
            return new Verdict(null, "DH prime is not a safe prime");
        }
        return new Verdict(new DhGroup(p, q, Optional.empty()), null);
    }
}
