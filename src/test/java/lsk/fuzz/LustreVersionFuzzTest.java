package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreVersion;

/**
 * The running version as a version file or an option gives it: the parser only accepts or
 * refuses with {@link DecodeException}, what it accepts has numbers that print back the same,
 * and choosing the ABI never fails in another way.
 */
class LustreVersionFuzzTest {
    @FuzzTest
    void parse(byte[] data) {
        String s = new String(data, StandardCharsets.ISO_8859_1);
        LustreVersion v;
        try {
            v = LustreVersion.parse(s, "fuzz");
        } catch (DecodeException e) {
            return;
        }
        String n = v.major() + "." + v.minor() + "." + v.patch();
        if (!v.toString().startsWith(n) && !v.toString().startsWith(n + "." + v.fix())) {
            throw Fuzz.fail("accepted version prints as " + v + ", numbers " + n);
        }
        try {
            KernelAbi.of(v);
        } catch (LskException e) {
            // refused versions (2.15 and older, other majors) are fine
        }
    }
}
