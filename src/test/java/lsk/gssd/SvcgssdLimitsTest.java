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
import java.util.Arrays;
import java.util.List;
import lsk.base.LskException;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelChannel;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.kernel.UpcallLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: unfinished requests from local peers could hold up to a full line each, on as
 * many connections as they liked (unbounded heap until the read timeouts fired). The daemon
 * now caps what they hold together ({@link RequestReader.Limits}) and keeps serving.
 */
class SvcgssdLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void unfinishedRequestsCannotExhaustMemory() throws Exception {
        Path sock = tmp.resolve("svcgssd.socket");
        Responder none = new Responder(d -> List.of(), NodemapResolver.NONE, Entropy.secure());
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, 0x00020000c0a80132L,
                "default", Duration.ofSeconds(30)), m -> { })) {
            // Read timeout far longer than the test: only the cap can drop these.
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofMinutes(5), 1),
                    none, ChannelNative.load(), (l, m) -> { });
            try (d) {
                byte[] almostLine = new byte[UpcallLine.MAX_LINE - 10];
                Arrays.fill(almostLine, (byte) 'A');
                int conns = (int) (RequestReader.Limits.DEFAULT.maxBuffered() / UpcallLine.MAX_LINE) + 40;
                List<SocketChannel> open = new ArrayList<>();
                for (int i = 0; i < conns; i++) {
                    SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                    open.add(c);
                    try {
                        c.write(ByteBuffer.wrap(almostLine));
                    } catch (java.io.IOException e) {
                        // hung up on: the cap at work
                    }
                }
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (d.dropped() == 0 && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertTrue(d.dropped() > 0, "no connection was dropped with " + conns + " almost-full lines pending");
                // Everyone else is still served (a request with a junk token gets its error reply).
                KernelChannel ch = KernelChannel.open(k.kernel());
                for (SocketChannel c : open) {
                    c.close();
                }
                ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(1, "tank-MDT0000_UUID", 0x20001, 0, 0,
                        "junk".getBytes(StandardCharsets.US_ASCII)));
                assertTrue(r.major() != GssException.GSS_S_COMPLETE);
                assertEquals(-Errno.EACCES, r.result());
            }
        }
    }
}
