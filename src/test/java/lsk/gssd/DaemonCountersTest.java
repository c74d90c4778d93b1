package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelChannel;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.sk.Flags;
import lsk.sk.GssException;
import lsk.status.PrometheusFormat;
import lsk.status.Snapshot;
import lsk.status.StatusText;
import lsk.status.StatusWriter;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counters after real handshakes through the simulated kernel: contexts by flavor, a forged
 * token counted as GSS_S_BAD_SIG / bad_mac, a new prime checked once, shed connections, the
 * latency histogram holding every request; then the files the daemon writes from them.
 */
class DaemonCountersTest {
    private static final long NID = 0x00020000c0a80132L;

    @TempDir
    Path tmp;

    @Test
    void handshakesForgeriesAndSheddingAreCounted() throws Exception {
        // A 2048-bit safe prime made by the C lgss_sk (not an RFC 7919 group): its first use
        // costs the daemon one expensive check.
        byte[] prime = java.util.HexFormat.of().parseHex(Vectors.json("handshake/hs01_ski_sha256_rand2048.json")
                .getAsJsonObject().getAsJsonObject("inputs").get("p_hex").getAsString());
        byte[] shared = new byte[32];
        new SecureRandom().nextBytes(shared);
        KeyConfig client = KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").sharedKey(shared)
                .prime(prime).build();
        KeyConfig server = client.toBuilder().type(KeyConfig.TYPE_SERVER).build();
        Responder responder = new Responder(d -> d.equals("lustre:tank:default") ? List.of(server) : List.of(),
                NodemapResolver.NONE, Entropy.secure());
        Path sock = tmp.resolve("svcgssd.socket");
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, NID,
                "default", Duration.ofSeconds(20)), m -> { })) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofMinutes(5), 2,
                    new RequestReader.Limits(16, 4L << 20)), responder, ChannelNative.load(), (l, m) -> { });
            List<SocketChannel> hoard = new ArrayList<>();
            try (d) {
                KernelChannel ch = KernelChannel.open(k.kernel());
                assertEquals(0, negotiate(ch, 1, client, Flags.SVC_PRIVACY).major());
                assertEquals(0, negotiate(ch, 2, client, Flags.SVC_INTEGRITY).major());
                assertEquals(0, negotiate(ch, 3, client, Flags.SVC_INTEGRITY).major());
                byte[] wrong = shared.clone();
                wrong[0] ^= 1;
                ReplyBuffer forged = negotiate(ch, 4, client.toBuilder().sharedKey(wrong).build(), Flags.SVC_INTEGRITY);
                assertEquals(GssException.GSS_S_BAD_SIG, forged.major());
                // 40 half-sent requests against a cap of 16 open connections: the oldest are shed.
                for (int i = 0; i < 40; i++) {
                    SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                    c.write(ByteBuffer.wrap((900000 + i + " 131073 0x1").getBytes(StandardCharsets.US_ASCII)));
                    hoard.add(c);
                }
                SvcgssdProcessTest.waitFor(() -> d.snapshot().shed() >= 24, "shedding");
                SvcgssdProcessTest.waitFor(() -> d.snapshot().contextsSki() == 2, "the last success counted");

                Snapshot s = d.snapshot();
                assertEquals(4, s.requests());
                assertEquals(1, s.contextsSkpi());
                assertEquals(2, s.contextsSki());
                assertEquals(1, s.failures());
                assertEquals(1, s.byStatus().get("GSS_S_BAD_SIG"));
                assertEquals(1, s.byStatus().values().stream().mapToLong(Long::longValue).sum());
                assertEquals(1, s.byReason().get("bad_mac"));
                assertEquals(24, s.shed());
                assertEquals(0, s.timedOut());
                assertEquals(0, s.peersRefused());
                assertEquals(1, s.primeChecks(), "one new prime, checked once for all four requests");
                assertEquals(0, s.primeChecksFailed());
                assertEquals(4, s.latency().count());
                assertTrue(s.latency().maxNanos() > 0 && s.latency().sumNanos() >= s.latency().maxNanos());
                assertEquals(ProcessHandle.current().pid(), s.pid());

                // The files: the status file reads back as the same counters; the Prometheus
                // file passes the exposition format's rules and carries the same numbers.
                Path status = tmp.resolve("lsvcgssd.status");
                Path prom = tmp.resolve("lsk_svcgssd.prom");
                try (StatusWriter w = StatusWriter.start(status, Optional.of(prom), d::snapshot, (l, m) -> { })) {
                    Snapshot read = StatusText.parse(Files.readString(status));
                    assertEquals(4, read.requests());
                    assertEquals(1, read.byReason().get("bad_mac"));
                    assertFalse(read.stopped());
                    PrometheusFormat.Families f = PrometheusFormat.parse(Files.readString(prom));
                    assertEquals(2.0, f.value("lsk_svcgssd_contexts_established_total{flavor=\"ski\"}"));
                    assertEquals(1.0, f.value("lsk_svcgssd_failures_by_status_total{status=\"GSS_S_BAD_SIG\"}"));
                    assertEquals(24.0, f.value("lsk_svcgssd_connections_dropped_total{why=\"shed\"}"));
                    assertEquals(4.0, f.value("lsk_svcgssd_request_duration_seconds_count"));
                    assertEquals("histogram", f.type("lsk_svcgssd_request_duration_seconds"));
                }
                assertTrue(StatusText.parse(Files.readString(status)).stopped(), "the last write marks the stop");
                try (var files = Files.list(tmp)) {
                    assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temp file left");
                }
            } finally {
                for (SocketChannel c : hoard) {
                    c.close();
                }
            }
        }
    }

    private static ReplyBuffer negotiate(KernelChannel ch, int secid, KeyConfig key, int flags) throws Exception {
        Initiator i = Initiator.start(key, "tank-MDT0000_UUID", flags, NID, Entropy.secure());
        return ch.negotiate(new KernelChannel.InitRequest(secid, "tank-MDT0000_UUID", 0x20001, 0, 0, i.token()));
    }
}
