package lsk.kernel.sim;

import lsk.base.Errno;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lsk.base.DecodeException;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;

/**
 * The simulated kernel's downcall decoders against blobs built by hand at the offsets of the
 * layout tables (SK-PROTOCOL.md section 7, lgss.h on x86_64): never with lsk's encoders.
 */
class SimKernelDowncallsTest {
    static final int RSI_MAGIC = 0x6d6dd63a;
    static final int RSC_MAGIC = 0x6d6dd62b;
    static final byte[] HANDLE = {1, 0, 0, 0, 0, 0, (byte) 0xed, 0x5e};

    // ---- blobs, by hand ----

    /** struct rsi_downcall_data: 40-byte header, then four u32-length buffers. */
    static byte[] rsi(int magic, long hash, int err, int maj, int min, byte[]... fields) {
        byte[] val = lengthPrefixed(fields);
        ByteBuffer b = ByteBuffer.allocate(40 + val.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, magic).putInt(4, err).putInt(12, maj).putInt(16, min).putInt(20, val.length)
                .putLong(24, 0).putLong(32, hash);
        b.put(40, val);
        return b.array();
    }

    /** struct rsc_downcall_data with the 48-byte header (2.17.50 and earlier). */
    static byte[] rsc48(String mech, byte[] handle, byte[] ctx) {
        byte[] val = lengthPrefixed(handle, ctx);
        ByteBuffer b = ByteBuffer.allocate(48 + val.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, RSC_MAGIC).putInt(4, 0).putInt(8, 0x2).putInt(12, -1).putInt(16, 0).putInt(20, 0);
        b.put(24, mech.getBytes(StandardCharsets.US_ASCII));
        b.putLong(32, 0).putInt(40, val.length).putInt(44, 0);
        b.put(48, val);
        return b.array();
    }

    /** struct rsc_downcall_data with the 72-byte header (2.17.51 and later): nodemap at 32. */
    static byte[] rsc72(String mech, String nodemap, byte[] handle, byte[] ctx) {
        byte[] val = lengthPrefixed(handle, ctx);
        ByteBuffer b = ByteBuffer.allocate(72 + val.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, RSC_MAGIC).putInt(4, 0).putInt(8, 0x2 | 0x4).putInt(12, -1).putInt(16, 0).putInt(20, 0);
        b.put(24, mech.getBytes(StandardCharsets.US_ASCII));
        b.put(32, nodemap.getBytes(StandardCharsets.US_ASCII));
        b.putLong(56, 0).putInt(64, val.length).putInt(68, 0);
        b.put(72, val);
        return b.array();
    }

    /** A kernel context blob (sk_serialize_kctx): version, algorithm names, expiry, randoms, keys. */
    static byte[] context() {
        ByteBuffer b = ByteBuffer.allocate(272 + 4 + 32 + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 1);
        b.put(4, "hmac(sha256)".getBytes(StandardCharsets.US_ASCII));
        b.putInt(260, 3600);
        b.putInt(272, 32);
        for (int i = 0; i < 32; i++) {
            b.put(276 + i, (byte) (0x40 + i));
        }
        b.putInt(308, 0);
        return b.array();
    }

