package lsk.keyfile;

import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;
import java.util.Optional;

/**
 * The rules a key must pass before it is printed, written or loaded (C: sk_validate_config),
 * checked in the C order so that the first failure gives the same message.
 *
 * <p>Checks the raw image rather than a {@link KeyConfig}, because NUL termination of the
 * text fields is only visible there. Unknown algorithm ids other than 0xFFFF and unknown
 * type bits pass, as in C ({@code lgss_sk -r} prints them as {@code (null)}).
 */
public final class KeyValidation {
    public static final long MIN_EXPIRE = 60;
    public static final long MAX_EXPIRE = Integer.MAX_VALUE;
    public static final long MAX_PRIME_BITS = KeyFileCodec.PRIME_FIELD * 8L;
    public static final long MAX_SHARED_KEY_BITS = KeyFileCodec.SHARED_KEY_FIELD * 8L;
    /**
     * Shared keys shorter than this are refused by {@code -w}, {@code -m}, {@code -l} and the
     * responder (not by C): whoever finds the key signs init tokens as any node, so a short one
     * (C accepts {@code -k 0}, even 8) makes tokens forgeable.
     */
    public static final long MIN_SHARED_KEY_BITS = 128;
    /** Shared keys shorter than this (and not refused) draw a warning. */
    public static final long RECOMMENDED_SHARED_KEY_BITS = 256;

    private KeyValidation() {
    }

    /**
     * Refusal of a shared key under {@link #MIN_SHARED_KEY_BITS}, naming the key file (or key)
     * {@code name}; empty if the key is long enough. Checked after {@link #check}, whose messages
     * stay C's.
     */
    public static Optional<String> tooShort(KeyConfig c, String name) {
        if (c.sharedKeyLenBits() >= MIN_SHARED_KEY_BITS) {
            return Optional.empty();
        }
        return Optional.of("error: shared key length of '" + name + "' is " + c.sharedKeyLenBits()
                + " bits, less than the minimum of " + MIN_SHARED_KEY_BITS + " bits");
    }

    /** Warning for a shared key that passes {@link #tooShort} but is under {@link #RECOMMENDED_SHARED_KEY_BITS}. */
    public static Optional<String> shortWarning(KeyConfig c, String name) {
        long bits = c.sharedKeyLenBits();
        if (bits < MIN_SHARED_KEY_BITS || bits >= RECOMMENDED_SHARED_KEY_BITS) {
            return Optional.empty();
        }
        return Optional.of("warning: shared key length of '" + name + "' is " + bits + " bits, less than the"
                + " recommended " + RECOMMENDED_SHARED_KEY_BITS + " bits");
    }

    /** The C tool's message for the first rule {@code image} breaks, or empty if it is valid. */
    public static Optional<String> check(byte[] image) {
        try {
            return check(KeyFileCodec.decodeBinary(image));
        } catch (KeyFileFormatException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Same rules for a decoded config. A text field that filled its whole field in the image
     * (no NUL) decodes to a string as long as the field, which is how it is caught here.
     */
    public static Optional<String> check(KeyConfig c) {
        if (c.version() != 1) {
            return Optional.of("Invalid version");
        }
        if (c.hmacAlg() == HmacAlg.INVALID_ID) {
            return Optional.of("Invalid HMAC algorithm");
        }
        if (c.cryptAlg() == CryptAlg.INVALID_ID) {
            return Optional.of("Invalid crypt algorithm");
        }
        if (c.expire() < MIN_EXPIRE || c.expire() > MAX_EXPIRE) {
            return Optional.of("Invalid expiration time should be between " + MIN_EXPIRE + " and " + MAX_EXPIRE);
        }
        if (c.primeBits() % 8 != 0 || c.primeBits() > MAX_PRIME_BITS) {
            // Sic: the C message says "session key" for the prime length.
            return Optional.of("Invalid session key length must be a multiple of 8 and less then "
                    + MAX_PRIME_BITS + " bits");
        }
        if (c.sharedKeyLenBits() % 8 != 0 || c.sharedKeyLenBits() > MAX_SHARED_KEY_BITS) {
            return Optional.of("Invalid shared key max length must be a multiple of 8 and less then "
                    + MAX_SHARED_KEY_BITS + " bits");
        }
        if (c.fsname().length() >= KeyFileCodec.FSNAME_FIELD) {
            return Optional.of("File system name not null terminated");
        }
        if (c.nodemap().length() >= KeyFileCodec.NODEMAP_FIELD) {
            return Optional.of("Nodemap name not null terminated");
        }
        if (c.type() == 0) {
            return Optional.of("Invalid key type");
        }
        return Optional.empty();
    }
}
