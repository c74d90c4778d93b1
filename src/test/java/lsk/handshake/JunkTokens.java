package lsk.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import lsk.keyfile.KeyConfig;
import lsk.wire.InitToken;
import lsk.wire.TokenCodec;

/**
 * HMAC-valid init tokens carrying a DH prime of the test's choice, as a client that holds the
 * shared key can send them (the Initiator would refuse to use a junk prime), and junk primes
 * built to cost a prime check the most. Independent of lsk.crypto (the JDK's HMAC and SHA-256,
 * its own small-prime table).
 */
public final class JunkTokens {
    public static final String TARGET = "tank-MDT0000_UUID";
    public static final int INTEGRITY = 0x40;

    /** Odd primes below 2^16. */
    private static final int[] SMALL = smallPrimes(1 << 16);

    private JunkTokens() {
    }

    /** An init token of client key {@code client} with prime p, public key 4, flags {@code flags}. */
    public static byte[] token(KeyConfig client, BigInteger p, int flags, Random rnd) {
        int n = (p.bitLength() + 7) / 8;
        byte[] version = TokenCodec.be32(TokenCodec.VERSION);
        byte[] random = new byte[4];
        rnd.nextBytes(random);
        byte[] prime = padded(p, n);
        byte[] pub = padded(BigInteger.valueOf(4), n);
        byte[] target = (TARGET + "\0").getBytes(StandardCharsets.ISO_8859_1);
        byte[] nodemap = sha256(client.nodemap().getBytes(StandardCharsets.ISO_8859_1));
        byte[] flagsWire = TokenCodec.be32(flags);
        byte[] mac = hmacSha256(client.sharedKey(), version, random, prime, pub, target, nodemap, flagsWire);
        return TokenCodec.encode(InitToken.of(version, random, prime, pub, target, nodemap, flagsWire, mac));
    }

    /** {@code n} tokens, each with a fresh {@link #sievePassing} junk prime of {@code bits}. */
    public static List<byte[]> tokens(KeyConfig client, int bits, int n, Random rnd) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(token(client, sievePassing(bits, rnd), INTEGRITY, rnd));
        }
        return out;
    }

    /**
     * A random p of {@code bits} bits, p = 23 mod 24, such that neither p nor (p-1)/2 has an odd
     * prime factor below 2^16: junk that passes every cheap filter, so a prime check must spend
     * modular exponentiations on it. (Almost surely no safe prime; nothing here tests that.)
     */
    public static BigInteger sievePassing(int bits, Random rnd) {
        while (true) {
            BigInteger q0 = new BigInteger(bits - 1, rnd).setBit(bits - 2);
            q0 = q0.subtract(q0.mod(BigInteger.valueOf(12))).add(BigInteger.valueOf(11));
            int[] res = new int[SMALL.length];
            for (int i = 0; i < SMALL.length; i++) {
                res[i] = q0.mod(BigInteger.valueOf(SMALL[i])).intValue();
            }
            for (long k = 0; k < 100_000; k++) {
                boolean clear = true;
                for (int i = 0; i < SMALL.length && clear; i++) {
                    long s = SMALL[i];
                    long r = (res[i] + 12 * k) % s; // q mod s
                    clear = r != 0 && (2 * r + 1) % s != 0;
                }
                if (clear) {
                    BigInteger p = q0.add(BigInteger.valueOf(12 * k)).shiftLeft(1).add(BigInteger.ONE);
                    if (p.bitLength() == bits) {
                        return p;
                    }
                    break;
                }
            }
        }
    }

    /** A p of {@code bits} bits, 23 mod 24, divisible by 5: junk for the sieve to catch. */
    public static BigInteger smallFactor(int bits, Random rnd) {
        BigInteger p = new BigInteger(bits, rnd).setBit(bits - 1).clearBit(bits - 2);
        BigInteger m = BigInteger.valueOf(120); // p = 95 mod 120: 23 mod 24 and 0 mod 5
        return p.subtract(p.mod(m)).add(BigInteger.valueOf(95));
    }

    static byte[] padded(BigInteger v, int n) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[n];
        int len = Math.min(b.length, n);
        System.arraycopy(b, b.length - len, out, n - len, len);
        return out;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                m.update(part);
            }
            return m.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int[] smallPrimes(int bound) {
        boolean[] composite = new boolean[bound];
        List<Integer> out = new ArrayList<>();
        for (int i = 3; i < bound; i += 2) {
            if (!composite[i]) {
                out.add(i);
                for (long j = (long) i * i; j < bound; j += 2L * i) {
                    composite[(int) j] = true;
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
