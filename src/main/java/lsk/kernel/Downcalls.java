package lsk.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import lsk.base.LskException;

/**
 * The two downcalls lsvcgssd writes: {@code struct rsi_downcall_data} (the SEC_CTX_INIT
 * reply, to {@code sptlrpc/gss/rsi_info}) and {@code struct rsc_downcall_data} (the server
 * context, to {@code sptlrpc/gss/rsc_info}). Encoding is done by the native shim, which owns
 * the C layouts; decoding (what the kernel does, needed by the simulated kernel) reads the
 * host-order (little-endian) header at the offsets below, which tests pin against the shim.
 *
 * <p>The rsc header has two layouts ({@link KernelAbi.RscHeader}), chosen by the running
 * version, never by the bytes (the magic is the same):
 * <pre>
 *   offset  H48 (to 2.17.50)      H72 (2.17.51 and later)
 *   0       magic u32             magic u32
 *   4       err u32               err u32
 *   8       flags u32             flags u32
 *   12      mapped uid u32        mapped uid u32
 *   16      uid u32               uid u32
 *   20      gid u32               gid u32
 *   24      mech name char[8]     mech name char[8]
 *   32      offset s64 (0)        nodemap name char[17]
 *   40      len u32               -
 *   44      pad u32               -
 *   48      handle, context       -
 *   56                            offset s64 (0)
 *   64                            len u32
 *   68                            pad u32
 *   72                            handle, context
 * </pre>
 * handle and context are each a u32 length and that many bytes; len counts them both.
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
    /** Offsets both rsc layouts share. */
    public static final int RSC_OFF_FLAGS = 8;
    public static final int RSC_OFF_MAPPED_UID = 12;
    public static final int RSC_OFF_UID = 16;
    public static final int RSC_OFF_GID = 20;
    public static final int RSC_OFF_MECH = 24;
    public static final int RSC_MECH_FIELD = 8;
    /** H48: {@code scd_len}. */
    public static final int RSC48_OFF_LEN = 40;
    /** H72: the nodemap name field and {@code scd_len}. */
    public static final int RSC72_OFF_NMNAME = 32;
    public static final int RSC_NMNAME_FIELD = 17;
    public static final int RSC72_OFF_LEN = 64;
    /** The H72 layout under its former names (header size, nodemap and len offsets). */
    public static final int RSC_HEADER = 72;
    public static final int RSC_OFF_NMNAME = RSC72_OFF_NMNAME;
    public static final int RSC_OFF_LEN = RSC72_OFF_LEN;

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

    /**
     * The rsc downcall in the layout {@code h}. The 48-byte header has no nodemap field: the
     * nodemap must then be empty (which name to send is the caller's choice, by
     * {@link KernelAbi#nodemapName}).
     */
    public static byte[] encode(ChannelNative shim, KernelAbi.RscHeader h, Rsc r) throws LskException {
        if (!rscHasNodemap(h) && !r.nodemap.isEmpty()) {
            throw new IllegalArgumentException("the " + h.size + "-byte rsc header has no nodemap field");
        }
        byte[] hd = r.handle, c = r.context;
        byte[] out = new byte[h.size + 8 + hd.length + c.length];
        long rc = shim.lsk_rsc_downcall_build(out, out.length, h.size, r.flags, r.mappedUid, r.uid, r.gid, r.mech,
                r.nodemap, hd, hd.length, c, c.length);
        return sized(out, rc, "rsc");
    }

    /** Whether the layout {@code h} has the nodemap name field. */
    public static boolean rscHasNodemap(KernelAbi.RscHeader h) {
        return h == KernelAbi.RscHeader.H72;
    }

    /** Offset of {@code scd_len} in the layout {@code h}. */
    public static int rscOffLen(KernelAbi.RscHeader h) {
        return switch (h) {
            case H48 -> RSC48_OFF_LEN;
            case H72 -> RSC72_OFF_LEN;
        };
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

    /** {@link #rscSize(ByteBuffer, KernelAbi.RscHeader)} of the 72-byte layout. */
    public static long rscSize(ByteBuffer b) {
        return rscSize(b, KernelAbi.RscHeader.H72);
    }

    public static long rscSize(ByteBuffer b, KernelAbi.RscHeader h) {
        return size(b, h.size, rscOffLen(h));
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

    /** {@link #decodeRsc(byte[], KernelAbi.RscHeader)} of the 72-byte layout. */
    public static Rsc decodeRsc(byte[] blob) {
        return decodeRsc(blob, KernelAbi.RscHeader.H72);
    }

    /** Reads an rsc downcall of layout {@code h}; the nodemap of a 48-byte header is empty. */
    public static Rsc decodeRsc(byte[] blob, KernelAbi.RscHeader h) {
        ByteBuffer b = header(blob, h.size, RSC_MAGIC, rscOffLen(h), "rsc");
        String mech = cstring(blob, RSC_OFF_MECH, RSC_MECH_FIELD, "mech name");
        String nm = rscHasNodemap(h) ? cstring(blob, RSC72_OFF_NMNAME, RSC_NMNAME_FIELD, "nodemap name") : "";
        b.position(h.size);
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
