package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import lsk.crypto.DhGroups;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.keyfile.KeySource;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.handshake.RetryException;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelChannel;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import lsk.cmd.Log;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon on its real Unix socket under hostile load: {@code lsk.hostile.n} (default 2000)
 * negotiations from concurrent clients through the simulated kernel, 20% of them bad:
 * malformed, forged (wrong shared key), truncated or oversized tokens, or tokens of an
 * authenticated peer carrying a fresh 4096-bit junk prime (each must get an error
 * downcall), raw request lines too long for the daemon, and peers that connect and stall
 * (each must be cut off by the read timeout); all along, a connection-hoarding peer holds more
 * connections open than the daemon's cap, dripping the start of a request a byte at a time and
 * reconnecting whenever it is cut off. Every well-formed negotiation must succeed and match the
 * server's context, the daemon must keep serving, and its memory stay bounded. ffdhe2048 keys
 * keep it fast enough for CI.
 */
class HostileLoadIT {
    private static final long CLIENT_NID = 0x00020000c0a80132L;
    private static final String TARGET = "tank-MDT0000_UUID";
    private static final int SVC = (2 << 16) | 1;
    private static final Duration READ_TIMEOUT = Duration.ofMillis(800);

    enum Kind { GOOD, MALFORMED, FORGED, TRUNCATED, OVERSIZED_TOKEN, JUNK_PRIME, OVERSIZED_LINE, STALL }

    @TempDir
    Path tmp;

