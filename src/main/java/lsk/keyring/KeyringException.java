package lsk.keyring;

import lsk.base.Errno;
import lsk.base.LskException;

/**
 * A failed kernel keyring operation. Carries the errno the syscall returned (positive), the
 * operation and the key serial, never a payload.
 */
public final class KeyringException extends LskException {
    /** EKEYREVOKED: the key was revoked (not in {@link Errno}). */
    public static final int EKEYREVOKED = 128;
    public static final int EDQUOT = 122;
    public static final int ENOTDIR = 20;
    public static final int ENOSYS = 38;

    private final String operation;
    private final int key;

    public KeyringException(String operation, int key, int errno) {
        super("keyctl " + operation + (key != 0 ? " on key " + key : "") + " failed: " + strerror(errno),
                errno);
        this.operation = operation;
        this.key = key;
    }

    /** For failures that are not one syscall (e.g. the shim is missing). */
    public KeyringException(String message, int errno, Throwable cause) {
        super(message, errno, cause);
        this.operation = "";
        this.key = 0;
    }

    /** The keyctl operation that failed, e.g. {@code "read"}; empty if not a syscall. */
    public String operation() {
        return operation;
    }

    /** The key serial the operation was about, 0 if none. */
    public int key() {
        return key;
    }

    /** The glibc text of the errno values the keyring returns (what C's strerror prints). */
    public static String strerror(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "Operation not permitted";
            case Errno.ENOENT -> "No such file or directory";
            case Errno.EIO -> "Input/output error";
            case Errno.EAGAIN -> "Resource temporarily unavailable";
            case Errno.ENOMEM -> "Cannot allocate memory";
            case Errno.EACCES -> "Permission denied";
            case Errno.EEXIST -> "File exists";
            case ENOTDIR -> "Not a directory";
            case Errno.EINVAL -> "Invalid argument";
            case ENOSYS -> "Function not implemented";
            case Errno.EOPNOTSUPP -> "Operation not supported";
            case EDQUOT -> "Disk quota exceeded";
            case Errno.ENOKEY -> "Required key not available";
            case Errno.EKEYEXPIRED -> "Key has expired";
            case EKEYREVOKED -> "Key has been revoked";
            case Errno.EKEYREJECTED -> "Key was rejected by service";
            default -> "Unknown error " + errno;
        };
    }
}
