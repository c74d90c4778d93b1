package lsk.handshake;

import lsk.base.Bytes;
import lsk.crypto.SkKdf;
import lsk.kernel.KernelContext;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;

/** Session key, HMAC/encryption keys and kernel context: the same steps on both sides. */
final class KeySchedule {
    /** Version of the serialized kernel context. */
    static final long KCTX_VERSION = 1;

    private KeySchedule() {
    }

    /**
     * @param privacy whether the CLIENT's wire flags have {@link Flags#SVC_PRIVACY}: the only
     *                thing that decides the encryption key, on both sides (as in the C code)
     */
    static SessionSecrets derive(HmacAlg h, CryptAlg c, byte[] sharedKey, byte[] kdfSecret, long clientNid,
                                 byte[] initToken, byte[] responseToken, boolean privacy) {
        byte[] session = SkKdf.sessionKey(h, sharedKey, c.keyLength(), kdfSecret, clientNid, initToken,
                responseToken);
        byte[] hmacKey = SkKdf.hmacKey(h, session);
        byte[] encKey = privacy ? SkKdf.encryptKey(h, session, c.keyLength()) : new byte[0];
        return new SessionSecrets(kdfSecret, session, hmacKey, encKey);
    }

    static KernelContext context(HmacAlg h, CryptAlg c, long expire, byte[] ownRandom, byte[] peerRandom,
                                 SessionSecrets s) {
        return new KernelContext(KCTX_VERSION, h.kernelName(), c.kernelName(), expire, ownRandom, peerRandom,
                s.hmacKey(), s.encryptKey());
    }

    static void wipeAll(byte[]... a) {
        Bytes.wipe(a);
    }
}
