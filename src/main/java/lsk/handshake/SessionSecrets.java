package lsk.handshake;

import lsk.base.Bytes;

/**
 * The secrets behind one negotiated context, for diagnostic tools (the transcript command) and
 * tests only: the DH secret exactly as fed to the KDF, the session key, and the two keys that
 * go into the kernel context. Callers must {@link #wipe()} it; toString never shows contents.
 *
 * @param kdfSecret  S as the KDF took it (after the short-S quirk)
 * @param sessionKey the KDF output
 * @param hmacKey    PBKDF2("Integrity")
 * @param encryptKey PBKDF2("Encrypt"); empty unless privacy
 */
public record SessionSecrets(byte[] kdfSecret, byte[] sessionKey, byte[] hmacKey, byte[] encryptKey) {
    /** Zeroes every array held. */
    public void wipe() {
        Bytes.wipe(kdfSecret, sessionKey, hmacKey, encryptKey);
    }

    @Override
    public String toString() {
        return "SessionSecrets[<redacted>]";
    }
}
