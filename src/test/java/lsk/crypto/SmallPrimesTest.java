package lsk.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmallPrimesTest {
    @Test
    void tableIsThePrimesBelowTheBound() {
        int[] p = SmallPrimes.upTo(SmallPrimes.SIEVE_BOUND);
        assertEquals(6542, p.length); // pi(65536)
        assertEquals(2, p[0]);
        assertEquals(65521, p[p.length - 1]);
    }

    @Test
    void safePrimesPass() {
        for (Ffdhe f : Ffdhe.values()) {
            assertTrue(SmallPrimes.mayBeSafePrime(f.q()), f.name());
        }
        assertTrue(SmallPrimes.mayBeSafePrime(DhTest.lgssPrime1024().shiftRight(1)));
        assertTrue(SmallPrimes.mayBeSafePrime(DhTest.P_11_MOD_24.shiftRight(1)));
    }

    /** Every odd prime below the bound is caught, as a factor of q and as a factor of 2q + 1. */
    @Test
    void catchesEverySmallFactorOfQOrP() {
        BigInteger q0 = Ffdhe.FFDHE2048.q();
        Random rnd = new Random(7);
        for (int s : SmallPrimes.upTo(SmallPrimes.SIEVE_BOUND)) {
            if (s == 2 || (s > 100 && rnd.nextInt(20) != 0)) {
                continue; // all below 100, a sample above: keeps the test fast
            }
            BigInteger bs = BigInteger.valueOf(s);
            BigInteger q = q0.subtract(q0.mod(bs)); // s | q
            assertFalse(SmallPrimes.mayBeSafePrime(q), "q divisible by " + s);
            // s | 2q + 1  <=>  q = (s - 1) / 2 (mod s)
            BigInteger q2 = q.add(BigInteger.valueOf((s - 1) / 2));
            assertEquals(0, q2.shiftLeft(1).add(BigInteger.ONE).mod(bs).signum());
            assertFalse(SmallPrimes.mayBeSafePrime(q2), "2q+1 divisible by " + s);
        }
    }

    @Test
    void horner() {
        BigInteger x = new BigInteger("123456789abcdef0123456789abcdef0fedcba987654321", 16);
        for (int s : new int[] {3, 65521, 2147483647}) {
            assertEquals(x.mod(BigInteger.valueOf(s)).intValue(), SmallPrimes.mod(SmallPrimes.words(x), s));
        }
    }
}
