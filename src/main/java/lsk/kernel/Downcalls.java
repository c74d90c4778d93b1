package lsk.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import lsk.LskException;

/**
 * The two downcalls lsvcgssd writes: {@code struct rsi_downcall_data} (the SEC_CTX_INIT
 * reply, to {@code sptlrpc/gss/rsi_info}) and {@code struct rsc_downcall_data} (the server
 * context, to {@code sptlrpc/gss/rsc_info}). Encoding is done by the native shim, which owns
 * the C layouts; decoding (what the kernel does, needed by the simulated kernel) reads the
 * host-order (little-endian) header at the offsets below, which tests pin against the shim.
 */
public final class Downcalls {
    public static final int RSI_MAGIC = 0x6d6dd63a;
    public static final int RSC_MAGIC = 0x6d6dd62b;
    /** {@code offsetof(struct rsi_downcall_data, sid_val)}. */
    public static final int RSI_HEADER = 40;
    public static final int RSI_OFF_ERR = 4;
    public static final int RSI_OFF_MAJ = 12;
    public static final int RSI_OFF_MIN = 16;
    public static final int RSI_OFF_LEN = 20;
    public static final int RSI_OFF_HASH = 32;
    /** {@code offsetof(struct rsc_downcall_data, scd_val)}. */
    public static final int RSC_HEADER = 72;
    public static final int RSC_OFF_FLAGS = 8;
    public static final int RSC_OFF_MAPPED_UID = 12;
    public static final int RSC_OFF_UID = 16;
    public static final int RSC_OFF_GID = 20;
    public static final int RSC_OFF_MECH = 24;
    public static final int RSC_MECH_FIELD = 8;
    public static final int RSC_OFF_NMNAME = 32;
    public static final int RSC_NMNAME_FIELD = 17;
    public static final int RSC_OFF_LEN = 64;

    /** rsc flags (enum scd_flag_bits). */
    public static final int RSC_FLAG_REMOTE = 0x1;
    public static final int RSC_FLAG_ROOT = 0x2;
    public static final int RSC_FLAG_MDS = 0x4;
    public static final int RSC_FLAG_OSS = 0x8;

    /** Largest downcall accepted when decoding (the kernel's own bound is smaller). */
    public static final int MAX_BLOB = 1 << 20;

    private Downcalls() {
    }

    /** A SEC_CTX_INIT answer. {@code err} is 0 or a negative errno (-EACCES on failure). */
    public record Rsi(long hash, int err, int major, int minor, byte[] inHandle, byte[] inToken,
                      byte[] outHandle, byte[] outToken) {
        public Rsi {
            inHandle = inHandle.clone();
            inToken = inToken.clone();
            outHandle = outHandle.clone();
            outToken = outToken.clone();
        }

        @Override public byte[] inHandle() { return inHandle.clone(); }
        @Override public byte[] inToken() { return inToken.clone(); }
        @Override public byte[] outHandle() { return outHandle.clone(); }
        @Override public byte[] outToken() { return outToken.clone(); }

        @Override
        public String toString() {
            return "Rsi[hash=" + Long.toUnsignedString(hash) + ", err=" + err + ", major=0x" + Integer.toHexString(major)
                    + ", outHandle=" + outHandle.length + "B, outToken=" + outToken.length + "B]";
        }
    }

    /** A server context: the blob is secret (holds the session keys). */
    public record Rsc(int flags, int mappedUid, int uid, int gid, String mech, String nodemap, byte[] handle,
                      byte[] context) {
        public Rsc {
            handle = handle.clone();
            context = context.clone();
        }

        @Override public byte[] handle() { return handle.clone(); }
        /** A copy; wipe it when done. */
        @Override public byte[] context() { return context.clone(); }

        @Override
        public String toString() {
            return "Rsc[flags=0x" + Integer.toHexString(flags) + ", mech=" + mech + ", nodemap=" + nodemap
                    + ", handle=" + handle.length + "B, context=<" + context.length + " bytes>]";
        }
    }

    public static byte[] encode(ChannelNative shim, Rsi r) throws LskException {
        byte[] ih = r.inHandle, it = r.inToken, oh = r.outHandle, ot = r.outToken;
        long need = RSI_HEADER + 16L + ih.length + it.length + oh.length + ot.length;
        if (need > Integer.MAX_VALUE - 8) {
            throw new LskException("rsi downcall too large: " + need + " bytes", 90 /* EMSGSIZE */);
        }
        byte[] out = new byte[(int) need];
        long rc = shim.lsk_rsi_downcall_build(out, out.length, r.hash, r.err, r.major, r.minor,
                ih, ih.length, it, it.length, oh, oh.length, ot, ot.length);
        return sized(out, rc, "rsi");
    }

