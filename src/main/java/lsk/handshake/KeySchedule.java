package lsk.handshake;

import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.Secret;
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
     * @param kdfSecret S as the KDF takes it; the result takes it over
     * @param privacy   whether the CLIENT's wire flags have {@code Flags.SVC_PRIVACY}: the only
     *                  thing that decides the encryption key, on both sides (as in the C code)
     */
    static SessionSecrets derive(HmacAlg h, CryptAlg c, Secret sharedKey, byte[] kdfSecret, long clientNid,
                                 ByteString initToken, ByteString responseToken, boolean privacy) {
        byte[] shared = sharedKey.reveal();
        try {
            byte[] session = SkKdf.sessionKey(h, shared, c.keyLength(), kdfSecret, clientNid,
                    initToken.toByteArray(), responseToken.toByteArray());
            byte[] hmacKey = SkKdf.hmacKey(h, session);
            byte[] encKey = privacy ? SkKdf.encryptKey(h, session, c.keyLength()) : new byte[0];
            return new SessionSecrets(Secret.adopt(kdfSecret), Secret.adopt(session), Secret.adopt(hmacKey),
                    Secret.adopt(encKey));
        } finally {
            Bytes.wipe(shared);
        }
    }

    /** The context owns copies of the keys: wiping it leaves {@code s} intact, and the reverse. */
    static KernelContext context(HmacAlg h, CryptAlg c, long expire, ByteString ownRandom, ByteString peerRandom,
                                 SessionSecrets s) {
        byte[] hmacKey = s.hmac().reveal();
        byte[] encKey = s.encrypt().reveal();
        try {
            return new KernelContext(KCTX_VERSION, h.kernelName(), c.kernelName(), expire, ownRandom, peerRandom,
                    Secret.adopt(hmacKey), Secret.adopt(encKey));
        } catch (RuntimeException e) {
            Bytes.wipe(hmacKey, encKey); // refused (a random of the wrong size): the keys go nowhere
            throw e;
        }
    }
}
