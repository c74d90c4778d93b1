package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lsk.base.LskException;
import lsk.keyfile.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO as key path (issue 10 item 9): C's open blocks until a writer comes, so a user who
 * plants one hangs root's -r/-l/-m/-R; lsk opens without blocking and refuses anything but a
 * regular file, at once.
 */
class LgssSkFifoTest {
    static final Duration QUICK = Duration.ofSeconds(10);
    static final String REFUSED = "Error opening key file 'fifo.key': not a regular file\n";

    @TempDir
    Path tmp;

    private void mkfifo() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", tmp.resolve("fifo.key").toString()).start().waitFor());
    }

    @Test
    void everyModeRefusesAFifoAtOnce() throws Exception {
        mkfifo();
        for (List<String> args : List.of(List.of("-r", "fifo.key"), List.of("-m", "fifo.key", "-e", "3600"))) {
            Run r = assertTimeoutPreemptively(QUICK, () -> Run.lgssSk(tmp, args.toArray(String[]::new)), args::toString);
            assertEquals(1, r.exit());
            assertEquals(REFUSED, r.err(), args.toString());
        }
        Run l = assertTimeoutPreemptively(QUICK, () -> Run.lgssSk(tmp, "-l", "fifo.key"));
        assertEquals(1, l.exit());
        assertEquals(REFUSED + "error: loading keyfile failed: rc=-126\n", l.err());
        Run rm = assertTimeoutPreemptively(QUICK, () -> Run.lgssSk(tmp, "-R", "fifo.key"));
        assertEquals(1, rm.exit());
        assertEquals(REFUSED + "error: removing key failed: rc=-126\n", rm.err());
    }

    /** The update lock, should a FIFO replace the key after -m looked at it. */
    @Test
    void updateLockRefusesAFifoAtOnce() throws Exception {
        mkfifo();
        LskException e = assertTimeoutPreemptively(QUICK,
                () -> assertThrows(LskException.class, () -> KeyFiles.lockForUpdate(tmp.resolve("fifo.key"), "fifo.key")));
        assertEquals(REFUSED.trim(), e.getMessage());
    }
}
