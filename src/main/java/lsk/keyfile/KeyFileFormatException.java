package lsk.keyfile;

import lsk.base.Errno;
import lsk.base.LskException;

/** A key file whose bytes do not form a key image. The message is the C tool's where it has one. */
public final class KeyFileFormatException extends LskException {
    public KeyFileFormatException(String message) {
        super(message, Errno.EINVAL);
    }
}
