package lsk.wire;

import lsk.base.Errno;
import lsk.base.LskException;

/** A token that does not follow the wire format (netstring framing or field layout). */
public final class WireFormatException extends LskException {
    public WireFormatException(String message) {
        super(message, Errno.EBADMSG);
    }
}
