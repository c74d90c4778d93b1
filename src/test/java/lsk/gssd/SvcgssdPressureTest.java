package lsk.gssd;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.base.LskException;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelChannel;
import lsk.cmd.Log;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 10, item 6): past the connection/byte cap every new connection, the
 * kernel's included, was dropped without a word, and a reader thread that died left a daemon
 * exiting 0. Now the oldest unfinished connection is shed (its request answered with an error
 * when its hash is readable) and new ones are served; a dead reader is a failure.
 */
class SvcgssdPressureTest {
    static final long NID = 0x00020000c0a80132L;

    @TempDir
    Path tmp;

    final List<String> kernelLog = new CopyOnWriteArrayList<>();

    SimKernel kernel(Path sock) throws Exception {
        return SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, NID, "default",
                Duration.ofSeconds(30)), kernelLog::add);
    }

    static Responder none() {
        return new Responder(d -> List.of(), NodemapResolver.NONE, Entropy.secure());
    }

    @Test
    void hoardedConnectionsGiveWayToNewRequests() throws Exception {
        Path sock = tmp.resolve("svcgssd.socket");
        try (SimKernel k = kernel(sock)) {
            // Read timeout far longer than the test: only shedding can free a slot.
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofMinutes(5), 1,
                    new RequestReader.Limits(16, 4L << 20)), none(), ChannelNative.load(), (l, m) -> { });
            List<SocketChannel> hoard = new ArrayList<>();
            try (d) {
                // Each hoarder sends the start of a request, with a hash, and then nothing.
                for (int i = 0; i < 40; i++) {
                    SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                    c.write(ByteBuffer.wrap((900000 + i + " 131073 0x1").getBytes(StandardCharsets.US_ASCII)));
                    hoard.add(c);
                }
                SvcgssdProcessTest.waitFor(() -> d.dropped() >= 24, "shedding");
                // The kernel's request, newest of all, is served at once.
                KernelChannel ch = KernelChannel.open(k.kernel());
                for (int secid = 1; secid <= 5; secid++) {
                    ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(secid, "tank-MDT0000_UUID", 0x20001, 0,
                            0, "junk".getBytes(StandardCharsets.US_ASCII)));
                    assertTrue(r.major() != GssException.GSS_S_COMPLETE);
                    assertEquals(-Errno.EACCES, r.result());
                }
                assertEquals(5, d.failed());
                // The shed requests got error downcalls (the simulated kernel knows none of them).
                SvcgssdProcessTest.waitFor(() -> kernelLog.stream().anyMatch(m -> m.contains("unknown hash 900000")),
                        "an error downcall for a shed request: " + kernelLog);
            } finally {
                for (SocketChannel c : hoard) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aDeadReaderIsAFailureNotACleanExit() throws Exception {
        Path sock = tmp.resolve("svcgssd.socket");
        List<String> lines = new CopyOnWriteArrayList<>();
        Log log = (level, m) -> {
            if (m.contains("failed reading request")) {
                throw new IllegalStateException("simulated fault in the reader");
            }
            lines.add(m);
        };
        try (SimKernel k = kernel(sock)) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofMinutes(5), 1), none(),
                    ChannelNative.load(), log);
            try (d) {
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                    c.write(ByteBuffer.wrap("5 131073".getBytes(StandardCharsets.US_ASCII)));
                }
                Thread t = new Thread(() -> {
                    try {
                        d.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                t.join(Duration.ofSeconds(30).toMillis());
                assertTrue(!t.isAlive(), "the reader did not end");
                assertTrue(d.failure().isPresent());
                assertEquals(1, SvcgssdCommand.exitStatus(d, log));
                assertTrue(lines.stream().anyMatch(m -> m.contains("the request reader stopped")), lines.toString());
            }
        }
    }
}
