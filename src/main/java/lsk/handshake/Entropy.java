package lsk.handshake;

import java.math.BigInteger;

/**
 * The random choices of one handshake side: its 4-byte random and its DH private exponent.
 * Production uses {@link #secure()}; tests and the transcript tool fix them to replay the
 * shared vectors.
 */
public interface Entropy {
    /** A fresh 4-byte random (skc_host_random). */
    byte[] random4();

    /** A private exponent for the group with prime {@code p} (the handshake chooses the size). */
    BigInteger privateKey(BigInteger p);

    /** SecureRandom-backed entropy. (Stub: the handshake issue implements it.) */
    static Entropy secure() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
