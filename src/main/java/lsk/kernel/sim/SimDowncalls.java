package lsk.kernel.sim;

import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.DecodeException;
import lsk.base.Errno;
import lsk.base.Secret;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.KernelContextCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import lsk.base.LskException;

/**
 * How a simulated server kernel reads one {@code write(2)} to {@code rsi_info} or
 * {@code rsc_info}, written from the layout tables (SK-PROTOCOL.md section 7, lgss.h on x86_64)
 * and independent of lsk's own encoders, so that a layout slip on either side shows: tests
 * decode what lsk writes here. Host order (little-endian).
 *
 * <pre>
 * struct rsi_downcall_data (40-byte header, every version)
 *   0 magic u32 0x6d6dd63a   4 err u32   8 unused u32   12 maj_stat u32   16 min_stat u32
 *  20 len u32               24 offset s64 (kernel scratch)   32 hash u64   40 val[len]:
 *     in_handle, in_token, out_handle, out_token, each u32 length + bytes
 *
 * struct rsc_downcall_data, 48-byte header (2.17.50 and earlier)
 *   0 magic u32 0x6d6dd62b   4 err u32   8 flags u32   12 mapped_uid u32   16 uid u32   20 gid u32
 *  24 mechname char[8]      32 offset s64   40 len u32   44 pad u32   48 val[len]
 * 72-byte header (2.17.51 and later): as above up to 32, then
 *  32 nodemap name char[24] (16 characters + NUL, padded)   56 offset s64   64 len u32
 *  68 pad u32   72 val[len]
 * val: handle, then context, each u32 length + bytes
 * </pre>
 *
 * Checks as the kernel's write handlers do (a fault is a {@link DecodeException}, the errno
 * the write returns is {@link #refusal}'s): a write shorter than the header, or than header +
 * len, is refused (EINVAL); so is a wrong magic; bytes after header + len are ignored. An rsc
 * also needs a non-empty handle, the mechanism {@code sk} (anything else: EOPNOTSUPP here, as
 * this kernel simulates no other), a non-zero len and a context that imports
 * ({@link KernelContextCodec#decode}). A kernel reading the other rsc layout than the daemon
 * wrote takes its length from the wrong offset and refuses the write: it installs nothing.
 */
public final class SimDowncalls {
    static final int RSI_MAGIC = 0x6d6dd63a;
    static final int RSI_ERR_AT = 4;
    static final int RSI_MAJ_AT = 12;
    static final int RSI_MIN_AT = 16;
    static final int RSI_LEN_AT = 20;
    static final int RSI_HASH_AT = 32;
    static final int RSI_VAL_AT = 40;

    static final int RSC_MAGIC = 0x6d6dd62b;
    static final int RSC_ERR_AT = 4;
    static final int RSC_FLAGS_AT = 8;
    static final int RSC_MAPPED_UID_AT = 12;
    static final int RSC_UID_AT = 16;
    static final int RSC_GID_AT = 20;
    static final int RSC_MECH_AT = 24;
    static final int RSC_MECH_SIZE = 8;
    static final int RSC48_LEN_AT = 40;
    static final int RSC48_VAL_AT = 48;
    static final int RSC72_NODEMAP_AT = 32;
    /** LUSTRE_NODEMAP_NAME_LENGTH + 1: the name and its NUL; the rest of the 24 bytes is padding. */
    static final int RSC72_NODEMAP_NAME = 17;
    static final int RSC72_LEN_AT = 64;
    static final int RSC72_VAL_AT = 72;

    /** The only mechanism this kernel imports. */
    static final String MECH_SK = "sk";
    /** Largest write taken (the real kernel allocates what the header says; this bounds the simulation). */
    static final int MAX_WRITE = 1 << 20;

    /** Where a downcall file's header keeps its magic and length. */
    record Layout(String name, int magic, int lenAt, int valAt) {
        static final Layout RSI = new Layout("rsi", RSI_MAGIC, RSI_LEN_AT, RSI_VAL_AT);

        static Layout rsc(KernelAbi.RscHeader h) {
            return switch (h) {
                case H48 -> new Layout("rsc", RSC_MAGIC, RSC48_LEN_AT, RSC48_VAL_AT);
                case H72 -> new Layout("rsc", RSC_MAGIC, RSC72_LEN_AT, RSC72_VAL_AT);
                case TEXT -> throw new IllegalArgumentException("2.15.x has no rsc downcall struct");
            };
        }
    }

    private SimDowncalls() {
    }

    /** The field of a refusal for a mechanism this kernel does not have (EOPNOTSUPP, not EINVAL). */
    static final String MECH_UNSUPPORTED = "rsc.mech";

    /**
     * The kernel's answer to a write it could not take: its errno (EOPNOTSUPP for another
     * mechanism, else EINVAL) and a message naming the downcall and the fault, never the bytes.
     */
    public static LskException refusal(DecodeException e) {
        String what = e.field().contains(".") ? e.field().substring(0, e.field().indexOf('.')) : e.field();
        String why = e.getMessage().substring(e.field().length() + 2);
        return new LskException(what + " downcall refused: " + why,
                e.field().equals(MECH_UNSUPPORTED) ? Errno.EOPNOTSUPP : Errno.EINVAL, e);
    }

