package lsk.crypto;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Small primes, and trial division of a safe-prime candidate by them: the cheap first filter
 * of a DH prime check ({@link DhGroups}) and the table of the generator
 * ({@link SafePrimeGenerator}).
 *
 * <p>{@link #mayBeSafePrime} tests q and p = 2q + 1 against every odd prime below
 * {@link #SIEVE_BOUND} with one remainder per prime: s divides p exactly when 2(q mod s) + 1 = 0
 * (mod s). The remainders are taken in two steps, q modulo products of about
 * {@link #PRODUCT_BITS} bits of consecutive primes (one BigInteger division each), then that
 * short remainder modulo each prime by Horner over its words: about 2 ms for 8192 bits, where
 * a single Miller-Rabin round costs hundreds. Random junk survives with probability about 1%.
 */
public final class SmallPrimes {
    /** Odd primes below this bound divide neither q nor p of an accepted safe prime. */
    static final int SIEVE_BOUND = 1 << 16;
    private static final int PRODUCT_BITS = 1024;

    private static final Table TABLE = Table.build(upTo(SIEVE_BOUND));

    /** The odd primes below the bound, grouped: products[i] is the product of primes[starts[i] .. starts[i+1]). */
    private record Table(int[] primes, BigInteger[] products, int[] starts) {
        static Table build(int[] all) {
            int[] odd = Arrays.copyOfRange(all, 1, all.length);
            List<BigInteger> products = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            BigInteger cur = BigInteger.ONE;
            int start = 0;
            for (int i = 0; i < odd.length; i++) {
                BigInteger next = cur.multiply(BigInteger.valueOf(odd[i]));
                if (next.bitLength() > PRODUCT_BITS) {
                    products.add(cur);
                    starts.add(start);
                    start = i;
                    next = BigInteger.valueOf(odd[i]);
                }
                cur = next;
            }
            products.add(cur);
            starts.add(start);
            starts.add(odd.length);
            return new Table(odd, products.toArray(new BigInteger[0]),
                    starts.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private SmallPrimes() {
    }

    /**
     * False when q or 2q + 1 has an odd prime factor below {@link #SIEVE_BOUND} (then 2q + 1 is
     * no safe prime, as long as q exceeds the bound); true when neither has one.
     */
    public static boolean mayBeSafePrime(BigInteger q) {
        Table t = TABLE;
        for (int c = 0; c < t.products().length; c++) {
            int[] w = words(q.mod(t.products()[c]));
            for (int i = t.starts()[c]; i < t.starts()[c + 1]; i++) {
                int s = t.primes()[i];
                long r = mod(w, s);
                if (r == 0 || (2 * r + 1) % s == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Big-endian 32-bit words of a non-negative number. */
    static int[] words(BigInteger x) {
        int n = (x.bitLength() + 31) / 32;
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[n - 1 - i] = x.shiftRight(32 * i).intValue();
        }
        return w;
    }

    /** x mod s for 0 &lt; s &lt; 2^31, by Horner over 32-bit words (no allocation). */
    static int mod(int[] words, int s) {
        long r = 0;
        for (int w : words) {
            r = ((r << 32) | (w & 0xFFFFFFFFL)) % s;
        }
        return (int) r;
    }

    /** All primes below bound, 2 first. */
    static int[] upTo(int bound) {
        // Odd-only sieve of Eratosthenes: bit i stands for 2i+1.
        int half = bound / 2;
        BitSet composite = new BitSet(half);
        int[] out = new int[(int) (1.3 * bound / Math.log(bound)) + 16];
        int n = 0;
        out[n++] = 2;
        for (int i = 1; i < half; i++) {
            if (!composite.get(i)) {
                long v = 2L * i + 1;
                out[n++] = (int) v;
                for (long j = v * v / 2; j < half; j += v) {
                    composite.set((int) j);
                }
            }
        }
        return Arrays.copyOf(out, n);
    }
}
