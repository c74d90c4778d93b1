package lsk.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The initiator's (client's) SEC_CTX_INIT token: the raw contents of its 8 netstrings, kept
 * exactly as sent or received (the HMAC covers the raw bytes, and a receiver must accept a
 * version field longer than 4 bytes). The layout lives in {@link TokenCodec}.
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
public record InitToken(byte[] version, byte[] random, byte[] prime, byte[] publicKey, byte[] target,
                        byte[] nodemapHash, byte[] flags, byte[] hmac) {
    public InitToken {
        version = version.clone();
        random = random.clone();
        prime = prime.clone();
        publicKey = publicKey.clone();
        target = target.clone();
        nodemapHash = nodemapHash.clone();
        flags = flags.clone();
        hmac = hmac.clone();
    }

    @Override public byte[] version() { return version.clone(); }
    @Override public byte[] random() { return random.clone(); }
    @Override public byte[] prime() { return prime.clone(); }
    @Override public byte[] publicKey() { return publicKey.clone(); }
    @Override public byte[] target() { return target.clone(); }
    @Override public byte[] nodemapHash() { return nodemapHash.clone(); }
    @Override public byte[] flags() { return flags.clone(); }
    @Override public byte[] hmac() { return hmac.clone(); }

    /** Field lengths, for diagnostics (never contents). */
    public int versionLength() { return version.length; }
    public int randomLength() { return random.length; }
    public int targetLength() { return target.length; }
    public int flagsLength() { return flags.length; }
    public int nodemapHashLength() { return nodemapHash.length; }

    /** The first 4 bytes of the version field as u32 BE; -1 if shorter. */
    public long versionValue() {
        return version.length < 4 ? -1 : Integer.toUnsignedLong(ByteBuffer.wrap(version).getInt());
    }

    /** The flags as u32 BE; only meaningful when {@link #flagsLength()} is 4. */
    public int flagsValue() {
        return flags.length < 4 ? 0 : ByteBuffer.wrap(flags).getInt();
    }

    /** The 7 fields the HMAC covers, in order. */
    public byte[][] signedFields() {
        return new byte[][] {version.clone(), random.clone(), prime.clone(), publicKey.clone(), target.clone(),
                nodemapHash.clone(), flags.clone()};
    }

    /** A copy with another HMAC (for tests that tamper). */
    public InitToken withHmac(byte[] h) {
        return new InitToken(version, random, prime, publicKey, target, nodemapHash, flags, h);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitToken t && Arrays.equals(version, t.version) && Arrays.equals(random, t.random)
                && Arrays.equals(prime, t.prime) && Arrays.equals(publicKey, t.publicKey)
                && Arrays.equals(target, t.target) && Arrays.equals(nodemapHash, t.nodemapHash)
                && Arrays.equals(flags, t.flags) && Arrays.equals(hmac, t.hmac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(random) * 31 + Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "InitToken[version=" + versionValue() + ", p=<" + prime.length + " bytes>, A=<" + publicKey.length
                + " bytes>, targetLen=" + target.length + ", flags=0x" + Integer.toHexString(flagsValue()) + "]";
    }
}
