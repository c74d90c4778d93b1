package lsk.crypto;

import lsk.LskException;

/** A DH parameter or public key that must not be used. */
public final class DhException extends LskException {
    public DhException(String message) {
        super(message, Errno.EINVAL);
    }
}
