package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import lsk.keyfile.Base64Url;

/** Base64Url.decode on any bytes: null or bytes, and whatever decodes re-encodes to the input. */
class Base64UrlFuzzTest {
    @FuzzTest
    void decode(byte[] data) {
        byte[] out = Base64Url.decode(data);
        if (out == null) {
            return;
        }
        if (!Arrays.equals(Base64Url.encode(out), data)) {
            throw new AssertionError("decode/encode do not round-trip");
        }
    }
}
