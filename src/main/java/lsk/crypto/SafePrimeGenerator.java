package lsk.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fresh random safe primes for DH with generator 2, as {@code lgss_sk} makes for client keys
 * (OpenSSL DH paramgen): p = 2q + 1 with p and q prime, p of exactly the requested bit
 * length and p = 23 (mod 24), so that 2 is a quadratic residue and generates the subgroup
 * of prime order q.
 *
 * <p>Why it is faster than OpenSSL's generator, which trial-divides each candidate by a few
 * thousand primes: the candidates q = q0 + 12k (q = 11 mod 12) are sieved in blocks against
 * every prime up to {@link #SIEVE_BOUND}, striking both the q that a prime divides and the q
 * for which it divides 2q + 1 (a combined sieve); the survivors get one base-2 Fermat test
 * on q and, only if q passes, 2^q = 1 (mod p) on p (Euler's criterion, as 2 is a residue);
 * only the final pair gets the full probabilistic tests. The residues of q0 are computed once
 * and shared; the workers (one per core by default) take blocks from a common counter.
 */
public final class SafePrimeGenerator {
    /** Primes below this bound are sieved out of both q and 2q+1. */
    static final int SIEVE_BOUND = 1 << 24;
    /** Candidates per sieve block (a block spans 12 * BLOCK integers of q). */
    private static final int BLOCK = 1 << 15;
    /** Certainty for the final BigInteger tests (Miller-Rabin rounds plus a Lucas test). */
    private static final int CERTAINTY = 128;

    private final int threads;
    private final int[] smallPrimes;
    /** 12^-1 mod smallPrimes[i] (0 for 2 and 3, which the form q = 11 mod 12 handles). */
    private final int[] inverse12;

    /** @param threads workers searching in parallel (use the number of cores) */
    public SafePrimeGenerator(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        this.threads = threads;
        this.smallPrimes = SmallPrimes.upTo(SIEVE_BOUND);
        this.inverse12 = new int[smallPrimes.length];
        for (int i = 0; i < smallPrimes.length; i++) {
            int s = smallPrimes[i];
            inverse12[i] = s < 5 ? 0 : (int) modInverse(12, s);
        }
    }

    /** One worker per available processor. */
    public static SafePrimeGenerator create() {
        return new SafePrimeGenerator(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A random safe prime of exactly {@code bits} bits, p = 23 (mod 24).
     *
     * @throws IllegalArgumentException if bits &lt; 16
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public BigInteger generate(int bits) throws InterruptedException {
        if (bits < 16) {
            throw new IllegalArgumentException("safe primes need at least 16 bits, got " + bits);
        }
        SecureRandom rnd = new SecureRandom();
        // Only primes below every candidate q (q > 2^(bits-3)) may strike, else a small
        // prime would strike itself.
        int usable = smallPrimes.length;
        if (bits - 3 < 31) {
            usable = 0;
            while (usable < smallPrimes.length && smallPrimes[usable] < (1 << (bits - 3))) {
                usable++;
            }
        }
        while (true) {
            // Random q0 of bits-1 bits with the top two bits set, so that p = 2q+1 keeps exactly
            // `bits` bits over many blocks; then q0 = 11 (mod 12).
            BigInteger q0 = new BigInteger(bits - 1, rnd).setBit(bits - 2).setBit(bits - 3);
            q0 = q0.subtract(q0.mod(BigInteger.valueOf(12))).add(BigInteger.valueOf(11));
            if (q0.bitLength() != bits - 1) {
                continue;
            }
            BigInteger p = search(bits, q0, usable);
            if (p != null) {
                return p;
            }
        }
    }

    /** Searches upwards from q0 with all workers; null if the range ran out of bits. */
    private BigInteger search(int bits, BigInteger q0, int usable) throws InterruptedException {
        int[] residues = new int[usable];
        int[] words = SmallPrimes.words(q0);
        AtomicReference<BigInteger> found = new AtomicReference<>();
        AtomicLong nextBlock = new AtomicLong();
        AtomicLong exhausted = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int part = t;
            Thread w = new Thread(() -> {
                // Residues of q0 first, each worker a share of the primes...
                for (int i = part; i < usable; i += threads) {
                    residues[i] = SmallPrimes.mod(words, smallPrimes[i]);
                }
            }, "safe-prime-setup-" + t);
            workers.add(w);
            w.start();
        }
        join(workers, found);
        workers.clear();
        for (int t = 0; t < threads; t++) {
            // ...then blocks from a shared counter until one worker finds a pair.
            Thread w = new Thread(() -> work(bits, q0, residues, usable, nextBlock, found, exhausted),
                    "safe-prime-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        join(workers, found);
        BigInteger p = found.get();
        return p == null || p.signum() == 0 ? null : p;
    }

    private static void join(List<Thread> workers, AtomicReference<BigInteger> found) throws InterruptedException {
        try {
            for (Thread w : workers) {
                w.join();
            }
        } catch (InterruptedException e) {
            found.compareAndSet(null, BigInteger.ZERO); // stops the workers
            throw e;
        }
    }

    private void work(int bits, BigInteger q0, int[] residues, int usable, AtomicLong nextBlock,
            AtomicReference<BigInteger> found, AtomicLong exhausted) {
        BitSet struck = new BitSet(BLOCK);
        while (found.get() == null) {
            long b = nextBlock.getAndIncrement();
            long offset = 12L * BLOCK * b; // q = q0 + offset + 12k, k in [0, BLOCK)
            BigInteger base = q0.add(BigInteger.valueOf(offset));
            if (base.bitLength() != bits - 1) {
                found.compareAndSet(null, BigInteger.ZERO);
                return;
            }
            struck.clear();
            for (int i = 0; i < usable; i++) {
                int s = smallPrimes[i];
                if (s < 5) {
                    continue;
                }
                long r = (residues[i] + offset % s) % s;       // base mod s
                long inv = inverse12[i];
                int k1 = (int) ((s - r) % s * inv % s);          // s | base + 12k
                int k2 = (int) (((s - 1) / 2 - r + s) % s * inv % s); // s | 2(base + 12k) + 1
                for (int k = k1; k < BLOCK; k += s) {
                    struck.set(k);
                }
                for (int k = k2; k < BLOCK; k += s) {
                    struck.set(k);
                }
            }
            for (int k = struck.nextClearBit(0); k < BLOCK; k = struck.nextClearBit(k + 1)) {
                if (found.get() != null) {
                    return;
                }
                BigInteger q = base.add(BigInteger.valueOf(12L * k));
                if (q.bitLength() != bits - 1) {
                    found.compareAndSet(null, BigInteger.ZERO);
                    return;
                }
                if (!BigInteger.TWO.modPow(q.subtract(BigInteger.ONE), q).equals(BigInteger.ONE)) {
                    continue;
                }
                BigInteger p = q.shiftLeft(1).add(BigInteger.ONE);
                if (!BigInteger.TWO.modPow(q, p).equals(BigInteger.ONE)) {
                    continue;
                }
                if (q.isProbablePrime(CERTAINTY) && p.isProbablePrime(CERTAINTY)) {
                    found.compareAndSet(null, p);
                    return;
                }
            }
        }
    }

    /** True if p is a safe prime: p and (p-1)/2 both pass the probabilistic tests. */
    public static boolean isSafePrime(BigInteger p) {
        if (p.signum() <= 0 || !p.testBit(0) || p.bitLength() < 3) {
            return false;
        }
        BigInteger q = p.shiftRight(1);
        return q.isProbablePrime(CERTAINTY) && p.isProbablePrime(CERTAINTY);
    }

    /** a^-1 mod m for coprime a, m (extended Euclid on longs: no BigInteger per prime). */
    static long modInverse(long a, long m) {
        long r0 = m;
        long r1 = a % m;
        long t0 = 0;
        long t1 = 1;
        while (r1 != 0) {
            long q = r0 / r1;
            long r = r0 - q * r1;
            r0 = r1;
            r1 = r;
            long t = t0 - q * t1;
            t0 = t1;
            t1 = t;
        }
        if (r0 != 1) {
            throw new ArithmeticException(a + " has no inverse mod " + m);
        }
        return t0 < 0 ? t0 + m : t0;
    }
}
