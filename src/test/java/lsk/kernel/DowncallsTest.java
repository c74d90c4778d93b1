package lsk.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import lsk.base.DecodeException;
import lsk.kernel.sim.SimDowncalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import lsk.testutil.Vectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What the shim writes: the rsc header byte for byte against the real daemon's, the rsi at the
 * C offsets, both read back by the simulated kernel's decoder (written from the C structs, not
 * from lsk's encoder).
 */
public class DowncallsTest {
    public static final ChannelNative SHIM = load();

    static ChannelNative load() {
        try {
            return ChannelNative.load();
        } catch (lsk.base.LskException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rsc header of the real lsvcgssd (captured in the transcripts), byte for byte. */
    @ParameterizedTest
    @ValueSource(strings = {"hs01_ski_sha256_rand2048", "hs02_skpi_sha512_ffdhe2048_root",
        "hs03_ski_sha256_ffdhe3072_mgc", "hs07_ski_sha256_modified_keys_rootmdt"})
    void rscHeaderMatchesRealDaemon(String name) throws Exception {
        JsonObject t = Vectors.json("handshake/" + name + ".json").getAsJsonObject();
        JsonObject rsc = t.getAsJsonObject("outputs").getAsJsonObject("server_rsc_downcall");
        JsonObject in = t.getAsJsonObject("inputs");
        byte[] kctx = Vectors.hex(t.getAsJsonObject("outputs").get("server_kctx_hex").getAsString());
        KernelContext ctx = KernelContextCodec.decode(kctx);
        byte[] blob = ContextBlob.forKernel(ctx);
        assertEquals(t.getAsJsonObject("outputs").get("server_kctx_total_len").getAsInt(), blob.length);
        assertArrayEquals(kctx, Arrays.copyOf(blob, kctx.length));
        int wire = Integer.decode(in.get("flags_u32").getAsString());
        byte[] handle = Vectors.hex(rsc.get("handle_hex").getAsString());
        byte[] out = Downcalls.encode(SHIM, KernelAbi.RscHeader.H72, new Downcalls.Rsc(
                lsk.gssd.SvcgssdTestAccess.rscFlags(wire), -1, 0, 0, "sk", in.get("server_nodemap_nm_name").getAsString(),
                handle, blob));
        String header = rsc.get("header_hex").getAsString();
        assertEquals(header, HexFormat.of().formatHex(out, 0, 72));
        Downcalls.Rsc back = SimDowncalls.rsc(out, KernelAbi.RscHeader.H72);
        assertArrayEquals(handle, back.handle().toByteArray());
        assertArrayEquals(blob, back.context().reveal());
        assertEquals(Integer.decode(rsc.get("flags").getAsString()), back.flags());
    }

    @Test
    void rsiLayout() throws Exception {
        byte[] out = Downcalls.encode(SHIM, new Downcalls.Rsi(0x1122334455667788L, -13, 0xd0000, 5,
                new byte[0], new byte[] {1, 2, 3}, new byte[] {4}, new byte[] {5, 6}));
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Downcalls.RSI_MAGIC, b.getInt(0));
        assertEquals(-13, b.getInt(4));
        assertEquals(0xd0000, b.getInt(12));
        assertEquals(5, b.getInt(16));
        assertEquals(4 + 0 + 4 + 3 + 4 + 1 + 4 + 2, b.getInt(20));
        assertEquals(0L, b.getLong(24));
        assertEquals(0x1122334455667788L, b.getLong(32));
        assertEquals("00000000" + "03000000010203" + "0100000004" + "020000000506",
                HexFormat.of().formatHex(out, 40, out.length));
        Downcalls.Rsi r = SimDowncalls.rsi(out);
        assertArrayEquals(new byte[] {5, 6}, r.outToken().toByteArray());
    }

    @Test
    void decodeRejectsHostileBlobs() throws Exception {
        byte[] ok = Downcalls.encode(SHIM, new Downcalls.Rsi(1, 0, 0, 0, new byte[0], new byte[] {1}, new byte[8],
                new byte[] {2}));
        assertThrows(DecodeException.class, () -> SimDowncalls.rsi(Arrays.copyOf(ok, ok.length - 1)));
        byte[] bad = ok.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(44, 0x7fffffff); // in-token length
        assertThrows(DecodeException.class, () -> SimDowncalls.rsi(bad));
        byte[] magic = ok.clone();
        magic[0] ^= 1;
        assertThrows(DecodeException.class, () -> SimDowncalls.rsi(magic));
        assertEquals(-36 /* ENAMETOOLONG */, SHIM.lsk_rsc_downcall_build(new byte[200], 200, 72, 0, 0, 0, 0, "sk",
                "nodemapnameis17ch", new byte[0], 0, new byte[0], 0));
        assertEquals(-22 /* EINVAL: no nodemap field */, SHIM.lsk_rsc_downcall_build(new byte[200], 200, 48, 0, 0, 0,
                0, "sk", "default", new byte[0], 0, new byte[0], 0));
        assertEquals(-22 /* EINVAL: no such layout */, SHIM.lsk_rsc_downcall_build(new byte[200], 200, 64, 0, 0, 0,
                0, "sk", "", new byte[0], 0, new byte[0], 0));
    }
}
