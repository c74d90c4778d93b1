package lsk.kernel;

import lsk.sk.Mech;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UpcallLineTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void parsesKernelFormatAndRoundTrips() throws Exception {
        // As rsi_do_upcall writes it: decimal hash and svc, 0x nid and index, empty handle as 0.
        UpcallLine l = UpcallLine.parse(b("12345 131073 0x20000c0a80132 0x123456789abcdef biology 0 AAECAw\n"));
        assertEquals(12345, l.hash());
        assertEquals(Mech.SK, l.mech());
        assertEquals(1, l.service());
        assertEquals(0x00020000c0a80132L, l.nid());
        assertEquals(0x0123456789abcdefL, l.handleSeq());
        assertEquals("biology", l.nodemap());
        assertEquals(0, l.inHandle().size());
        assertArrayEquals(new byte[] {0, 1, 2, 3}, l.inToken().toByteArray());
        assertArrayEquals(b("12345 131073 0x20000c0a80132 0x123456789abcdef biology 0 AAECAw\n"), l.format());
    }

    @Test
    void numbersAreReadLikeStrtoullBase0() throws Exception {
        assertEquals(8, UpcallLine.strtoull("010", "f"));
        assertEquals(16, UpcallLine.strtoull("0x10", "f"));
        assertEquals(-1L, UpcallLine.strtoull("18446744073709551615", "f"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.strtoull("18446744073709551616", "f"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.strtoull("-1", "f"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.strtoull("+1", "f"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.strtoull("08", "f"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.strtoull("0x", "f"));
    }

    @Test
    void base64urlMatchesRfc4648Unpadded() throws Exception {
        // RFC 4648 section 10 vectors, '=' padding removed.
        String[][] v = {{"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
                {"foobar", "Zm9vYmFy"}};
        for (String[] x : v) {
            assertEquals(x[1], UpcallLine.encode(b(x[0])));
            assertArrayEquals(b(x[0]), UpcallLine.base64url(x[1], "t"));
        }
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, UpcallLine.base64url("-_8", "t"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.base64url("Zh", "t")); // leftover bits
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.base64url("Zm9v+g", "t"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.base64url("Zm9vY", "t"));
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.base64url("Zg==", "t"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "\n", "1 2 3 4 nm 0 AA", "1 2 3 4 nm 0\n", "1 2 3 4 nm 0 AA extra\n", "1  2 3 4 nm 0 AA\n",
        " 1 2 3 4 nm 0 AA\n", "1 2 3 4 nm 0 AA \n", "1 2 3 4 nm 0 AA\r\n", "1 2 3 4 0 0 AA\n",
        "1 2 3 4 nodemapnameistoolong 0 AA\n", "1 2 3 4 nm AAEC AA\n", "1 2 3 4 nm 0 A\n",
        "x 2 3 4 nm 0 AA\n", "1 4294967296 3 4 nm 0 AA\n", "1 2 3 4 n\u00e9 0 AA\n", "1 2 3 4 n\tm 0 AA\n",
        "1 2 3 4 nm 0 AA\n\n", "1 2 3 4 nm 0 A\u0000\n"})
    void rejectsMalformedLines(String s) {
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.parse(b(s)));
    }

    @Test
    void boundsLineLength() {
        byte[] big = new byte[UpcallLine.MAX_LINE + 1];
        java.util.Arrays.fill(big, (byte) 'A');
        big[big.length - 1] = '\n';
        assertThrows(UpcallLine.Malformed.class, () -> UpcallLine.parse(big));
    }

    @Test
    void acceptsEightByteContinueHandle() throws Exception {
        UpcallLine l = UpcallLine.parse(b("1 2 3 4 nm AAECAwQFBgc AA\n"));
        assertEquals(8, l.inHandle().size());
    }
}