    @Test
    void daemonSurvivesHostileLoad() throws Exception {
        int n = Integer.getInteger("lsk.hostile.n", 2000);
        List<Kind> kinds = new ArrayList<>();
        Kind[] bad = {Kind.MALFORMED, Kind.FORGED, Kind.TRUNCATED, Kind.OVERSIZED_TOKEN, Kind.JUNK_PRIME,
            Kind.OVERSIZED_LINE, Kind.STALL};
        for (int i = 0; i < n; i++) {
            kinds.add(i % 5 == 0 ? bad[(i / 5) % bad.length] : Kind.GOOD);
        }
        Collections.shuffle(kinds, new Random(42));

        KeyConfig server = KeyFiles.decode("s", Vectors.bytes("keyfiles/server_tank_default.key")).config();
        KeyConfig client = KeyFiles.decode("c", Vectors.bytes("keyfiles/h_client_tank_ffdhe2048.key")).config();
        byte[] wrong = client.sharedKey();
        wrong[5] ^= 0x40;
        KeyConfig forged = client.toBuilder().sharedKey(wrong).build();
        KeySource keys = d -> Map.of("lustre:tank:default", List.of(server)).getOrDefault(d, List.of());
        Responder responder = new Responder(keys, NodemapResolver.NONE, Entropy.secure());
        DhGroups groups = new DhGroups(2);
        Path sock = tmp.resolve("svcgssd.socket");
        AtomicInteger errorLines = new AtomicInteger();
        Log log = (level, m) -> {
            if (level == Log.ERR) {
                errorLines.incrementAndGet();
            }
        };
        long heapBefore = usedHeapAfterGc();
        int[] count = new int[Kind.values().length];
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, CLIENT_NID, "default",
                Duration.ofSeconds(60)), m -> { })) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, READ_TIMEOUT, 2,
                    new RequestReader.Limits(HOARD_CAP, 16L << 20)), responder, ChannelNative.load(), log);
            Hoarder hoarder = new Hoarder(sock, HOARD_CAP + HOARD_CAP / 2);
            Thread hoarding = new Thread(hoarder, "hoarder");
            hoarding.start();
            try (d) {
                KernelChannel ch = KernelChannel.open(k.kernel());
                ExecutorService clients = Executors.newFixedThreadPool(4);
                ExecutorService raw = Executors.newFixedThreadPool(16);
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < kinds.size(); i++) {
                    Kind kind = kinds.get(i);
                    count[kind.ordinal()]++;
                    int secid = i + 1;
                    if (kind == Kind.OVERSIZED_LINE || kind == Kind.STALL) {
                        results.add(raw.submit(() -> rawPeer(sock, kind)));
                    } else {
                        results.add(clients.submit(() -> negotiate(ch, k, kind, secid, client, forged, groups)));
                    }
                }
                List<String> problems = new ArrayList<>();
                for (Future<String> f : results) {
                    String p = f.get(10, TimeUnit.MINUTES);
                    if (p != null) {
                        problems.add(p);
                    }
                }
                clients.shutdown();
                raw.shutdown();
                hoarder.stop = true;
                hoarding.join();
                assertTrue(problems.isEmpty(), problems.size() + " problems, first: "
                        + problems.subList(0, Math.min(5, problems.size())));
                assertTrue(hoarder.connects > HOARD_CAP * 2, "the hoarder was never cut off: " + hoarder.connects
                        + " connections");

                // Still serving after all that.
                assertEquals(null, negotiate(ch, k, Kind.GOOD, n + 1, client, forged, groups));
                int good = count[Kind.GOOD.ordinal()] + 1;
                int kernelBad = count[Kind.MALFORMED.ordinal()] + count[Kind.FORGED.ordinal()]
                        + count[Kind.TRUNCATED.ordinal()] + count[Kind.OVERSIZED_TOKEN.ordinal()]
                        + count[Kind.JUNK_PRIME.ordinal()];
                // The daemon counts a request after its rsi write, which is what releases the
                // client: the last count may lag the client's return by a moment.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while ((d.completed() < good || d.failed() < kernelBad) && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertEquals(good, d.completed(), "completed negotiations");
                assertEquals(kernelBad, d.failed(), "error downcalls");
                assertTrue(d.dropped() >= count[Kind.OVERSIZED_LINE.ordinal()] + count[Kind.STALL.ordinal()],
                        "dropped " + d.dropped());
                assertEquals(good, k.serverContextCount());
                assertTrue(errorLines.get() >= kernelBad, "every rejection is logged");
            }
        }
        long growth = usedHeapAfterGc() - heapBefore;
        assertTrue(growth < 64L << 20, "heap grew by " + (growth >> 20) + " MiB");
    }

    /** A negotiation through the kernel; null when it ended as it must, else what went wrong. */
    private static String negotiate(KernelChannel ch, SimKernel k, Kind kind, int secid, KeyConfig client,
                                    KeyConfig forged, DhGroups groups) {
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Initiator i = Initiator.start(kind == Kind.FORGED ? forged : client, TARGET, 0x40, CLIENT_NID,
                        Entropy.secure(), groups);
                byte[] token = i.token();
                token = switch (kind) {
                    case MALFORMED -> garbage(secid, token.length);
                    case TRUNCATED -> Arrays.copyOf(token, 1 + secid % (token.length - 1));
                    case OVERSIZED_TOKEN -> oversized(token);
                    // An authenticated peer (it has the shared key) with a fresh 4096-bit junk prime
                    // that passes every cheap filter: refused without starving the good clients.
                    case JUNK_PRIME -> lsk.handshake.JunkTokens.token(client,
                            lsk.handshake.JunkTokens.sievePassing(4096, new Random(secid)), 0x40, new Random(secid));
                    default -> token;
                };
                ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(secid, TARGET, SVC, 0, 0, token));
                if (kind != Kind.GOOD) {
                    return r.major() != GssException.GSS_S_COMPLETE && r.result() != 0 && r.handle().isEmpty()
                            ? null : kind + " #" + secid + " was not refused: " + r;
                }
                if (r.major() != GssException.GSS_S_COMPLETE || r.result() != 0) {
                    return "GOOD #" + secid + " refused: " + r;
                }
                try {
                    KernelContext c = i.finish(r.token().toByteArray());
                    if (secid % 50 == 0) {
                        KernelContext s = KernelContextCodec.decode(k.serverContext(r.handle().toByteArray()).orElseThrow().context().reveal());
                        if (!s.hmacKey().equalsConstantTime(c.hmacKey())) {
                            return "GOOD #" + secid + ": client and server HMAC keys differ";
                        }
                    }
                    return null;
                } catch (RetryException e) {
                    continue; // random collision or short S: a new exchange, as lgss_keyring does
                }
            }
            return kind + " #" + secid + ": retried 3 times";
        } catch (Exception e) {
            return kind + " #" + secid + ": " + e;
        }
    }

    private static byte[] garbage(int seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A well-framed token with an 8 KiB target field (the HMAC no longer matches). */
    private static byte[] oversized(byte[] token) {
        byte[] big = new byte[8192];
        Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = 0;
        byte[] tail = ("8192:").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(token, token.length + tail.length + big.length + 1);
        System.arraycopy(tail, 0, out, token.length, tail.length);
        System.arraycopy(big, 0, out, token.length + tail.length, big.length);
        out[out.length - 1] = ',';
        return lsk.wire.Netstring.encode(new byte[] {0, 0, 0, 1}, new byte[4], new byte[256], new byte[256], big,
                new byte[32], new byte[] {0, 0, 0, 0x40}, new byte[32]);
    }

    /** A peer on the daemon's socket sending a too long line, or part of one and then nothing. */
    private static String rawPeer(Path sock, Kind kind) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            long start = System.nanoTime();
            try {
                if (kind == Kind.OVERSIZED_LINE) {
                    byte[] big = new byte[200_000];
                    Arrays.fill(big, (byte) 'A');
                    c.write(ByteBuffer.wrap(big));
                } else {
                    c.write(ByteBuffer.wrap("1 131073 0x20000c0a80132 0x1 default 0 AAAA".getBytes(StandardCharsets.US_ASCII)));
                }
            } catch (IOException e) {
                return null; // hung up on before we finished: fine
            }
            // The daemon must hang up: EOF (or a reset) within the read timeout plus slack.
            ByteBuffer one = ByteBuffer.allocate(1);
            try {
                int r = c.read(one);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                return r < 0 && ms < READ_TIMEOUT.toMillis() + 30_000 ? null : kind + ": read " + r + " after " + ms + " ms";
            } catch (IOException e) {
                return null;
            }
        } catch (IOException e) {
            return null; // refused while the daemon is saturated: fine too
        }
    }

    /** The daemon's connection cap in this test; the hoarder holds half as many more. */
    private static final int HOARD_CAP = 128;

    /**
     * Holds {@code target} connections open, each dripping the start of a request (with a hash)
     * a byte every 50 ms, and reconnects whenever the daemon cuts one off.
     */
    private static final class Hoarder implements Runnable {
        private static final byte[] PREFIX = "424242 131073 0x20000c0a80132 0x1 default 0 AAAA"
                .getBytes(StandardCharsets.US_ASCII);
        private final Path sock;
        private final int target;
        volatile boolean stop;
        volatile long connects;

        Hoarder(Path sock, int target) {
            this.sock = sock;
            this.target = target;
        }

        @Override
        public void run() {
            Map<SocketChannel, Integer> held = new java.util.HashMap<>();
            try {
                while (!stop) {
                    while (held.size() < target) {
                        try {
                            SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                            c.configureBlocking(false);
                            held.put(c, 0);
                            connects++;
                        } catch (IOException e) {
                            break; // backlog full: next round
                        }
                    }
                    for (Iterator<Map.Entry<SocketChannel, Integer>> it = held.entrySet().iterator(); it.hasNext(); ) {
                        Map.Entry<SocketChannel, Integer> e = it.next();
                        int pos = e.getValue();
                        try {
                            e.getKey().write(ByteBuffer.wrap(PREFIX, Math.min(pos, PREFIX.length - 1), 1));
                            e.setValue(pos + 1);
                        } catch (IOException gone) {
                            close(e.getKey());
                            it.remove();
                        }
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.keySet().forEach(Hoarder::close);
            }
        }

        private static void close(SocketChannel c) {
            try {
                c.close();
            } catch (IOException e) {
                // gone anyway
            }
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
