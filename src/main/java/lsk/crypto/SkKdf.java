package lsk.crypto;

import lsk.base.Bytes;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import lsk.sk.HmacAlg;

/**
 * The key derivations of an SK context (SK-PROTOCOL.md section 4).
 *
 * <ul>
 * <li>Session key: counter-mode KDF after NIST SP 800-56B rev.1 section 5.5.1: block i =
 *     HMAC_h(shared key, BE32(i) || S || client NID (8 bytes, host order) || init token ||
 *     response token), i = 0, 1, ...; concatenated and truncated. Real Lustre binds BOTH
 *     tokens (whole netstrings as sent, trailing bytes included).</li>
 * <li>HMAC key: PBKDF2-HMAC-h("Integrity", salt = session key, 10000, digest size of h).</li>
 * <li>Encryption key: PBKDF2-HMAC-h("Encrypt", salt = session key, 10000, cipher key size).</li>
 * </ul>
 */
public final class SkKdf {
    public static final int PBKDF2_ITERATIONS = 10000;
    private static final byte[] INTEGRITY = "Integrity".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCRYPT = "Encrypt".getBytes(StandardCharsets.US_ASCII);

    private SkKdf() {
    }

    /**
     * @param s         the DH secret exactly as the KDF takes it (see {@link Dh#kdfSecret})
     * @param clientNid the client's LNet NID (u64), fed in x86_64 host order (little-endian)
     */
    public static byte[] sessionKey(HmacAlg h, byte[] sharedKey, int length, byte[] s, long clientNid,
                                    byte[] initToken, byte[] responseToken) {
        Mac mac = Hmacs.mac(h, sharedKey);
        byte[] nid = Bytes.u64HostOrder(clientNid);
        byte[] out = new byte[length];
        for (int i = 0, off = 0; off < length; i++) {
            mac.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
            mac.update(s);
            mac.update(nid);
            mac.update(initToken);
            mac.update(responseToken);
            byte[] block = mac.doFinal();
            int n = Math.min(block.length, length - off);
            System.arraycopy(block, 0, out, off, n);
            Bytes.wipe(block);
            off += n;
        }
        return out;
    }

    public static byte[] hmacKey(HmacAlg h, byte[] sessionKey) {
        return Pbkdf2.derive(h, INTEGRITY, sessionKey, PBKDF2_ITERATIONS, h.digestLength());
    }

    public static byte[] encryptKey(HmacAlg h, byte[] sessionKey, int length) {
        return Pbkdf2.derive(h, ENCRYPT, sessionKey, PBKDF2_ITERATIONS, length);
    }
}
