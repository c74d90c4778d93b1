package lsk.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SafePrimeGeneratorTest {
    /** Immutable once built; shared to build the small-prime table once. */
    private static final SafePrimeGenerator GEN = new SafePrimeGenerator(2);

    /** Small sizes keep this fast; the algorithm is the same for 2048 bits. */
    @ParameterizedTest
    @ValueSource(ints = {64, 256, 512})
    void generatesSafePrimesOfTheRequestedSize(int bits) throws Exception {
        BigInteger p = GEN.generate(bits);
        assertEquals(bits, p.bitLength());
        assertEquals(23, p.mod(BigInteger.valueOf(24)).intValue());
        BigInteger q = p.shiftRight(1);
        // Checked independently of the generator's own tests: 64 rounds each.
        assertTrue(q.isProbablePrime(128), "q prime");
        assertTrue(p.isProbablePrime(128), "p prime");
        assertTrue(SafePrimeGenerator.isSafePrime(p));
        // g = 2 generates the subgroup of order q.
        assertEquals(BigInteger.ONE, BigInteger.TWO.modPow(q, p));
    }

    @Test
    void twoRunsDiffer() throws Exception {
        assertNotEquals(GEN.generate(128), GEN.generate(128));
    }

    @Test
    void modInverseMatchesBigInteger() {
        for (long m : new long[] {5, 7, 11, 13, 65537, 16777213}) {
            assertEquals(BigInteger.valueOf(12).modInverse(BigInteger.valueOf(m)).longValue(),
                    SafePrimeGenerator.modInverse(12, m));
        }
    }

    @Test
    void recognisesNonSafePrimes() {
        assertTrue(SafePrimeGenerator.isSafePrime(Ffdhe.FFDHE2048.p()));
        assertFalse(SafePrimeGenerator.isSafePrime(BigInteger.valueOf(13)));   // 6 not prime
        assertTrue(SafePrimeGenerator.isSafePrime(BigInteger.valueOf(23)));
        assertFalse(SafePrimeGenerator.isSafePrime(Ffdhe.FFDHE2048.p().add(BigInteger.TWO)));
    }
}
