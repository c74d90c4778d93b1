package lsk.keyfile;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.crypto.Ffdhe;
import lsk.crypto.SafePrimeGenerator;

/**
 * The DH prime of a client key, made as {@code lgss_sk} makes it ({@code -w}, {@code -m}, the
 * client conversion of {@code -l}, {@code lsk keys load --client} and {@code lsk keys rotate}): the
 * RFC 7919 group of that size (lsk's documented default), else, or when asked, a fresh safe prime.
 */
public final class ClientPrimes {
    private ClientPrimes() {
    }

    /** The RFC 7919 ffdhe group of that size unless {@code random}, else (or for other sizes) a fresh safe prime. */
    public static byte[] make(int bits, boolean random) throws LskException {
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
    public static boolean isWellKnown(KeyConfig c) {
        byte[] p = c.prime();
        return p.length > 0 && Ffdhe.of(new BigInteger(1, p)).isPresent();
    }
}
