package lsk.e2e;

import lsk.sk.Mech;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import lsk.handshake.Entropy;
import lsk.sk.Flags;
import lsk.handshake.Initiator;
import lsk.kernel.KernelChannel;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.UpcallLine;
import lsk.sk.HmacAlg;
import lsk.keyfile.KeyConfig;
import lsk.keyring.SkKeyring;

/**
 * Measurement harness, not a test: lsvcgssd throughput for N sequential and N concurrent
 * negotiations through the simulated kernel (init_channel → upcall line → daemon → rsc + rsi
 * downcalls → reply buffer), server key from the real keyring, ffdhe2048 client key. The
 * clients' init tokens are made before the clock starts and their replies are checked after
 * it stops, so the figures are the daemon's (plus the simulated kernel's transport), not the
 * clients' DH work. Run (after {@code mvn -DskipTests package}; needs root for the keyring):
 * <pre>java -cp target/lsk.jar:target/test-classes lsk.e2e.DaemonThroughput [N]</pre>
 */
public final class DaemonThroughput {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("lsk-bench.");
        try (E2eRig rig = new E2eRig(dir).viaSocket().start()) {
            byte[] shared = rig.newSharedKey();
            rig.load(rig.serverKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            KeyConfig client = rig.clientKey(shared, HmacAlg.SHA256);
            KernelChannel ch = KernelChannel.open(rig.kernel().kernel());
            run(rig, ch, client, 20, 1, "warm-up");
            run(rig, ch, client, n, 1, "sequential");
            run(rig, ch, client, n, n, "concurrent");
            System.out.println("daemon: completed " + rig.daemon().completed() + ", failed " + rig.daemon().failed());
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(E2eRig rig, KernelChannel ch, KeyConfig client, int n, int threads, String what)
            throws Exception {
        List<Initiator> inits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            inits.add(Initiator.start(client, rig.target(), Flags.ROOT | Flags.SVC_INTEGRITY, E2eRig.CLIENT_NID,
                    Entropy.secure()));
        }
        ReplyBuffer[] replies = new ReplyBuffer[n];
        long[] lat = new long[n];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            fs.add(pool.submit(() -> {
                go.await();
                long t0 = System.nanoTime();
                replies[k] = ch.negotiate(new KernelChannel.InitRequest(k + 1, rig.target(),
                        1 | Mech.SK << Mech.SHIFT, 0, 0, inits.get(k).token()));
                lat[k] = System.nanoTime() - t0;
                return null;
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : fs) {
            f.get();
        }
        long elapsed = System.nanoTime() - t0;
        pool.shutdown();
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (rig.kernel().serverContext(replies[i].handle().toByteArray()).isPresent()) {
                inits.get(i).finish(replies[i].token().toByteArray()); // throws if the server's reply does not verify
                ok++;
            }
        }
        Arrays.sort(lat);
        System.out.printf("%-10s n=%d threads=%d: %.0f ms total, %.1f negotiations/s, latency median %.1f ms,"
                + " p95 %.1f ms, max %.1f ms; %d verified%n", what, n, threads, elapsed / 1e6, n / (elapsed / 1e9),
                lat[n / 2] / 1e6, lat[(int) (n * 0.95)] / 1e6, lat[n - 1] / 1e6, ok);
    }
}
