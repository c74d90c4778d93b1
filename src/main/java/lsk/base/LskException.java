package lsk.base;

/**
 * Base of every lsk error. Carries the errno (as the C tools would return it, positive)
 * so that commands can exit and kernel downcalls can report as the C code does.
 * Messages name the file, field or peer at fault and never contain key material.
 */
public class LskException extends Exception {
    private final int errno;

    public LskException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public LskException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** Positive errno value, e.g. {@link Errno#EINVAL}. */
    public int errno() {
        return errno;
    }
}
