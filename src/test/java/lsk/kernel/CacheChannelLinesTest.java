package lsk.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import lsk.base.ByteString;
import lsk.base.DecodeException;
import lsk.sk.GssException;
import lsk.sk.Mech;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 2.15.x cache-channel records, each expected line written out by hand from the format
 * strings of the 2.15-era sources (see /work/research/v215-formats.md):
 * <ul>
 *   <li>request: gss_svc_upcall.c rsi_request (index id 19173571018): qword_addhex of
 *       lustre_svc (4 bytes), nid4 (8), index (8), nm_name with its NUL, in_handle, in_token,
 *       the last space made a newline; the kernel's qword_addhex writes {@code \x} and lower-case
 *       digits;</li>
 *   <li>rsi: svcgssd_proc.c send_response (index id 2767627771): addhex in_handle, addhex
 *       in_token, addint time+3600, adduint major, adduint minor, addhex out_handle, addhex
 *       out_token, addeol;</li>
 *   <li>rsc: svcgssd_proc.c do_svc_downcall: printhex handle, printint time+3600, remote,
 *       usr_root, usr_mds, usr_oss, mapped_uid, uid, gid, print mech name, printhex context,
 *       eol (cacheio.c, lustre-release@768c1d65: {@code "%d "}, octal quoting).</li>
 * </ul>
 */
class CacheChannelLinesTest {
    /** svc (mech sk 2 << 16 | MDS 1), nid 0x20000c0a80165, index 5, nodemap "default", no handle, token 01 02. */
    static final String REQUEST = "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n";

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static CacheChannelLines.Request parse(String s) throws DecodeException {
        byte[] b = ascii(s);
        return CacheChannelLines.Request.parse(b, b.length);
    }

