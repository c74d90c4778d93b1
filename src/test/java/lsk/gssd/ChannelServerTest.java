package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.crypto.Ffdhe;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.CacheChannelNative;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.keyfile.KeyConfig;
import lsk.sk.Flags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 2.15.x backend against a scripted kernel ({@link ScriptedChannels}): request lines written
 * by hand in the format of gss_svc_upcall.c rsi_request (index id 19173571018: six hex words,
 * host-order svc/nid/index, the nodemap with its NUL), answers checked word by word against
 * svcgssd_proc.c (index id 2767627771): rsc to the context channel first, then rsi to the init
 * channel; failures only an rsi with empty out words. Hostile lines are logged as the socket
 * backend logs them ("ERROR: malformed request line: ...") and the daemon keeps serving.
 */
@Timeout(60)
class ChannelServerTest {
    @TempDir
    Path tmp;

    final List<String> logs = new CopyOnWriteArrayList<>();
    final byte[] shared = random(32);
    final KeyConfig client = KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").sharedKey(shared)
            .prime(Ffdhe.FFDHE2048.primeBytes()).build();
    final KeyConfig server = client.toBuilder().type(KeyConfig.TYPE_SERVER).build();
    static final long NID = 0x20000c0a80132L;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    static String hex(byte[] b) {
        return "\\x" + HexFormat.of().formatHex(b);
    }

    /** Host order (x86_64): little-endian, as the kernel's qword_addhex of the raw field. */
    static String le(long v, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return hex(b);
    }

    /** A request line as rsi_request writes it; nodemap "default" with its NUL. */
    static String request(long svc, long index, byte[] token) {
        return le(svc, 4) + " " + le(NID, 8) + " " + le(index, 8) + " \\x64656661756c7400 \\x " + hex(token) + "\n";
    }

    byte[] initToken() throws Exception {
        return Initiator.start(client, "tank-MDT0000_UUID", Flags.ROOT | Flags.SVC_INTEGRITY, NID, Entropy.secure())
                .token();
    }

