package lsk.sk;

import lsk.base.Errno;
import lsk.base.LskException;

/**
 * A failed SEC_CTX_INIT step, with the GSS major status the C code reports for it
 * (the daemon puts it in the rsi downcall; the upcall in the key's error payload).
 * Messages say which check failed and which peer/target; never key material.
 *
 * <p>Where the C responder fails with major status 0 (no key for the target, wrong-size client
 * random, prime too small in privacy mode: it returns -1 but leaves GSS_S_COMPLETE), lsk
 * reports {@link #GSS_S_FAILURE} instead: a failure must never read as "complete" to whatever
 * consumes the status, and the kernel then fails the client's request at once instead of
 * leaving it to time out. Every status the C code does set non-zero is reproduced.
 */
public class GssException extends LskException {
    // GSS-API major status codes (RFC 2744), as lsvcgssd/lgss_keyring use them.
    public static final int GSS_S_COMPLETE = 0;
    public static final int GSS_S_BAD_MECH = 1 << 16;
    public static final int GSS_S_BAD_NAME = 2 << 16;
    public static final int GSS_S_BAD_SIG = 6 << 16;
    public static final int GSS_S_NO_CRED = 7 << 16;
    public static final int GSS_S_NO_CONTEXT = 8 << 16;
    public static final int GSS_S_DEFECTIVE_TOKEN = 9 << 16;
    public static final int GSS_S_DEFECTIVE_CREDENTIAL = 10 << 16;
    public static final int GSS_S_FAILURE = 13 << 16;
    /** What the C responder reports when S stays short after its two retries. */
    public static final int GSS_S_BAD_QOP = 14 << 16;

    private final int major;
    private final int minor;

    public GssException(String message, int major) {
        this(message, major, 0, Errno.EPROTO);
    }

    public GssException(String message, int major, int minor, int errno) {
        super(message, errno);
        this.major = major;
        this.minor = minor;
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }
}
