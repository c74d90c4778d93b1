package lsk.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fresh random safe primes for DH with generator 2, as {@code lgss_sk} makes for client keys
 * (OpenSSL DH paramgen): p = 2q + 1 with p and q prime, p of exactly the requested bit
 * length and p = 23 (mod 24), so that 2 is a quadratic residue and generates the subgroup
 * of prime order q.
 *
 * <p>Why it is faster than OpenSSL's generator: candidates q = 11 (mod 12) are sieved in
 * blocks against all small primes up to {@link #SIEVE_BOUND}, striking both the q that a
 * small prime divides and the q for which it divides 2q + 1; the survivors get one cheap
 * base-2 test on q and, only if q passes, 2^q = 1 (mod p) on p (Euler's criterion, since 2
 * is a residue); only the final pair gets the full probabilistic tests. Workers (one per
 * core by default) search independent random starts; the first pair found wins.
 */
public final class SafePrimeGenerator {
    /** Small primes up to this bound are sieved out of both q and 2q+1. */
    static final int SIEVE_BOUND = 1 << 20;
    /** Candidates per sieve block (each block spans 12 * BLOCK integers for q). */
    private static final int BLOCK = 1 << 16;
    /** Certainty for the final BigInteger tests (Miller-Rabin rounds plus a Lucas test). */
    private static final int CERTAINTY = 128;

    private final int threads;
    private final int[] smallPrimes;
    /** 12^-1 mod smallPrimes[i] (0 for 2 and 3, which the q = 11 mod 12 form handles). */
    private final long[] inverse12;

    /** @param threads workers searching in parallel (use the number of cores) */
    public SafePrimeGenerator(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        this.threads = threads;
        this.smallPrimes = smallPrimes(SIEVE_BOUND);
        this.inverse12 = new long[smallPrimes.length];
        for (int i = 0; i < smallPrimes.length; i++) {
            int sp = smallPrimes[i];
            inverse12[i] = sp < 5 ? 0 : BigInteger.valueOf(12).modInverse(BigInteger.valueOf(sp)).longValue();
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
        AtomicReference<BigInteger> found = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            // Each worker has its own SecureRandom (seeded by the JDK from the OS), so the
            // workers neither contend on one lock nor search the same numbers.
            Thread w = new Thread(() -> search(bits, new SecureRandom(), found), "safe-prime-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        try {
            for (Thread w : workers) {
                w.join();
            }
        } finally {
            found.compareAndSet(null, BigInteger.ZERO); // stops the others if we were interrupted
        }
        BigInteger p = found.get();
        if (p == null || p.signum() == 0) {
            throw new InterruptedException("safe prime generation interrupted");
        }
        return p;
    }

    /** True if p is a safe prime: p and (p-1)/2 both pass the probabilistic tests. */
    public static boolean isSafePrime(BigInteger p) {
        if (p.signum() <= 0 || !p.testBit(0) || p.bitLength() < 3) {
            return false;
        }
        BigInteger q = p.shiftRight(1);
        return q.isProbablePrime(CERTAINTY) && p.isProbablePrime(CERTAINTY);
    }

    private void search(int bits, SecureRandom rnd, AtomicReference<BigInteger> found) {
        BigInteger twelve = BigInteger.valueOf(12);
        BitSet struck = new BitSet(BLOCK);
        while (found.get() == null) {
            // Random q of bits-1 bits, top two bits set so that p = 2q+1 keeps exactly `bits`
            // bits across the whole block, then q = 11 (mod 12).
            BigInteger q = new BigInteger(bits - 1, rnd).setBit(bits - 2).setBit(bits - 3);
            q = q.subtract(q.mod(twelve)).add(BigInteger.valueOf(11));
            if (q.bitLength() != bits - 1) {
                continue;
            }
            // Sieve: for prime s, q + 12k is struck when s | q+12k or s | 2(q+12k)+1.
            struck.clear();
            for (int i = 0; i < smallPrimes.length; i++) {
                int s = smallPrimes[i];
                // Only primes below every candidate q (q > 2^(bits-3)) may strike, else a
                // small prime would strike itself.
                if (s < 5 || bits - 3 < 31 && s >= (1 << (bits - 3))) {
                    continue;
                }
                int r = q.mod(BigInteger.valueOf(s)).intValue();
                long inv12 = inverse12[i];
                int k1 = (int) (((long) (s - r) % s) * inv12 % s);           // q + 12k = 0
                int k2 = (int) ((((long) (s - 1) / 2 - r + s) % s) * inv12 % s); // 2(q+12k)+1 = 0
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
                BigInteger cq = q.add(BigInteger.valueOf(12L * k));
                if (cq.bitLength() != bits - 1) {
                    break;
                }
                if (!BigInteger.TWO.modPow(cq.subtract(BigInteger.ONE), cq).equals(BigInteger.ONE)) {
                    continue;
                }
                BigInteger p = cq.shiftLeft(1).add(BigInteger.ONE);
                if (!BigInteger.TWO.modPow(cq, p).equals(BigInteger.ONE)) {
                    continue;
                }
                if (cq.isProbablePrime(CERTAINTY) && p.isProbablePrime(CERTAINTY)) {
                    found.compareAndSet(null, p);
                    return;
                }
            }
        }
    }

    private static int[] smallPrimes(int bound) {
        BitSet composite = new BitSet(bound + 1);
        List<Integer> out = new ArrayList<>();
        for (int i = 2; i <= bound; i++) {
            if (!composite.get(i)) {
                out.add(i);
                for (long j = (long) i * i; j <= bound; j += i) {
                    composite.set((int) j);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
