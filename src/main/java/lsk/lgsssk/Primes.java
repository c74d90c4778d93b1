package lsk.lgsssk;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.crypto.Ffdhe;
import lsk.crypto.SafePrimeGenerator;

/** The DH prime of a client key, for {@code -w}, {@code -m} and the client conversion of {@code -l}. */
final class Primes {
    private Primes() {
    }

    /** The RFC 7919 ffdhe group of that size unless {@code random}, else (or for other sizes) a fresh safe prime. */
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
}
