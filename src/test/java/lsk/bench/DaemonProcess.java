package lsk.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lsk.crypto.Ffdhe;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.kernel.KernelAbi;
import lsk.kernel.KernelChannel;
import lsk.kernel.ParamPaths;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.keyring.SkKeyring;
import lsk.sk.Flags;
import lsk.sk.Mech;

/**
 * lsvcgssd as production runs it: {@code scripts/lsvcgssd -s -f} (so scripts/lsk with the
 * options of scripts/lsk-jvm.conf and the launcher's environment) serving a simulated kernel
 * (newest layout) that writes each request line to its socket, an SSK server key of a unique
 * file system name in the real user keyring. Measures what an administrator sees: VmRSS and
 * Threads from /proc/PID/status, negotiations per second through the kernel's init channel,
 * and the memory a burst of hostile connections costs. Needs root (keyring) and a built
 * target/lsk.jar. {@link #close} stops the daemon and removes keys and files.
 */
public final class DaemonProcess implements AutoCloseable {
    static final long CLIENT_NID = 0x00020000c0a80132L; // 192.168.1.50@tcp
    /** How long "idle" waits: two of the JVM's native-heap trims (TrimNativeHeapInterval, lsk-jvm.conf). */
    public static final long SETTLE_MS = 11_000;

