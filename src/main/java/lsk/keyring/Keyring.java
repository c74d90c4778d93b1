package lsk.keyring;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Predicate;
import lsk.base.DecodeException;
import lsk.base.Errno;

/**
 * The Linux kernel key retention service, through the native shim: a narrow, typed view of
 * add_key(2), request_key(2) and the keyctl(2) operations lsk needs. Every failure is a
 * {@link KeyringException} carrying the errno. Key serials are {@code int}s; the special
 * keyring ids ({@link #USER}, {@link #SESSION} ...) are accepted wherever a serial is.
 *
 * <p>Payloads are copied into native memory that is zeroed after each call; arrays returned
 * by {@link #read} belong to the caller, who wipes them when done.
 */
public final class Keyring {
    public static final int THREAD_KEYRING = -1;
    public static final int PROCESS_KEYRING = -2;
    public static final int SESSION = -3;
    public static final int USER = -4;
    public static final int USER_SESSION = -5;
    public static final int GROUP = -6;
    public static final int REQKEY_AUTH_KEY = -7;


    private final KeyctlNative lib;

    private Keyring(KeyctlNative lib) {
        this.lib = lib;
    }

    /**
     * Loads the native shim (liblskshim.so, found by JNA on the class path) and checks that it
     * has every keyring function.
     *
     * @throws KeyringException with one clear message if the shim cannot be used
     */
    public static Keyring open() throws KeyringException {
        return open(KeyctlNative.LIBRARY);
    }

    /** {@link #open()} with another library name (tests of the missing-shim error). */
    static Keyring open(String library) throws KeyringException {
        try {
            KeyctlNative lib = Native.load(library, KeyctlNative.class);
            NativeLibrary nl = NativeLibrary.getInstance(library);
            for (Method m : KeyctlNative.class.getDeclaredMethods()) {
                nl.getFunction(m.getName()); // throws if the shim is older than this binding
            }
            return new Keyring(lib);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new KeyringException("cannot use the kernel keyring: the lsk native shim "
                    + "(liblskshim.so) could not be loaded (" + e.getMessage()
                    + "); build it with 'mvn package' on x86_64 Linux with gcc", Errno.EOPNOTSUPP, e);
        }
    }

    // ---- creating keys

    /** add_key(2): adds the key to {@code keyring}, or updates the one of same type and description there. */
    public int addKey(String type, String description, byte[] payload, int keyring) throws KeyringException {
        try (Memory m = toNative(payload)) {
            return serial("add_key", 0, lib.lsk_add_key(cstr(type), cstr(description), m, payload.length, keyring));
        }
    }

    /** request_key(2); {@code callout} null means no upcall. */
    public int requestKey(String type, String description, String callout, int destKeyring)
            throws KeyringException {
        return serial("request_key", 0, lib.lsk_request_key(cstr(type), cstr(description),
                callout == null ? null : cstr(callout), destKeyring));
    }

    /** KEYCTL_INSTANTIATE of a key under construction (request-key upcall), linking it into {@code keyring} (0: none). */
    public void instantiate(int key, byte[] payload, int keyring) throws KeyringException {
        try (Memory m = toNative(payload)) {
            check("instantiate", key, lib.lsk_keyctl_instantiate(key, m, payload.length, keyring));
        }
    }

    /** KEYCTL_NEGATE: requests for the key fail with ENOKEY for {@code timeoutSeconds}. */
    public void negate(int key, int timeoutSeconds, int keyring) throws KeyringException {
        check("negate", key, lib.lsk_keyctl_negate(key, timeoutSeconds, keyring));
    }

    /** KEYCTL_REJECT: requests for the key fail with {@code error} (an errno) for {@code timeoutSeconds}. */
    public void reject(int key, int timeoutSeconds, int error, int keyring) throws KeyringException {
        check("reject", key, lib.lsk_keyctl_reject(key, timeoutSeconds, error, keyring));
    }

    /** KEYCTL_ASSUME_AUTHORITY (0 gives it up); returns the authorisation key's serial. */
    public int assumeAuthority(int key) throws KeyringException {
        return serial("assume_authority", key, lib.lsk_keyctl_assume_authority(key));
    }

    // ---- changing keys

    public void update(int key, byte[] payload) throws KeyringException {
        try (Memory m = toNative(payload)) {
            check("update", key, lib.lsk_keyctl_update(key, m, payload.length));
        }
    }

    public void setPerm(int key, int perm) throws KeyringException {
        check("setperm", key, lib.lsk_keyctl_setperm(key, perm));
    }

    /** -1 for uid or gid leaves it unchanged. */
    public void chown(int key, int uid, int gid) throws KeyringException {
        check("chown", key, lib.lsk_keyctl_chown(key, uid, gid));
    }

    /** The key expires {@code seconds} from now (0: never). */
    public void setTimeout(int key, int seconds) throws KeyringException {
        check("set_timeout", key, lib.lsk_keyctl_set_timeout(key, seconds));
    }

    public void revoke(int key) throws KeyringException {
        check("revoke", key, lib.lsk_keyctl_revoke(key));
    }

    public void invalidate(int key) throws KeyringException {
        check("invalidate", key, lib.lsk_keyctl_invalidate(key));
    }

