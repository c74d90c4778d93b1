package lsk.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.kernel.Downcalls;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.kernel.ReplyBuffer;
import lsk.sk.GssException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated 2.15.8 kernel with a scripted daemon on its channel sockets that answers with
 * hand-written lines in the C lsvcgssd's format (svcgssd_proc.c of 2.15: do_svc_downcall, then
 * send_response).
 */
class SimKernelCacheChannelTest {
    static final byte[] TOKEN = "an SK init token".getBytes(StandardCharsets.US_ASCII);
    static final long NID = 0x00020000c0a80132L;
    /** The first context index a SimKernel suggests (0x5eed000000000001), as rsi_request writes it. */
    static final String INDEX_HEX = "010000000000ed5e";

    @TempDir
    Path tmp;
    final List<String> log = new CopyOnWriteArrayList<>();

    SimKernel start() throws LskException {
        return SimKernel.start(new SimKernel.Config(tmp.resolve("root"), LustreKernel.version("2.15.8", "test"),
                tmp.resolve("unused.socket"), NID, "default", Duration.ofSeconds(20)), log::add);
    }

    Path channel(String which) {
        return tmp.resolve("root/proc/net/rpc/auth.sptlrpc." + which + "/channel");
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The daemon's side for one request: reads the request, writes rsc then rsi as given (null: none). */
    CompletableFuture<String> daemon(int init, String rsc, String rsiAfterIn) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String req = new String(SimSeqpacket.read(init, 65536), StandardCharsets.ISO_8859_1);
                if (rsc != null) {
                    int ctx = SimSeqpacket.connect(channel("context"));
                    SimSeqpacket.send(ctx, b(rsc));
                    SimSeqpacket.close(ctx);
                }
                if (rsiAfterIn != null) {
                    SimSeqpacket.send(init, b("\\x \\x" + HexFormat.of().formatHex(TOKEN) + " " + rsiAfterIn));
                }
                return req;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** 2.15's tree: version, init_channel in debugfs, the two channel files; no rsi_upcall, rsi_info, rsc_info. */
    @Test
    void treeOf215() throws Exception {
        try (SimKernel k = start()) {
            Path root = tmp.resolve("root");
            assertEquals("2.15.8\n", Files.readString(root.resolve("sys/fs/lustre/version")));
            assertTrue(Files.exists(root.resolve("sys/kernel/debug/lustre/sptlrpc/gss/init_channel")));
            for (String p : List.of(ParamPaths.RSI_UPCALL, ParamPaths.RSI_DOWNCALL, ParamPaths.RSC_DOWNCALL)) {
                assertTrue(k.paths().find(p).isEmpty(), p);
            }
            for (String c : List.of("init", "context")) {
                Path ch = channel(c);
                assertFalse(Files.isRegularFile(ch, LinkOption.NOFOLLOW_LINKS));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ch)));
                assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(ch.getParent())));
            }
        }
    }

    @Test
    void negotiationThroughTheChannels() throws Exception {
        try (SimKernel k = start()) {
            int init = SimSeqpacket.connect(channel("init"));
            try {
                CompletableFuture<String> req = daemon(init,
                        "\\x" + INDEX_HEX + " 1700003600 0 1 0 0 -1 0 0 sk \\x00112233\n",
                        "1700003600 0 0 \\x" + INDEX_HEX + " \\x0707\n");
                ReplyBuffer r = k.secCtxInit(0x20001, "tank-MDT0000_UUID", TOKEN);
                assertEquals(0, r.major(), String.join("\n", log));
                assertEquals("\\x01000200 \\x3201a8c000000200 \\x" + INDEX_HEX + " \\x64656661756c7400 \\x \\x"
                        + HexFormat.of().formatHex(TOKEN) + "\n", req.get(5, TimeUnit.SECONDS));
                byte[] handle = HexFormat.of().parseHex(INDEX_HEX);
                assertArrayEquals(handle, r.handle().toByteArray());
                assertArrayEquals(new byte[] {7, 7}, r.token().toByteArray());
                Downcalls.Rsc ctx = k.serverContext(handle).orElseThrow();
                assertEquals(Downcalls.RSC_FLAG_ROOT, ctx.flags());
                assertArrayEquals(new byte[] {0, 0x11, 0x22, 0x33}, ctx.context().reveal());
            } finally {
                SimSeqpacket.close(init);
            }
        }
    }

    /** No reader has the init channel open (and none closed lately): cache_check drops the request. */
    @Test
    void noDaemonFailsTheUpcall() throws Exception {
        try (SimKernel k = start()) {
            LskException e = assertThrows(LskException.class, () -> k.secCtxInit(0x20001, "u", TOKEN));
            assertEquals(Errno.ETIMEDOUT, e.errno());
            assertTrue(e.getMessage().contains("request dropped"), e.getMessage());
        }
    }

    /** A reader that closed within 30 s still counts; the pending request reaches the next one that opens. */
    @Test
    void pendingRequestReachesAReaderThatOpensLater() throws Exception {
        try (SimKernel k = start()) {
            SimSeqpacket.close(SimSeqpacket.connect(channel("init")));
            Thread.sleep(200);
            CompletableFuture<ReplyBuffer> r = CompletableFuture.supplyAsync(() -> {
                try {
                    return k.secCtxInit(0x20001, "u", TOKEN);
                } catch (LskException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            int init = SimSeqpacket.connect(channel("init"));
            try {
                daemon(init, "\\x" + INDEX_HEX + " 1700003600 0 1 0 0 -1 0 0 sk \\x01\n",
                        "1700003600 0 0 \\x" + INDEX_HEX + " \\x\n");
                assertEquals(0, r.get(10, TimeUnit.SECONDS).major(), String.join("\n", log));
            } finally {
                SimSeqpacket.close(init);
            }
        }
    }

    /** A bad expiry after the lookup: write() would return -EINVAL and the woken request is dropped at once. */
    @Test
    void refusedRsiDropsTheRequestAtOnce() throws Exception {
        try (SimKernel k = start()) {
            int init = SimSeqpacket.connect(channel("init"));
            try {
                daemon(init, null, "soon 0 0 \\x \\x\n");
                long t0 = System.nanoTime();
                LskException e = assertThrows(LskException.class, () -> k.secCtxInit(0x20001, "u", TOKEN));
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
                assertEquals(Errno.ETIMEDOUT, e.errno());
                assertTrue(log.stream().anyMatch(m -> m.contains("auth.sptlrpc.init/channel write returns -22 (EINVAL)")),
                        String.join("\n", log));
            } finally {
                SimSeqpacket.close(init);
            }
        }
    }

    /** A refused rsc (unknown mech: -EOPNOTSUPP) installs nothing: the client fails at once. */
    @Test
    void refusedRscLeavesNoContext() throws Exception {
        try (SimKernel k = start()) {
            int init = SimSeqpacket.connect(channel("init"));
            try {
                daemon(init, "\\x" + INDEX_HEX + " 1700003600 0 1 0 0 -1 0 0 skx \\x01\n",
                        "1700003600 0 0 \\x" + INDEX_HEX + " \\x\n");
                ReplyBuffer r = k.secCtxInit(0x20001, "u", TOKEN);
                assertEquals(GssException.GSS_S_FAILURE, r.major());
                assertEquals(0, k.serverContextCount());
                assertTrue(log.stream().anyMatch(m -> m.contains("write returns -95 (EOPNOTSUPP)")),
                        String.join("\n", log));
            } finally {
                SimSeqpacket.close(init);
            }
        }
    }
}
