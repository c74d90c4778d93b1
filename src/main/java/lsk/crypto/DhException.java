package lsk.crypto;

import lsk.base.Errno;
import lsk.base.LskException;

/** A DH parameter or public key that must not be used (or, {@link DhBusyException}, was not checked). */
public class DhException extends LskException {
    public DhException(String message) {
        super(message, Errno.EINVAL);
    }

    DhException(String message, int errno) {
        super(message, errno);
    }
}
