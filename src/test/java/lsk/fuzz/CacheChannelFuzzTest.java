package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import lsk.base.DecodeException;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.Qwords;
import lsk.kernel.UpcallLine;

/**
 * The 2.15.x init channel's request line (what the kernel, or whoever can write the simulated
 * kernel's channel, hands lsvcgssd): refused only with {@link UpcallLine.Malformed}, and what it
 * accepts formats back to the same bytes (the words have one spelling) and the same request.
 */
class CacheChannelFuzzTest {
    @FuzzTest
    void requestLine(byte[] data) {
        CacheChannelLines.Request r;
        try {
            r = CacheChannelLines.Request.parse(data, data.length);
        } catch (UpcallLine.Malformed e) {
            return;
        }
        byte[] again = r.format();
        if (!Arrays.equals(again, data)) {
            throw Fuzz.fail("an accepted request line formats to other bytes");
        }
        try {
            if (!CacheChannelLines.Request.parse(again, again.length).equals(r)) {
                throw Fuzz.fail("parse/format/parse changed the request");
            }
        } catch (UpcallLine.Malformed e) {
            throw Fuzz.fail("format() output refused by parse(): " + e.getMessage());
        }
    }

    /** A quoted word decodes only as cacheio.c's qword_add spells it, and spells back the same. */
    @FuzzTest
    void quotedWord(byte[] data) {
        String w = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] b;
        try {
            b = Qwords.quotedWord(w, "fuzz");
        } catch (DecodeException e) {
            return;
        }
        String text = new String(b, java.nio.charset.StandardCharsets.UTF_8);
        if (!Arrays.equals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), b)) {
            return; // not UTF-8: addQuoted takes text, nothing to compare
        }
        try {
            StringBuilder q = Qwords.addQuoted(new StringBuilder(), text);
            q.setLength(q.length() - 1); // the separator
            if (!Arrays.equals(Qwords.quotedWord(q.toString(), "again"), b)) {
                throw Fuzz.fail("quote/unquote changed the bytes");
            }
        } catch (DecodeException e) {
            throw Fuzz.fail("addQuoted output refused: " + e.getMessage());
        }
    }
}
