package lsk.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.Secret;
import lsk.sk.HmacAlg;

/**
 * HMAC over concatenated parts, through the JCA (whose SHA-2 uses CPU intrinsics).
 *
 * <p>An empty key is allowed (key files with shared_keylen 0 exist): HMAC pads a short key
 * with zeros to the block size, so the empty key is the same as a single zero byte, which
 * the JCA accepts.
 */
public final class Hmacs {
    private Hmacs() {
    }

    /** A Mac initialised with {@code key}. */
    public static Mac mac(HmacAlg alg, byte[] key) {
        try {
            Mac m = Mac.getInstance(alg.jcaName());
            m.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, alg.jcaName()));
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA lacks " + alg.jcaName(), e);
        }
    }

    public static byte[] hmac(HmacAlg alg, byte[] key, byte[]... parts) {
        Mac m = mac(alg, key);
        for (byte[] p : parts) {
            m.update(p);
        }
        return m.doFinal();
    }

    /** HMAC-SHA256, what both SK tokens are signed with whatever the key file's HMAC. */
    public static byte[] hmacSha256(byte[] key, byte[]... parts) {
        return hmac(HmacAlg.SHA256, key, parts);
    }

    /** HMAC-SHA256 keyed with a secret over public fields (the token MACs). */
    public static byte[] hmacSha256(Secret key, ByteString... parts) {
        byte[] k = key.reveal();
        try {
            Mac m = mac(HmacAlg.SHA256, k);
            for (ByteString p : parts) {
                m.update(p.asReadOnlyBuffer());
            }
            return m.doFinal();
        } finally {
            Bytes.wipe(k);
        }
    }
}
