package lsk.crypto;

import java.math.BigInteger;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Validates DH primes once and remembers the verdict: a daemon sees the same p from thousands
 * of clients, and the C code spends ~260 ms re-checking a random 2048-bit safe prime on every
 * request. Thread-safe; concurrent requests for the same new p wait for one check. Bounded:
 * past {@link #capacity()} distinct primes an old entry is dropped (only HMAC-authenticated
 * peers reach the check, so churn is not an attacker's lever; the bound just caps memory).
 *
 * <p>RFC 7919 primes are recognised by value and need no primality test. Other primes must be
 * safe primes (p and (p-1)/2 probable primes: Miller-Rabin plus Lucas, i.e. BPSW strength, via
 * {@link BigInteger#isProbablePrime}). Both residues a safe prime can have mod 24 are accepted:
 * 23 (OpenSSL 1.1 and later; 2 generates the subgroup of prime order q) and 11 (OpenSSL 1.0,
 * the C tool's older keys; 2 generates the whole group of order 2q), see {@link DhGroup}.
 */
public final class DhGroups {
    /** Smallest prime accepted (the C code takes 512-bit primes in integrity mode; so do we). */
    public static final int MIN_BITS = 512;
    /** Largest prime a key file can hold. */
    public static final int MAX_BITS = 16384;
    public static final int DEFAULT_CAPACITY = 256;
    private static final int CERTAINTY = 128;

    private final int capacity;
    private final ConcurrentHashMap<BigInteger, FutureTask<Verdict>> cache = new ConcurrentHashMap<>();

    private record Verdict(DhGroup group, String error) {
    }

    public DhGroups() {
        this(DEFAULT_CAPACITY);
    }

    public DhGroups(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Number of primes whose verdict is held (for tests and metrics). */
    public int size() {
        return cache.size();
    }

    /**
     * The group of {@code p}, checked once per distinct p.
     *
     * @throws DhException when p is not a usable safe prime for g = 2
     */
    public DhGroup validate(BigInteger p) throws DhException {
        Optional<Ffdhe> named = Ffdhe.of(p);
        if (named.isPresent()) {
            return new DhGroup(p, named.get().q(), named);
        }
        FutureTask<Verdict> task = cache.get(p);
        if (task == null) {
            FutureTask<Verdict> mine = new FutureTask<>(() -> check(p));
            task = cache.putIfAbsent(p, mine);
            if (task == null) {
                task = mine;
                evictIfFull(p);
                mine.run();
            }
        }
        Verdict v;
        try {
            v = task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DhException("interrupted while checking the DH prime");
        } catch (ExecutionException e) {
            cache.remove(p, task);
            throw new DhException("DH prime check failed: " + e.getCause());
        }
        if (v.error != null) {
            throw new DhException(v.error);
        }
        return v.group;
    }

    private void evictIfFull(BigInteger keep) {
        Iterator<BigInteger> it = cache.keySet().iterator();
        while (cache.size() > capacity && it.hasNext()) {
            BigInteger k = it.next();
            if (!k.equals(keep)) {
                it.remove();
            }
        }
    }

    private static Verdict check(BigInteger p) {
        int bits = p.bitLength();
        if (p.signum() <= 0 || bits < MIN_BITS || bits > MAX_BITS) {
            return new Verdict(null, "DH prime of " + bits + " bits is outside " + MIN_BITS + ".." + MAX_BITS);
        }
        if ((p.intValue() & 3) != 3) {
            // Every safe prime above 7 is 3 mod 4; this rejects most junk before any primality test.
            return new Verdict(null, "DH prime is not 3 mod 4: not a safe prime");
        }
        BigInteger q = p.shiftRight(1);
        // q first: for a random odd number it fails as fast, and it is the smaller number.
        if (!q.isProbablePrime(CERTAINTY) || !p.isProbablePrime(CERTAINTY)) {
            return new Verdict(null, "DH prime is not a safe prime");
        }
        return new Verdict(new DhGroup(p, q, Optional.empty()), null);
    }
}
