package lsk.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import lsk.base.DecodeException;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;

class ReplyBufferTest {
    @Test
    void parsesPaddedFieldsInHostOrder() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(ReplyBuffer.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(0).putInt(7).putInt(2048);
        b.putInt(3).put(new byte[] {1, 2, 3, 0}); // 3-byte handle padded to 4
        b.putInt(5).put(new byte[] {9, 8, 7, 6, 5, 0, 0, 0});
        ReplyBuffer r = ReplyBuffer.parse(b.array(), ReplyBuffer.SIZE);
        assertEquals(7, r.minor());
        assertEquals(2048, r.seqWindow());
        assertArrayEquals(new byte[] {1, 2, 3}, r.handle().toByteArray());
        assertArrayEquals(new byte[] {9, 8, 7, 6, 5}, r.token().toByteArray());
        byte[] enc = r.encode();
        assertArrayEquals(java.util.Arrays.copyOf(b.array(), enc.length), enc);
    }

    @Test
    void rejectsLengthsBeyondTheBuffer() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(0).putInt(0).putInt(0).putInt(0x7fffffff);
        assertThrows(DecodeException.class, () -> ReplyBuffer.parse(b.array(), 64));
        ByteBuffer c = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        c.putInt(0).putInt(0).putInt(0).putInt(0).putInt(0).putInt(-1);
        assertThrows(DecodeException.class, () -> ReplyBuffer.parse(c.array(), 64));
        assertThrows(DecodeException.class, () -> ReplyBuffer.parse(new byte[20], 20));
        // A handle ending exactly at the end but whose padding would overrun.
        ByteBuffer d = ByteBuffer.allocate(27).order(ByteOrder.LITTLE_ENDIAN);
        d.putInt(0).putInt(0).putInt(0).putInt(0).putInt(3).put(new byte[] {1, 2, 3});
        assertThrows(DecodeException.class, () -> ReplyBuffer.parse(d.array(), 27));
    }
}
