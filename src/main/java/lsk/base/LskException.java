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

    /** Linux errno values used by lsk (x86_64). */
    public static final class Errno {
        public static final int EPERM = 1;
        public static final int ENOENT = 2;
        public static final int EIO = 5;
        public static final int EAGAIN = 11;
        public static final int ENOMEM = 12;
        public static final int EACCES = 13;
        public static final int EEXIST = 17;
        public static final int EINVAL = 22;
        public static final int ERANGE = 34;
        public static final int ENOKEY = 126;
        public static final int EKEYEXPIRED = 127;
        public static final int EKEYREJECTED = 129;
        public static final int EOPNOTSUPP = 95;
        public static final int EPROTO = 71;
        public static final int EBADMSG = 74;
        public static final int ETIMEDOUT = 110;

        private Errno() {
        }
    }
}
