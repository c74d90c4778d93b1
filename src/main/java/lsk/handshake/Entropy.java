package lsk.handshake;

import java.math.BigInteger;
import java.security.SecureRandom;
import lsk.crypto.Dh;

/**
 * The random choices of one handshake side: its 4-byte random and its DH private exponent.
 * Production uses {@link #secure()}; tests and the transcript tool fix them to replay the
 * shared vectors ({@link #fixed}).
 */
public interface Entropy {
    /** A fresh 4-byte random (skc_host_random). */
    byte[] random4();

    /**
     * A private exponent for the group with prime {@code p}. {@link #secure()} draws
     * {@link Dh#privateKeyBits} bits (the size argument is documented on {@link Dh}).
     */
    BigInteger privateKey(BigInteger p);

    /** SecureRandom-backed entropy; each call makes an independent instance (no shared state). */
    static Entropy secure() {
        SecureRandom rnd = new SecureRandom();
        return new Entropy() {
            @Override
            public byte[] random4() {
                byte[] r = new byte[4];
                rnd.nextBytes(r);
                return r;
            }

            @Override
            public BigInteger privateKey(BigInteger p) {
                return Dh.randomPrivateKey(p, rnd);
            }

            @Override
            public String toString() {
                return "Entropy.secure()";
            }
        };
    }

    /**
     * Always the same random and private key (replaying a transcript). A responder retrying a
     * short S with this gets the same key again, so the retry fails as the values dictate.
     */
    static Entropy fixed(byte[] random4, BigInteger privateKey) {
        if (random4.length != 4) {
            throw new IllegalArgumentException("random must be 4 bytes");
        }
        byte[] r = random4.clone();
        return new Entropy() {
            @Override
            public byte[] random4() {
                return r.clone();
            }

            @Override
            public BigInteger privateKey(BigInteger p) {
                return privateKey;
            }

            @Override
            public String toString() {
                return "Entropy.fixed(<redacted>)";
            }
        };
    }
}
