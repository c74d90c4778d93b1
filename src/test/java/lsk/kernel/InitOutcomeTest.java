package lsk.kernel;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.OptionalLong;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;

/** The one reader of a finished init_channel write, for both struct forms (offsets by hand). */
class InitOutcomeTest {
    static final Path P = Path.of("/sys/fs/lustre/sptlrpc/gss/init_channel");
    static final KernelAbi.IoctlParam P80 = KernelAbi.IoctlParam.P80_STATUS_COPIED_BACK;
    static final KernelAbi.IoctlParam P72 = KernelAbi.IoctlParam.P72_STATUS_POINTER;

    static byte[] after80(long status, long replyLength) {
        return ByteBuffer.allocate(80).order(ByteOrder.LITTLE_ENDIAN).putLong(64, status).putLong(72, replyLength)
                .array();
    }

    static byte[] reply() {
        return new ReplyBuffer(0, 0, 0, 2048, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new byte[] {9, 9, 9}).encode();
    }

    @Test
    void eightyBytesReadTheCopiedBackStruct() {
        assertEquals(new InitOutcome(-13, OptionalLong.of(0)), InitOutcome.read(P80, after80(-13, 0), -110));
        assertEquals(new InitOutcome(0, OptionalLong.of(44)), InitOutcome.read(P80, after80(0, 44), -110));
    }

    @Test
    void seventyTwoBytesReadThePointee() {
        byte[] after = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN).putLong(64, 0x7fff0000L).array();
        assertEquals(new InitOutcome(-110, OptionalLong.empty()), InitOutcome.read(P72, after, -110));
        assertThrows(IllegalArgumentException.class, () -> InitOutcome.read(P72, new byte[80], 0));
        assertThrows(IllegalArgumentException.class, () -> InitOutcome.read(P80, new byte[72], 0));
    }

    @Test
    void completeFailsOnWriteErrorThenStatus() {
        LskException w = assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P80, "t", -22, after80(0, 0), 0, new byte[8192]));
        assertEquals(Errno.EACCES, w.errno());
        assertTrue(w.getMessage().contains("errno 22") && w.getMessage().contains("Lustre version"), w.getMessage());
        LskException s = assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P72, "t", 0, new byte[72], -110, new byte[8192]));
        assertEquals(Errno.ETIMEDOUT, s.errno());
        LskException odd = assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P80, "t", 0, after80(5, 0), 0, new byte[8192]));
        assertEquals(Errno.EPROTO, odd.errno());
        LskException min = assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P80, "t", 0, after80(Long.MIN_VALUE, 0), 0, new byte[8192]));
        assertEquals(Errno.EPROTO, min.errno());
    }

    @Test
    void completeParsesTheReplyWithinTheReportedLength() throws Exception {
        byte[] r = reply();
        byte[] buf = new byte[8192];
        System.arraycopy(r, 0, buf, 0, r.length);
        ReplyBuffer a = InitOutcome.complete(P, P80, "t", 0, after80(0, r.length), 0, buf);
        ReplyBuffer b = InitOutcome.complete(P, P72, "t", 0, new byte[72], 0, buf);
        for (ReplyBuffer x : new ReplyBuffer[] {a, b}) {
            assertEquals(2048, x.seqWindow());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, x.handle().toByteArray());
            assertArrayEquals(new byte[] {9, 9, 9}, x.token().toByteArray());
        }
        // A reported length that cuts the token short, or exceeds the buffer, is refused.
        assertEquals(Errno.EPROTO, assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P80, "t", 0, after80(0, r.length - 4), 0, buf)).errno());
        assertEquals(Errno.EPROTO, assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P80, "t", 0, after80(0, 8193), 0, buf)).errno());
        assertEquals(Errno.EPROTO, assertThrows(LskException.class,
                () -> InitOutcome.complete(P, P80, "t", 0, after80(0, -1), 0, buf)).errno());
    }
}
