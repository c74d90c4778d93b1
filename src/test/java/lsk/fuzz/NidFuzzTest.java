package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import lsk.lnet.Nid;

/**
 * NID strings as a peer sends them (the NID in an {@code MGC<nid>} target): the numeric parser
 * never resolves names, never throws, and what it accepts formats back to the same NID.
 */
class NidFuzzTest {
    @FuzzTest
    void parseNumeric(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        long nid = Nid.parseNumeric(s);
        if (nid == Nid.ANY) {
            return;
        }
        String f = Nid.format(nid);
        if (Nid.parseNumeric(f) != nid) {
            throw Fuzz.fail("format/parse does not round-trip: " + f);
        }
    }
}
