package lsk.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import lsk.base.DecodeException;
import lsk.kernel.sim.SimDowncalls;
import org.junit.jupiter.api.Test;

/**
 * Both rsc header layouts byte for byte. The expected bytes are put together here from the C
 * struct offsets (48-byte header: magic 0, err 4, flags 8, mapped uid 12, uid 16, gid 20,
 * mechname[8] 24, offset s64 32, len u32 40, pad 44, value 48; 72-byte header: the same to 32,
 * nodemap name char[17] 32, offset 56, len 64, pad 68, value 72), never from the encoder.
 */
class DowncallsRscLayoutTest {
    static final ChannelNative SHIM = DowncallsTest.SHIM;
    static final byte[] HANDLE = HexFormat.of().parseHex("0123456789abcdef");
    static final byte[] CONTEXT = HexFormat.of().parseHex("a1a2a3a4a5");

    static Downcalls.Rsc rsc(String nodemap) {
        return new Downcalls.Rsc(0x2 | 0x4, -1, 500, 501, "sk", nodemap, HANDLE, CONTEXT);
    }

    /** The value part both layouts share: u32 length + handle, u32 length + context. */
    static void putValue(ByteBuffer b, int at) {
        b.putInt(at, 8);
        b.put(at + 4, HANDLE);
        b.putInt(at + 12, 5);
        b.put(at + 16, CONTEXT);
    }

    static ByteBuffer common(int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x6d6dd62b);
        b.putInt(4, 0);
        b.putInt(8, 0x6);
        b.putInt(12, -1);
        b.putInt(16, 500);
        b.putInt(20, 501);
        b.put(24, "sk".getBytes(StandardCharsets.US_ASCII));
        return b;
    }

    @Test
    void header48ByHand() throws Exception {
        int len = 4 + 8 + 4 + 5;
        ByteBuffer b = common(48 + len);
        b.putLong(32, 0);
        b.putInt(40, len);
        b.putInt(44, 0);
        putValue(b, 48);
        byte[] out = Downcalls.encode(SHIM, KernelAbi.RscHeader.H48, rsc(""));
        assertEquals(48 + len, out.length);
        assertEquals(HexFormat.of().formatHex(b.array()), HexFormat.of().formatHex(out));
    }

    @Test
    void header72ByHand() throws Exception {
        int len = 4 + 8 + 4 + 5;
        ByteBuffer b = common(72 + len);
        b.put(32, "biology".getBytes(StandardCharsets.US_ASCII));
        b.putLong(56, 0);
        b.putInt(64, len);
        b.putInt(68, 0);
        putValue(b, 72);
        byte[] out = Downcalls.encode(SHIM, KernelAbi.RscHeader.H72, rsc("biology"));
        assertEquals(72 + len, out.length);
        assertEquals(HexFormat.of().formatHex(b.array()), HexFormat.of().formatHex(out));
    }

    /** An empty name (2.17.51-2.17.53 without a lookup by SHA): 17 zero bytes at 32. */
    @Test
    void header72EmptyNameIsZeroes() throws Exception {
        byte[] out = Downcalls.encode(SHIM, KernelAbi.RscHeader.H72, rsc(""));
        assertArrayEquals(new byte[24], java.util.Arrays.copyOfRange(out, 32, 56));
        assertEquals(4 + 8 + 4 + 5, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getInt(64));
    }

    /** Total length and where the value starts, for both layouts and several value sizes. */
    @Test
    void lengthAndValueOffsetPerLayout() throws Exception {
        int[][] layouts = {{48, 40}, {72, 64}};
        KernelAbi.RscHeader[] hs = {KernelAbi.RscHeader.H48, KernelAbi.RscHeader.H72};
        for (int i = 0; i < 2; i++) {
            for (int ctxLen : new int[] {0, 1, 300, 4096}) {
                byte[] ctx = new byte[ctxLen];
                java.util.Arrays.fill(ctx, (byte) 0x5a);
                byte[] out = Downcalls.encode(SHIM, hs[i], new Downcalls.Rsc(0, -1, 0, 0, "sk", "", HANDLE, ctx));
                int header = layouts[i][0];
                ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(header + 4 + 8 + 4 + ctxLen, out.length);
                assertEquals(4 + 8 + 4 + ctxLen, b.getInt(layouts[i][1]));
                assertEquals(8, b.getInt(header));
                assertEquals(ctxLen, b.getInt(header + 12));
                assertEquals(header, hs[i].size);
                assertEquals(out.length, header + Integer.toUnsignedLong(b.getInt(layouts[i][1])));
            }
        }
    }

    /** A context blob the simulated kernel imports (its decoder checks that it does). */
    static byte[] importable() {
        return KernelContextCodec.encode(new KernelContext(1, "hmac(sha256)", "null", 3600, new byte[4], new byte[4],
                new byte[32], new byte[0]));
    }

    /** Each layout read back by the simulated kernel's decoder (from the C structs), not lsk's. */
    @Test
    void decodesEachLayout() throws Exception {
        byte[] ctx = importable();
        Downcalls.Rsc a = SimDowncalls.rsc(Downcalls.encode(SHIM, KernelAbi.RscHeader.H48,
                new Downcalls.Rsc(0x2 | 0x4, -1, 500, 501, "sk", "", HANDLE, ctx)), KernelAbi.RscHeader.H48);
        assertEquals("", a.nodemap());
        assertEquals(0x6, a.flags());
        assertArrayEquals(ctx, a.context().reveal());
        Downcalls.Rsc b = SimDowncalls.rsc(Downcalls.encode(SHIM, KernelAbi.RscHeader.H72,
                new Downcalls.Rsc(0x2 | 0x4, -1, 500, 501, "sk", "biology", HANDLE, ctx)), KernelAbi.RscHeader.H72);
        assertEquals("biology", b.nodemap());
        assertArrayEquals(HANDLE, b.handle().toByteArray());
        // The one layout read as the other fails on the length field instead of misparsing quietly.
        assertThrows(DecodeException.class, () -> SimDowncalls.rsc(Downcalls.encode(SHIM, KernelAbi.RscHeader.H48,
                new Downcalls.Rsc(0x2 | 0x4, -1, 500, 501, "sk", "", HANDLE, ctx)), KernelAbi.RscHeader.H72));
    }

    @Test
    void header48HasNoNodemapField() {
        assertThrows(IllegalArgumentException.class,
                () -> Downcalls.encode(SHIM, KernelAbi.RscHeader.H48, rsc("default")));
    }
}
