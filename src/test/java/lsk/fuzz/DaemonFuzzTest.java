package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.gssd.RequestHandler;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.Downcalls;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.kernel.sim.SimKernel;
import lsk.kernel.UpcallLine;

/**
 * The daemon's whole request handling ({@link RequestHandler#handle}: request line, responder,
 * downcalls) on hostile requests, with the downcall parameter files as plain files in a temp
 * tree. Every request must end as exactly one counted success or failure, write an rsi
 * downcall for its hash, and never fail "internally" (an unexpected exception).
 */
class DaemonFuzzTest {
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Path rsi;
    private final RequestHandler daemon;
    private final byte[] shared = HandshakeKeys.key("keyfiles/server_tank_default.key").sharedKey();

    DaemonFuzzTest() {
        try {
            Path root = Files.createTempDirectory("lsk-fuzz-daemon");
            LustreKernel kernel = LustreKernel.of(new ParamPaths(root), SimKernel.NEWEST);
            rsi = kernel.paths().simulated(kernel.abi(), ParamPaths.RSI_DOWNCALL);
            Files.createDirectories(rsi.getParent());
            Files.createFile(rsi);
            Files.createFile(kernel.paths().simulated(kernel.abi(), ParamPaths.RSC_DOWNCALL));
            root.toFile().deleteOnExit();
            Responder responder = new Responder(HandshakeKeys.serverKeys(), NodemapResolver.NONE,
                    Entropy.fixed(HandshakeKeys.SERVER_RANDOM, HandshakeKeys.serverPrivate()));
            daemon = new RequestHandler(kernel, true, responder, ChannelNative.load(), (lvl, m) -> log.add(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (lsk.base.LskException e) {
            throw new IllegalStateException("native shim", e);
        }
    }

    /** Any bytes as the request line. */
    @FuzzTest
    void requestLine(byte[] data) {
        handle(data, false, data);
    }

    /** The input as the token of a well-formed request line from the simulated client. */
    @FuzzTest
    void requestToken(byte[] data) {
        byte[] line = new UpcallLine(0x4242, (2L << 16) | 1, HandshakeKeys.CLIENT_NID, 0x0123456789abcdefL,
                HandshakeKeys.SERVER_NODEMAP, new byte[0], data).format();
        handle(line, data.length > 0 && data.length * 4 / 3 < UpcallLine.MAX_LINE - 100, Seeds.concat(line, data));
    }

    /** @param sent everything the peer chose (the line, and the token inside it decoded) */
    private void handle(byte[] line, boolean parses, byte[] sent) {
        log.clear();
        long before = daemon.completed() + daemon.failed();
        try {
            Files.write(rsi, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon.handle(line);
        if (daemon.completed() + daemon.failed() != before + 1) {
            throw Fuzz.fail("request not counted exactly once: " + log);
        }
        for (String m : log) {
            // Prefixes only the daemon writes (a peer's text can appear later in a line, not here).
            if (m.matches("ERROR: sk negotiation from nid 0x[0-9a-f]+ failed internally: .*")
                    || m.startsWith("ERROR: downcall failed")) {
                throw Fuzz.fail("daemon: " + m);
            }
        }
        if (parses) {
            byte[] d;
            try {
                d = Files.readAllBytes(rsi);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Downcalls.Rsi r;
            try {
                r = lsk.kernel.sim.SimDowncalls.rsi(d);
            } catch (lsk.base.DecodeException e) {
                throw Fuzz.fail("rsi downcall: " + e.getMessage());
            }
            if (r.hash() != 0x4242) {
                throw Fuzz.fail("rsi downcall for hash " + r.hash());
            }
            for (String m : log) {
                Fuzz.assertNoSecret("daemon log", m, shared, sent);
            }
        }
    }
}
