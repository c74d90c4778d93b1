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

/**
 * {@code lsk bench}: measures the handshake on both sides against its primitive floor, key
 * file writes, JVM start-up of the upcall, and the kernel-side model's wrap/unwrap; prints
 * {@code name: value unit} lines, then a summary against the targets of issue 5 with the C
 * figures of {@code vectors/bench.json} beside them.
 *
 * <p>The handshakes are integrity mode ({@code ski}, one PBKDF2 per side), HMAC SHA256, as the
 * C figures. The initiator side shares a prime-check cache across handshakes (a resident
 * client); the one-shot upcall process is measured separately.
 */
public final class Bench implements Command {
    /**
     * The random 2048-bit safe prime of the shared vector key
     * {@code vectors/keyfiles/client_tank_p2048.key} (made by the C {@code lgss_sk -w -t client},
     * used by transcript hs01), embedded so that the bench runs from the jar alone.
     */
    static final String HS01_PRIME_HEX = "ac79d73aa80d35f5cdecc41b6464a0279dddc6c69d81e25cb6127280eca5cbf7"
            + "5ba21f2e78dbd8a875f3e2107e3928189d607339f3261819325287c31211e3446177b0e4280c27b1fc1026c98c344a"
            + "a5f5535a02b62893a531c1545f2609721bdc2a8a7645ad6a5f87821f8c70b95584c1b909ff87f15d6b8f5634f9ed6f"
            + "105ed546cc902d3471bfc358a7f374bcd0cf71d4783799c9afb56b1162a73b5c448bbd1693f8764bc01ee938708e76"
            + "fd6162d6ae5681a9b23d190275aec0a04049f4a5886253f6c3c1bd4a03a6519aa22b71f1a48eff0817e6f6215088fb"
            + "01d4a726833e996c0c172d4ceb6755a92f615aebffbf829b13032b2de486985620df87a7";

    static final String TARGET = "tank-MDT0000_UUID";
    static final long CLIENT_NID = 0x200000a000001L; // 10.0.0.1@tcp
    static final int FLAGS = Flags.ROOT | Flags.SVC_INTEGRITY;
    static final String UPCALL_PROXY = "--upcall-proxy";
    static final String CDS_TRAIN = "--cds-train";

    /** C figures (vectors/bench.json, same machine class), for the summary. */
    static final Map<String, Double> C_MS = Map.of(
            "responder_rand2048", 271.979, "responder_ffdhe2048", 5.777, "responder_ffdhe4096", 21.858,
            "initiator_rand2048", 267.792, "initiator_ffdhe2048", 5.740, "initiator_ffdhe4096", 21.782,
            "pbkdf2", 2.988);

    private static final String USAGE = "usage: lsk bench [--quick] [--threads N] [--no-process] [--tiny]\n"
            + "  --quick       shorter rounds (finishes within about a minute)\n"
            + "  --threads N   threads for the all-cores figures (default: available processors)\n"
            + "  --no-process  skip the measurements that start JVMs (upcall, key write)\n"
            + "  --tiny        one operation per measurement (tests; numbers meaningless)\n";

    private record Group(String name, BigInteger p) {
    }

