package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.LustreKernel;
import lsk.cmd.Log;
import lsk.kernel.ParamPaths;
import lsk.kernel.sim.SimKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 10, item 12): one local peer made the daemon write 144,667 log lines in
 * 30 s. Repeated messages are now rate-limited per kind and in all, and what was suppressed is
 * reported in one line per kind.
 */
class LogRateLimitTest {
    @TempDir
    Path tmp;

    record Line(int level, String text) {
    }

    final List<Line> out = new CopyOnWriteArrayList<>();
    final AtomicLong clock = new AtomicLong();

    Log limited(int perKind, int total) {
        return new Log.RateLimited((l, m) -> out.add(new Line(l, m)), Log.DEBUG, perKind, total,
                Duration.ofSeconds(10), clock::get);
    }

    @Test
    void repeatsOfOneKindAreCountedAndReported() {
        Log log = limited(3, 100);
        for (int i = 0; i < 50; i++) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Integer.toHexString(i) + " failed: bad HMAC");
        }
        log.log(Log.WARN, "another kind");
        assertEquals(4, out.size(), out.toString());
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log(Log.ERR, "ERROR: sk negotiation from nid 0x99 failed: bad HMAC");
        assertEquals(new Line(Log.ERR, "suppressed 47 similar messages in 10 s: ERROR: sk negotiation from nid #"
                + " failed: bad HMAC"), out.get(4));
        assertEquals("ERROR: sk negotiation from nid 0x99 failed: bad HMAC", out.get(5).text());
    }

    @Test
    void manyKindsShareOneTotal() {
        Log log = limited(3, 10);
        for (int i = 0; i < 100; i++) {
            log.log(Log.ERR, "nodemap " + (char) ('a' + i % 26) + (char) ('a' + i / 26) + " unknown");
        }
        assertEquals(10, out.size());
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        log.log(Log.ERR, "later");
        assertEquals("suppressed 90 log lines (more than 10 in 10 s)", out.get(10).text());
        assertEquals("later", out.get(out.size() - 1).text());
    }

    @Test
    void levelsAboveTheThresholdTakeNoShare() {
        Log log = new Log.RateLimited((l, m) -> out.add(new Line(l, m)), Log.WARN, 5, 5, Duration.ofSeconds(10),
                clock::get);
        for (int i = 0; i < 100; i++) {
            log.log(Log.DEBUG, "debug " + (char) ('a' + i % 26) + (char) ('a' + i / 26));
        }
        log.log(Log.ERR, "the one that matters");
        assertEquals(List.of(new Line(Log.ERR, "the one that matters")), out);
    }

    /** 100,000 hostile requests through the daemon's request handling and its log. */
    @Test
    void hostileRequestsMakeABoundedNumberOfLines() throws Exception {
        LustreKernel k = LustreKernel.of(new ParamPaths(tmp.resolve("root")), SimKernel.NEWEST);
        Path rsi = k.paths().simulated(k.abi(), ParamPaths.RSI_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        Files.createFile(rsi);
        Responder none = new Responder(d -> List.of(), NodemapResolver.NONE, Entropy.secure());
        // The daemon's own wiring (SvcgssdCommand) at -vv: rate limit over the sink.
        AtomicLong lines = new AtomicLong();
        List<String> summaries = new CopyOnWriteArrayList<>();
        Log log = Log.rateLimited((l, m) -> {
            lines.incrementAndGet();
            if (m.startsWith("suppressed")) {
                summaries.add(m);
            }
        }, Log.INFO);
        Logger responderLog = Logger.getLogger("lsk.handshake.Responder");
        Level was = responderLog.getLevel();
        responderLog.setLevel(Level.OFF); // its own warnings go to stderr, not to this log
        long t0 = System.nanoTime();
        try {
            RequestHandler d = new RequestHandler(k, true, none, ChannelNative.load(), log);
            List<byte[]> hostile = new ArrayList<>();
            hostile.add("1 131073 0x1 0x0 default 0 AAAA\n".getBytes()); // sk, junk token
            hostile.add("2 1 0x1 0x0 default 0 AAAA\n".getBytes()); // kerberos
            hostile.add("3 131073 0x1 0x0 default 0 !!!!\n".getBytes()); // bad base64
            hostile.add("4 131073 0x1\n".getBytes()); // too few fields
            for (int i = 0; i < 100_000; i++) {
                d.handle(hostile.get(i % hostile.size()));
            }
            assertEquals(100_000, d.failed());
        } finally {
            responderLog.setLevel(was);
        }
        long windows = Duration.ofNanos(System.nanoTime() - t0).toSeconds() / 10 + 2;
        // Per 10 s window at most 400 lines, plus one "suppressed" line per kind and one in all.
        assertTrue(lines.get() <= windows * (400 + 10), lines.get() + " lines in " + windows + " windows");
        log.log(Log.ERR, "flush"); // a later message reports what the last window suppressed
        assertTrue(lines.get() < 2000, lines.get() + " lines");
    }
}
