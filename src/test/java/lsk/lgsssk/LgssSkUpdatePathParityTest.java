package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lgss_sk -l KEY -u DIR} on a directory that is no Lustre mount, against the real C tool. */
class LgssSkUpdatePathParityTest {
    @TempDir
    Path tmp;

    @Test
    void nonLustreDirectoryAsC() throws Exception {
        JsonObject c = Vectors.json("lgss_sk_parity/cases/l19_update_nonlustre.json").getAsJsonObject();
        assertEquals("$SK -l cli512.key -u /tmp",
                c.getAsJsonArray("steps").get(0).getAsJsonObject().get("cmd").getAsString());
        JsonObject want = c.getAsJsonObject("c").getAsJsonArray("steps").get(0).getAsJsonObject();
        Path key = tmp.resolve("cli512.key");
        Files.copy(Vectors.path("lgss_sk_parity/inputs/cli512.key"), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));

        Run r = Run.lgssSk(tmp, "-l", "cli512.key", "-u", "/tmp");
        assertEquals(want.get("err").getAsString(), r.err());
        assertEquals(want.get("out").getAsString(), r.out());
        assertEquals(Integer.parseInt(want.get("rc").getAsString().trim()), r.exit());
    }
}
