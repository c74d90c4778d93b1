package lsk.wire;

import lsk.base.ByteString;

/**
 * The initiator's (client's) SEC_CTX_INIT token: the raw contents of its 8 netstrings, kept
 * exactly as sent or received (the HMAC covers the raw bytes, and a receiver must accept a
 * version field longer than 4 bytes). The layout lives in {@link TokenCodec}. Every field is
 * public (sent in clear), hence {@link ByteString}.
 *
 * @param version     u32 BE, 1 (a receiver reads the first 4 bytes of a longer field)
 * @param random      the client's 4-byte random
 * @param prime       the DH prime p, big-endian, as in the client's key file
 * @param publicKey   A = 2^a mod p, big-endian, left-padded to the byte length of p
 * @param target      target name WITH its trailing NUL
 * @param nodemapHash SHA-256 of the client key's nodemap name
 * @param flags       u32 BE wire flags (see {@code lsk.sk.Flags})
 * @param hmac        HMAC-SHA256(shared key, fields 0..6 concatenated)
 */
public record InitToken(ByteString version, ByteString random, ByteString prime, ByteString publicKey,
                        ByteString target, ByteString nodemapHash, ByteString flags, ByteString hmac) {

    /** From raw field contents (copied). */
    public static InitToken of(byte[] version, byte[] random, byte[] prime, byte[] publicKey, byte[] target,
                               byte[] nodemapHash, byte[] flags, byte[] hmac) {
        return new InitToken(ByteString.copyOf(version), ByteString.copyOf(random), ByteString.copyOf(prime),
                ByteString.copyOf(publicKey), ByteString.copyOf(target), ByteString.copyOf(nodemapHash),
                ByteString.copyOf(flags), ByteString.copyOf(hmac));
    }

    /** The first 4 bytes of the version field as u32 BE; -1 if shorter. */
    public long versionValue() {
        return version.size() < 4 ? -1 : Integer.toUnsignedLong(TokenCodec.be32(version));
    }

    /** The flags as u32 BE; only meaningful when the field is 4 bytes. */
    public int flagsValue() {
        return flags.size() < 4 ? 0 : TokenCodec.be32(flags);
    }

    /** The 7 fields the HMAC covers, in order. */
    public ByteString[] signedFields() {
        return new ByteString[] {version, random, prime, publicKey, target, nodemapHash, flags};
    }

    /** A copy with another HMAC (for tests that tamper). */
    public InitToken withHmac(ByteString h) {
        return new InitToken(version, random, prime, publicKey, target, nodemapHash, flags, h);
    }

    /** Field lengths and values that are not bulk bytes. */
    @Override
    public String toString() {
        return "InitToken[version=" + versionValue() + ", p=<" + prime.size() + " bytes>, A=<" + publicKey.size()
                + " bytes>, targetLen=" + target.size() + ", flags=0x" + Integer.toHexString(flagsValue()) + "]";
    }
}
