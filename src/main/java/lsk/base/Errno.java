package lsk.base;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Linux errno values (x86_64) as the C tools return them, and the one mapping from Java's I/O
 * exceptions to them. Commands turn errors into exit codes and kernel downcalls with these.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ERANGE = 34;
    public static final int EPROTO = 71;
    public static final int EBADMSG = 74;
    public static final int EOPNOTSUPP = 95;
    public static final int ETIMEDOUT = 110;
    public static final int ENOKEY = 126;
    public static final int EKEYEXPIRED = 127;
    public static final int EKEYREJECTED = 129;

    private Errno() {
    }

    /** Whatever carries its own errno first ({@link HasErrno}), then the JDK's file exceptions, else EIO. */
    public static int of(IOException e) {
        if (e instanceof HasErrno h) {
            return h.errno();
        }
        if (e instanceof NoSuchFileException) {
            return ENOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return EEXIST;
        }
        if (e instanceof AccessDeniedException) {
            return EACCES;
        }
        if (e instanceof NotDirectoryException) {
            return ENOTDIR;
        }
        return EIO;
    }

    /** An exception that knows the errno the C code would have seen. */
    public interface HasErrno {
        int errno();
    }
}
