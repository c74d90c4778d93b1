package lsk.base;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Secret bytes (a shared key, a session key, a DH private value): never printed, compared only in
 * constant time, wiped when their owner is done. Reading them is explicit ({@link #reveal}), so
 * every place a secret leaves this type shows in the code. Equality is identity: two secrets are
 * compared with {@link #equalsConstantTime}, never by {@code equals}.
 */
public final class Secret implements AutoCloseable {
    private final byte[] bytes;
    private volatile boolean wiped;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A secret holding a copy of {@code b}; the caller still owns (and wipes) {@code b}. */
    public static Secret copyOf(byte[] b) {
        return new Secret(b.clone());
    }

    public static Secret copyOf(byte[] b, int off, int len) {
        return new Secret(Arrays.copyOfRange(b, off, off + len));
    }

    /** A secret that takes {@code b} over: the caller must not use or keep it afterwards. */
    public static Secret adopt(byte[] b) {
        return new Secret(b);
    }

    /** A fresh copy of the secret bytes; the caller wipes it ({@link Bytes#wipe}) when done. */
    public byte[] reveal() {
        if (wiped) {
            throw new IllegalStateException("secret used after it was wiped");
        }
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public boolean equalsConstantTime(Secret other) {
        return MessageDigest.isEqual(bytes, other.bytes);
    }

    public boolean equalsConstantTime(byte[] other) {
        return MessageDigest.isEqual(bytes, other);
    }

    /** Zeroes the bytes; later {@link #reveal} calls fail. */
    public void wipe() {
        wiped = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public void close() {
        wipe();
    }

    @Override
    public String toString() {
        return "Secret(" + bytes.length + " bytes, redacted)";
    }
}
