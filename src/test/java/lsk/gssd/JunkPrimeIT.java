package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import lsk.crypto.DhGroups;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.handshake.JunkTokens;
import lsk.keyfile.KeySource;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.handshake.RetryException;
import lsk.kernel.ChannelNative;
import lsk.kernel.KernelChannel;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 5, measured: good clients' handshake latency through the daemon (its real
 * socket, two workers, the simulated kernel) while a client that holds the shared key sends
 * HMAC-valid tokens carrying fresh junk DH primes: one a second of 16384 bits, one a second of
 * 8192 bits, then a burst. The junk is built to pass a small-prime sieve (the most a prime
 * check can be made to spend on it). The good clients use a random 2048-bit safe prime (made by
 * the C lgss_sk), so their prime lives in the responder's cache of validated primes; the cache
 * is small so that eviction would show.
 *
 * <p>Prints, per phase, the median and 90th percentile of the good handshakes and of the time
 * until each junk token is answered. Asserts behaviour only: every good negotiation succeeds,
 * every junk token is refused, 16384-bit junk quickly, and the good prime stays validated.
 * {@code -Dlsk.junk.seconds=N} sets each phase's length (default 8).
 */
class JunkPrimeIT {
    private static final long CLIENT_NID = 0x00020000c0a80132L;
    private static final String TARGET = "tank-MDT0000_UUID";
    private static final int SVC = (2 << 16) | 1;
    private static final int FLAGS = 0x40;
    private static final int GOOD_CLIENTS = 2;
    private static final long GOOD_PAUSE_MS = 50;
    private static final int BURST = 16;

    @TempDir
    Path tmp;

    private record Sample(boolean ok, double ms, String problem) {
    }

    private record Phase(String name, List<Sample> good, List<Sample> junk) {
    }

