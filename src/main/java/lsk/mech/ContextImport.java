package lsk.mech;

import java.time.Clock;
import lsk.base.DecodeException;
import lsk.base.Printable;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import lsk.sk.GssException;
import lsk.sk.HmacAlg;

/**
 * {@code gss_import_sec_context_sk}: the checks a kernel makes on a context blob before it
 * builds an {@link SkMech}. Every refusal is GSS_S_FAILURE naming the field at fault, never
 * key material.
 */
final class ContextImport {
    /** Context blob version understood ({@code SK_INTERFACE_VERSION}). */
    static final long INTERFACE_VERSION = 1;
    /** The kernel refuses HMAC keys of this many bytes or fewer. */
    static final int MIN_HMAC_KEY_EXCLUSIVE = 8;
    static final String CTR_ALG_NAME = "ctr(aes)";
    static final String NULL_ALG_NAME = "null";
    /** Longest algorithm name a blob can hold (its field is 128 bytes with the NUL). */
    private static final int NAME_MAX = 127;

    private ContextImport() {
    }

    static SkMech importContext(byte[] blob, Clock clock) throws GssException {
        KernelContext c;
        try {
            c = KernelContextCodec.decode(blob);
        } catch (DecodeException e) {
            throw failure(e.getMessage());
        }
        try {
            return build(c, clock);
        } finally {
            c.wipe(); // the decoded copy; the SkMech holds its own
        }
    }

    private static SkMech build(KernelContext c, Clock clock) throws GssException {
        if (c.version() != INTERFACE_VERSION) {
            throw failure("interface version " + c.version() + ", expected " + INTERFACE_VERSION);
        }
        HmacAlg h = HmacAlg.byName(c.hmacAlg())
                .filter(a -> a.kernelName().equals(c.hmacAlg()))
                .orElseThrow(() -> failure("unknown hmac_alg '" + Printable.masked(c.hmacAlg(), NAME_MAX) + "'"));
        if (h == HmacAlg.NONE) {
            throw failure("hmac_alg 'null' gives no integrity (not supported)");
        }
        if (!c.cryptAlg().equals(CTR_ALG_NAME) && !c.cryptAlg().equals(NULL_ALG_NAME)) {
            throw failure("unknown crypt_alg '" + Printable.masked(c.cryptAlg(), NAME_MAX) + "'");
        }
        String bad = keyProblem(c.cryptAlg(), c.hmacKey().size(), c.encryptKey().size());
        if (bad != null) {
            throw failure(bad);
        }
        // KeyedPrimitives takes these copies over (and wipes them on close).
        return new SkMech(h, new KeyedPrimitives(h, c.hmacKey().reveal(), c.encryptKey().reveal()),
                c.hostRandom().toByteArray(), c.peerRandom().toByteArray(), clock.instant().plusSeconds(c.expire()),
                clock, 0);
    }

    /** What is wrong with the key sizes, or null. */
    private static String keyProblem(String cryptAlg, int hmacKey, int encryptKey) {
        if (hmacKey <= MIN_HMAC_KEY_EXCLUSIVE) {
            return "hmac key of " + hmacKey + " bytes (must be more than " + MIN_HMAC_KEY_EXCLUSIVE + ")";
        }
        if (encryptKey > 0 && !cryptAlg.equals(CTR_ALG_NAME)) {
            return "encryption key given but crypt_alg is '" + cryptAlg + "'";
        }
        if (encryptKey > 0 && encryptKey != 16 && encryptKey != 24 && encryptKey != 32) {
            return "encryption key of " + encryptKey + " bytes is no AES key size";
        }
        return null;
    }

    private static GssException failure(String why) {
        return new GssException("cannot import sk context: " + why, GssException.GSS_S_FAILURE);
    }
}
