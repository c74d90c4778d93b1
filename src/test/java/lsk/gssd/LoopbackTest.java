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
import lsk.sk.GssException;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelChannel;
import lsk.cmd.Log;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.base.LskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated kernel carries a client's init_channel write to the daemon's socket as an
 * upcall line, and the daemon's rsi downcall back as the reply buffer; hostile connections
 * (silent, garbage, oversized) never stop the daemon.
 */
class LoopbackTest {
    @TempDir
    Path tmp;

    @Test
    void errorsTravelBackAndHostileInputDoesNotStopTheDaemon() throws Exception {
        List<String> logs = new CopyOnWriteArrayList<>();
        Log log = (lvl, m) -> logs.add(m);
        Path sock = tmp.resolve("svcgssd.socket");
        // A responder that rejects everything, as one with no matching key would.
        lsk.handshake.Entropy none = new lsk.handshake.Entropy() {
            @Override public byte[] random4() { throw new IllegalStateException("unused"); }
            @Override public java.math.BigInteger privateKey(java.math.BigInteger p) {
                throw new IllegalStateException("unused");
            }
        };
        Responder rejecting = new Responder(d -> List.of(), lsk.handshake.NodemapResolver.NONE, none);
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, 0x00020000c0a80132L,
                "default", Duration.ofSeconds(10)), m -> logs.add(m))) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofMillis(500), 2),
                    rejecting, ChannelNative.load(), log);
            try (d) {
                List<SocketChannel> silent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    silent.add(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
                }
                send(sock, "garbage\n");
                send(sock, "1 2 3\n");
                send(sock, "7 65537 0x1 0x2 default 0 AAAA\n"); // gssnull: not supported
                byte[] big = new byte[200_000];
                java.util.Arrays.fill(big, (byte) 'A');
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                    c.write(ByteBuffer.wrap(big));
                } catch (java.io.IOException e) {
                    // the daemon may hang up first
                }
                KernelChannel ch = KernelChannel.open(k.kernel());
                ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(1, "tank-MDT0000_UUID", 0x20001, 0, 0,
                        "not a token".getBytes(StandardCharsets.US_ASCII)));
                assertTrue(r.major() != GssException.GSS_S_COMPLETE, r.toString());
                assertEquals(-Errno.EACCES, r.result());
                assertEquals(0, r.handle().size());
                for (SocketChannel s : silent) {
                    s.close();
                }
                // The daemon counts a request after its downcall, which may be after the client
                // (released by that downcall) got here; the raw lines (the gssnull one's log line
                // too) are handled concurrently.
                long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while ((d.failed() < 3 || logs.stream().noneMatch(m -> m.contains("not supported")))
                        && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertTrue(d.failed() >= 3, "failed=" + d.failed());
                assertEquals(0, k.serverContextCount());
            }
        }
        assertTrue(logs.stream().anyMatch(m -> m.contains("not supported")), logs.toString());
    }

    private static void send(Path sock, String line) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