    public static byte[] encode(ChannelNative shim, Rsc r) throws LskException {
        byte[] h = r.handle, c = r.context;
        byte[] out = new byte[RSC_HEADER + 8 + h.length + c.length];
        long rc = shim.lsk_rsc_downcall_build(out, out.length, r.flags, r.mappedUid, r.uid, r.gid, r.mech,
                r.nodemap, h, h.length, c, c.length);
        return sized(out, rc, "rsc");
    }

    private static byte[] sized(byte[] out, long rc, String what) throws LskException {
        if (rc < 0) {
            Arrays.fill(out, (byte) 0);
            throw new LskException(what + " downcall encoding failed: errno " + -rc, (int) -rc);
        }
        if (rc != out.length) {
            throw new IllegalStateException(what + " downcall size " + rc + " != " + out.length);
        }
        return out;
    }

    /** Total size of the rsi downcall starting at {@code b[off]}, or -1 if the header is incomplete. */
    public static long rsiSize(ByteBuffer b) {
        return size(b, RSI_HEADER, RSI_OFF_LEN);
    }

    public static long rscSize(ByteBuffer b) {
        return size(b, RSC_HEADER, RSC_OFF_LEN);
    }

    private static long size(ByteBuffer b, int header, int lenOff) {
        if (b.remaining() < header) {
            return -1;
        }
        return header + Integer.toUnsignedLong(b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(b.position() + lenOff));
    }

    public static Rsi decodeRsi(byte[] blob) {
        ByteBuffer b = header(blob, RSI_HEADER, RSI_MAGIC, RSI_OFF_LEN, "rsi");
        long hash = b.getLong(RSI_OFF_HASH);
        int err = b.getInt(RSI_OFF_ERR), maj = b.getInt(RSI_OFF_MAJ), min = b.getInt(RSI_OFF_MIN);
        b.position(RSI_HEADER);
        return new Rsi(hash, err, maj, min, buffer(b, "in handle"), buffer(b, "in token"),
                buffer(b, "out handle"), buffer(b, "out token"));
    }

    public static Rsc decodeRsc(byte[] blob) {
        ByteBuffer b = header(blob, RSC_HEADER, RSC_MAGIC, RSC_OFF_LEN, "rsc");
        String mech = cstring(blob, RSC_OFF_MECH, RSC_MECH_FIELD, "mech name");
        String nm = cstring(blob, RSC_OFF_NMNAME, RSC_NMNAME_FIELD, "nodemap name");
        b.position(RSC_HEADER);
        byte[] handle = buffer(b, "handle");
        byte[] ctx = buffer(b, "context");
        try {
            return new Rsc(b.getInt(RSC_OFF_FLAGS), b.getInt(RSC_OFF_MAPPED_UID), b.getInt(RSC_OFF_UID),
                    b.getInt(RSC_OFF_GID), mech, nm, handle, ctx);
        } finally {
            Arrays.fill(ctx, (byte) 0);
        }
    }

    private static ByteBuffer header(byte[] blob, int header, int magic, int lenOff, String what) {
        if (blob.length < header) {
            throw new IllegalArgumentException(what + " downcall truncated: " + blob.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != magic) {
            throw new IllegalArgumentException(what + " downcall bad magic 0x" + Integer.toHexString(b.getInt(0)));
        }
        long len = Integer.toUnsignedLong(b.getInt(lenOff));
        if (header + len != blob.length) {
            throw new IllegalArgumentException(what + " downcall length field " + len + " does not match "
                    + (blob.length - header) + " payload bytes");
        }
        return b;
    }

    private static byte[] buffer(ByteBuffer b, String field) {
        if (b.remaining() < 4) {
            throw new IllegalArgumentException("downcall truncated before " + field + " length");
        }
        long n = Integer.toUnsignedLong(b.getInt());
        if (n > b.remaining()) {
            throw new IllegalArgumentException("downcall " + field + " length " + n + " exceeds the "
                    + b.remaining() + " bytes left");
        }
        byte[] v = new byte[(int) n];
        b.get(v);
        return v;
    }

    private static String cstring(byte[] blob, int off, int len, String field) {
        int n = 0;
        while (n < len && blob[off + n] != 0) {
            n++;
        }
        if (n == len) {
            throw new IllegalArgumentException("downcall " + field + " not NUL-terminated");
        }
        return new String(blob, off, n, StandardCharsets.US_ASCII);
    }
}
