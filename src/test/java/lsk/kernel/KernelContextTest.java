package lsk.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Value semantics of a context whose keys are Secrets: equal by bytes, never shown, wipeable. */
class KernelContextTest {
    private static final byte[] HMAC_KEY = HexFormat.of().parseHex("00112233445566778899aabbccddeeff0011223344556677");
    private static final byte[] ENC_KEY = HexFormat.of().parseHex("ffeeddccbbaa99887766554433221100");

    private static KernelContext sample() {
        return new KernelContext(1, "sha256", "ctr(aes)", 3600, new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8},
                HMAC_KEY, ENC_KEY);
    }

    @Test
    void twoDecodingsOfOneBlobAreEqual() throws Exception {
        byte[] blob = KernelContextCodec.encode(sample());
        KernelContext a = KernelContextCodec.decode(blob), b = KernelContextCodec.decode(blob);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(sample(), a);
        assertArrayEquals(blob, KernelContextCodec.encode(a));
        assertTrue(a.privacy());
    }

    @Test
    void keysTakePartInEquality() {
        byte[] other = HMAC_KEY.clone();
        other[0] ^= 1;
        KernelContext c = new KernelContext(1, "sha256", "ctr(aes)", 3600, new byte[] {1, 2, 3, 4},
                new byte[] {5, 6, 7, 8}, other, ENC_KEY);
        assertNotEquals(sample(), c);
        assertEquals(sample().hashCode(), c.hashCode(), "the hash code leaves the keys out");
    }

    @Test
    void toStringShowsNoKey() {
        String s = sample().toString();
        assertFalse(s.contains(HexFormat.of().formatHex(HMAC_KEY)), s);
        assertFalse(s.contains(HexFormat.of().formatHex(ENC_KEY)), s);
        assertTrue(s.contains("hmacKey=<24 bytes>"), s);
    }

    @Test
    void aWipedContextCannotBeEncoded() {
        KernelContext c = sample();
        c.wipe();
        assertThrows(IllegalStateException.class, () -> KernelContextCodec.encode(c));
        assertEquals(24, c.hmacKey().size());
    }

    @Test
    void randomsAreFourBytes() {
        assertThrows(IllegalArgumentException.class, () -> new KernelContext(1, "sha256", "null", 1, new byte[3],
                new byte[4], HMAC_KEY, new byte[0]));
    }
}
