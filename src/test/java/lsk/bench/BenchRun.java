package lsk.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import lsk.cmd.Command;
import lsk.cmd.Io;
import lsk.crypto.Dh;
import lsk.crypto.DhGroup;
import lsk.crypto.DhGroups;
import lsk.crypto.Ffdhe;
import lsk.crypto.Hmacs;
import lsk.crypto.SkKdf;
import lsk.handshake.Entropy;
import lsk.sk.Flags;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.handshake.RetryException;
import lsk.kernel.ContextBlob;
import lsk.mech.SkMech;
import lsk.sk.HmacAlg;
import lsk.keyfile.KeyConfig;
import lsk.Main;

/** One bench run: results by name, printed as they come. */
final class BenchRun {
    private final PrintStream out;
    private final Harness.Plan plan;
    private final int threads;
    private final boolean processes;
    private final boolean demo;
    private final int procRuns;
    private final boolean tiny;
    private final boolean quick;
    private final Map<String, Double> results = new LinkedHashMap<>();
    private final List<String> summary = new ArrayList<>();
    private final SecureRandom rnd = new SecureRandom();
    private final byte[] sharedKey = new byte[32];

    BenchRun(PrintStream out, Harness.Plan plan, int threads, boolean processes, boolean demo, int procRuns, boolean tiny,
        boolean quick) {
        this.quick = quick;
        this.out = out;
        this.plan = plan;
        this.threads = threads;
        this.processes = processes;
        this.demo = demo;
        this.procRuns = procRuns;
        this.tiny = tiny;
        rnd.nextBytes(sharedKey);
    }

    void put(String name, double v, String unit) {
        results.put(name, v);
        out.printf(Locale.ROOT, "%s: %s%s%n", name, Bench.fmt(v), unit.isEmpty() ? "" : " " + unit);
        out.flush();
    }

