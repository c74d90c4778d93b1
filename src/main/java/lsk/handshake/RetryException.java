package lsk.handshake;

import lsk.base.Errno;
import lsk.sk.GssException;
import lsk.base.LskException;

/**
 * The exchange must be restarted from scratch (the C initiator returns -EAGAIN): the server
 * chose the client's random, or S came out more than two bytes short of len(p).
 */
public final class RetryException extends GssException {
    public RetryException(String message) {
        super(message, GSS_S_FAILURE, 0, Errno.EAGAIN);
    }
}
