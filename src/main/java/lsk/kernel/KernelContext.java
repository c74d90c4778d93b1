package lsk.kernel;

import java.util.Objects;
import lsk.base.ByteString;
import lsk.base.Secret;

/**
 * A negotiated SK context as the kernel receives it ({@code sk_serialize_kctx}); encoded and
 * decoded only by {@link KernelContextCodec}. The randoms are public ({@link ByteString}); the
 * keys are {@link Secret}s, owned by this context: whoever made or decoded it calls
 * {@link #wipe()} once the context has been handed on (serialized or imported).
 *
 * <p>Equality is by value, keys compared in constant time, so two decodings of one blob are
 * equal; the hash code and {@code toString} leave the keys out.
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
                            ByteString hostRandom, ByteString peerRandom, Secret hmacKey, Secret encryptKey) {
    public KernelContext {
        Objects.requireNonNull(hmacKey, "hmacKey");
        Objects.requireNonNull(encryptKey, "encryptKey");
        if (hostRandom.size() != 4 || peerRandom.size() != 4) {
            throw new IllegalArgumentException("randoms are 4 bytes");
        }
    }

    /** From byte arrays, all copied: the caller still wipes its key arrays. */
    public KernelContext(long version, String hmacAlg, String cryptAlg, long expire, byte[] hostRandom,
                         byte[] peerRandom, byte[] hmacKey, byte[] encryptKey) {
        this(version, hmacAlg, cryptAlg, expire, ByteString.copyOf(hostRandom), ByteString.copyOf(peerRandom),
                Secret.copyOf(hmacKey), Secret.copyOf(encryptKey));
    }

    public boolean privacy() {
        return encryptKey.size() > 0;
    }

    /** Zeroes both keys; the context cannot be encoded afterwards. */
    public void wipe() {
        hmacKey.wipe();
        encryptKey.wipe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelContext k && version == k.version && hmacAlg.equals(k.hmacAlg)
                && cryptAlg.equals(k.cryptAlg) && expire == k.expire
                && hostRandom.equals(k.hostRandom) && peerRandom.equals(k.peerRandom)
                && hmacKey.equalsConstantTime(k.hmacKey) && encryptKey.equalsConstantTime(k.encryptKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, hmacAlg, cryptAlg, expire, hostRandom, peerRandom);
    }

    @Override
    public String toString() {
        return "KernelContext[version=" + version + ", hmacAlg=" + hmacAlg + ", cryptAlg=" + cryptAlg
                + ", expire=" + expire + ", hmacKey=<" + hmacKey.size() + " bytes>, encryptKey=<"
                + encryptKey.size() + " bytes>]";
    }
}