    private void header() {
        out.printf(Locale.ROOT, "# lsk bench: %d cores, %d threads for all-cores figures, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), threads,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Only the mount-scale upcall measurement ({@link UpcallScale}). */
    void upcallsOnly(int upcalls) throws Exception {
        header();
        new UpcallScale(this::put, summary, upcalls).measure(UpcallScale.top(), quick);
        out.printf(Locale.ROOT, "# load average after: %.2f%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.println("# summary");
        for (String s : summary) {
            out.println("# " + s);
        }
    }

    /** Only lsvcgssd as a process: memory, threads, throughput ({@link DaemonProcess}). */
    void daemonOnly() throws Exception {
        header();
        DaemonProcess.measure(this::put, quick, summary);
        out.println("# summary");
        summary.forEach(s -> out.println("# " + s));
    }

    void all(int upcalls) throws Exception {
        header();
        List<Bench.Group> groups = List.of(new Bench.Group("ffdhe2048", Ffdhe.FFDHE2048.p()),
                new Bench.Group("ffdhe4096", Ffdhe.FFDHE4096.p()),
                new Bench.Group("rand2048", new BigInteger(1, HexFormat.of().parseHex(Bench.HS01_PRIME_HEX))));
        jitWarmup(groups.get(0));
        for (Bench.Group g : groups) {
            handshakes(g);
        }
        pbkdf2Variants(); // after the handshakes: everything compiled, both variants alike
        primeCheck(groups.get(2));
        wrapUnwrap();
        keyWrites();
        primeGeneration(quick);
        if (processes) {
            Processes.measure(this::put, procRuns, demo, clientKey(Ffdhe.FFDHE2048.p()), summary);
            if (demo && !tiny) {
                new UpcallScale(this::put, summary, upcalls).measure(UpcallScale.top(), quick);
                DaemonProcess.measure(this::put, quick, summary);
            }
        }
        summarize();
    }

    /** Runs lgss_sk in this JVM, in dir; fails on a non-zero exit. */
    void lgssSk(Path dir, String... args) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add("lgss_sk");
        argv.addAll(List.of(args));
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, java.nio.charset.StandardCharsets.UTF_8);
        int rc = Main.run(argv, new Io(java.io.InputStream.nullInputStream(), ps, ps, dir, System.getenv()));
        if (rc != 0) {
            throw new IllegalStateException("lgss_sk " + String.join(" ", args) + " exited " + rc + ": " + sink);
        }
    }

    /** PBKDF2-HMAC-SHA256, 10000 iterations: lsk's against the plain JCA-Mac loop it replaced. */
    void pbkdf2Variants() throws Exception {
        byte[] salt = new byte[32];
        rnd.nextBytes(salt);
        put("pbkdf2_sha256_10000_ms", Harness.nsPerOp(plan, () -> SkKdf.hmacKey(HmacAlg.SHA256, salt)) / 1e6,
                "ms");
        put("pbkdf2_sha256_10000_plain_jca_mac_ms", Harness.nsPerOp(plan, () -> Bench.plainPbkdf2(salt)) / 1e6,
                "ms");
    }

    KeyConfig serverKey() {
        return KeyConfig.builder().type(KeyConfig.TYPE_SERVER).fsname("tank").sharedKey(sharedKey).build();
    }

    KeyConfig clientKey(BigInteger p) {
        byte[] prime = lsk.base.Bytes.unsignedPadded(p, (p.bitLength() + 7) / 8);
        return KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").sharedKey(sharedKey)
                .primeBits(p.bitLength()).prime(prime).build();
    }

    Responder responder() {
        KeyConfig sk = serverKey();
        return new Responder(d -> List.of(sk), NodemapResolver.NONE, Entropy.secure(), new DhGroups());
    }

    void handshakes(Bench.Group g) throws Exception {
        KeyConfig ck = clientKey(g.p());
        DhGroups clientGroups = new DhGroups();
        byte[][] tokens = new byte[8][];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Initiator.start(ck, Bench.TARGET, Bench.FLAGS, Bench.CLIENT_NID, Entropy.secure(), clientGroups).token();
        }
        Responder resp = responder();
        byte[] reply = resp.accept(tokens[0], Bench.CLIENT_NID, "default").responseToken();
        // One responder for all threads, as in the daemon; tokens replayed round robin.
        java.util.function.Supplier<Harness.Op> responderOp = () -> {
            AtomicInteger k = new AtomicInteger();
            return () -> resp.accept(tokens[k.getAndIncrement() & 7], Bench.CLIENT_NID, "default");
        };
        // The initiator: a full start + finish against a valid reply (it checks only the
        // reply's own HMAC, so one reply serves every attempt).
        java.util.function.Supplier<Harness.Op> initiatorOp = () -> {
            Entropy e = Entropy.secure();
            return () -> {
                Initiator ini = Initiator.start(ck, Bench.TARGET, Bench.FLAGS, Bench.CLIENT_NID, e, clientGroups);
                try {
                    ini.finish(reply);
                } catch (RetryException short_) {
                    // 1 in ~256: S short; the work was done all the same
                }
            };
        };
        // One thread, with the floor (what a side cannot avoid: the two modular
        // exponentiations, one PBKDF2 in ski, the HMACs) measured in the same rounds, so that
        // both see the same machine load: ratio per round, then the median.
        DhGroup group = new DhGroups().validate(g.p());
        BigInteger[] xs = new BigInteger[16];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Dh.randomPrivateKey(g.p(), rnd);
        }
        BigInteger y = Dh.publicKey(group, xs[0]);
        AtomicInteger k = new AtomicInteger();
        byte[] session = new byte[32];
        rnd.nextBytes(session);
        byte[] initFields = new byte[4 + 4 + 2 * g.p().bitLength() / 8 + Bench.TARGET.length() + 1 + 32 + 4];
        byte[] respFields = new byte[4 + 4 + g.p().bitLength() / 8];
        byte[] s = new byte[g.p().bitLength() / 8];
        Harness.Op[] ops = {
            responderOp.get(),
            initiatorOp.get(),
            () -> Dh.publicKey(group, xs[k.getAndIncrement() & 15]),
            () -> Dh.sharedValue(group, y, xs[k.getAndIncrement() & 15]),
            () -> SkKdf.hmacKey(HmacAlg.SHA256, session),
            () -> {
                Hmacs.hmacSha256(sharedKey, initFields);
                Hmacs.hmacSha256(sharedKey, respFields);
                SkKdf.sessionKey(HmacAlg.SHA256, sharedKey, 32, s, Bench.CLIENT_NID, tokens[0], reply);
            }};
        for (Harness.Op op : ops) {
            Harness.warm(plan, op);
        }
        double[][] ns = new double[ops.length][plan.rounds()];
        double[][] ratio = new double[2][plan.rounds()];
        for (int r = 0; r < plan.rounds(); r++) {
            for (int i = 0; i < ops.length; i++) {
                ns[i][r] = Harness.round(ops[i], i < 2 ? plan.roundMs() : plan.roundMs() / 2);
            }
            double floor = ns[2][r] + ns[3][r] + ns[4][r] + ns[5][r];
            ratio[0][r] = ns[0][r] / floor;
            ratio[1][r] = ns[1][r] / floor;
        }
        put("responder_" + g.name() + "_1thread", 1e9 / Harness.median(ns[0]), "handshakes/s");
        put("initiator_" + g.name() + "_1thread", 1e9 / Harness.median(ns[1]), "handshakes/s");
        String[] parts = {"modpow_g_x", "modpow_y_x", "pbkdf2", "hmacs"};
        double floor = 0;
        for (int i = 0; i < parts.length; i++) {
            double m = Harness.median(ns[i + 2]) / 1e6;
            floor += m;
            put("floor_" + g.name() + "_" + parts[i] + "_ms", m, "ms");
        }
        put("floor_" + g.name() + "_ms", floor, "ms");
        put("handshake_cost_over_floor_responder_" + g.name(), Harness.median(ratio[0]), "");
        put("handshake_cost_over_floor_initiator_" + g.name(), Harness.median(ratio[1]), "");

