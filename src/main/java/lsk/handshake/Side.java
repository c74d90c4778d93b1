package lsk.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.Errno;
import lsk.base.Secret;
import lsk.crypto.Dh;
import lsk.crypto.DhException;
import lsk.crypto.DhGroup;
import lsk.crypto.Hmacs;
import lsk.sk.Flags;
import lsk.sk.GssException;
import lsk.sk.HmacAlg;

/**
 * The checks both ends of SEC_CTX_INIT make, written once: token MACs, the peer's public
 * value, the nodemap hash, the algorithms a key names, each side's own random and key pair.
 * A side reports its failures with the errno the C code returns there: the initiator EINVAL,
 * the responder EACCES.
 */
enum Side {
    INITIATOR(Errno.EINVAL),
    RESPONDER(Errno.EACCES);

    private static final int RANDOM_LEN = 4;

    private final int errno;

    Side(int errno) {
        this.errno = errno;
    }

    /** One side's own random and DH private exponent, as {@link Entropy} drew them. */
    record KeyPair(ByteString random, BigInteger x) {
        @Override
        public String toString() {
            return "KeyPair[<redacted>]";
        }
    }

    GssException fail(String message, int major) {
        return new GssException(message, major, 0, errno);
    }

    /** HMAC-SHA256 of {@code signed} under {@code key} equals {@code mac}, compared in constant time; else BAD_SIG. */
    void verifyMac(Secret key, ByteString mac, String failure, ByteString... signed) throws GssException {
        byte[] expected = Hmacs.hmacSha256(key, signed);
        if (!Bytes.constantTimeEquals(expected, mac.toByteArray())) {
            throw fail(failure, GssException.GSS_S_BAD_SIG);
        }
    }

    /** The peer's public value: 1 < y < p-1 and in the prime-order subgroup, else FAILURE. */
    BigInteger peerPublicKey(DhGroup group, ByteString field, String from) throws GssException {
        BigInteger y = new BigInteger(1, field.toByteArray());
        try {
            Dh.checkPublicKey(group, y);
        } catch (DhException e) {
            throw fail(from + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        return y;
    }

    /** This side's random and key pair; an entropy source that breaks the rules is a FAILURE, not a crash. */
    KeyPair keyPair(Entropy entropy, DhGroup group) throws GssException {
        byte[] random = entropy.random4();
        BigInteger x = entropy.privateKey(group.p());
        if (random == null || random.length != RANDOM_LEN || x == null
                || x.compareTo(BigInteger.ONE) <= 0 || x.compareTo(group.q()) >= 0) {
            throw fail("entropy gave an unusable random or private key", GssException.GSS_S_FAILURE);
        }
        return new KeyPair(ByteString.copyOf(random), x);
    }

    /** The HMAC a key file names, unless NONE (SK always signs). */
    static Optional<HmacAlg> usableHmac(int id) {
        return HmacAlg.byId(id).filter(a -> a != HmacAlg.NONE);
    }

    /** Whether the CLIENT's wire flags ask for privacy: what decides the encryption key on both sides. */
    static boolean privacy(int flags) {
        return (flags & Flags.SVC_PRIVACY) != 0;
    }

    /** The nodemap hash field: SHA-256 of the name's bytes. */
    static ByteString nodemapHash(String nodemap) {
        try {
            return ByteString.copyOf(MessageDigest.getInstance("SHA-256")
                    .digest(nodemap.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
