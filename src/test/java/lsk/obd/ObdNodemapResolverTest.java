package lsk.obd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import lsk.base.DecodeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lsk.handshake.NodemapResolver;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObdNodemapResolverTest {
    @TempDir
    Path root;

    final List<String> lines = new ArrayList<>();
    final Log log = (level, msg) -> lines.add(level + " " + msg);
    final byte[] sha = new byte[32];

    static LustreKernel kernel(Path root, int minor, int patch) throws Exception {
        return LustreKernel.of(new ParamPaths(root), LustreVersion.of(2, minor, patch));
    }

    @Test
    void versionsWithoutLookupGetNone() throws Exception {
        assertSame(NodemapResolver.NONE, ObdNodemapResolver.forKernel(kernel(root, 16, 1), log));
        assertSame(NodemapResolver.NONE, ObdNodemapResolver.forKernel(kernel(root, 17, 0), log));
        assertSame(NodemapResolver.NONE, ObdNodemapResolver.forKernel(kernel(root, 17, 50), log));
        assertTrue(lines.isEmpty());
    }

    @Test
    void noDevObdIsNotFoundWithOneDebugLine() throws Exception {
        NodemapResolver r = ObdNodemapResolver.forKernel(kernel(root, 17, 51), log);
        assertTrue(r instanceof ObdNodemapResolver);
        assertEquals(Optional.empty(), r.byNameHash(sha));
        assertEquals(List.of(Log.DEBUG + " nodemap lookup by SHA: no " + root.resolve("dev/obd")
                + " (no Lustre server module here)"), lines);
    }

    @Test
    void thisMachinesRealRootHasNoDevObd() throws Exception {
        assumeFalse(Files.exists(Path.of("/dev/obd")), "a Lustre server module is loaded here");
        NodemapResolver r = ObdNodemapResolver.forKernel(
                LustreKernel.of(ParamPaths.system(), LustreVersion.of(2, 17, 54)), log);
        assertEquals(Optional.empty(), r.byNameHash(sha));
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith(Log.DEBUG + " "), lines.get(0));
    }

    @Test
    void aDeviceThatIsNotObdAnswersNothing() throws Exception {
        // A regular file where /dev/obd should be: the ioctls fail (ENOTTY) on every device name.
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/obd"), "not a device");
        NodemapResolver r = ObdNodemapResolver.forKernel(kernel(root, 17, 54), log);
        assertEquals(Optional.empty(), r.byNameHash(sha));
        assertEquals(List.of(Log.DEBUG + " nodemap lookup by SHA: none of [MGS, MDS, OSS] answered on "
                + root.resolve("dev/obd")), lines);
    }

    @Test
    void wrongHashLengthIsNotFound() throws Exception {
        NodemapResolver r = ObdNodemapResolver.forKernel(kernel(root, 17, 54), log);
        assertEquals(Optional.empty(), r.byNameHash(new byte[31]));
        assertEquals(Optional.empty(), r.byNameHash(null));
        assertTrue(lines.isEmpty());
    }

    @Test
    void namesAreCheckedAsTheKernelChecksThem() {
        assertEquals(Optional.of("default"), name("default"));
        assertEquals(Optional.of("Bio_logy0123456A"), name("Bio_logy0123456A"));
        assertEquals(Optional.empty(), name("Bio_logy0123456AB"), "17 characters");
        assertEquals(Optional.empty(), name(""));
        assertEquals(Optional.empty(), name("a-b"));
        assertEquals(Optional.empty(), name("a b"));
        assertEquals(Optional.empty(), name("\u0001"));
        assertEquals(Optional.empty(), name(new byte[4], 5), "length past the buffer");
    }

    static Optional<String> name(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return name(b, b.length);
    }

    /** The name, or empty when it is refused (a DecodeException). */
    static Optional<String> name(byte[] b, int len) {
        try {
            return Optional.of(ObdNodemapResolver.validName(b, len));
        } catch (DecodeException e) {
            return Optional.empty();
        }
    }
}
