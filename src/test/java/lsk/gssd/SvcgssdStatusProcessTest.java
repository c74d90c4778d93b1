package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lsk.base.DecodeException;
import lsk.cmd.Io;
import lsk.status.PrometheusFormat;
import lsk.status.Snapshot;
import lsk.status.StatusCommand;
import lsk.status.StatusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lsvcgssd as a process keeps its status file (beside its non-default socket) and the
 * Prometheus file LSVCGSSD_METRICS names current, and marks them stopped at SIGTERM; {@code lsk
 * status} says running (exit 0) while it serves, and not running (exit 1) after.
 */
class SvcgssdStatusProcessTest {
    @TempDir
    Path tmp;

    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void theDaemonsCountersReachLskStatus() throws Exception {
        Path script = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lsvcgssd").toAbsolutePath();
        Files.createDirectories(tmp.resolve("textfile"));
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-f", "-s", "--socket", "svcgssd.socket",
                "--param-root", "root", "--lustre-version", "2.17.0").directory(tmp.toFile());
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put(SvcgssdCommand.ENV_METRICS, tmp.resolve("textfile/lsk_svcgssd.prom").toString());
        Path log = tmp.resolve("daemon.log");
        Process d = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(d.toHandle());
        Path status = tmp.resolve("lsvcgssd.status");
        SvcgssdProcessTest.waitFor(() -> Files.exists(status, LinkOption.NOFOLLOW_LINKS) || !d.isAlive(), "the status file");
        assertTrue(d.isAlive(), Files.readString(log));
        assertEquals(0, lskStatus(status), out.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("lsvcgssd "), out.toString(StandardCharsets.UTF_8));

        // A request line whose token is junk: a decode error, answered GSS_S_DEFECTIVE_TOKEN.
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(tmp.resolve("svcgssd.socket")))) {
            c.write(ByteBuffer.wrap("77 131073 0x1 0x0 default 0 AAAA\n".getBytes(StandardCharsets.US_ASCII)));
        }
        // (A refresh may fall between a request's arrival and its end: wait for both.)
        SvcgssdProcessTest.waitFor(() -> read(status).failures() == 1, "the request in the status file");
        Snapshot s = read(status);
        assertEquals(d.pid(), s.pid());
        assertEquals(1, s.requests());
        assertEquals(1, s.byReason().get("decode_error"), s.byReason().toString());
        assertEquals(1, s.byStatus().get("GSS_S_DEFECTIVE_TOKEN"), s.byStatus().toString());
        SvcgssdProcessTest.waitFor(() -> prom().contains("lsk_svcgssd_requests_total 1\n"), "the metrics file");
        PrometheusFormat.parse(prom());

        d.destroy(); // SIGTERM
        assertTrue(d.waitFor(60, TimeUnit.SECONDS));
        assertTrue(read(status).stopped(), Files.readString(log));
        assertEquals(0.0, PrometheusFormat.parse(prom()).value("lsk_svcgssd_up"));
        assertEquals(1, lskStatus(status));
        try (var files = Files.list(tmp.resolve("textfile"))) {
            assertEquals(List.of("lsk_svcgssd.prom"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertTrue(Files.list(tmp).noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int lskStatus(Path status) {
        out.reset();
        Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), tmp, Map.of());
        return new StatusCommand().run(List.of("--file", status.toString()), io);
    }

    private String prom() {
        try {
            return Files.readString(tmp.resolve("textfile/lsk_svcgssd.prom"));
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static Snapshot read(Path status) {
        try {
            return StatusText.parse(Files.readString(status));
        } catch (java.io.IOException | DecodeException e) {
            throw new AssertionError(e);
        }
    }
}