    @Override
    public int run(List<String> args, Io io) {
        if (!args.isEmpty() && args.get(0).equals(UPCALL_PROXY)) {
            return UpcallProxy.run(args.subList(1, args.size()), io);
        }
        if (!args.isEmpty() && args.get(0).equals(CDS_TRAIN)) {
            return UpcallProxy.train(io);
        }
        boolean quick = false;
        boolean tiny = false;
        boolean processes = true;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--quick" -> quick = true;
                case "--tiny" -> tiny = true;
                case "--no-process" -> processes = false;
                case "--threads" -> {
                    if (i + 1 >= args.size() || !args.get(i + 1).matches("[1-9][0-9]{0,3}")) {
                        io.err().print("lsk bench: --threads needs a number 1..9999\n" + USAGE);
                        return 1;
                    }
                    threads = Integer.parseInt(args.get(++i));
                }
                case "-h", "--help" -> {
                    io.out().print(USAGE);
                    return 0;
                }
                default -> {
                    io.err().print("lsk bench: unknown option '" + args.get(i) + "'\n" + USAGE);
                    return 1;
                }
            }
        }
        Harness.Plan plan = tiny ? Harness.Plan.TINY : quick ? new Harness.Plan(300, 5, 150)
                : new Harness.Plan(2000, 9, 1000);
        int procRuns = tiny ? 1 : quick ? 3 : 11;
        try {
            new Run(io.out(), plan, threads, processes, procRuns, tiny, quick).all();
            return 0;
        } catch (Exception e) {
            io.err().println("lsk bench: failed: " + e);
            return 1;
        }
    }

    /** One bench run: results by name, printed as they come. */
    private static final class Run {
        private final PrintStream out;
        private final Harness.Plan plan;
        private final int threads;
        private final boolean processes;
        private final int procRuns;
        private final boolean tiny;
        private final boolean quick;
        private final Map<String, Double> results = new LinkedHashMap<>();
        private final List<String> summary = new ArrayList<>();
        private final SecureRandom rnd = new SecureRandom();
        private final byte[] sharedKey = new byte[32];

        Run(PrintStream out, Harness.Plan plan, int threads, boolean processes, int procRuns, boolean tiny,
            boolean quick) {
            this.quick = quick;
            this.out = out;
            this.plan = plan;
            this.threads = threads;
            this.processes = processes;
            this.procRuns = procRuns;
            this.tiny = tiny;
            rnd.nextBytes(sharedKey);
        }

        void put(String name, double v, String unit) {
            results.put(name, v);
            out.printf(Locale.ROOT, "%s: %s%s%n", name, fmt(v), unit.isEmpty() ? "" : " " + unit);
            out.flush();
        }

        void all() throws Exception {
            out.printf(Locale.ROOT, "# lsk bench: %d cores, %d threads for all-cores figures, load average %.2f%n",
                    Runtime.getRuntime().availableProcessors(), threads,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            List<Group> groups = List.of(new Group("ffdhe2048", Ffdhe.FFDHE2048.p()),
                    new Group("ffdhe4096", Ffdhe.FFDHE4096.p()),
                    new Group("rand2048", new BigInteger(1, HexFormat.of().parseHex(HS01_PRIME_HEX))));
            jitWarmup(groups.get(0));
            for (Group g : groups) {
                handshakes(g);
            }
            pbkdf2Variants(); // after the handshakes: everything compiled, both variants alike
            primeCheck(groups.get(2));
            wrapUnwrap();
            keyWrites();
            primeGeneration(quick);
            if (processes) {
                Processes.measure(this::put, procRuns, procRuns > 5, clientKey(Ffdhe.FFDHE2048.p()), responseFor(
                        groups.get(0)), summary);
            }
            summarize();
        }

        /** PBKDF2-HMAC-SHA256, 10000 iterations: lsk's against the plain JCA-Mac loop it replaced. */
        /** Runs lgss_sk in this JVM, in dir; fails on a non-zero exit. */
        void lgssSk(Path dir, String... args) throws Exception {
            List<String> argv = new ArrayList<>();
            argv.add("lgss_sk");
            argv.addAll(List.of(args));
            java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
            PrintStream ps = new PrintStream(sink, true, java.nio.charset.StandardCharsets.UTF_8);
            int rc = lsk.Main.run(argv, new Io(java.io.InputStream.nullInputStream(), ps, ps, dir, System.getenv()));
            if (rc != 0) {
                throw new IllegalStateException("lgss_sk " + String.join(" ", args) + " exited " + rc + ": " + sink);
            }
        }

        void pbkdf2Variants() throws Exception {
            byte[] salt = new byte[32];
            rnd.nextBytes(salt);
            put("pbkdf2_sha256_10000_ms", Harness.nsPerOp(plan, () -> SkKdf.hmacKey(HmacAlg.SHA256, salt)) / 1e6,
                    "ms");
            put("pbkdf2_sha256_10000_plain_jca_mac_ms", Harness.nsPerOp(plan, () -> plainPbkdf2(salt)) / 1e6,
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

        byte[] responseFor(Group g) throws Exception {
            Initiator ini = Initiator.start(clientKey(g.p()), TARGET, FLAGS, CLIENT_NID, Entropy.secure());
            return responder().accept(ini.token(), CLIENT_NID, "default").responseToken();
        }

        void handshakes(Group g) throws Exception {
            KeyConfig ck = clientKey(g.p());
            DhGroups clientGroups = new DhGroups();
            byte[][] tokens = new byte[8][];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = Initiator.start(ck, TARGET, FLAGS, CLIENT_NID, Entropy.secure(), clientGroups).token();
            }
            Responder resp = responder();
            byte[] reply = resp.accept(tokens[0], CLIENT_NID, "default").responseToken();
            // One responder for all threads, as in the daemon; tokens replayed round robin.
            java.util.function.Supplier<Harness.Op> responderOp = () -> {
                AtomicInteger k = new AtomicInteger();
                return () -> resp.accept(tokens[k.getAndIncrement() & 7], CLIENT_NID, "default");
            };
            // The initiator: a full start + finish against a valid reply (it checks only the
            // reply's own HMAC, so one reply serves every attempt).
            java.util.function.Supplier<Harness.Op> initiatorOp = () -> {
                Entropy e = Entropy.secure();
                return () -> {
                    Initiator ini = Initiator.start(ck, TARGET, FLAGS, CLIENT_NID, e, clientGroups);
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
            byte[] initFields = new byte[4 + 4 + 2 * g.p().bitLength() / 8 + TARGET.length() + 1 + 32 + 4];
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
                    SkKdf.sessionKey(HmacAlg.SHA256, sharedKey, 32, s, CLIENT_NID, tokens[0], reply);
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
        void jitWarmup(Group g) throws Exception {
            if (tiny) {
                return;
            }
            KeyConfig ck = clientKey(g.p());
            Responder resp = responder();
            Entropy e = Entropy.secure();
            Harness.warm(new Harness.Plan(quick ? 4000 : 5000, 0, 0), () -> {
                Initiator ini = Initiator.start(ck, TARGET, FLAGS, CLIENT_NID, e);
                try {
                    ini.finish(resp.accept(ini.token(), CLIENT_NID, "default").responseToken());
                } catch (RetryException short_) {
                    // S short: fine for a warm-up
                }
            });
        }

        /** The once-per-prime check the validated-prime cache saves on every later request. */
        void primeCheck(Group g) throws Exception {
            put("prime_check_" + g.name() + "_uncached_ms",
                    Harness.nsPerOp(tiny ? plan : new Harness.Plan(0, 3, 0), () -> new DhGroups(1).validate(g.p())) / 1e6,
                    "ms");
        }

        void wrapUnwrap() throws Exception {
            Group g = new Group("ffdhe2048", Ffdhe.FFDHE2048.p());
            int flags = Flags.ROOT | Flags.SVC_PRIVACY;
            Initiator ini = Initiator.start(clientKey(g.p()), TARGET, flags, CLIENT_NID, Entropy.secure());
            Responder.Result r;
            lsk.kernel.KernelContext cctx;
            while (true) {
                r = responder().accept(ini.token(), CLIENT_NID, "default");
                try {
                    cctx = ini.finish(r.responseToken());
                    break;
                } catch (RetryException e) {
                    ini = Initiator.start(clientKey(g.p()), TARGET, flags, CLIENT_NID, Entropy.secure());
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
                deleteTree(dir);
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
                        + "(C lgss_sk: 19.2 s; target below: %s)", fmt(Harness.median(t)), runs,
                        Harness.median(t) < 19.2 ? "met" : "NOT met"));
            }
        }

        void summarize() {
            out.println("# summary (C figures: vectors/bench.json)");
            for (String g : List.of("ffdhe2048", "ffdhe4096", "rand2048")) {
                for (String side : List.of("responder", "initiator")) {
                    double one = results.getOrDefault(side + "_" + g + "_1thread", Double.NaN);
                    double all = results.getOrDefault(side + "_" + g + "_" + threads + "threads", Double.NaN);
                    double c = 1e3 / C_MS.get(side + "_" + g);
                    double ratio = results.getOrDefault("handshake_cost_over_floor_" + side + "_" + g, Double.NaN);
                    out.printf(Locale.ROOT, "# %-9s %-9s %8s/s 1 thread, %8s/s %d threads; C %6s/s (1 thread): "
                                    + "x%s on all cores; cost/floor %s (target <= 1.25: %s)%n",
                            side, g, fmt(one), fmt(all), threads, fmt(c), fmt(all / c), fmt(ratio),
                            ratio <= 1.25 ? "met" : "NOT met");
                }
            }
            double d2 = results.getOrDefault("responder_rand2048_" + threads + "threads", Double.NaN);
            double df = results.getOrDefault("responder_ffdhe2048_" + threads + "threads", Double.NaN);
            out.printf(Locale.ROOT, "# daemon rand2048: %s/s = x%s the C daemon (target x50: %s)%n", fmt(d2),
                    fmt(d2 / 3.7), d2 >= 50 * 3.7 ? "met" : "NOT met");
            out.printf(Locale.ROOT, "# daemon ffdhe2048: %s/s = x%s the C daemon (target x2: %s)%n", fmt(df),
                    fmt(df * C_MS.get("responder_ffdhe2048") / 1e3), df * C_MS.get("responder_ffdhe2048") / 1e3 >= 2
                            ? "met" : "NOT met");
            for (String s : summary) {
                out.println("# " + s);
            }
        }
    }

    /** The PBKDF2 loop over a JCA Mac, as lsk had it first: kept only to show the gain. */
    static byte[] plainPbkdf2(byte[] salt) throws Exception {
        Mac prf = Hmacs.mac(HmacAlg.SHA256, "Integrity".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] u = new byte[32];
        byte[] t = new byte[32];
        prf.update(salt);
        prf.update(new byte[] {0, 0, 0, 1});
        prf.doFinal(u, 0);
        System.arraycopy(u, 0, t, 0, 32);
        for (int i = 1; i < SkKdf.PBKDF2_ITERATIONS; i++) {
            prf.update(u);
            prf.doFinal(u, 0);
            for (int j = 0; j < 32; j++) {
                t[j] ^= u[j];
            }
        }
        return t;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }
}