    static byte[] lengthPrefixed(byte[]... fields) {
        int n = 0;
        for (byte[] f : fields) {
            n += 4 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] f : fields) {
            b.putInt(f.length).put(f);
        }
        return b.array();
    }

    static byte[] cat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static byte[] goodRsi() {
        return rsi(RSI_MAGIC, 0x1122334455667788L, 0, 0, 0, new byte[0], new byte[] {1, 2, 3}, HANDLE,
                new byte[] {9, 8});
    }

    /** The errno the kernel's write returns for this fault (and its message says "refused"). */
    static int refusedWith(DecodeException e) {
        LskException r = SimDowncalls.refusal(e);
        assertTrue(r.getMessage().contains("refused"), r.getMessage());
        return r.errno();
    }

    // ---- rsi ----

    @Test
    void rsiFieldsAtTheirOffsets() throws Exception {
        byte[] w = rsi(RSI_MAGIC, 0x8877665544332211L, -13, 0xd0000, 7, new byte[] {5}, new byte[] {1, 2, 3},
                HANDLE, new byte[] {9, 8});
        Downcalls.Rsi r = SimDowncalls.rsi(w);
        assertEquals(0x8877665544332211L, r.hash());
        assertEquals(-13, r.err());
        assertEquals(0xd0000, r.major());
        assertEquals(7, r.minor());
        assertArrayEquals(new byte[] {5}, r.inHandle().toByteArray());
        assertArrayEquals(new byte[] {1, 2, 3}, r.inToken().toByteArray());
        assertArrayEquals(HANDLE, r.outHandle().toByteArray());
        assertArrayEquals(new byte[] {9, 8}, r.outToken().toByteArray());
    }

    @Test
    void rsiBytesAfterHeaderPlusLenAreIgnored() throws Exception {
        byte[] w = cat(goodRsi(), new byte[] {0x55, 0x66, 0x77});
        assertArrayEquals(new byte[] {9, 8}, SimDowncalls.rsi(w).outToken().toByteArray());
    }

    @Test
    void rsiShortWritesAndBadMagicAreRefused() {
        byte[] ok = goodRsi();
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsi(Arrays.copyOf(ok, ok.length - 1)))));
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsi(Arrays.copyOf(ok, 39)))));
        byte[] old = ok.clone();
        ByteBuffer.wrap(old).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x6d6dd62a); // the old rsi magic
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsi(old))));
        byte[] empty = rsi(RSI_MAGIC, 1, 0, 0, 0);
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsi(empty))));
    }

    @Test
    void rsiFieldLongerThanLenIsRefused() {
        byte[] w = goodRsi();
        ByteBuffer b = ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(20, b.getInt(20) - 1); // len one short: the out token no longer fits
        assertThrows(DecodeException.class, () -> SimDowncalls.rsi(w));
    }

    // ---- rsc, 48-byte header ----

    @Test
    void rsc48FieldsAtTheirOffsets() throws Exception {
        byte[] ctx = context();
        Downcalls.Rsc r = SimDowncalls.rsc(rsc48("sk", HANDLE, ctx), KernelAbi.RscHeader.H48);
        assertEquals(0x2, r.flags());
        assertEquals(-1, r.mappedUid());
        assertEquals("sk", r.mech());
        assertEquals("", r.nodemap(), "no nodemap field in the 48-byte header");
        assertArrayEquals(HANDLE, r.handle().toByteArray());
        assertArrayEquals(ctx, r.context().reveal());
    }

    @Test
    void rsc48TrailingBytesIgnoredShortRefused() throws Exception {
        byte[] w = rsc48("sk", HANDLE, context());
        assertArrayEquals(HANDLE, SimDowncalls.rsc(cat(w, new byte[40]), KernelAbi.RscHeader.H48).handle().toByteArray());
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(Arrays.copyOf(w, w.length - 1), KernelAbi.RscHeader.H48))));
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(Arrays.copyOf(w, 47), KernelAbi.RscHeader.H48))));
        byte[] magic = w.clone();
        magic[0] ^= 1;
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(magic, KernelAbi.RscHeader.H48))));
    }

    @Test
    void rscNeedsHandleSkMechAndImportableContext() {
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(rsc48("sk", new byte[0], context()), KernelAbi.RscHeader.H48))));
        assertEquals(Errno.EOPNOTSUPP, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(rsc48("krb5", HANDLE, context()), KernelAbi.RscHeader.H48))));
        byte[] broken = Arrays.copyOf(context(), 200); // cut inside the algorithm names
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(rsc48("sk", HANDLE, broken), KernelAbi.RscHeader.H48))));
        byte[] mech8 = rsc48("sk", HANDLE, context());
        System.arraycopy("skskskss".getBytes(StandardCharsets.US_ASCII), 0, mech8, 24, 8); // no NUL in char[8]
        assertThrows(DecodeException.class, () -> SimDowncalls.rsc(mech8, KernelAbi.RscHeader.H48));
    }

    // ---- rsc, 72-byte header ----

    @Test
    void rsc72FieldsAtTheirOffsets() throws Exception {
        byte[] ctx = context();
        Downcalls.Rsc r = SimDowncalls.rsc(rsc72("sk", "default", HANDLE, ctx), KernelAbi.RscHeader.H72);
        assertEquals(0x6, r.flags());
        assertEquals("default", r.nodemap());
        assertArrayEquals(HANDLE, r.handle().toByteArray());
        assertArrayEquals(ctx, r.context().reveal());
        assertEquals("nodemap16chars_x", SimDowncalls.rsc(rsc72("sk", "nodemap16chars_x", HANDLE, ctx),
                KernelAbi.RscHeader.H72).nodemap());
    }

    @Test
    void rsc72TrailingBytesIgnoredShortRefused() throws Exception {
        byte[] w = rsc72("sk", "default", HANDLE, context());
        assertArrayEquals(HANDLE, SimDowncalls.rsc(cat(w, new byte[] {1, 2}), KernelAbi.RscHeader.H72).handle().toByteArray());
        assertThrows(DecodeException.class, () -> SimDowncalls.rsc(Arrays.copyOf(w, w.length - 1), KernelAbi.RscHeader.H72));
        assertThrows(DecodeException.class, () -> SimDowncalls.rsc(Arrays.copyOf(w, 71), KernelAbi.RscHeader.H72));
        byte[] longName = w.clone();
        Arrays.fill(longName, 32, 32 + 17, (byte) 'n'); // 17 characters: no NUL within the name field
        assertThrows(DecodeException.class, () -> SimDowncalls.rsc(longName, KernelAbi.RscHeader.H72));
    }

    // ---- the other version's layout ----

    /** A 2.16.x/2.17.0 kernel reads len at 40, inside the nodemap name: nothing installed. */
    @Test
    void rsc72ReadByA48ByteKernelIsRefused() {
        for (String nodemap : new String[] {"default", "c0", "nodemap_longname"}) {
            byte[] w = rsc72("sk", nodemap, HANDLE, context());
            DecodeException e = assertThrows(DecodeException.class, () -> SimDowncalls.rsc(w, KernelAbi.RscHeader.H48),
                    nodemap);
            assertEquals(Errno.EINVAL, refusedWith(e));
        }
    }

    /** A 2.17.51+ kernel reads len at 64, inside the context's version field: nothing installed. */
    @Test
    void rsc48ReadByA72ByteKernelIsRefused() {
        byte[] w = rsc48("sk", HANDLE, context());
        assertEquals(Errno.EINVAL, refusedWith(assertThrows(DecodeException.class,
                () -> SimDowncalls.rsc(w, KernelAbi.RscHeader.H72))));
    }

    // ---- one FIFO read holding several writes ----

    static List<byte[]> split(byte[] read, SimDowncalls.Layout l) {
        List<byte[]> out = new ArrayList<>();
        SimDowncalls.splitWrites(read, read.length, l, out::add);
        return out;
    }

    @Test
    void aReadSplitsIntoItsWrites() throws Exception {
        byte[] a = goodRsi(), b = rsi(RSI_MAGIC, 42, 0, 0, 0, new byte[0], new byte[] {7}, HANDLE, new byte[0]);
        List<byte[]> w = split(cat(a, b), SimDowncalls.Layout.RSI);
        assertEquals(2, w.size());
        assertArrayEquals(a, w.get(0));
        assertEquals(42, SimDowncalls.rsi(w.get(1)).hash());
    }

    @Test
    void trailingBytesStayWithTheirWriteAndBadWritesDoNotSwallowTheNext() throws Exception {
        byte[] a = goodRsi(), b = goodRsi(), junk = {1, 2, 3, 4, 5};
        byte[] bad = Arrays.copyOf(b, 20);
        bad[0] ^= 1; // wrong magic
        List<byte[]> w = split(cat(bad, a, junk, b), SimDowncalls.Layout.RSI);
        assertEquals(3, w.size());
        assertThrows(DecodeException.class, () -> SimDowncalls.rsi(w.get(0)), "a read starting with a wrong magic");
        assertEquals(a.length + junk.length, w.get(1).length, "trailing bytes belong to the write before them");
        assertArrayEquals(goodRsi(), Arrays.copyOf(w.get(1), a.length));
        SimDowncalls.rsi(w.get(1));
        assertArrayEquals(b, w.get(2));
        // Without a magic, a bad write after a good one cannot be told from trailing bytes: ignored either way.
        List<byte[]> v = split(cat(a, bad, b), SimDowncalls.Layout.RSI);
        assertEquals(2, v.size());
        SimDowncalls.rsi(v.get(0));
        assertArrayEquals(a, Arrays.copyOf(v.get(0), a.length));
        assertArrayEquals(b, v.get(1));
    }

    @Test
    void aMagicInsideAPayloadDoesNotSplitIt() throws Exception {
        byte[] token = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(RSI_MAGIC).putInt(RSI_MAGIC).array();
        byte[] a = rsi(RSI_MAGIC, 5, 0, 0, 0, new byte[0], token, HANDLE, new byte[0]);
        List<byte[]> w = split(cat(a, goodRsi()), SimDowncalls.Layout.RSI);
        assertEquals(2, w.size());
        assertArrayEquals(token, SimDowncalls.rsi(w.get(0)).inToken().toByteArray());
    }

    @Test
    void aShortLastWriteIsRefusedNotKept() {
        byte[] a = goodRsi();
        List<byte[]> w = split(cat(a, Arrays.copyOf(a, a.length - 2)), SimDowncalls.Layout.RSI);
        assertEquals(2, w.size());
        assertThrows(DecodeException.class, () -> SimDowncalls.rsi(w.get(1)));
    }

    @Test
    void a72ByteRscInA48ByteFifoStaysOneWrite() {
        byte[] w72 = rsc72("sk", "default", HANDLE, context());
        List<byte[]> w = split(cat(w72, w72), SimDowncalls.Layout.rsc(KernelAbi.RscHeader.H48));
        assertEquals(2, w.size());
        assertArrayEquals(w72, w.get(0));
    }
}
