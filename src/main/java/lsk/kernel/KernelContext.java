package lsk.kernel;

import java.util.Arrays;

/**
 * A negotiated SK context as the kernel receives it ({@code sk_serialize_kctx}); encoded and
 * decoded only by {@link KernelContextCodec}. Arrays are copied in and out; {@link #wipe()}
 * is not offered on purpose (records are immutable): callers wipe the copies they take.
 *
 * @param version    context format version (1)
 * @param hmacAlg    kernel name of the HMAC, e.g. {@code sha256}
 * @param cryptAlg   kernel name of the cipher, e.g. {@code ctr(aes)} or {@code null}
 * @param expire     lifetime in seconds, from this side's own key file
 * @param hostRandom this side's 4-byte random
 * @param peerRandom the peer's 4-byte random
 * @param hmacKey    per-message HMAC key
 * @param encryptKey per-message cipher key; empty unless privacy (skpi)
 */
public record KernelContext(long version, String hmacAlg, String cryptAlg, long expire,
                            byte[] hostRandom, byte[] peerRandom, byte[] hmacKey, byte[] encryptKey) {
    public KernelContext {
        if (hostRandom.length != 4 || peerRandom.length != 4) {
            throw new IllegalArgumentException("randoms are 4 bytes");
        }
        hostRandom = hostRandom.clone();
        peerRandom = peerRandom.clone();
        hmacKey = hmacKey.clone();
        encryptKey = encryptKey.clone();
    }

    @Override public byte[] hostRandom() { return hostRandom.clone(); }
    @Override public byte[] peerRandom() { return peerRandom.clone(); }
    /** A copy; wipe it when done. */
    @Override public byte[] hmacKey() { return hmacKey.clone(); }
    /** A copy; wipe it when done. */
    @Override public byte[] encryptKey() { return encryptKey.clone(); }

    public boolean privacy() {
        return encryptKey.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelContext k && version == k.version && hmacAlg.equals(k.hmacAlg)
                && cryptAlg.equals(k.cryptAlg) && expire == k.expire
                && Arrays.equals(hostRandom, k.hostRandom) && Arrays.equals(peerRandom, k.peerRandom)
                && java.security.MessageDigest.isEqual(hmacKey, k.hmacKey)
                && java.security.MessageDigest.isEqual(encryptKey, k.encryptKey);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(version, hmacAlg, cryptAlg, expire,
                Arrays.hashCode(hostRandom), Arrays.hashCode(peerRandom));
    }

    @Override
    public String toString() {
        return "KernelContext[version=" + version + ", hmacAlg=" + hmacAlg + ", cryptAlg=" + cryptAlg
                + ", expire=" + expire + ", hmacKey=<" + hmacKey.length + " bytes>, encryptKey=<"
                + encryptKey.length + " bytes>]";
    }
}
