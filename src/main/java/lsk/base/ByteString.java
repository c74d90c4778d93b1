package lsk.base;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Immutable public bytes: a token, a nonce, a description on the wire. Copied in and out, so a
 * value type holding one needs no defensive copies of its own. Not for secrets: see {@link Secret}.
 */
public final class ByteString {
    private static final ByteString EMPTY = new ByteString(new byte[0]);
    private final byte[] bytes;

    private ByteString(byte[] bytes) {
        this.bytes = bytes;
    }

    public static ByteString copyOf(byte[] b) {
        return b.length == 0 ? EMPTY : new ByteString(b.clone());
    }

    public static ByteString copyOf(byte[] b, int off, int len) {
        return len == 0 ? EMPTY : new ByteString(Arrays.copyOfRange(b, off, off + len));
    }

    public static ByteString empty() {
        return EMPTY;
    }

    /** A fresh copy the caller owns. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** A read-only view (no copy), e.g. to feed a MAC. */
    public java.nio.ByteBuffer asReadOnlyBuffer() {
        return java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Hex, cut after 32 bytes: enough to tell two values apart in a test failure. */
    @Override
    public String toString() {
        int n = Math.min(bytes.length, 32);
        return HexFormat.of().formatHex(bytes, 0, n) + (n < bytes.length ? "...(" + bytes.length + " bytes)" : "");
    }
}
