package lsk.upcall;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import lsk.LskException;

/**
 * The few keyctl(2) operations the upcall and the daemon need, through libc's syscall(2).
 * Interim: to be replaced by {@code lsk.keyring.Keyring} once that lands on main.
 */
public final class Keyctl {
    public static final int SESSION = -3;
    public static final int USER = -4;
    private static final long SYS_KEYCTL = 250; // x86_64
    private static final int GET_KEYRING_ID = 0, UPDATE = 2, SETPERM = 5, DESCRIBE = 6, UNLINK = 9,
            SEARCH = 10, READ = 11, INSTANTIATE = 12;

    interface LibC extends Library {
        long syscall(long number, Object... args);
    }

    private final LibC libc;

    private Keyctl(LibC libc) {
        this.libc = libc;
    }

    public static Keyctl open() {
        return new Keyctl(Native.load("c", LibC.class));
    }


    private long kc(String op, int cmd, int key, Object... rest) throws LskException {
        Object[] a = new Object[rest.length + 2];
        a[0] = (long) cmd;
        a[1] = (long) key;
        for (int i = 0; i < rest.length; i++) {
            a[i + 2] = rest[i];
        }
        long rc = libc.syscall(SYS_KEYCTL, a);
        if (rc < 0) {
            int errno = Native.getLastError();
            throw new LskException("keyctl " + op + " on key " + Integer.toHexString(key) + ": errno " + errno, errno);
        }
        return rc;
    }

    public void instantiate(int key, byte[] payload, int keyring) throws LskException {
        try (Memory m = mem(payload)) {
            kc("instantiate", INSTANTIATE, key, payload.length == 0 ? Pointer.NULL : m, (long) payload.length,
                    (long) keyring);
        }
    }

    public void update(int key, byte[] payload) throws LskException {
        try (Memory m = mem(payload)) {
            kc("update", UPDATE, key, m, (long) payload.length);
        } 
    }

    public void setPerm(int key, int perm) throws LskException {
        kc("setperm", SETPERM, key, (long) perm);
    }

    public void unlink(int key, int keyring) throws LskException {
        kc("unlink", UNLINK, key, (long) keyring);
    }

    public int resolve(int special) throws LskException {
        return (int) kc("get_keyring_id", GET_KEYRING_ID, special, 0L);
    }

    public int search(int keyring, String type, String description) throws LskException {
        return (int) kc("search", SEARCH, keyring, type, description, 0L);
    }

    public byte[] read(int key) throws LskException {
        for (int size = 4096; ; size *= 4) {
            try (Memory m = new Memory(size)) {
                long n = kc("read", READ, key, m, (long) size);
                if (n <= size) {
                    return m.getByteArray(0, (int) n);
                }
            }
        }
    }

    /** {@code type;uid;gid;perm;description}. */
    public String describe(int key) throws LskException {
        try (Memory m = new Memory(4096)) {
            long n = kc("describe", DESCRIBE, key, m, 4096L);
            return new String(m.getByteArray(0, (int) Math.max(0, n - 1)), StandardCharsets.UTF_8);
        }
    }

    /** Serials of the keys linked in {@code keyring}. */
    public List<Integer> list(int keyring) throws LskException {
        byte[] b = read(keyring);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        List<Integer> out = new ArrayList<>();
        while (bb.remaining() >= 4) {
            out.add(bb.getInt());
        }
        return out;
    }

    private static Memory mem(byte[] payload) {
        Memory m = new Memory(Math.max(1, payload.length));
        m.write(0, payload, 0, payload.length);
        return m;
    }
}
