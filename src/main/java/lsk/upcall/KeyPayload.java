package lsk.upcall;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import lsk.base.ByteString;
import lsk.base.DecodeException;
import lsk.base.Secret;

/**
 * What lgss_keyring stores in the kernel key it negotiated for (host order, little-endian on
 * x86_64), the one place for both layouts:
 * <ul>
 * <li>success: {@code u32 seq window · u32 len · server handle · u32 len · context}
 *     ({@link #OFF_SEQ_WINDOW}, {@link #OFF_HANDLE_LEN}, then the handle);</li>
 * <li>failure: {@code u32 0 · s32 rpc error · s32 gss error} ({@link #ERROR_SIZE} bytes).</li>
 * </ul>
 * A success payload is always longer than {@link #ERROR_SIZE} (its context is never empty), so
 * the length tells the two apart, as the kernel does.
 */
public final class KeyPayload {
    public static final ByteOrder HOST_ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int OFF_SEQ_WINDOW = 0;
    public static final int OFF_HANDLE_LEN = 4;
    public static final int OFF_HANDLE = 8;
    public static final int ERROR_SIZE = 12;
    public static final int OFF_RPC_ERR = 4;
    public static final int OFF_GSS_ERR = 8;

    private KeyPayload() {
    }

    /**
     * A negotiated context as stored in the key: the server handle is public, the context (its
     * session keys) is a {@link Secret}.
     */
    public record Success(int seqWindow, ByteString handle, Secret context) {
        @Override
        public String toString() {
            return "KeyPayload.Success[seqWindow=" + seqWindow + ", handle=" + handle.size() + " bytes, context="
                    + context.size() + " bytes]";
        }
    }

    /** A failed negotiation: the rpc error (negative errno) and the GSS major status. */
    public record Failure(int rpcError, int gssError) {
    }

    public static byte[] success(int seqWindow, byte[] handle, byte[] context) {
        return ByteBuffer.allocate(OFF_HANDLE + handle.length + 4 + context.length).order(HOST_ORDER)
                .putInt(seqWindow).putInt(handle.length).put(handle).putInt(context.length).put(context).array();
    }

    public static byte[] failure(int rpcError, int gssError) {
        return ByteBuffer.allocate(ERROR_SIZE).order(HOST_ORDER).putInt(0).putInt(rpcError).putInt(gssError).array();
    }

    /** The failure, if {@code p} is an error payload. */
    public static java.util.Optional<Failure> asFailure(byte[] p) {
        if (p.length != ERROR_SIZE) {
            return java.util.Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(p).order(HOST_ORDER);
        return java.util.Optional.of(new Failure(b.getInt(OFF_RPC_ERR), b.getInt(OFF_GSS_ERR)));
    }

    /**
     * Parses a success payload strictly: both lengths within the buffer, nothing after the context.
     *
     * @throws DecodeException naming the field at fault
     */
    public static Success parseSuccess(byte[] p) throws DecodeException {
        ByteBuffer b = ByteBuffer.wrap(p).order(HOST_ORDER);
        if (b.remaining() < OFF_HANDLE) {
            throw new DecodeException("key payload", p.length + " bytes is truncated");
        }
        int win = b.getInt();
        int hlen = checkedLength(b, "handle");
        ByteString h = ByteString.copyOf(p, b.position(), hlen);
        b.position(b.position() + hlen);
        if (b.remaining() < 4) {
            throw new DecodeException("key payload", p.length + " bytes is truncated");
        }
        int clen = checkedLength(b, "context");
        if (b.remaining() > clen) {
            throw new DecodeException("key payload", (b.remaining() - clen) + " bytes after the context");
        }
        return new Success(win, h, Secret.copyOf(p, b.position(), clen));
    }

    private static int checkedLength(ByteBuffer b, String field) throws DecodeException {
        int n = b.getInt();
        if (n <= 0 || n > b.remaining()) {
            throw new DecodeException("key payload " + field, "length " + Integer.toUnsignedString(n) + " ("
                    + b.remaining() + " bytes left)");
        }
        return n;
    }
}