    /** From /proc/PID/status: resident set, its peak, and the thread count. */
    public record Status(long rssKiB, long hwmKiB, int threads) {
        public double rssMiB() {
            return rssKiB / 1024.0;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "VmRSS %.1f MiB (VmHWM %.1f MiB), %d threads", rssKiB / 1024.0,
                    hwmKiB / 1024.0, threads);
        }
    }

    private final Path dir;
    private final String fs;
    private final Keyring keyring;
    private final byte[] shared = new byte[32];
    private SimKernel kernel;
    private Process daemon;
    private KernelChannel channel;

    private DaemonProcess(Path dir) throws Exception {
        this.dir = dir;
        SecureRandom r = new SecureRandom();
        byte[] tag = new byte[3];
        r.nextBytes(tag);
        r.nextBytes(shared);
        fs = "dm" + HexFormat.of().formatHex(tag); // Lustre fsnames have at most 8 characters
        keyring = Keyring.open();
    }

    /** Starts kernel, key and {@code top/scripts/lsvcgssd}; returns once it serves. */
    public static DaemonProcess start(Path top) throws Exception {
        DaemonProcess d = new DaemonProcess(Files.createTempDirectory("lsk-daemon-rss."));
        try {
            d.run(top);
            return d;
        } catch (Exception | Error e) {
            d.close();
            throw e;
        }
    }

    private void run(Path top) throws Exception {
        Path sock = dir.resolve("svcgssd.socket");
        kernel = SimKernel.start(new SimKernel.Config(dir.resolve("kernel"), SimKernel.NEWEST, sock, CLIENT_NID,
                "default", Duration.ofSeconds(60)), m -> { });
        new SkKeyring(keyring, new PrintStream(OutputStream.nullOutputStream()), 0, Clock.systemDefaultZone(),
                new SecureRandom()).load(key(KeyConfig.TYPE_SERVER), SkKeyring.LoadOptions.defaults());
        Path log = dir.resolve("lsvcgssd.log");
        ProcessBuilder pb = new ProcessBuilder(top.resolve("scripts/lsvcgssd").toString(), "-s", "-f",
                "--socket", sock.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put(ParamPaths.ENV_ROOT, kernel.paths().root().toString());
        pb.environment().remove(KernelAbi.ENV_VERSION);
        pb.environment().remove("LSK_CLASSPATH"); // the jar, as installed
        pb.environment().remove("LSK_JAVA_OPTS"); // the conf file's options only
        daemon = pb.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!KernelChannel.isSocket(sock) || !Files.readString(log).contains("serving SK on")) {
            if (!daemon.isAlive() || System.nanoTime() > end) {
                throw new IllegalStateException("lsvcgssd did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        channel = KernelChannel.open(kernel.kernel());
    }

    private KeyConfig key(int type) {
        KeyConfig.Builder b = KeyConfig.builder().type(type).fsname(fs).nodemap("default").sharedKey(shared)
                .primeBits(2048);
        return type == KeyConfig.TYPE_CLIENT ? b.prime(Ffdhe.FFDHE2048.primeBytes()).build() : b.build();
    }

    public long pid() {
        return daemon.pid();
    }

    /** The daemon's /proc/PID/status figures now. */
    public Status status() throws IOException {
        long rss = -1;
        long hwm = -1;
        int threads = -1;
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(daemon.pid()), "status"))) {
            String[] f = l.split("\\s+");
            switch (f[0]) {
                case "VmRSS:" -> rss = Long.parseLong(f[1]);
                case "VmHWM:" -> hwm = Long.parseLong(f[1]);
                case "Threads:" -> threads = Integer.parseInt(f[1]);
                default -> { }
            }
        }
        return new Status(rss, hwm, threads);
    }

    /**
     * {@code n} negotiations (ski, root, ffdhe2048 client key) from {@code threads} concurrent
     * clients through the simulated kernel; the clients' tokens are made before the clock
     * starts. Returns negotiations per second; fails if one was not established.
     */
    public double negotiate(int n, int threads) throws Exception {
        KeyConfig client = key(KeyConfig.TYPE_CLIENT);
        String target = fs + "-MDT0000_UUID";
        List<byte[]> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(Initiator.start(client, target, Flags.ROOT | Flags.SVC_INTEGRITY, CLIENT_NID,
                    Entropy.secure()).token());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ReplyBuffer>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                KernelChannel.InitRequest req = new KernelChannel.InitRequest(i + 1, target,
                        1 | Mech.SK << Mech.SHIFT, 0, 0, tokens.get(i));
                futures.add(pool.submit(() -> channel.negotiate(req)));
            }
            for (Future<ReplyBuffer> f : futures) {
                ReplyBuffer r = f.get(5, TimeUnit.MINUTES);
                if (r.result() != 0 || kernel.serverContext(r.handle().toByteArray()).isEmpty()) {
                    throw new IllegalStateException("negotiation not established: " + r);
                }
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A burst of hostile peers, {@code peers} of each kind at once, while a sampler keeps the
     * largest VmRSS seen: request lines longer than the daemon takes (200 KB), near-maximal
     * partial lines left hanging (held until the daemon's read timeout), random bytes as
     * tokens through the kernel (error downcalls), and one more connection per peer held open
     * doing nothing. Returns the largest status sampled; every peer has ended on return.
     */
    public Status hostileBurst(int peers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(64, 4 * peers));
        Status[] peak = {status()};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Status s = status();
                    if (s.rssKiB() > peak[0].rssKiB()) {
                        peak[0] = s;
                    }
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.start();
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < peers; i++) {
                idle.add(SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("svcgssd.socket"))));
            }
            List<Future<?>> futures = new ArrayList<>();
            String target = fs + "-MDT0000_UUID";
            for (int i = 0; i < peers; i++) {
                int seed = i;
                futures.add(pool.submit(() -> raw(200_000, false)));
                futures.add(pool.submit(() -> raw(120_000, true)));
                futures.add(pool.submit(() -> {
                    byte[] junk = new byte[600];
                    new java.util.Random(seed).nextBytes(junk);
                    return channel.negotiate(new KernelChannel.InitRequest(100_000 + seed, target,
                            1 | Mech.SK << Mech.SHIFT, 0, 0, junk));
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get(2, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    // a refused hostile request is what is wanted
                }
            }
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
            pool.shutdownNow();
            sampler.interrupt();
            sampler.join();
        }
        return peak[0];
    }

    /** A raw peer: {@code bytes} of a request line without its end; {@code hang}: then wait to be cut off. */
    private Void raw(int bytes, boolean hang) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("svcgssd.socket")))) {
            byte[] line = new byte[bytes];
            Arrays.fill(line, (byte) 'A');
            byte[] head = "4242 131073 0x20000c0a80132 0x1 default 0 ".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(head, 0, line, 0, head.length);
            c.write(ByteBuffer.wrap(line));
            if (hang) {
                c.read(ByteBuffer.allocate(1)); // until the daemon hangs up
            }
        } catch (IOException e) {
            // cut off or refused: fine
        }
        return null;
    }

    /** The daemon's log so far (its stderr and stdout). */
    public String log() throws IOException {
        return Files.readString(dir.resolve("lsvcgssd.log"));
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.destroy();
            try {
                if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (kernel != null) {
            kernel.close();
        }
        try {
            for (int k : keyring.find(Keyring.USER, d -> d.matchesBase("lustre:" + fs))) {
                keyring.unlink(k, Keyring.USER);
            }
        } catch (KeyringException e) {
            System.err.println("daemon rig: keyring: " + e.getMessage());
        }
        try {
            Bench.deleteTree(dir);
        } catch (IOException e) {
            System.err.println("daemon rig: " + e);
        }
    }

    /**
     * The bench's part (needs root, keyutils' keyring and a built jar): lsvcgssd's VmRSS and
     * threads idle after start, idle after warm-up, at the peak of a hostile burst and idle
     * after it, and its negotiations per second through the simulated kernel, one client and 8.
     */
    static void measure(Processes.Sink sink, boolean quick, List<String> summary) throws Exception {
        int n = quick ? 100 : 400;
        try (DaemonProcess d = start(UpcallScale.top())) {
            Thread.sleep(SETTLE_MS);
            Status start = d.status();
            d.negotiate(n, 1); // warm-up
            double seq = d.negotiate(n, 1);
            double conc = d.negotiate(n, 8);
            Thread.sleep(SETTLE_MS);
            Status warm = d.status();
            Status peak = d.hostileBurst(64);
            Thread.sleep(SETTLE_MS);
            Status after = d.status();
            sink.put("daemon_process_negotiations_per_s_1_client", seq, "/s");
            sink.put("daemon_process_negotiations_per_s_8_clients", conc, "/s");
            for (var e : List.of(java.util.Map.entry("idle_start", start), java.util.Map.entry("idle_warm", warm),
                    java.util.Map.entry("hostile_peak", peak), java.util.Map.entry("idle_after_hostile", after))) {
                sink.put("daemon_process_rss_mib_" + e.getKey(), e.getValue().rssMiB(), "MiB");
                sink.put("daemon_process_threads_" + e.getKey(), e.getValue().threads(), "");
            }
            summary.add(String.format(java.util.Locale.ROOT, "lsvcgssd process: idle %s; after a hostile burst %s"
                    + " (peak %.1f MiB); %.0f negotiations/s (1 client), %.0f/s (8) (target: <= 64 MiB)",
                    warm, after, peak.rssMiB(), seq, conc));
        }
    }

    /**
     * {@code java -cp target/lsk.jar:target/test-classes lsk.bench.DaemonProcess [N]}: the figures
     * for docs/performance.md (idle, after N warm negotiations, during and after a hostile burst).
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        java.util.Locale r = java.util.Locale.ROOT;
        try (DaemonProcess d = start(UpcallScale.top())) {
            System.out.println("lsvcgssd pid " + d.pid());
            Thread.sleep(SETTLE_MS);
            System.out.println("idle after start: " + d.status());
            System.out.printf(r, "first n=%d: %.1f negotiations/s%n", n, d.negotiate(n, 1));
            System.out.printf(r, "sequential n=%d: %.1f negotiations/s%n", n, d.negotiate(n, 1));
            System.out.printf(r, "concurrent n=%d: %.1f negotiations/s%n", n, d.negotiate(n, 8));
            Thread.sleep(SETTLE_MS);
            System.out.println("idle after warm-up: " + d.status());
            System.out.println("hostile burst, peak sampled: " + d.hostileBurst(64));
            Thread.sleep(SETTLE_MS);
            System.out.println("idle after the burst: " + d.status());
            System.out.printf(r, "sequential after: %.1f negotiations/s%n", d.negotiate(n, 1));
            if (args.length > 1) { // hold: inspect the daemon (pid printed) for that many seconds
                Thread.sleep(Long.parseLong(args[1]) * 1000);
            }
        }
    }
}
