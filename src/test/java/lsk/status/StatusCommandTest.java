package lsk.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lsk.cmd.Io;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lsk status}: its output and exit status for a running, a gone and a missing daemon. */
class StatusCommandTest {
    @TempDir
    Path tmp;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String comm, String... args) throws Exception {
        Path proc = tmp.resolve("proc");
        if (comm != null) {
            Files.createDirectories(proc.resolve("4242"));
            Files.writeString(proc.resolve("4242").resolve("comm"), comm + "\n");
        }
        Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), tmp, Map.of());
        return new StatusCommand(proc).run(List.of(args), io);
    }

    Path statusFile(Snapshot s) throws Exception {
        Path f = tmp.resolve("lsvcgssd.status");
        AtomicFile.write(f, StatusText.render(s));
        return f;
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRunningDaemonsCountersAreShown() throws Exception {
        Path f = statusFile(StatusFilesTest.sample());
        assertEquals(0, run("lsvcgssd", "--file", f.toString()), err());
        assertTrue(out().startsWith("lsvcgssd 0.1.0-SNAPSHOT, pid 4242, started 2025-11-29 23:46:40 UTC (up 1m40s)"), out());
        assertTrue(out().contains("contexts        10 (ski 7, skpi 3)"), out());
        assertTrue(out().contains("  by status     GSS_S_BAD_SIG 1\n"), out());
        assertTrue(out().contains("  by reason     bad_mac 1, downcall_failed 1\n"), out());
        assertTrue(out().contains("dropped         shed 24, timed out 2, malformed 1"), out());
        assertTrue(out().contains("latency         p50 <= 500 us, p90 <= 2.0 ms, p99 <= 11.50 s, max 11.50 s (10 requests)"),
                out());
        assertEquals("", err());
    }

    @Test
    void prometheusOutputOnRequest() throws Exception {
        Path f = statusFile(StatusFilesTest.sample());
        assertEquals(0, run("lsvcgssd", "--file", f.toString(), "--prometheus"));
        assertEquals(1.0, PrometheusFormat.parse(out()).value("lsk_svcgssd_up"));
    }

    @Test
    void aGoneOrForeignPidMakesTheCountersStale() throws Exception {
        Path f = statusFile(StatusFilesTest.sample());
        assertEquals(1, run(null, "--file", f.toString()));
        assertTrue(err().contains("lsvcgssd is not running: pid 4242 is gone; the counters below are stale"), err());
        assertTrue(out().startsWith("STALE: last counters of lsvcgssd"), out());
        out.reset();
        err.reset();
        assertEquals(1, run("java", "--file", f.toString(), "--prometheus"));
        assertTrue(err().contains("pid 4242 is no longer lsvcgssd"), err());
        assertEquals(0.0, PrometheusFormat.parse(out()).value("lsk_svcgssd_up"));
    }

    @Test
    void aStoppedDaemonIsNotRunningEvenIfItsPidIsReused() throws Exception {
        Path f = statusFile(StatusFilesTest.sample().at(1_764_460_200L, true));
        assertEquals(1, run("lsvcgssd", "--file", f.toString()));
        assertTrue(err().contains("pid 4242 stopped at 2025-11-29 23:50:00 UTC"), err());
    }

    @Test
    void noFileOrAnUnreadableOneIsExit1() throws Exception {
        assertEquals(1, run(null, "--file", tmp.resolve("none").toString()));
        assertTrue(err().contains("lsvcgssd is not running: no status file " + tmp.resolve("none")), err());
        err.reset();
        Path junk = Files.writeString(tmp.resolve("junk"), "pid=1\n");
        assertEquals(1, run(null, "--file", junk.toString()));
        assertTrue(err().contains("cannot read"), err());
        assertEquals("", out());
        assertEquals(1, run(null, "--bogus"));
    }
}
