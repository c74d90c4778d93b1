package lsk.crypto;

import lsk.base.Errno;

/**
 * A DH prime that was refused without a verdict: checking it now would exceed a bound on the
 * work spent on uncached primes ({@link DhGroups}). The same prime may pass later.
 */
public final class DhBusyException extends DhException {
    public DhBusyException(String message) {
        super(message, Errno.EAGAIN);
    }
}
