package lsk.handshake;

import lsk.base.Secret;

/**
 * The secrets behind one negotiated context, for diagnostic tools (the transcript command) and
 * tests only: the DH secret exactly as fed to the KDF, the session key, and the two keys that
 * go into the kernel context. Callers must {@link #wipe()} it; toString never shows contents.
 *
 * @param kdf     S as the KDF took it (after the short-S quirk)
 * @param session the KDF output
 * @param hmac    PBKDF2("Integrity")
 * @param encrypt PBKDF2("Encrypt"); empty unless privacy
 */
public record SessionSecrets(Secret kdf, Secret session, Secret hmac, Secret encrypt) {
    /** Zeroes every secret held. */
    public void wipe() {
        kdf.wipe();
        session.wipe();
        hmac.wipe();
        encrypt.wipe();
    }

    // Byte-array views for callers outside lsk.handshake written before the Secret type; each is
    // a fresh copy the caller wipes. New code uses the Secret accessors.

    /** {@code kdf().reveal()}. */
    public byte[] kdfSecret() {
        return kdf.reveal();
    }

    /** {@code session().reveal()}. */
    public byte[] sessionKey() {
        return session.reveal();
    }

    /** {@code hmac().reveal()}. */
    public byte[] hmacKey() {
        return hmac.reveal();
    }

    /** {@code encrypt().reveal()}. */
    public byte[] encryptKey() {
        return encrypt.reveal();
    }

    @Override
    public String toString() {
        return "SessionSecrets[<redacted>]";
    }
}
