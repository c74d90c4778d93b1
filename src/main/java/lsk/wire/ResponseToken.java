package lsk.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The responder's (server's) SEC_CTX_INIT reply: the raw contents of its 4 netstrings. The
 * layout lives in {@link TokenCodec}.
 *
 * @param version   u32 BE, 1
 * @param random    the server's 4-byte random
 * @param publicKey B = 2^b mod p, big-endian, left-padded to the byte length of p
 * @param hmac      HMAC-SHA256(shared key, fields 0..2 concatenated)
 */
public record ResponseToken(byte[] version, byte[] random, byte[] publicKey, byte[] hmac) {
    public ResponseToken {
        version = version.clone();
        random = random.clone();
        publicKey = publicKey.clone();
        hmac = hmac.clone();
    }

    @Override public byte[] version() { return version.clone(); }
    @Override public byte[] random() { return random.clone(); }
    @Override public byte[] publicKey() { return publicKey.clone(); }
    @Override public byte[] hmac() { return hmac.clone(); }

    public int versionLength() { return version.length; }
    public int randomLength() { return random.length; }

    /** The version as u32 BE when the field is exactly 4 bytes, else -1. */
    public long versionValue() {
        return version.length != 4 ? -1 : Integer.toUnsignedLong(ByteBuffer.wrap(version).getInt());
    }

    /** The 3 fields the HMAC covers, in order. */
    public byte[][] signedFields() {
        return new byte[][] {version.clone(), random.clone(), publicKey.clone()};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseToken t && Arrays.equals(version, t.version) && Arrays.equals(random, t.random)
                && Arrays.equals(publicKey, t.publicKey) && Arrays.equals(hmac, t.hmac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(random) * 31 + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "ResponseToken[versionLen=" + version.length + ", randomLen=" + random.length + ", B=<"
                + publicKey.length + " bytes>]";
    }
}
