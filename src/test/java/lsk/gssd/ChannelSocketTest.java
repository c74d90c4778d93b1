package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.CacheChannelNative;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel backend through the native shim, on the simulated kernel's kind of channel: both
 * channel paths are SOCK_SEQPACKET sockets this test serves (one message per read and write, as
 * the real channel files take one record per read and write). The daemon connects to both,
 * answers a request written by hand in the kernel's format, and connects again when the kernel
 * side hangs up (as the C daemon reopens the init file after end of file).
 */
@Timeout(60)
class ChannelSocketTest {
    @TempDir
    Path tmp;

    final List<String> logs = new CopyOnWriteArrayList<>();
    CacheChannelNative cc;
    int initListener = -1;
    int contextListener = -1;

    @AfterEach
    void closeListeners() {
        if (initListener >= 0) {
            cc.lsk_cc_close(initListener);
        }
        if (contextListener >= 0) {
            cc.lsk_cc_close(contextListener);
        }
    }

    static int ok(long r) {
        assertTrue(r >= 0, "errno " + -r);
        return (int) r;
    }

    static String receive(CacheChannelNative cc, int fd) {
        byte[] buf = new byte[CacheChannelLines.MAX_ANSWER + 1];
        int n = ok(cc.lsk_cc_read(fd, buf, buf.length));
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void servesSeqpacketChannelsAndReconnects() throws Exception {
        cc = CacheChannelNative.load();
        ParamPaths paths = new ParamPaths(tmp.resolve("root"));
        Path init = CacheChannelLines.initChannel(paths);
        Path context = CacheChannelLines.contextChannel(paths);
        Files.createDirectories(init.getParent());
        Files.createDirectories(context.getParent());
        initListener = ok(cc.lsk_cc_listen(init.toString()));
        contextListener = ok(cc.lsk_cc_listen(context.toString()));
        LustreKernel k = LustreKernel.of(paths, LustreVersion.parse("2.15.8", "test"));
        Responder none = new Responder(d -> List.of(), NodemapResolver.NONE, Entropy.secure());
        try (Svcgssd d = Svcgssd.serveChannels(new Svcgssd.Options(tmp.resolve("unused"), k, true,
                Duration.ofSeconds(5), 1), none, (l, m) -> logs.add(m), cc)) {
            assertEquals(init.toString(), d.servedOn());
            int conn = ok(cc.lsk_cc_accept(initListener));
            // rsi_request: svc sk/MDS, nid 0x20000c0a80132, index 3, "default", no handle, token 01 02 03
            byte[] req = "\\x01000200 \\x3201a8c000000200 \\x0300000000000000 \\x64656661756c7400 \\x \\x010203\n"
                    .getBytes(StandardCharsets.US_ASCII);
            ok(cc.lsk_cc_write(conn, req, req.length));
            String rsi = receive(cc, conn);
            // not a valid SK token: an rsi error, GSS_S_DEFECTIVE_TOKEN, empty out words
            assertTrue(rsi.matches("\\\\x \\\\x010203 \\d+ 589824 0 \\\\x \\\\x\n"), rsi);
            cc.lsk_cc_close(conn); // the kernel side goes away: the daemon must come back
            conn = ok(cc.lsk_cc_accept(initListener));
            ok(cc.lsk_cc_write(conn, req, req.length));
            assertTrue(receive(cc, conn).contains(" 589824 0 "));
            cc.lsk_cc_close(conn);
            assertEquals(2, d.failed());
            assertTrue(logs.stream().anyMatch(m -> m.contains("successfully open " + init)), logs.toString());
        }
    }

    @Test
    void refusesALinkOrAFifoAsAChannel() throws Exception {
        cc = CacheChannelNative.load();
        Path fifo = tmp.resolve("fifo");
        lsk.kernel.ChannelNative.load().lsk_mkfifo(fifo.toString(), 0600);
        assertEquals(-22, cc.lsk_cc_open(fifo.toString(), CacheChannelNative.O_WRONLY)); // EINVAL
        Path file = Files.writeString(tmp.resolve("file"), "");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), file);
        assertEquals(-22, cc.lsk_cc_open(link.toString(), CacheChannelNative.O_WRONLY));
        int fd = ok(cc.lsk_cc_open(file.toString(), CacheChannelNative.O_RDWR));
        byte[] line = "\\x \\x 1 0 0 \\x \\x\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(line.length, cc.lsk_cc_write(fd, line, line.length));
        cc.lsk_cc_close(fd);
        assertEquals("\\x \\x 1 0 0 \\x \\x\n", Files.readString(file));
    }
}
