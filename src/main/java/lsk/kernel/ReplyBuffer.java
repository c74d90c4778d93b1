package lsk.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import lsk.base.ByteString;
import lsk.base.DecodeException;

/**
 * What the kernel leaves in the reply buffer of an {@code init_channel} negotiation, host
 * order (little-endian on x86_64):
 * <pre>
 * u32 result · u32 gss major · u32 gss minor · u32 sequence window ·
 * u32 handle length · handle, zero-padded to 4 · u32 token length · token, zero-padded to 4
 * </pre>
 * The C upcall trusts the lengths; here they are checked against the buffer.
 */
public record ReplyBuffer(int result, int major, int minor, int seqWindow, ByteString handle, ByteString token) {
    /** lgss_keyring's reply buffer size. */
    public static final int SIZE = 8192;

    /** From byte arrays (copied). */
    public ReplyBuffer(int result, int major, int minor, int seqWindow, byte[] handle, byte[] token) {
        this(result, major, minor, seqWindow, ByteString.copyOf(handle), ByteString.copyOf(token));
    }

    /** @throws DecodeException naming the fault ("negotiation reply buffer: ...") */
    public static ReplyBuffer parse(byte[] buf, int length) throws DecodeException {
        if (length < 0 || length > buf.length) {
            throw new IllegalArgumentException("length " + length);
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 24) {
            throw bad("shorter than its fixed fields (" + length + " bytes)");
        }
        int result = b.getInt(), major = b.getInt(), minor = b.getInt(), win = b.getInt();
        ByteString handle = field(b, "handle");
        ByteString token = field(b, "token");
        return new ReplyBuffer(result, major, minor, win, handle, token);
    }

    private static ByteString field(ByteBuffer b, String what) throws DecodeException {
        if (b.remaining() < 4) {
            throw bad("truncated before the " + what + " length");
        }
        long n = Integer.toUnsignedLong(b.getInt());
        long padded = (n + 3) & ~3L;
        if (padded > b.remaining()) {
            throw bad(what + " length " + n + " exceeds the " + b.remaining() + " bytes left");
        }
        ByteString v = ByteString.copyOf(b.array(), b.arrayOffset() + b.position(), (int) n);
        b.position(b.position() + (int) padded);
        return v;
    }

    private static DecodeException bad(String what) {
        return new DecodeException("negotiation reply buffer", what);
    }

    /** The buffer as the kernel fills it (used by the simulated kernel). */
    public byte[] encode() {
        int size = 24 + pad(handle.size()) + pad(token.size());
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(result).putInt(major).putInt(minor).putInt(seqWindow);
        b.putInt(handle.size()).put(handle.asReadOnlyBuffer()).position(b.position() + pad(handle.size()) - handle.size());
        b.putInt(token.size()).put(token.asReadOnlyBuffer());
        return b.array();
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    @Override
    public String toString() {
        return "ReplyBuffer[result=" + result + ", major=0x" + Integer.toHexString(major) + ", minor=" + minor
                + ", seqWindow=" + seqWindow + ", handle=" + handle.size() + "B, token=" + token.size() + "B]";
    }
}