    @Test
    void requestAsTheKernelWritesIt() throws Exception {
        CacheChannelLines.Request r = parse(REQUEST);
        assertEquals(0x20001L, r.lustreSvc());
        assertEquals(0x20000c0a80165L, r.nid());
        assertEquals(5L, r.handleSeq());
        assertEquals("default", r.nodemap());
        assertEquals(0, r.inHandle().size());
        assertArrayEquals(new byte[] {1, 2}, r.inToken().toByteArray());
        UpcallLine u = r.toUpcallLine();
        assertEquals(Mech.SK, u.mech());
        assertEquals(1, u.service());
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, r.handle());
        assertEquals(REQUEST, new String(r.format(), StandardCharsets.US_ASCII));
    }

    @Test
    void continueInitHandleAndLongestNodemap() throws Exception {
        String nm16 = "6162636465666768696a6b6c6d6e6f7000"; // "abcdefghijklmnop" + NUL: 17 bytes
        CacheChannelLines.Request r = parse("\\x01000200 \\x6501a8c000000200 \\x0000000000000000 \\x" + nm16
                + " \\x1122334455667788 \\x\n");
        assertEquals("abcdefghijklmnop", r.nodemap());
        assertEquals(8, r.inHandle().size());
        assertEquals(0, r.inToken().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                                                                         // empty
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102",      // partial: no newline
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x0102\n",        // five words
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x \\x0102\n", // seven words
        "\\x01000200  \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n",    // double space
        "\\x01000200 \\x6501A8C000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n",     // upper case
        "\\x01000200 \\x6501a8c00000020 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n",      // odd digits
        "\\x01000200 \\x6501a8c0000002zz \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n",     // not hex
        "\\x010002 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n",       // svc 3 bytes
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c74 \\x \\x0102\n",       // nodemap without NUL
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x00 \\x \\x0102\n",                   // empty nodemap
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64652066617500 \\x \\x0102\n",       // space in nodemap
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x01020304 \\x0102\n", // 4-byte handle
        "01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n",        // not a hex word
        "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x0102\n\n",   // two newlines
    })
    void hostileRequestsAreMalformed(String line) {
        UpcallLine.Malformed e = assertThrows(UpcallLine.Malformed.class, () -> parse(line));
        assertTrue(e.getMessage().startsWith("malformed request line: "), e.getMessage());
    }

    @Test
    void tooLongAndTooLargeTokenAreRefused() {
        String big = "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x64656661756c7400 \\x \\x"
                + "00".repeat(CacheChannelLines.MAX_TOKEN + 1) + "\n";
        UpcallLine.Malformed e = assertThrows(UpcallLine.Malformed.class, () -> parse(big));
        assertTrue(e.getMessage().contains("in token"), e.getMessage());
        byte[] huge = new byte[CacheChannelLines.MAX_REQUEST + 1];
        e = assertThrows(UpcallLine.Malformed.class, () -> CacheChannelLines.Request.parse(huge, huge.length));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
        // the longest accepted: every word at its largest
        String max = "\\x01000200 \\x6501a8c000000200 \\x0500000000000000 \\x" + "61".repeat(16) + "00 \\x"
                + "00".repeat(8) + " \\x" + "00".repeat(CacheChannelLines.MAX_TOKEN) + "\n";
        assertEquals(CacheChannelLines.MAX_REQUEST, max.length());
    }

    @Test
    void rsiSuccessAsSendResponseWritesIt() throws Exception {
        byte[] line = CacheChannelLines.rsi(ByteString.empty(), ByteString.copyOf(new byte[] {1, 2}), 1700003600L,
                GssException.GSS_S_COMPLETE, 0, new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, new byte[] {0x0a, (byte) 0xbc});
        assertEquals("\\x \\x0102 1700003600 0 0 \\x0500000000000000 \\x0abc\n",
                new String(line, StandardCharsets.US_ASCII));
    }

    @Test
    void rsiErrorHasEmptyOutWordsAndTheMajorUnsigned() throws Exception {
        byte[] line = CacheChannelLines.rsi(ByteString.copyOf(new byte[] {(byte) 0xff}), ByteString.empty(),
                1700003600L, GssException.GSS_S_FAILURE, 0, new byte[0], new byte[0]);
        assertEquals("\\xff \\x 1700003600 851968 0 \\x \\x\n", new String(line, StandardCharsets.US_ASCII));
        byte[] neg = CacheChannelLines.rsi(ByteString.empty(), ByteString.empty(), 1, 0x80000000, 0, new byte[0],
                new byte[0]);
        assertEquals("\\x \\x 1 2147483648 0 \\x \\x\n", new String(neg, StandardCharsets.US_ASCII));
    }

    @Test
    void rscAsDoSvcDowncallWritesIt() throws Exception {
        byte[] line = CacheChannelLines.rsc(new byte[] {5, 0, 0, 0, 0, 0, 0, 0}, 1700003600L,
                new CacheChannelLines.Cred(false, true, false, true, -1, 0, 0), "sk", new byte[] {0, (byte) 0xff});
        assertEquals("\\x0500000000000000 1700003600 0 1 0 1 -1 0 0 sk \\x00ff\n",
                new String(line, StandardCharsets.US_ASCII));
    }

    @Test
    void answersLongerThanTheCDaemonsBufferAreRefused() throws Exception {
        byte[] token = new byte[CacheChannelLines.MAX_TOKEN];
        // 2 + 2 * 8192 + 1 for the token alone, twice: over char buf[2 * TOKEN_BUF_SIZE]
        assertThrows(DecodeException.class, () -> CacheChannelLines.rsi(ByteString.empty(), ByteString.copyOf(token),
                1, 0, 0, new byte[8], token));
        assertEquals(2 * 8192 - 1, CacheChannelLines.MAX_ANSWER);
    }

    @Test
    void quotedWordsAsQwordAddQuotesThem() throws Exception {
        String w = Qwords.addQuoted(new StringBuilder(), "a b\\c\td\ne").toString();
        assertEquals("a\\040b\\134c\\011d\\012e ", w);
        assertArrayEquals(ascii("a b\\c\td\ne"), Qwords.quotedWord(w.strip(), "t"));
        assertThrows(DecodeException.class, () -> Qwords.quotedWord("a\\09", "t"));
        assertThrows(DecodeException.class, () -> Qwords.quotedWord("a\\4001", "t"));
        assertThrows(DecodeException.class, () -> Qwords.quotedWord("a\\", "t"));
        assertArrayEquals(new byte[0], Qwords.hexWord("\\x", "t", 0, 0));
    }

    @Test
    void channelPathsUnderTheParameterRoot() {
        ParamPaths p = new ParamPaths(java.nio.file.Path.of("/sim"));
        assertEquals("/sim/proc/net/rpc/auth.sptlrpc.init/channel", CacheChannelLines.initChannel(p).toString());
        assertEquals("/sim/proc/net/rpc/auth.sptlrpc.context/channel", CacheChannelLines.contextChannel(p).toString());
        assertEquals("/proc/net/rpc/auth.sptlrpc.init/channel",
                CacheChannelLines.initChannel(ParamPaths.system()).toString());
    }
}
