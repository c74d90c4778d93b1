package lsk.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.agreement.DHStandardGroups;
import org.junit.jupiter.api.Test;

class DhTest {
    // Random safe primes made by lgss_sk (vectors hs01 and hn01), and R27's non-prime.
    static final String P2048 = "ac79d73aa80d35f5cdecc41b6464a0279dddc6c69d81e25cb6127280eca5cbf75ba21f2e78dbd8a8";

    @Test
    void rfc7919GroupsRecognisedWithoutPrimalityTest() throws Exception {
        DhGroups groups = new DhGroups(4);
        for (Ffdhe f : Ffdhe.values()) {
            DhGroup g = groups.validate(f.p());
            assertEquals(f, g.named().orElseThrow());
            assertEquals(f.q(), g.q());
            assertEquals(f.bits() / 8, g.byteLength());
        }
        assertEquals(0, groups.size(), "named groups need no cache entry");
        // Bouncy Castle's table agrees with the RFC values we validate against.
        assertEquals(DHStandardGroups.rfc7919_ffdhe2048.getP(), Ffdhe.FFDHE2048.p());
    }

    /**
     * A 576-bit safe prime with p = 11 mod 24, the form OpenSSL 1.0 (and lgss_sk built on it)
     * generated for g = 2. Such keys exist at real sites, so the responder must accept them:
     * 2 is a non-residue there, so honest public keys need not be residues.
     */
    static final BigInteger P_11_MOD_24 = new BigInteger("aaa779075fcdb93598d89b4665a3156c67038fe7"
            + "6515fea5086448c10017a9a9a67283a757e1d2146bf37b9a248e137acd5c7278bf2c54682fcc0dec05"
            + "2c0dc75b7d97d3e50d4bf3", 16);

    @Test
    void safePrimeElevenMod24IsAcceptedWithoutResidueCheck() throws Exception {
        BigInteger p = P_11_MOD_24;
        assertEquals(11, p.mod(BigInteger.valueOf(24)).intValue());
        assertTrue(p.isProbablePrime(64) && p.shiftRight(1).isProbablePrime(64));
        DhGroup g = new DhGroups(2).validate(p);
        assertEquals(false, g.generatorInPrimeOrderSubgroup());
        assertEquals(-1, Dh.jacobi(BigInteger.TWO, p), "2 is a non-residue mod p");
        // An honest public key with an odd exponent is a non-residue and must pass.
        BigInteger y = Dh.publicKey(g, BigInteger.valueOf(12345));
        assertEquals(-1, Dh.jacobi(y, p));
        Dh.checkPublicKey(g, y);
        // The order-2 element is still refused.
        assertThrows(DhException.class, () -> Dh.checkPublicKey(g, p.subtract(BigInteger.ONE)));
        // With p = 23 mod 24, a non-residue is refused (it cannot be an honest key).
        DhGroup named = new DhGroups(2).validate(Ffdhe.FFDHE2048.p());
        assertTrue(named.generatorInPrimeOrderSubgroup());
        BigInteger qnr = Ffdhe.FFDHE2048.p().subtract(BigInteger.TWO);
        assertEquals(-1, Dh.jacobi(qnr, Ffdhe.FFDHE2048.p()));
        assertThrows(DhException.class, () -> Dh.checkPublicKey(named, qnr));
    }

    @Test
    void namedGroupsAreSafePrimesIndeed() {
        // Independent check of the one fact the fast path relies on (2048 only: keep CI light).
        BigInteger p = Ffdhe.FFDHE2048.p();
        assertTrue(p.isProbablePrime(64) && p.shiftRight(1).isProbablePrime(64));
        assertEquals(7, p.intValue() & 7);
    }

    @Test
    void randomSafePrimeValidatedOnceAndCached() throws Exception {
        BigInteger p = lgssPrime1024();
        DhGroups groups = new DhGroups(2);
        DhGroup g1 = groups.validate(p);
        assertEquals(1, groups.size());
        DhGroup g2 = groups.validate(p);
        assertSame(g1, g2);
        assertTrue(g1.named().isEmpty());
    }

    @Test
    void cacheIsBounded() throws Exception {
        DhGroups groups = new DhGroups(2);
        BigInteger[] notPrimes = {BigInteger.ONE.shiftLeft(600).subtract(BigInteger.ONE),
                BigInteger.ONE.shiftLeft(601).subtract(BigInteger.ONE),
                BigInteger.ONE.shiftLeft(602).subtract(BigInteger.ONE)};
        for (BigInteger n : notPrimes) {
            assertThrows(DhException.class, () -> groups.validate(n));
        }
        assertTrue(groups.size() <= 2);
    }

    @Test
    void rejectsNonSafeAndUnsuitable() {
        DhGroups groups = new DhGroups();
        // A prime p = 2q+1 with q composite, 7 mod 8: find one quickly near 2^600.
        BigInteger p = BigInteger.ONE.shiftLeft(600).add(BigInteger.valueOf(7));
        while (!(p.isProbablePrime(40) && !p.shiftRight(1).isProbablePrime(40))) {
            p = p.add(BigInteger.valueOf(8));
        }
        BigInteger fp = p;
        assertThrows(DhException.class, () -> groups.validate(fp));
        // 1 mod 8 / even / too small / too big
        assertThrows(DhException.class, () -> groups.validate(Ffdhe.FFDHE2048.p().add(BigInteger.TWO)));
        assertThrows(DhException.class, () -> groups.validate(BigInteger.valueOf(23)));
        assertThrows(DhException.class, () -> groups.validate(BigInteger.ONE.shiftLeft(16400).subtract(BigInteger.ONE)));
    }