    public void link(int key, int keyring) throws KeyringException {
        check("link", key, lib.lsk_keyctl_link(key, keyring));
    }

    public void unlink(int key, int keyring) throws KeyringException {
        check("unlink", key, lib.lsk_keyctl_unlink(key, keyring));
    }

    /**
     * KEYCTL_JOIN_SESSION_KEYRING with no name: a fresh anonymous session keyring for the
     * calling thread, and for the threads it starts afterwards (credentials are per thread);
     * returns its serial. What is linked there is possessed by those threads.
     */
    public int joinNewSessionKeyring() throws KeyringException {
        return serial("join_session_keyring", 0, lib.lsk_keyctl_join_session_keyring(null));
    }

    // ---- reading keys

    /** KEYCTL_GET_KEYRING_ID: the real serial of a special keyring id. */
    public int resolve(int specialId, boolean create) throws KeyringException {
        return serial("get_keyring_id", specialId, lib.lsk_keyctl_get_keyring_id(specialId, create ? 1 : 0));
    }

    /**
     * KEYCTL_SEARCH (recursive, from {@code keyring}) for a key of {@code type} with exactly
     * {@code description}. Empty when there is no usable one (ENOKEY, or the only match is
     * expired, revoked or negative); other failures throw.
     */
    public OptionalInt search(int keyring, String type, String description) throws KeyringException {
        long rc = lib.lsk_keyctl_search(keyring, cstr(type), cstr(description), 0);
        if (rc < 0) {
            int errno = (int) -rc;
            if (errno == Errno.ENOKEY || errno == Errno.EKEYEXPIRED || errno == KeyringException.EKEYREVOKED
                    || errno == Errno.EKEYREJECTED) {
                return OptionalInt.empty();
            }
            throw new KeyringException("search", keyring, errno);
        }
        return OptionalInt.of((int) rc);
    }

    public KeyDescription describe(int key) throws KeyringException {
        int size = 256;
        while (true) {
            try (Memory m = new Memory(size)) {
                long need = check("describe", key, lib.lsk_keyctl_describe(key, m, size));
                if (need <= size) {
                    String s = new String(m.getByteArray(0, (int) Math.max(0, need - 1)), StandardCharsets.ISO_8859_1);
                    try {
                        return KeyDescription.parse(s);
                    } catch (DecodeException e) {
                        // The kernel's own reply: report it as this call failing, so find() skips the key.
                        throw new KeyringException("keyctl describe on key " + key + ": " + e.getMessage(),
                                Errno.EBADMSG, e);
                    }
                }
                size = (int) need;
            }
        }
    }

    /** KEYCTL_READ: the key's payload. The caller owns (and wipes) the array. */
    public byte[] read(int key) throws KeyringException {
        long size = check("read", key, lib.lsk_keyctl_read(key, Pointer.NULL, 0));
        while (true) {
            if (size == 0) {
                return new byte[0];
            }
            try (Memory m = new WipingMemory(size)) {
                long got = check("read", key, lib.lsk_keyctl_read(key, m, (int) size));
                if (got <= size) {
                    return m.getByteArray(0, (int) got);
                }
                size = got; // the payload grew between the two calls
            }
        }
    }

    /** The serials of the keys linked in {@code keyring} (a keyring's payload, host order). */
    public int[] list(int keyring) throws KeyringException {
        byte[] raw = read(keyring);
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        int[] out = new int[raw.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = bb.getInt(4 * i);
        }
        return out;
    }

    /**
     * The keys directly in {@code keyring} whose description satisfies {@code filter}, in keyring
     * order. Keys that vanish or cannot be described meanwhile are skipped, as the C tools do.
     */
    public List<Integer> find(int keyring, Predicate<KeyDescription> filter) throws KeyringException {
        List<Integer> out = new ArrayList<>();
        for (int k : list(keyring)) {
            KeyDescription d;
            try {
                d = describe(k);
            } catch (KeyringException e) {
                continue;
            }
            if (filter.test(d)) {
                out.add(k);
            }
        }
        return out;
    }

    // ---- helpers

    private static Memory toNative(byte[] payload) {
        // JNA refuses zero-sized Memory; one spare byte keeps empty payloads legal.
        Memory m = new WipingMemory(Math.max(1, payload.length));
        m.write(0, payload, 0, payload.length);
        return m;
    }

    /** Native memory that is zeroed before it is freed (payloads may be secret). */
    private static final class WipingMemory extends Memory {
        WipingMemory(long size) {
            super(size);
        }

        @Override
        public void close() {
            clear();
            super.close();
        }
    }

    private static byte[] cstr(String s) throws KeyringException {
        if (s.indexOf('\0') >= 0) {
            throw new KeyringException("key type or description contains a NUL character", Errno.EINVAL, null);
        }
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Arrays.copyOf(b, b.length + 1);
    }

    private static long check(String op, int key, long rc) throws KeyringException {
        if (rc < 0) {
            throw new KeyringException(op, key, (int) -rc);
        }
        return rc;
    }

    private static int serial(String op, int key, long rc) throws KeyringException {
        return (int) check(op, key, rc);
    }
}