    @Test
    void goodClientsKeepSucceedingWhileJunkPrimesArrive() throws Exception {
        int seconds = Integer.getInteger("lsk.junk.seconds", 8);
        KeyConfig server = KeyFiles.decode("s", Vectors.bytes("keyfiles/server_tank_default.key")).config();
        KeyConfig client = KeyFiles.decode("c", Vectors.bytes("keyfiles/client_tank_p2048.key")).config();
        BigInteger goodPrime = new BigInteger(1, client.prime());
        KeySource keys = d -> Map.of("lustre:tank:default", List.of(server)).getOrDefault(d, List.of());
        DhGroups groups = new DhGroups(8);
        Responder responder = new Responder(keys, NodemapResolver.NONE, Entropy.secure(), groups);
        DhGroups clientGroups = new DhGroups(2);

        SecureRandom rnd = new SecureRandom();
        int perPhase = seconds + 2;
        List<byte[]> junk16k = JunkTokens.tokens(client, 16384, perPhase, rnd);
        List<byte[]> junk8k = JunkTokens.tokens(client, 8192, perPhase, rnd);
        List<byte[]> burst = new ArrayList<>();
        List<byte[]> b16 = JunkTokens.tokens(client, 16384, BURST / 2, rnd);
        List<byte[]> b8 = JunkTokens.tokens(client, 8192, BURST / 2, rnd);
        for (int i = 0; i < BURST / 2; i++) {
            burst.add(b16.get(i));
            burst.add(b8.get(i));
        }

        Path sock = tmp.resolve("svcgssd.socket");
        List<Phase> phases = new ArrayList<>();
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, CLIENT_NID,
                "default", Duration.ofSeconds(60)), m -> { })) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofSeconds(5), 2),
                    responder, ChannelNative.load(), (level, m) -> { });
            try (d) {
                KernelChannel ch = KernelChannel.open(k.kernel());
                ExecutorService pool = Executors.newCachedThreadPool();
                try {
                    for (int i = 0; i < 20; i++) { // warm-up: JIT, and the good prime validated once
                        Sample s = good(ch, client, clientGroups, 1_000 + i);
                        assertTrue(s.ok(), "warm-up: " + s.problem());
                    }
                    phases.add(phase("quiet", pool, ch, client, clientGroups, seconds, List.of(), 0));
                    phases.add(phase("junk 16384-bit 1/s", pool, ch, client, clientGroups, seconds, junk16k, 1000));
                    phases.add(phase("junk 8192-bit 1/s", pool, ch, client, clientGroups, seconds, junk8k, 1000));
                    phases.add(phase("burst of " + BURST + " junk", pool, ch, client, clientGroups, seconds, burst, 0));
                } finally {
                    pool.shutdownNow();
                }
            }
        }
        System.out.println("# JunkPrimeIT: good handshakes (2 clients, 20/s each) and junk answers, ms");
        for (Phase p : phases) {
            System.out.println(String.format(Locale.ROOT,
                    "# %-22s good n=%3d median %8.1f p90 %8.1f max %8.1f | junk n=%2d median %8.1f max %8.1f",
                    p.name(), p.good().size(), median(p.good(), 50), median(p.good(), 90), median(p.good(), 100),
                    p.junk().size(), median(p.junk(), 50), median(p.junk(), 100)));
        }
        for (Phase p : phases) {
            for (Sample s : p.good()) {
                assertTrue(s.ok(), p.name() + ": good negotiation failed: " + s.problem());
            }
            for (Sample s : p.junk()) {
                assertTrue(s.ok(), p.name() + ": junk not refused: " + s.problem());
            }
        }
        assertTrue(median(phases.get(1).junk(), 50) < 1000, "16384-bit junk is refused within a second");
        assertTrue(groups.isValidated(goodPrime), "the good prime is still validated");
    }

    /**
     * Good clients for {@code seconds}, while the junk tokens go out one every {@code gapMs}
     * (all at once for 0), each on its own thread (a peer does not wait for its answers).
     */
    private static Phase phase(String name, ExecutorService pool, KernelChannel ch, KeyConfig client,
                               DhGroups clientGroups, int seconds, List<byte[]> junk, long gapMs) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<List<Sample>>> clients = new ArrayList<>();
        for (int c = 0; c < GOOD_CLIENTS; c++) {
            int base = 100_000 * (c + 1);
            clients.add(pool.submit(() -> {
                List<Sample> out = new ArrayList<>();
                for (int i = 0; !stop.get(); i++) {
                    out.add(good(ch, client, clientGroups, base + i));
                    Thread.sleep(GOOD_PAUSE_MS);
                }
                return out;
            }));
        }
        List<Future<Sample>> sent = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < junk.size() && System.nanoTime() < end; i++) {
            byte[] tok = junk.get(i);
            int secid = 500_000 + i;
            sent.add(pool.submit(() -> junk(ch, tok, secid)));
            if (gapMs > 0) {
                Thread.sleep(gapMs);
            }
        }
        long left = end - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        stop.set(true);
        List<Sample> good = new ArrayList<>();
        for (Future<List<Sample>> f : clients) {
            good.addAll(f.get(5, TimeUnit.MINUTES));
        }
        List<Sample> junkOut = new ArrayList<>();
        for (Future<Sample> f : sent) {
            junkOut.add(f.get(5, TimeUnit.MINUTES));
        }
        return new Phase(name, good, junkOut);
    }

    private static Sample good(KernelChannel ch, KeyConfig client, DhGroups clientGroups, int secid) {
        long t0 = System.nanoTime();
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Initiator i = Initiator.start(client, TARGET, FLAGS, CLIENT_NID, Entropy.secure(), clientGroups);
                ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(secid, TARGET, SVC, 0, 0, i.token()));
                if (r.major() != GssException.GSS_S_COMPLETE || r.result() != 0) {
                    return new Sample(false, ms(t0), "refused: major 0x" + Integer.toHexString(r.major()));
                }
                try {
                    i.finish(r.token().toByteArray());
                    return new Sample(true, ms(t0), null);
                } catch (RetryException e) {
                    continue; // short S or random collision: a new exchange, as lgss_keyring does
                }
            }
            return new Sample(false, ms(t0), "retried 3 times");
        } catch (Exception e) {
            return new Sample(false, ms(t0), e.toString());
        }
    }

    private static Sample junk(KernelChannel ch, byte[] token, int secid) {
        long t0 = System.nanoTime();
        try {
            ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(secid, TARGET, SVC, 0, 0, token));
            boolean refused = r.major() != GssException.GSS_S_COMPLETE && r.handle().isEmpty();
            return new Sample(refused, ms(t0), refused ? null : "accepted: " + r);
        } catch (Exception e) {
            return new Sample(false, ms(t0), e.toString());
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** The pct-th percentile (nearest rank) of the times; NaN when empty. */
    private static double median(List<Sample> samples, int pct) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        double[] t = samples.stream().mapToDouble(Sample::ms).sorted().toArray();
        int idx = (int) Math.ceil(pct / 100.0 * t.length) - 1;
        return t[Math.max(0, Math.min(t.length - 1, idx))];
    }
}