    @Test
    void jacobiAgreesWithEulerCriterion() {
        Random r = new Random(3);
        BigInteger p = Ffdhe.FFDHE2048.p();
        BigInteger q = Ffdhe.FFDHE2048.q();
        for (int i = 0; i < 40; i++) {
            BigInteger y = new BigInteger(2047, r);
            int euler = y.modPow(q, p).equals(BigInteger.ONE) ? 1 : -1;
            assertEquals(euler, Dh.jacobi(y, p));
        }
        // Small composite moduli against a brute-force definition.
        for (int n = 3; n < 200; n += 2) {
            for (int a = 0; a < n; a++) {
                assertEquals(jacobiSlow(a, n), Dh.jacobi(BigInteger.valueOf(a), BigInteger.valueOf(n)), a + "/" + n);
            }
        }
    }

    @Test
    void jacobiOfMultiWordCompositesIsTheProductOfLegendreSymbols() {
        // (a/pq) = (a/p)(a/q), each by Euler's criterion: many words, carries and long shifts.
        Random r = new Random(5);
        for (int i = 0; i < 30; i++) {
            BigInteger p = BigInteger.probablePrime(200 + r.nextInt(400), r);
            BigInteger q = BigInteger.probablePrime(33 + r.nextInt(300), r);
            BigInteger n = p.multiply(q);
            BigInteger a = i % 5 == 0 ? p.shiftLeft(i) : new BigInteger(n.bitLength() + 40, r);
            assertEquals(euler(a, p) * euler(a, q), Dh.jacobi(a, n), a + "/" + n);
        }
    }

    private static int euler(BigInteger a, BigInteger p) {
        BigInteger e = a.mod(p).modPow(p.shiftRight(1), p);
        return e.signum() == 0 ? 0 : e.equals(BigInteger.ONE) ? 1 : -1;
    }

    private static int jacobiSlow(int a, int n) {
        int result = 1;
        int m = n;
        for (int f = 3; m > 1; f += 2) {
            while (m % f == 0) {
                m /= f;
                result *= legendre(a, f);
            }
        }
        return result;
    }

    private static int legendre(int a, int p) {
        int x = a % p;
        if (x == 0) {
            return 0;
        }
        return BigInteger.valueOf(x).modPow(BigInteger.valueOf((p - 1) / 2), BigInteger.valueOf(p)).intValue() == 1 ? 1 : -1;
    }

    @Test
    void publicKeyChecks() throws Exception {
        DhGroup g = new DhGroups().validate(Ffdhe.FFDHE2048.p());
        BigInteger p = g.p();
        for (BigInteger bad : new BigInteger[] {BigInteger.ZERO, BigInteger.ONE, p.subtract(BigInteger.ONE), p,
                p.add(BigInteger.TWO)}) {
            assertThrows(DhException.class, () -> Dh.checkPublicKey(g, bad));
        }
        // A non-residue (order 2q element): -4 = p-4 is a non-residue since -1 is one for p = 3 mod 4.
        assertThrows(DhException.class, () -> Dh.checkPublicKey(g, p.subtract(BigInteger.valueOf(4))));
        Dh.checkPublicKey(g, BigInteger.valueOf(4));
        Dh.checkPublicKey(g, Dh.publicKey(g, Dh.randomPrivateKey(p, new SecureRandom())));
    }

    @Test
    void privateKeySizes() {
        assertEquals(225, Dh.privateKeyBits(Ffdhe.FFDHE2048.p()));
        assertEquals(275, Dh.privateKeyBits(Ffdhe.FFDHE3072.p()));
        assertEquals(325, Dh.privateKeyBits(Ffdhe.FFDHE4096.p()));
        assertEquals(375, Dh.privateKeyBits(Ffdhe.FFDHE6144.p()));
        assertEquals(400, Dh.privateKeyBits(Ffdhe.FFDHE8192.p()));
        assertEquals(225, Dh.privateKeyBits(new BigInteger(1, HexFormat.of().parseHex("ff" + "00".repeat(255)))));
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < 50; i++) {
            BigInteger x = Dh.randomPrivateKey(Ffdhe.FFDHE2048.p(), r);
            assertTrue(x.bitLength() <= 225 && x.compareTo(BigInteger.TWO) >= 0);
        }
    }

    @Test
    void kdfSecretQuirk() {
        int n = 4;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Dh.kdfSecret(new BigInteger(1, new byte[] {1, 2, 3, 4}), n).orElseThrow());
        // L = 3: zero-padded 00 05 06 07, first 3 bytes.
        assertArrayEquals(new byte[] {0, 5, 6}, Dh.kdfSecret(new BigInteger(1, new byte[] {5, 6, 7}), n).orElseThrow());
        // L = 2: 00 00 08 09, first 2 bytes.
        assertArrayEquals(new byte[] {0, 0}, Dh.kdfSecret(new BigInteger(1, new byte[] {8, 9}), n).orElseThrow());
        // L = 1 < n-2: retry.
        assertTrue(Dh.kdfSecret(BigInteger.valueOf(9), n).isEmpty());
    }

    static BigInteger lgssPrime1024() {
        String hex = lsk.testutil.Vectors.json("handshake/hn01_skpi_p1024_rejected.json").getAsJsonObject()
                .getAsJsonObject("inputs").get("p_hex").getAsString();
        return new BigInteger(1, HexFormat.of().parseHex(hex));
    }

    @SuppressWarnings("unused")
    private static final String UNUSED = P2048;
}
