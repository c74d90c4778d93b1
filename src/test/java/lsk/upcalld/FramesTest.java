package lsk.upcalld;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import lsk.base.DecodeException;
import org.junit.jupiter.api.Test;

/** The messages' framing: strict, bounded, and every proper prefix is "incomplete". */
class FramesTest {
    static byte[] req(List<String> argv) {
        StringBuilder b = new StringBuilder("REQ " + argv.size() + "\n");
        argv.forEach(a -> b.append(a.length()).append(':').append(a).append(','));
        return b.toString().getBytes(ISO_8859_1);
    }

    private static Optional<List<String>> parse(String s) throws DecodeException {
        byte[] b = s.getBytes(ISO_8859_1);
        return Frames.request(b, b.length);
    }

    @Test
    void requestAndItsPrefixes() throws Exception {
        List<String> argv = List.of("create", "12", "", "a,b:c");
        byte[] m = req(argv);
        assertEquals(argv, Frames.request(m, m.length).orElseThrow());
        for (int i = 0; i < m.length; i++) {
            assertTrue(Frames.request(m, i).isEmpty(), "prefix of " + i);
        }
    }

    @Test
    void malformedRequestsAreRefusedAtOnce() {
        for (String s : new String[] {"GET ", "REQ -1\n", "REQ 01\n", "REQ 17\n", "REQ 1\n01:a,", "REQ 1\n1:a;",
                "REQ 1\n1:a,x", "REQ 1\n+1:a,", "REQ 1\n:a,", "REQ 1\n123456:", "REQ 1\n1:\0,", "REQ 1 \n"}) {
            assertThrows(DecodeException.class, () -> parse(s), s);
        }
    }

    @Test
    void anArgumentPastTheBoundIsRefusedBeforeItArrives() {
        assertThrows(DecodeException.class, () -> parse("REQ 1\n9000:abc"));
    }

    @Test
    void done() throws Exception {
        byte[] ok = "DONE 0\n".getBytes(ISO_8859_1);
        assertEquals(0, Frames.done(ok, ok.length).orElseThrow());
        byte[] err = "DONE -13\n".getBytes(ISO_8859_1);
        assertEquals(-13, Frames.done(err, err.length).orElseThrow());
        assertTrue(Frames.done(err, 6).isEmpty());
        for (String s : new String[] {"DONE -0\n", "DONE 13\n", "DONE 0\nx", "DONE x\n", "OK\n"}) {
            byte[] b = s.getBytes(ISO_8859_1);
            assertThrows(DecodeException.class, () -> Frames.done(b, b.length), s);
        }
    }

    @Test
    void answers() {
        assertArrayEquals("INST 0x3f010000 -4 123 1\n".getBytes(ISO_8859_1), Frames.inst(0x3f010000, -4, 123, 1));
        assertArrayEquals("INST 0x0 0 -5 0\n".getBytes(ISO_8859_1), Frames.inst(0, 0, -5, 0));
        assertArrayEquals("REFUSE 60 129\n".getBytes(ISO_8859_1), Frames.refuse(60, 129));
    }
}