    Svcgssd start(CacheChannelNative cc, Path root) throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(root), LustreVersion.parse("2.15.8", "test"));
        Files.createDirectories(CacheChannelLines.initChannel(k.paths()).getParent());
        Files.createDirectories(CacheChannelLines.contextChannel(k.paths()).getParent());
        Responder responder = new Responder(d -> List.of(server), NodemapResolver.NONE, Entropy.secure());
        return Svcgssd.serveChannels(new Svcgssd.Options(tmp.resolve("unused.socket"), k, true, Duration.ofSeconds(5),
                1), responder, (lvl, m) -> logs.add(m), cc);
    }

    @Test
    void contextFirstThenReplyInTheSourcesWords() throws Exception {
        Path root = tmp.resolve("root");
        ScriptedChannels kernel = new ScriptedChannels(CacheChannelLines.initChannel(new ParamPaths(root)));
        byte[] token = initToken();
        kernel.request(request((2L << 16) | 1, 0x1122334455667788L, token).getBytes(StandardCharsets.US_ASCII));
        try (Svcgssd d = start(kernel, root)) {
            List<ScriptedChannels.Write> w = kernel.awaitWrites(2);
            assertEquals(2, w.size(), logs.toString());
            assertEquals(ScriptedChannels.CONTEXT, w.get(0).channel(), "rsc first");
            assertEquals(ScriptedChannels.INIT, w.get(1).channel(), "then rsi");
            long now = System.currentTimeMillis() / 1000;
            // do_svc_downcall: handle expiry remote root mds oss mapped_uid uid gid mech context
            String[] rsc = w.get(0).text().split(" ");
            assertTrue(w.get(0).text().endsWith("\n"));
            assertEquals(11, rsc.length, w.get(0).text());
            assertEquals("\\x8877665544332211", rsc[0]);
            assertExpiry(now, rsc[1]);
            assertEquals(List.of("0", "1", "0", "0", "-1", "0", "0", "sk"), List.of(rsc).subList(2, 10));
            assertTrue(rsc[10].matches("\\\\x([0-9a-f]{2})+\n"), "context as a hex word");
            // send_response: in_handle in_token expiry major minor out_handle out_token
            String[] rsi = w.get(1).text().split(" ");
            assertEquals(7, rsi.length, w.get(1).text());
            assertEquals("\\x", rsi[0]);
            assertEquals(hex(token), rsi[1]);
            assertExpiry(now, rsi[2]);
            assertEquals("0", rsi[3]);
            assertEquals("0", rsi[4]);
            assertEquals("\\x8877665544332211", rsi[5]);
            assertTrue(rsi[6].matches("\\\\x([0-9a-f]{2})+\n"), "response token as a hex word");
            long end = System.nanoTime() + 10_000_000_000L; // counted just after the rsi write
            while (d.completed() == 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertEquals(1, d.completed());
            assertEquals(List.of(CacheChannelLines.initChannel(new ParamPaths(root)) + " " + CacheChannelNative.O_RDWR,
                    CacheChannelLines.contextChannel(new ParamPaths(root)) + " " + CacheChannelNative.O_WRONLY),
                    kernel.opens());
        }
    }

    static void assertExpiry(long now, String word) {
        long e = Long.parseLong(word);
        assertTrue(e >= now + 3600 - 5 && e <= now + 3600 + 5, word);
    }

    @Test
    void hostileLinesAreLoggedAnsweredWhereTheyCanBeAndServingGoesOn() throws Exception {
        Path root = tmp.resolve("root");
        ScriptedChannels kernel = new ScriptedChannels(CacheChannelLines.initChannel(new ParamPaths(root)));
        String good = request((2L << 16) | 1, 7, new byte[] {1, 2});
        String[] hostile = {
            good.replace("\\x01000200", "\\x0100020"),          // odd hex in svc: handle and token still decode
            good.replace(" \\x ", " \\xzz "),                   // bad hex in the in-handle: nothing to key an answer on
            good.substring(0, good.length() - 1),               // partial: no newline
            good.replace(" \\x ", " "),                         // five words
            good.replace("\\x0102\n", "\\x0102 \\x\n"),         // seven words
        };
        for (String h : hostile) {
            kernel.request(h.getBytes(StandardCharsets.US_ASCII));
        }
        kernel.request(new byte[CacheChannelLines.MAX_REQUEST + 1]); // too long: dropped unread
        // then a mechanism that is not SK (krb5 = 1 << 16): answered GSS_S_BAD_MECH, as the socket backend does
        kernel.request(request((1L << 16) | 1, 8, new byte[] {9}).getBytes(StandardCharsets.US_ASCII));
        try (Svcgssd d = start(kernel, root)) {
            kernel.awaitWrites(2);
            long end = System.nanoTime() + 10_000_000_000L; // counted just after the last write
            while (d.failed() < 7 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // nothing more may come
            List<ScriptedChannels.Write> w = kernel.writes();
            assertEquals(2, w.size(), w + " " + logs);
            String[] first = w.get(0).text().split(" ");
            assertEquals(ScriptedChannels.INIT, w.get(0).channel());
            assertEquals(List.of("\\x", "\\x0102"), List.of(first).subList(0, 2));
            assertEquals(List.of("851968", "0", "\\x", "\\x\n"), List.of(first).subList(3, 7)); // GSS_S_FAILURE
            String[] mech = w.get(1).text().split(" ");
            assertEquals(List.of("\\x", "\\x09"), List.of(mech).subList(0, 2));
            assertEquals(List.of("65536", "0", "\\x", "\\x\n"), List.of(mech).subList(3, 7)); // GSS_S_BAD_MECH
            assertEquals(7, d.failed());
            assertEquals(1, d.dropped());
            long malformed = logs.stream().filter(m -> m.startsWith("ERROR: malformed request line: ")).count();
            assertEquals(6, malformed, logs.toString());
            assertTrue(logs.stream().noneMatch(m -> m.contains("0102")), "no request bytes logged");
        }
    }

    @Test
    void reopensAfterEndOfFileAndWhileTheChannelIsMissing() throws Exception {
        Path root = tmp.resolve("root");
        ScriptedChannels kernel = new ScriptedChannels(CacheChannelLines.initChannel(new ParamPaths(root)));
        kernel.failOpens(2);
        kernel.request(ScriptedChannels.EOF); // two empty reads in a row: the channel is gone
        kernel.request(ScriptedChannels.EOF);
        kernel.request(request((2L << 16) | 1, 9, new byte[] {1}).getBytes(StandardCharsets.US_ASCII));
        try (Svcgssd d = start(kernel, root)) {
            List<ScriptedChannels.Write> w = kernel.awaitWrites(1);
            assertEquals(1, w.size());
            assertTrue(w.get(0).text().contains(" 589824 0 \\x \\x\n"), w.get(0).text()); // GSS_S_DEFECTIVE_TOKEN
            long initOpens = kernel.opens().stream().filter(o -> o.contains("auth.sptlrpc.init")).count();
            assertEquals(4, initOpens, kernel.opens().toString()); // 2 failed, 1 until EOF, 1 after
            assertTrue(logs.stream().anyMatch(m -> m.contains("end of file")), logs.toString());
            assertTrue(d.failure().isEmpty());
        }
    }

    @Test
    void oneEmptyReadIsARequestTakenMeanwhileNotAReopen() throws Exception {
        // Reopening would have the cache hand this reader every pending request again, and those
        // in the workers' hands would be negotiated twice (net/sunrpc/cache.c cache_open).
        Path root = tmp.resolve("root");
        ScriptedChannels kernel = new ScriptedChannels(CacheChannelLines.initChannel(new ParamPaths(root)));
        kernel.request(ScriptedChannels.EOF);
        kernel.request(request((2L << 16) | 1, 9, new byte[] {1}).getBytes(StandardCharsets.US_ASCII));
        try (Svcgssd d = start(kernel, root)) {
            assertEquals(1, kernel.awaitWrites(1).size());
            long initOpens = kernel.opens().stream().filter(o -> o.contains("auth.sptlrpc.init")).count();
            assertEquals(1, initOpens, kernel.opens().toString());
            assertTrue(logs.stream().noneMatch(m -> m.contains("end of file")), logs.toString());
        }
    }
}
