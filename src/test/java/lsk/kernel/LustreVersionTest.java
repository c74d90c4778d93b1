package lsk.kernel;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lsk.base.DecodeException;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Version strings as the kernel prints LUSTRE_VERSION_STRING (release and git-describe builds). */
class LustreVersionTest {

    @ParameterizedTest
    @CsvSource({
        "2.16.1,                      2, 16, 1, 0",
        "'2.16.0\n',                  2, 16, 0, 0",
        "2.15.58_129_gd7d1644,        2, 15, 58, 0",
        "2.15.3_114_gb61b66c_dirty,   2, 15, 3, 0",
        "2.12.9.1,                    2, 12, 9, 1",
        "2.17.51-rc1,                 2, 17, 51, 0",
        "'lustre: 2.10.8',            2, 10, 8, 0",
    })
    void parses(String s, int ma, int mi, int pa, int fix) throws DecodeException {
        LustreVersion v = LustreVersion.parse(s, "test");
        assertEquals(ma, v.major());
        assertEquals(mi, v.minor());
        assertEquals(pa, v.patch());
        assertEquals(fix, v.fix());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "in-kernel", "2.16", "2", "v2.16.1", "2.16.1 extra", "2.16.x", "2..1",
        "99999.1.1", "2.17.06", "02.16.1", "2.16.1\u0000", "2.16.1_\n2.17.0", "-2.16.1"})
    void refusesWhatIsNotAVersion(String s) {
        DecodeException d = assertThrows(DecodeException.class, () -> LustreVersion.parse(s, "/x/version"));
        assertTrue(d.getMessage().startsWith("/x/version: "), d.getMessage());
        // The errno a command reports for it (chosen where the version is read, not by the parser).
        LskException e = assertThrows(LskException.class, () -> LustreKernel.version(s, "/x/version"));
        assertTrue(e.getMessage().startsWith("/x/version: "), e.getMessage());
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void ordersNumerically() throws DecodeException {
        assertTrue(LustreVersion.parse("2.16.59", "t").compareTo(LustreVersion.parse("2.16.58_9_gabc", "t")) > 0);
        assertTrue(LustreVersion.parse("2.17.0", "t").compareTo(LustreVersion.parse("2.16.100", "t")) > 0);
        assertTrue(LustreVersion.parse("2.12.9.1", "t").compareTo(LustreVersion.of(2, 12, 9)) > 0);
        assertTrue(LustreVersion.of(2, 17, 54).atLeast(2, 17, 54));
    }
}
