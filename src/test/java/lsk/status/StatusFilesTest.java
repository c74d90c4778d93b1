package lsk.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import lsk.base.DecodeException;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status file's text, the Prometheus text and how both files are replaced. */
class StatusFilesTest {
    @TempDir
    Path tmp;

    static Snapshot sample() {
        List<Long> counts = new ArrayList<>(Collections.nCopies(Snapshot.Latency.BOUNDS_US.size() + 1, 0L));
        counts.set(3, 5L);  // 200-500 us
        counts.set(5, 4L);  // 1-2 ms
        counts.set(17, 1L); // beyond 10 s
        return new Snapshot("0.1.0-SNAPSHOT", 4242, 1_764_460_000L, 1_764_460_100L, false, 12, 7, 3,
                Map.of("GSS_S_BAD_SIG", 1L, "GSS_S_DEFECTIVE_TOKEN", 0L, "other", 0L),
                Map.of("bad_mac", 1L, "downcall_failed", 1L), 24, 2, 1, 3, 1, 0,
                new Snapshot.Latency(counts, 12_000_000_123L, 11_500_000_000L));
    }

    @Test
    void statusTextReadsBackAsWritten() throws Exception {
        Snapshot s = sample();
        String text = StatusText.render(s);
        assertEquals(s, StatusText.parse(text));
        assertTrue(text.contains("\nfailures_status.GSS_S_BAD_SIG=1\n"), text);
        assertTrue(text.contains("\nlatency_bucket_us.500=5\n"), text);
        // p50: the 5th of 10 samples is in the 200-500 us bucket; p90: the 9th in 1-2 ms; p99:
        // the unbounded bucket, so the maximum.
        assertTrue(text.contains("\nlatency_p50_us=500\nlatency_p90_us=2000\nlatency_p99_us=11500000\n"), text);
    }

    @Test
    void statusTextIsParsedStrictly() {
        String good = StatusText.render(sample());
        for (String bad : List.of(good.replace("requests=12", "requests=12 "), good.replace("pid=4242", "pid=-1"),
                good.replace("state=running", "state=gone"), good.replace("failures=2", "failures=3"),
                good.replace("latency_count=10", "latency_count=11"), good.replace("version=0.1.0-SNAPSHOT", "version=a b"),
                good.replace("latency_bucket_us.inf=1\n", ""), good + "requests=1\n", good.replace("format=1", "format=2"))) {
            assertThrows(DecodeException.class, () -> StatusText.parse(bad), bad);
        }
    }

    @Test
    void prometheusTextFollowsTheExpositionFormat() {
        String text = PrometheusText.render(sample());
        PrometheusFormat.Families f = PrometheusFormat.parse(text);
        assertEquals("counter", f.type("lsk_svcgssd_requests_total"));
        assertEquals(12.0, f.value("lsk_svcgssd_requests_total"));
        assertEquals(1.0, f.value("lsk_svcgssd_failures_by_reason_total{reason=\"bad_mac\"}"));
        assertEquals(5.0, f.value("lsk_svcgssd_request_duration_seconds_bucket{le=\"0.0005\"}"));
        assertEquals(9.0, f.value("lsk_svcgssd_request_duration_seconds_bucket{le=\"0.002\"}"));
        assertEquals(10.0, f.value("lsk_svcgssd_request_duration_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(12.000000123, f.value("lsk_svcgssd_request_duration_seconds_sum"));
        assertEquals(1.0, f.value("lsk_svcgssd_info{version=\"0.1.0-SNAPSHOT\",pid=\"4242\"}"));
        assertTrue(f.types().keySet().stream().allMatch(n -> n.startsWith("lsk_svcgssd_")));
    }

    /** The reader is strict enough to fail: each text breaks one rule of the format. */
    @Test
    void theFormatReaderRejectsBrokenTexts() {
        String ok = "# HELP a_total x\n# TYPE a_total counter\na_total 1\n";
        PrometheusFormat.parse(ok);
        String hist = "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 4\nh_count 3\n";
        PrometheusFormat.parse(hist);
        for (String bad : List.of("a_total 1\n# HELP a_total x\n# TYPE a_total counter\n", ok.trim(),
                ok.replace("a_total 1", "a_total{x=\"\\t\"} 1"), ok.replace("a_total 1", "a_total{1x=\"a\"} 1"),
                ok.replace("a_total 1", "a_total one"), ok.replace("counter", "count"),
                "# HELP a x\n# TYPE a counter\na 1\n", ok + "a_total 2\n", ok + "# HELP b_total y\n# TYPE b_total counter\n"
                        + "b_total 1\na_total{x=\"1\"} 1\n",
                hist.replace("h_count 3", "h_count 4"), hist.replace("h_bucket{le=\"1\"} 2", "h_bucket{le=\"1\"} 5"),
                hist.replace("h_sum 4\n", ""), "# HELP 1a_total x\n# TYPE 1a_total counter\n1a_total 1\n")) {
            assertThrows(IllegalArgumentException.class, () -> PrometheusFormat.parse(bad), bad);
        }
    }

    @Test
    void aPlantedLinkIsReplacedNotFollowed() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "keep");
        Path target = tmp.resolve("lsvcgssd.status");
        Files.createSymbolicLink(target, victim);
        Files.createSymbolicLink(AtomicFile.tempOf(target), victim); // at the temp name too
        AtomicFile.write(target, "one\n");
        assertEquals("keep", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(target));
        assertEquals("one\n", Files.readString(target));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target,
                LinkOption.NOFOLLOW_LINKS)));
        assertFalse(Files.exists(AtomicFile.tempOf(target), LinkOption.NOFOLLOW_LINKS), "temp file left");
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void linkedOrWorldWritableDirectoriesAreRefusedAndNothingIsLeft() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThrows(LskException.class, () -> AtomicFile.write(link.resolve("m.prom"), "x\n"));
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(LskException.class, () -> AtomicFile.write(open.resolve("m.prom"), "x\n"));
        // A target that cannot be replaced (a directory): the write fails, its temp file goes.
        Files.createDirectories(real.resolve("busy.prom").resolve("inside"));
        assertThrows(LskException.class, () -> AtomicFile.write(real.resolve("busy.prom"), "x\n"));
        try (var files = Files.list(real)) {
            assertEquals(List.of("busy.prom"), files.map(p -> p.getFileName().toString()).toList());
        }
        try (var files = Files.list(open)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aDirectoryAnotherUserCouldSwapIsRefused() throws Exception {
        // As a node_exporter directory owned by its user, or group-writable, one level up: that
        // user could put a link in its place between the check and the write.
        Path group = Files.createDirectory(tmp.resolve("group"));
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path below = Files.createDirectory(group.resolve("below"));
        LskException e = assertThrows(LskException.class, () -> AtomicFile.write(below.resolve("m.prom"), "x\n"));
        assertTrue(e.getMessage().contains("writable by its group"), e.getMessage());
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 65534);
        Path inside = Files.createDirectory(theirs.resolve("inside"));
        e = assertThrows(LskException.class, () -> AtomicFile.write(inside.resolve("m.prom"), "x\n"));
        assertTrue(e.getMessage().contains("owned by uid 65534"), e.getMessage());
        AtomicFile.write(tmp.resolve("m.prom"), "x\n"); // root's temp dir under sticky /tmp: fine
        assertEquals("x\n", Files.readString(tmp.resolve("m.prom")));
    }
}