        // All cores, after the one-thread rounds (so the JIT has compiled everything).
        put("responder_" + g.name() + "_" + threads + "threads", Harness.opsPerSecond(plan, threads,
                responderOp), "handshakes/s");
        put("initiator_" + g.name() + "_" + threads + "threads", Harness.opsPerSecond(plan, threads,
                initiatorOp), "handshakes/s");
    }

    /**
     * Whole handshakes before anything is measured, so that the first group's figures do
     * not carry the JIT's compilation (C2 needs a few hundred thousand PBKDF2 iterations).
     */
    void jitWarmup(Bench.Group g) throws Exception {
        if (tiny) {
            return;
        }
        KeyConfig ck = clientKey(g.p());
        Responder resp = responder();
        Entropy e = Entropy.secure();
        Harness.warm(new Harness.Plan(quick ? 4000 : 5000, 0, 0), () -> {
            Initiator ini = Initiator.start(ck, Bench.TARGET, Bench.FLAGS, Bench.CLIENT_NID, e);
            try {
                ini.finish(resp.accept(ini.token(), Bench.CLIENT_NID, "default").responseToken());
            } catch (RetryException short_) {
                // S short: fine for a warm-up
            }
        });
    }

    /** The once-per-prime check the validated-prime cache saves on every later request. */
    void primeCheck(Bench.Group g) throws Exception {
        put("prime_check_" + g.name() + "_uncached_ms",
                Harness.nsPerOp(tiny ? plan : new Harness.Plan(0, 3, 0), () -> new DhGroups(1).validate(g.p())) / 1e6,
                "ms");
    }

    void wrapUnwrap() throws Exception {
        Bench.Group g = new Bench.Group("ffdhe2048", Ffdhe.FFDHE2048.p());
        int flags = Flags.ROOT | Flags.SVC_PRIVACY;
        Initiator ini = Initiator.start(clientKey(g.p()), Bench.TARGET, flags, Bench.CLIENT_NID, Entropy.secure());
        Responder.Result r;
        lsk.kernel.KernelContext cctx;
        while (true) {
            r = responder().accept(ini.token(), Bench.CLIENT_NID, "default");
            try {
                cctx = ini.finish(r.responseToken());
                break;
            } catch (RetryException e) {
                ini = Initiator.start(clientKey(g.p()), Bench.TARGET, flags, Bench.CLIENT_NID, Entropy.secure());
            }
        }
        SkMech client = SkMech.importContext(ContextBlob.forKernel(cctx), Clock.systemUTC());
        SkMech server = SkMech.importContext(ContextBlob.forKernel(r.context()), Clock.systemUTC());
        byte[] gssHeader = new byte[32];
        for (int size : new int[] {1024, 65536}) {
            byte[] msg = new byte[size];
            rnd.nextBytes(msg);
            byte[] tok = client.wrap(gssHeader, msg);
            double w = Harness.nsPerOp(plan, () -> client.wrap(gssHeader, msg));
            double u = Harness.nsPerOp(plan, () -> server.unwrap(gssHeader, tok));
            String sz = size >= 1024 ? size / 1024 + "k" : Integer.toString(size);
            put("skmech_wrap_" + sz + "_MBps", size / w * 1e3, "MB/s");
            put("skmech_unwrap_" + sz + "_MBps", size / u * 1e3, "MB/s");
        }
    }

    /** In-process key-file writes through the lgss_sk command (encode, temp file, fsync, rename). */
    void keyWrites() throws Exception {
        Path dir = Files.createTempDirectory("lsk-bench");
        try {
            AtomicInteger n = new AtomicInteger();
            Harness.Plan p = tiny ? plan : new Harness.Plan(0, Math.max(5, plan.rounds()), 0);
            put("keywrite_server_inprocess_ms", Harness.nsPerOp(p, () -> lgssSk(dir, "-t", "server", "-f", "tank",
                    "-d", "/dev/urandom", "-w", "s" + n.incrementAndGet())) / 1e6, "ms");
            put("keywrite_client_ffdhe2048_inprocess_ms", Harness.nsPerOp(p, () -> lgssSk(dir, "-t", "client",
                    "-f", "tank", "-w", "c" + n.incrementAndGet())) / 1e6, "ms");
        } finally {
            Bench.deleteTree(dir);
        }
    }

    /** Random safe primes with the lgss_sk generator (all cores): median of a few runs. */
    void primeGeneration(boolean quick) throws Exception {
        lsk.crypto.SafePrimeGenerator gen = lsk.crypto.SafePrimeGenerator.create();
        int bits = tiny ? 256 : quick ? 1024 : 2048;
        int runs = tiny ? 1 : quick ? 3 : 9;
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            gen.generate(bits);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        put("safe_prime_" + bits + "_generate_median_s", Harness.median(t), "s");
        if (bits == 2048) {
            summary.add(String.format(Locale.ROOT, "random 2048-bit safe prime: median %s s over %d runs "
                    + "(C lgss_sk: 19.2 s; target below: %s)", Bench.fmt(Harness.median(t)), runs,
                    Harness.median(t) < 19.2 ? "met" : "NOT met"));
        }
    }

    void summarize() {
        out.println("# summary (C figures: vectors/bench.json)");
        for (String g : List.of("ffdhe2048", "ffdhe4096", "rand2048")) {
            for (String side : List.of("responder", "initiator")) {
                double one = results.getOrDefault(side + "_" + g + "_1thread", Double.NaN);
                double all = results.getOrDefault(side + "_" + g + "_" + threads + "threads", Double.NaN);
                double c = 1e3 / Bench.C_MS.get(side + "_" + g);
                double ratio = results.getOrDefault("handshake_cost_over_floor_" + side + "_" + g, Double.NaN);
                out.printf(Locale.ROOT, "# %-9s %-9s %8s/s 1 thread, %8s/s %d threads; C %6s/s (1 thread): "
                                + "x%s on all cores; cost/floor %s (target <= 1.25: %s)%n",
                        side, g, Bench.fmt(one), Bench.fmt(all), threads, Bench.fmt(c), Bench.fmt(all / c), Bench.fmt(ratio),
                        ratio <= 1.25 ? "met" : "NOT met");
            }
        }
        double d2 = results.getOrDefault("responder_rand2048_" + threads + "threads", Double.NaN);
        double df = results.getOrDefault("responder_ffdhe2048_" + threads + "threads", Double.NaN);
        out.printf(Locale.ROOT, "# daemon rand2048: %s/s = x%s the C daemon (target x50: %s)%n", Bench.fmt(d2),
                Bench.fmt(d2 / 3.7), d2 >= 50 * 3.7 ? "met" : "NOT met");
        out.printf(Locale.ROOT, "# daemon ffdhe2048: %s/s = x%s the C daemon (target x2: %s)%n", Bench.fmt(df),
                Bench.fmt(df * Bench.C_MS.get("responder_ffdhe2048") / 1e3), df * Bench.C_MS.get("responder_ffdhe2048") / 1e3 >= 2
                        ? "met" : "NOT met");
        for (String s : summary) {
            out.println("# " + s);
        }
    }
}
