package lsk.lnet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.stream.Stream;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class NidTest {
    static Stream<JsonObject> vectors() {
        return Vectors.json("nid_strings.json").getAsJsonObject().getAsJsonArray("cases").asList().stream()
                .map(JsonElement::getAsJsonObject);
    }

    /** Real libcfs_str2nid / libcfs_nid2str results. */
    @ParameterizedTest
    @MethodSource("vectors")
    void matchesLibcfs(JsonObject c) {
        long nid = Nid.parse(c.get("input").getAsString());
        assertEquals(c.get("libcfs_str2nid_u64").getAsString(), String.format("0x%016x", nid));
        assertEquals(c.get("libcfs_nid2str_of_result").getAsString(), Nid.format(nid));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "192.168.1.1@tcp0|0x00020000c0a80101|192.168.1.1@tcp",
        "' 192.168.1.1@tcp'|0x00020000c0a80101|192.168.1.1@tcp",
        "10.0.0.1@o2ib3|0x000500030a000001|10.0.0.1@o2ib3",
        "10.10.0.101@o2ib|0x000500000a0a0065|10.10.0.101@o2ib",
        "5@kfi|0x0010000000000005|5@kfi",
        "0x10@gni2|0x000d000200000010|16@gni2",
        "7@ptlf|0x000f000000000007|7@ptlf",
        "10.1.2.3@efa1|0x001200010a010203|10.1.2.3@efa1",
        "localhost@tcp|0x000200007f000001|127.0.0.1@tcp",
        "localhost|0x000200007f000001|127.0.0.1@tcp",
    })
    void moreForms(String in, String hex, String out) {
        long nid = Nid.parse(in);
        assertEquals(hex, String.format("0x%016x", nid));
        assertEquals(out, Nid.format(nid));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"256.1.1.1@tcp", "1.2.3.4@tcpx", "1.2.3.4@o2ib99999", "x@lo", "1.2.3.4.5@tcp",
        "@tcp", "1.2.3.4@tcp 0", "-1@lo"})
    void rejects(String in) {
        assertEquals(Nid.ANY, Nid.parse(in));
    }

    @Test
    void anyPrintsAsUnknown() {
        assertEquals("<?>", Nid.format(Nid.ANY));
    }

    @Test
    void numericParseNeverResolvesNames() {
        // localhost resolves on every machine; the peer-facing parser must not look it up.
        assertEquals(0x000200007f000001L, Nid.parse("localhost@tcp"));
        assertEquals(Nid.ANY, Nid.parseNumeric("localhost@tcp"));
        assertEquals(Nid.parse("192.168.1.101@tcp"), Nid.parseNumeric("192.168.1.101@tcp"));
        assertEquals(0x000500030a000001L, Nid.parseNumeric("10.0.0.1@o2ib3"));
    }
}
