package lsk.handshake;

import lsk.sk.GssException;

/**
 * A request the {@link Responder} refused, with why in one of a few fixed {@link Reason}s (for the
 * daemon's counters; the message says more). The GSS major status is the one of the check that
 * failed, as before.
 */
public class Rejected extends GssException {
    /** Why a request was refused; {@link #label()} is the name the counters use. */
    public enum Reason {
        /** The token, or a field in it, is not as SK writes it (netstrings, version, target, flags, random). */
        DECODE_ERROR,
        /** The nodemap hash matches neither the peer's nodemap nor any other. */
        BAD_NODEMAP_HASH,
        /** No key loaded for the target's description. */
        NO_KEY,
        /** Keys were loaded, but none is for this fsname or MGS NID, or none has usable algorithms. */
        KEY_MISMATCH,
        /** The peer's prime is smaller or larger than the key and the daemon allow. */
        PRIME_POLICY,
        /** A new prime was not checked now (concurrent checks or the peer's budget used up): retry. */
        PRIME_BUSY,
        /** The peer's prime is not a usable safe prime. */
        PRIME_CHECK_FAILED,
        /** The token's HMAC does not verify under the key: the wrong shared key, or forged. */
        BAD_MAC,
        /** The peer's public value is out of range or outside the prime-order subgroup. */
        BAD_PUBLIC_VALUE,
        /** The shared secret came out short on every key pair tried. */
        SHORT_SECRET,
        /** A fault in lsk itself (entropy, an unexpected exception). */
        INTERNAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    Rejected(Reason reason, String message, int major, int errno) {
        super(message, major, 0, errno);
        this.reason = reason;
    }

    /** {@code e} (message, major status, errno) with its reason. */
    static Rejected of(Reason reason, GssException e) {
        return e instanceof Rejected r && r.reason == reason ? r
                : new Rejected(reason, e.getMessage(), e.major(), e.errno());
    }

    public Reason reason() {
        return reason;
    }
}