    /** One rsi_info write, as the kernel reads it; a refused write names "rsi" ({@link #refusal}). */
    public static Downcalls.Rsi rsi(byte[] write) throws DecodeException {
        ByteBuffer val = payload(write, Layout.RSI);
        ByteBuffer h = ByteBuffer.wrap(write).order(ByteOrder.LITTLE_ENDIAN);
        if (!val.hasRemaining()) {
            throw new DecodeException("rsi", "len is 0");
        }
        byte[] inHandle = field(val, "rsi", "in handle");
        byte[] inToken = field(val, "rsi", "in token");
        byte[] outHandle = field(val, "rsi", "out handle");
        byte[] outToken = field(val, "rsi", "out token");
        return new Downcalls.Rsi(h.getLong(RSI_HASH_AT), h.getInt(RSI_ERR_AT), h.getInt(RSI_MAJ_AT),
                h.getInt(RSI_MIN_AT), inHandle, inToken, outHandle, outToken);
    }

    /** One rsc_info write, as a kernel with the rsc header {@code layout} reads it. */
    public static Downcalls.Rsc rsc(byte[] write, KernelAbi.RscHeader layout) throws DecodeException {
        ByteBuffer val = payload(write, Layout.rsc(layout));
        ByteBuffer h = ByteBuffer.wrap(write).order(ByteOrder.LITTLE_ENDIAN);
        if (!val.hasRemaining()) {
            throw new DecodeException("rsc", "len is 0");
        }
        byte[] handle = field(val, "rsc", "handle");
        if (handle.length == 0) {
            throw new DecodeException("rsc", "empty handle");
        }
        if (h.getInt(RSC_ERR_AT) != 0) {
            throw new DecodeException("rsc", "carries error " + h.getInt(RSC_ERR_AT) + ": no context");
        }
        String mech = cstring(write, RSC_MECH_AT, RSC_MECH_SIZE, "mech name");
        if (!mech.equals(MECH_SK)) {
            throw new DecodeException(MECH_UNSUPPORTED, "mechanism '" + mech + "' not available");
        }
        String nodemap = layout == KernelAbi.RscHeader.H72
                ? cstring(write, RSC72_NODEMAP_AT, RSC72_NODEMAP_NAME, "nodemap name") : "";
        byte[] ctx = field(val, "rsc", "context");
        try {
            KernelContextCodec.decode(ctx).wipe(); // the kernel imports it (lgss_import_sec_context)
        } catch (DecodeException e) {
            Bytes.wipe(ctx);
            throw new DecodeException("rsc", "context does not import: " + e.getMessage(), e);
        }
        return new Downcalls.Rsc(h.getInt(RSC_FLAGS_AT), h.getInt(RSC_MAPPED_UID_AT), h.getInt(RSC_UID_AT),
                h.getInt(RSC_GID_AT), mech, nodemap, ByteString.copyOf(handle), Secret.adopt(ctx));
    }

    /** The header + len bytes the kernel copies, after its size and magic checks; val as a buffer. */
    private static ByteBuffer payload(byte[] write, Layout l) throws DecodeException {
        if (write.length < l.valAt) {
            throw new DecodeException(l.name, "write of " + write.length + " bytes is shorter than the " + l.valAt
                    + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(write).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != l.magic) {
            throw new DecodeException(l.name, "bad magic 0x" + Integer.toHexString(b.getInt(0)));
        }
        long len = Integer.toUnsignedLong(b.getInt(l.lenAt));
        if (write.length < l.valAt + len) {
            throw new DecodeException(l.name, "write of " + write.length + " bytes is shorter than header + len ("
                    + l.valAt + " + " + len + ")");
        }
        return ByteBuffer.wrap(write, l.valAt, (int) len).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] field(ByteBuffer val, String what, String field) throws DecodeException {
        if (val.remaining() < 4) {
            throw new DecodeException(what, "len ends before the " + field + " length");
        }
        long n = Integer.toUnsignedLong(val.getInt());
        if (n > val.remaining()) {
            throw new DecodeException(what, field + " length " + n + " exceeds the " + val.remaining()
                    + " bytes left in len");
        }
        byte[] v = new byte[(int) n];
        val.get(v);
        return v;
    }

    private static String cstring(byte[] b, int at, int size, String field) throws DecodeException {
        int n = 0;
        while (n < size && b[at + n] != 0) {
            int c = b[at + n] & 0xff;
            if (c < 0x21 || c > 0x7e) {
                throw new DecodeException("rsc", field + " has a non-printable byte");
            }
            n++;
        }
        if (n == size) {
            throw new DecodeException("rsc", field + " not NUL-terminated within " + size + " bytes");
        }
        return new String(b, at, n, StandardCharsets.US_ASCII);
    }

    /**
     * Splits what one read of a downcall FIFO returned into the writes that put it there. A
     * pipe keeps no write boundaries, but a write of at most PIPE_BUF bytes lands whole, and a
     * read into a buffer larger than the pipe takes every byte present: a read is whole writes.
     * A write ends where its header says (header + len) if that is within the read, then runs on
     * to the next magic (bytes after header + len belong to it and are ignored by the decoder);
     * a write whose header is short, wrong or promises more than the read holds runs to the next
     * magic after its start. A magic inside a well-formed write's own payload cannot split it.
     */
    static void splitWrites(byte[] buf, int len, Layout l, Consumer<byte[]> sink) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len).order(ByteOrder.LITTLE_ENDIAN);
        int start = 0;
        while (start < len) {
            int from = start + 1;
            if (len - start >= l.valAt && b.getInt(start) == l.magic) {
                long end = start + (long) l.valAt + Integer.toUnsignedLong(b.getInt(start + l.lenAt));
                if (end <= len) {
                    from = (int) end;
                }
            }
            int next = nextMagic(b, from, len, l.magic);
            sink.accept(Arrays.copyOfRange(buf, start, next));
            start = next;
        }
    }

    private static int nextMagic(ByteBuffer b, int from, int len, int magic) {
        for (int i = from; i + 4 <= len; i++) {
            if (b.getInt(i) == magic) {
                return i;
            }
        }
        return len;
    }
}
