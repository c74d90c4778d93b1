package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.UpcallLine;
import lsk.upcall.CalloutInfo;
import lsk.upcall.UpcallArgs;

/**
 * Parsers of what the kernel hands to userspace: the daemon's request line (from a Unix socket
 * anyone on the node may connect to), the upcall's argv and callout info (request-key), the
 * init_channel reply buffer. Their typed {@link LskException}s and {@link DecodeException}s are the
 * only rejections.
 */
class UpcallFuzzTest {
    @FuzzTest
    void requestLine(byte[] data) {
        UpcallLine l;
        try {
            l = UpcallLine.parse(data);
        } catch (UpcallLine.Malformed e) {
            return;
        }
        UpcallLine again;
        try {
            again = UpcallLine.parse(l.format());
        } catch (UpcallLine.Malformed e) {
            throw Fuzz.fail("format() output refused by parse(): " + e.getMessage());
        }
        if (again.hash() != l.hash() || again.nid() != l.nid() || again.handleSeq() != l.handleSeq()
                || again.lustreSvc() != l.lustreSvc() || !again.nodemap().equals(l.nodemap())
                || !again.inHandle().equals(l.inHandle()) || !again.inToken().equals(l.inToken())) {
            throw Fuzz.fail("parse/format/parse changed the request");
        }
    }

    @FuzzTest
    void calloutInfo(byte[] data) {
        try {
            CalloutInfo.parse(new String(data, StandardCharsets.ISO_8859_1)).wireFlags();
        } catch (DecodeException e) {
            // expected rejection
        }
    }

    /** argv elements separated by NUL bytes, as execve gives them. */
    @FuzzTest
    void argv(byte[] data) {
        List<String> argv = Arrays.asList(new String(data, StandardCharsets.ISO_8859_1).split("\0", -1));
        try {
            UpcallArgs.parse(argv);
        } catch (DecodeException e) {
            // expected rejection
        }
    }

    /** First byte: how much of the buffer the kernel says it filled is cut (length < buf.length). */
    @FuzzTest
    void replyBuffer(byte[] data) {
        int cut = data.length == 0 ? 0 : Math.min(data[0] & 0xff, data.length - 1);
        byte[] buf = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
        ReplyBuffer r;
        try {
            r = ReplyBuffer.parse(buf, Math.max(0, buf.length - cut));
        } catch (DecodeException e) {
            return;
        }
        try {
            ReplyBuffer again = ReplyBuffer.parse(r.encode(), r.encode().length);
            if (!again.token().equals(r.token()) || !again.handle().equals(r.handle())
                    || again.major() != r.major() || again.seqWindow() != r.seqWindow()) {
                throw Fuzz.fail("parse/encode/parse changed the reply");
            }
        } catch (DecodeException e) {
            throw Fuzz.fail("encode() output refused by parse(): " + e.getMessage());
        }
    }
}
