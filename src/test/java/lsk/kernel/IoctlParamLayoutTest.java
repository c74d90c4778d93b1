package lsk.kernel;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code struct lgssd_ioctl_param} as the shim fills and writes it, against bytes built here
 * from the kernel's offsets (x86_64, little-endian): version u32 at 0, secid u32 at 4, uuid
 * pointer at 8, lustre_svc u32 at 16, uid u32 at 20, gid u32 at 24, send_token_size u64 at 32,
 * send_token pointer at 40, reply_buf_size u64 at 48, reply_buf pointer at 56; then 2.16.x:
 * status s64 value at 64 and reply_length u64 at 72 (80 bytes); 2.16.59 and later: status
 * pointer at 64 (72 bytes).
 */
class IoctlParamLayoutTest {
    static final ChannelNative SHIM = DowncallsTest.SHIM;

    @TempDir
    Path tmp;

    /** The expected struct, pointers zero; {@code size} 80 or 72. */
    static byte[] expected(int size, int secid, int svc, int uid, int gid, long tokenSize, long replySize) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 2);
        b.putInt(4, secid);
        b.putInt(16, svc);
        b.putInt(20, uid);
        b.putInt(24, gid);
        b.putLong(32, tokenSize);
        b.putLong(48, replySize);
        return b.array(); // status and reply_length (80) start at 0; pointers are zero here
    }

    private static byte[] fill(int layout, int outlen) {
        byte[] p = new byte[outlen];
        Arrays.fill(p, (byte) 0xa5); // every byte must be written, padding included
        long n = SHIM.lsk_init_param_fill(p, p.length, layout, 7, null, 0x20001, 500, -2,
                null, 1234, null, 8192, null);
        assertEquals(layout, n);
        return Arrays.copyOf(p, layout);
    }

    @Test
    void eightyByteLayoutOf216() {
        assertArrayEquals(expected(80, 7, 0x20001, 500, -2, 1234, 8192), fill(80, 80));
        assertEquals(80, KernelAbi.V2_16.ioctlParam.size);
    }

    @Test
    void seventyTwoByteLayoutFrom21659() {
        assertArrayEquals(expected(72, 7, 0x20001, 500, -2, 1234, 8192), fill(72, 80));
        assertEquals(72, KernelAbi.V2_17_0.ioctlParam.size);
        assertEquals(72, KernelAbi.V2_17_54.ioctlParam.size);
    }

    @Test
    void pointersLandAtTheirOffsets() {
        try (Memory token = new Memory(16); Memory reply = new Memory(64); Memory status = new Memory(8)) {
            for (int layout : new int[] {80, 72}) {
                byte[] p = new byte[layout];
                assertEquals(layout, SHIM.lsk_init_param_fill(p, layout, layout, 1, "tank-MDT0000-mdc-ffff8881a2b4c000",
                        1, 0, 0, token, 16, reply, 64, status));
                ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
                assertNotEquals(0L, b.getLong(8), "uuid pointer");
                assertEquals(Pointer.nativeValue(token), b.getLong(40));
                assertEquals(Pointer.nativeValue(reply), b.getLong(56));
                // 72 bytes: the status pointer; 80 bytes: the status value, 0 before the write.
                assertEquals(layout == 72 ? Pointer.nativeValue(status) : 0L, b.getLong(64));
            }
        }
    }

    @Test
    void unknownLayoutsAndShortBuffersAreRefused() {
        for (int layout : new int[] {0, 71, 73, 79, 81, 88}) {
            assertEquals(-22 /* EINVAL */, SHIM.lsk_init_param_fill(new byte[128], 128, layout, 0, null, 0, 0, 0,
                    null, 0, null, 0, null), "layout " + layout);
        }
        assertEquals(-105 /* ENOBUFS */, SHIM.lsk_init_param_fill(new byte[79], 79, 80, 0, null, 0, 0, 0, null, 0,
                null, 0, null));
        assertEquals(-105 /* ENOBUFS */, SHIM.lsk_init_param_fill(new byte[71], 71, 72, 0, null, 0, 0, 0, null, 0,
                null, 0, null));
    }

    /** One write of exactly the layout's size, from the caller's buffer (a file keeps what was written). */
    @Test
    void initChannelWritesExactlyTheStruct() throws Exception {
        for (int layout : new int[] {80, 72}) {
            Path f = Files.createFile(tmp.resolve("init_channel." + layout));
            try (Memory param = new Memory(layout); Memory status = new Memory(8)) {
                status.setLong(0, 0);
                assertEquals(0, SHIM.lsk_init_channel(f.toString(), param, layout, layout, 9, "x", 3, 1, 2, null, 5,
                        null, 8192, status));
                byte[] written = Files.readAllBytes(f);
                assertArrayEquals(param.getByteArray(0, layout), written);
                byte[] want = expected(layout, 9, 3, 1, 2, 5, 8192);
                ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN).putLong(8,
                        ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN).getLong(8)); // uuid pointer
                if (layout == 72) {
                    ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN).putLong(64, Pointer.nativeValue(status));
                }
                assertArrayEquals(want, written);
            }
        }
    }

    /** A failed write is the key's EACCES, as for lgss_keyring; the real errno is in the message. */
    @Test
    void failedWritesAreEaccesWithTheErrnoSaid() {
        KernelChannel full = new RealKernelChannel(Path.of("/dev/full"), SHIM, KernelAbi.IoctlParam.P80_STATUS_COPIED_BACK);
        LskException e = assertThrows(LskException.class,
                () -> full.negotiate(new KernelChannel.InitRequest(1, "tank-MDT0000-mdc-x", 1, 0, 0, new byte[3])));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("80-byte") && e.getMessage().contains("errno 28"), e.getMessage());
        KernelChannel none = new RealKernelChannel(tmp.resolve("missing"), SHIM, KernelAbi.IoctlParam.P72_STATUS_POINTER);
        e = assertThrows(LskException.class,
                () -> none.negotiate(new KernelChannel.InitRequest(1, "t", 1, 0, 0, new byte[3])));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("errno 2"), e.getMessage());
    }
}
