package lsk.keyfile;

import lsk.base.DecodeException;

/**
 * A key file that gives no key: its bytes do not form a key image, or it could not be read.
 * A subclass of the one decode exception only because its message is the C tool's sentence,
 * which {@code lgss_sk} and friends print as it is (C's {@code sk_read_file} reports both
 * cases the same way), rather than DecodeException's {@code field: why} form.
 */
public final class KeyFileFormatException extends DecodeException {
    private final String sentence;

    public KeyFileFormatException(String message) {
        super("key file", message);
        this.sentence = message;
    }

    /** The C tool's message, without a field prefix. */
    @Override
    public String getMessage() {
        return sentence;
    }
}
