package lsk.wire;

import lsk.base.ByteString;

/**
 * The responder's (server's) SEC_CTX_INIT reply: the raw contents of its 4 netstrings. The
 * layout lives in {@link TokenCodec}. Every field is public (sent in clear).
 *
 * @param version   u32 BE, 1
 * @param random    the server's 4-byte random
 * @param publicKey B = 2^b mod p, big-endian, left-padded to the byte length of p
 * @param hmac      HMAC-SHA256(shared key, fields 0..2 concatenated)
 */
public record ResponseToken(ByteString version, ByteString random, ByteString publicKey, ByteString hmac) {

    /** From raw field contents (copied). */
    public static ResponseToken of(byte[] version, byte[] random, byte[] publicKey, byte[] hmac) {
        return new ResponseToken(ByteString.copyOf(version), ByteString.copyOf(random),
                ByteString.copyOf(publicKey), ByteString.copyOf(hmac));
    }

    /** The version as u32 BE when the field is exactly 4 bytes, else -1. */
    public long versionValue() {
        return version.size() != 4 ? -1 : Integer.toUnsignedLong(TokenCodec.be32(version));
    }

    /** The 3 fields the HMAC covers, in order. */
    public ByteString[] signedFields() {
        return new ByteString[] {version, random, publicKey};
    }

    @Override
    public String toString() {
        return "ResponseToken[versionLen=" + version.size() + ", randomLen=" + random.size() + ", B=<"
                + publicKey.size() + " bytes>]";
    }
}
