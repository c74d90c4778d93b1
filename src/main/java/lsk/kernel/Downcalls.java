package lsk.kernel;

import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.LskException;
import lsk.base.Secret;

/**
 * The two downcalls lsvcgssd writes: {@code struct rsi_downcall_data} (the SEC_CTX_INIT
 * reply, to {@code sptlrpc/gss/rsi_info}) and {@code struct rsc_downcall_data} (the server
 * context, to {@code sptlrpc/gss/rsc_info}). Encoding is done by the native shim, which owns
 * the C layouts (host order, little-endian, at the offsets below). Reading them back is the
 * kernel's job: the simulated kernel has its own decoder, written from the C structs, so that
 * tests hold what lsk writes against an independent reader.
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
    /** {@code offsetof(struct rsi_downcall_data, sid_val)}: the rsi header size, every version. */
    public static final int RSI_HEADER = 40;

    /** rsc flags (enum scd_flag_bits). */
    public static final int RSC_FLAG_REMOTE = 0x1;
    public static final int RSC_FLAG_ROOT = 0x2;
    public static final int RSC_FLAG_MDS = 0x4;
    public static final int RSC_FLAG_OSS = 0x8;

    private Downcalls() {
    }

    /** A SEC_CTX_INIT answer. {@code err} is 0 or a negative errno (-EACCES on failure). */
    public record Rsi(long hash, int err, int major, int minor, ByteString inHandle, ByteString inToken,
                      ByteString outHandle, ByteString outToken) {
        /** From byte arrays (copied). */
        public Rsi(long hash, int err, int major, int minor, byte[] inHandle, byte[] inToken, byte[] outHandle,
                   byte[] outToken) {
            this(hash, err, major, minor, ByteString.copyOf(inHandle), ByteString.copyOf(inToken),
                    ByteString.copyOf(outHandle), ByteString.copyOf(outToken));
        }

        @Override
        public String toString() {
            return "Rsi[hash=" + Long.toUnsignedString(hash) + ", err=" + err + ", major=0x" + Integer.toHexString(major)
                    + ", outHandle=" + outHandle.size() + "B, outToken=" + outToken.size() + "B]";
        }
    }

    /** A server context: the context blob is a {@link Secret} (it holds the session keys). */
    public record Rsc(int flags, int mappedUid, int uid, int gid, String mech, String nodemap, ByteString handle,
                      Secret context) {
        /** From byte arrays (copied; the caller still wipes its {@code context}). */
        public Rsc(int flags, int mappedUid, int uid, int gid, String mech, String nodemap, byte[] handle,
                   byte[] context) {
            this(flags, mappedUid, uid, gid, mech, nodemap, ByteString.copyOf(handle), Secret.copyOf(context));
        }

        @Override
        public String toString() {
            return "Rsc[flags=0x" + Integer.toHexString(flags) + ", mech=" + mech + ", nodemap=" + nodemap
                    + ", handle=" + handle.size() + "B, context=<" + context.size() + " bytes>]";
        }
    }

    public static byte[] encode(ChannelNative shim, Rsi r) throws LskException {
        byte[] ih = r.inHandle.toByteArray(), it = r.inToken.toByteArray();
        byte[] oh = r.outHandle.toByteArray(), ot = r.outToken.toByteArray();
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
        byte[] hd = r.handle.toByteArray(), c = r.context.reveal();
        try {
            byte[] out = new byte[h.size + 8 + hd.length + c.length];
            long rc = shim.lsk_rsc_downcall_build(out, out.length, h.size, r.flags, r.mappedUid, r.uid, r.gid, r.mech,
                    r.nodemap, hd, hd.length, c, c.length);
            return sized(out, rc, "rsc");
        } finally {
            Bytes.wipe(c);
        }
    }

    /** Whether the layout {@code h} has the nodemap name field. */
    public static boolean rscHasNodemap(KernelAbi.RscHeader h) {
        return h == KernelAbi.RscHeader.H72;
    }

    private static byte[] sized(byte[] out, long rc, String what) throws LskException {
        if (rc < 0) {
            Bytes.wipe(out);
            throw new LskException(what + " downcall encoding failed: errno " + -rc, (int) -rc);
        }
        if (rc != out.length) {
            throw new IllegalStateException(what + " downcall size " + rc + " != " + out.length);
        }
        return out;
    }
}
