package lsk.keys;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.crypto.Ffdhe;
import lsk.crypto.SafePrimeGenerator;
import lsk.keyfile.KeyConfig;

/**
 * The DH prime of a client key, made as {@code lgss_sk} makes it: the RFC 7919 group of that
 * size (lsk's documented default), else, or when asked, a fresh safe prime. lgss_sk's own
 * helper is private to its package, so the rule is repeated here in a few lines.
 */
final class KeyPrimes {
    private KeyPrimes() {
    }

    /** A prime of {@code bits}: the well-known group unless {@code random} or there is none of that size. */
    static byte[] make(int bits, boolean random) throws LskException {
        Optional<Ffdhe> group = Ffdhe.ofBits(bits);
        if (group.isPresent() && !random) {
            return group.get().primeBytes();
        }
        if (bits < 16) {
            throw new LskException("error: generating SSK prime failed: prime length " + bits + " too small",
                    Errno.EINVAL);
        }
        try {
            BigInteger p = SafePrimeGenerator.create().generate(bits);
            byte[] raw = p.toByteArray();
            return raw[0] == 0 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LskException("error: generating SSK prime failed: interrupted", Errno.EIO);
        }
    }

    /** Whether {@code c} carries one of the well-known groups (else the site chose random primes). */
    static boolean isWellKnown(KeyConfig c) {
        byte[] p = c.prime();
        return p.length > 0 && Ffdhe.of(new BigInteger(1, p)).isPresent();
    }
}
