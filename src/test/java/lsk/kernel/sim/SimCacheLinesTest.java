package lsk.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import lsk.base.ByteString;
import lsk.base.Errno;
import lsk.kernel.Downcalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The 2.15 channel lines, with expected text written out by hand from the sources:
 * {@code rsi_request}, {@code rsi_parse}, {@code rsc_parse} (lustre/ptlrpc/gss/gss_svc_upcall.c
 * of the 2.15 line), the daemon's side of the same lines ({@code send_response},
 * {@code do_svc_downcall} in lustre/utils/gss/svcgssd_proc.c of 2.15), and Linux
 * net/sunrpc/cache.c ({@code qword_addhex}: "\x" then hex_byte_pack's lowercase pairs, then a
 * space; {@code qword_get}; {@code cache_downcall}'s size limit).
 */
class SimCacheLinesTest {
    static final byte[] TOK = "tok".getBytes(StandardCharsets.US_ASCII);
    static final SimCacheLines.Key KEY = new SimCacheLines.Key(ByteString.empty(), ByteString.copyOf(TOK));
    /** send_response: in handle, in token, expiry (time(NULL) + 3600, %d), major %u, minor %u, out handle, out token. */
    static final String RSI = "\\x \\x746f6b 1700003600 0 0 \\xefcdab8967452301 \\x0102\n";
    /** do_svc_downcall: handle, expiry, remote, root, mds, oss, mapped uid (-1), uid, gid, mech name, context. */
    static final String RSC = "\\xefcdab8967452301 1700003600 0 1 0 0 -1 0 0 sk \\x00112233\n";

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * lustre_svc u32, nid u64 and index u64 as the hex of their little-endian bytes, the nodemap
     * name with its NUL, the empty INIT handle as a bare "\x", the token; the last space a newline.
     */
    @Test
    void requestLineIsRsiRequestsWords() {
        String line = SimCacheLines.request(0x20001, 0x00020000c0a80132L, 0x0123456789abcdefL, "default",
                new byte[0], TOK);
        assertEquals("\\x01000200 \\x3201a8c000000200 \\xefcdab8967452301 \\x64656661756c7400 \\x \\x746f6b\n", line);
    }

    /** The request is built in one page: 61 bytes of fixed words with nodemap "nm", then 3 + 2n for the token. */
    @Test
    void requestLongerThanAPageIsNeverQueued() {
        assertEquals(4096, SimCacheLines.request(1, 2, 3, "nm", new byte[0], new byte[2016]).length());
        assertEquals("", SimCacheLines.request(1, 2, 3, "nm", new byte[0], new byte[2017]));
    }

    @Test
    void rsiLineFromTheDaemonIsDecoded() {
        SimCacheLines.Result<SimCacheLines.Rsi> r = SimCacheLines.rsi(b(RSI), KEY::equals);
        assertEquals(0, r.errno());
        assertEquals(b(RSI).length, r.writeResult(b(RSI).length));
        SimCacheLines.Rsi rsi = r.value();
        assertEquals(1700003600L, rsi.expiry());
        assertEquals(0, rsi.major());
        assertArrayEquals(HexFormat.of().parseHex("efcdab8967452301"), rsi.outHandle().toByteArray());
        assertArrayEquals(new byte[] {1, 2}, rsi.outToken().toByteArray());
        assertNull(r.woken());
    }

    /** A failure answer: major GSS_S_FAILURE (0xd0000 = 851968), no handle, no token. */
    @Test
    void rsiFailureLineKeepsMajorAndMinor() {
        SimCacheLines.Rsi rsi = SimCacheLines.rsi(b("\\x \\x746f6b 1700003600 851968 7 \\x \\x\n"), KEY::equals).value();
        assertEquals(851968, rsi.major());
        assertEquals(7, rsi.minor());
        assertEquals(0, rsi.outHandle().size());
    }

    /** qword_get: upper-case hex pairs, text with \nnn octal escapes ("\060" is '0'), extra spaces, no trailing words. */
    @Test
    void rsiWordsAsQwordGetReadsThem() {
        SimCacheLines.Rsi rsi = SimCacheLines.rsi(b("  \\x \\x746F6B   1700003600 \\060 \\061\n"), KEY::equals).value();
        assertEquals(0, rsi.major());
        assertEquals(1, rsi.minor());
        assertEquals(0, rsi.outHandle().size()); // the line ended: every later word reads as empty
        assertEquals(0, rsi.outToken().size());
    }

    /**
     * Each malformed variant and what write() returns. Before the cache lookup a bad word is
     * -ENOMEM (rsi_parse: no entry found turns any status into -ENOMEM); a line for no pending
     * request -EINVAL; after the expiry, a missing major or a bad out handle/token is "success"
     * (status was already 0) that changes nothing, while the waiter is woken and drops the request.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\\xabc \\x746f6b 1700003600 0 0 \\x \\x|12|false",
        "\\x \\x746f6bz 1700003600 0 0 \\x \\x|12|false",
        "\\x \\x6f746b 1700003600 0 0 \\x \\x|22|false",
        "\\x \\x746f6b abc 0 0 \\x \\x|22|true",
        "\\x \\x746f6b -5 0 0 \\x \\x|22|true",
        "\\x \\x746f6b|22|true",
        "\\x \\x746f6b 1700003600|0|true",
        "\\x \\x746f6b 1700003600 0x10 0 \\x \\x|22|true",
        "\\x \\x746f6b 1700003600 4294967296 0 \\x \\x|34|true",
        "\\x \\x746f6b 1700003600 0|22|true",
        "\\x \\x746f6b 1700003600 0 +|22|true",
        "\\x \\x746f6b 1700003600 0 0 \\xzz \\x|0|true",
        "\\x \\x746f6b 1700003600 0 0 \\x01 \\x012|0|true",
    })
    void malformedRsiLines(String line, int errno, boolean wakes) {
        SimCacheLines.Result<SimCacheLines.Rsi> r = SimCacheLines.rsi(b(line + "\n"), KEY::equals);
        assertNull(r.value(), line);
        assertEquals(errno, r.errno(), line + ": " + r.detail());
        assertEquals(wakes ? KEY : null, r.woken(), line);
    }

    /** cache_downcall: an empty write, or one of 32768 bytes or more, is -EINVAL before any parsing. */
    @Test
    void writeSizeLimits() {
        assertEquals(-Errno.EINVAL, SimCacheLines.rsi(new byte[0], KEY::equals).writeResult(0));
        byte[] big = new byte[32768];
        System.arraycopy(b(RSI), 0, big, 0, b(RSI).length);
        assertEquals(Errno.EINVAL, SimCacheLines.rsi(big, KEY::equals).errno());
        assertEquals(Errno.EINVAL, SimCacheLines.rsc(big).errno());
        assertEquals(0, SimCacheLines.rsi(java.util.Arrays.copyOf(big, 32767), KEY::equals).errno());
    }

    @Test
    void rscLineFromTheDaemonIsDecoded() {
        SimCacheLines.Result<SimCacheLines.Rsc> r = SimCacheLines.rsc(b(RSC));
        assertEquals(0, r.errno());
        Downcalls.Rsc c = r.value().context();
        assertEquals(Downcalls.RSC_FLAG_ROOT, c.flags());
        assertEquals(-1, c.mappedUid());
        assertEquals(0, c.uid());
        assertEquals(0, c.gid());
        assertEquals("sk", c.mech());
        assertEquals("", c.nodemap()); // 2.15's rsc carries no nodemap
        assertArrayEquals(HexFormat.of().parseHex("efcdab8967452301"), c.handle().toByteArray());
        assertArrayEquals(new byte[] {0, 0x11, 0x22, 0x33}, c.context().reveal());
    }

    /** get_int reads with base 0 (0x hex, 0 octal) and wraps to an int (simple_strtol); every flag is "!= 0". */
    @Test
    void rscIntegersAsGetIntReadsThem() {
        Downcalls.Rsc c = SimCacheLines.rsc(b("\\x01 5 7 0x2 010 0 0x10 4294967301 -0 gssnull \\x01\n")).value().context();
        assertEquals(Downcalls.RSC_FLAG_REMOTE | Downcalls.RSC_FLAG_ROOT | Downcalls.RSC_FLAG_MDS, c.flags());
        assertEquals(16, c.mappedUid());
        assertEquals(5, c.uid());
        assertEquals(0, c.gid());
    }

    /** The line ends after the mapped uid: rsc_parse makes the entry negative and returns success. */
    @Test
    void rscWithoutUidIsANegativeEntry() {
        SimCacheLines.Result<SimCacheLines.Rsc> r = SimCacheLines.rsc(b("\\x0102 1700003600 0 0 0 0 -1\n"));
        assertEquals(0, r.errno());
        assertArrayEquals(new byte[] {1, 2}, r.value().handle().toByteArray());
        assertNull(r.value().context());
    }

    /**
     * Each malformed variant: up to the mapped uid (before rsc_lookup) -ENOMEM; then -EINVAL for
     * uid, gid, the mech word or the context, -EOPNOTSUPP for a mech lgss_name_to_mech does not know.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\\x0g 1700003600 0 1 0 0 -1 0 0 sk \\x00|12",
        "\\x01 x 0 1 0 0 -1 0 0 sk \\x00|12",
        "\\x01 -1 0 1 0 0 -1 0 0 sk \\x00|12",
        "\\x01|12",
        "\\x01 1700003600 0 yes 0 0 -1 0 0 sk \\x00|12",
        "\\x01 1700003600 0 1 0 0|12",
        "\\x01 1700003600 0 1 0 0 -1x 0 0 sk \\x00|12",
        "\\x01 1700003600 0 1 0 0 " + "1111111111222222222233333333334444444444555555555566|12",
        "\\x01 1700003600 0 1 0 0 -1 0x 0 sk \\x00|22",
        "\\x01 1700003600 0 1 0 0 -1 0|22",
        "\\x01 1700003600 0 1 0 0 -1 0 0 \\x7|22",
        "\\x01 1700003600 0 1 0 0 -1 0 0 krb6 \\x00|95",
        "\\x01 1700003600 0 1 0 0 -1 0 0 \\x736b00 \\x|22",
        "\\x01 1700003600 0 1 0 0 -1 0 0 sk|22",
        "\\x01 1700003600 0 1 0 0 -1 0 0 sk \\x0|22",
    })
    void malformedRscLines(String line, int errno) {
        SimCacheLines.Result<SimCacheLines.Rsc> r = SimCacheLines.rsc(b(line + "\n"));
        assertNull(r.value(), line);
        assertEquals(errno, r.errno(), line + ": " + r.detail());
        assertEquals(-errno, r.writeResult(10));
    }

    /** A hex word may spell the mech name; the kernel reads its buffer as a C string. */
    @Test
    void mechNameAsHexWordIsReadUpToItsNul() {
        assertEquals("sk", SimCacheLines.rsc(b("\\x01 1 0 1 0 0 -1 0 0 \\x736b00 \\x09\n")).value().context().mech());
    }
}
