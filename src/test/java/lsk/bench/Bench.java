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
 * file writes, JVM start-up of the one-shot commands, and the kernel-side model's wrap/unwrap; prints
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

    /** C figures (vectors/bench.json, same machine class), for the summary. */
    static final Map<String, Double> C_MS = Map.of(
            "responder_rand2048", 271.979, "responder_ffdhe2048", 5.777, "responder_ffdhe4096", 21.858,
            "initiator_rand2048", 267.792, "initiator_ffdhe2048", 5.740, "initiator_ffdhe4096", 21.782,
            "pbkdf2", 2.988);

    private static final String USAGE = "usage: lsk bench [--quick] [--threads N] [--no-process] [--no-demo] [--tiny]"
            + " [--upcalls N] [--upcalls-only] [--daemon-only]\n"
            + "  --quick       shorter rounds (finishes within about a minute)\n"
            + "  --threads N   threads for the all-cores figures (default: available processors)\n"
            + "  --no-process  skip the measurements that start JVMs (upcall, key write)\n"
            + "  --no-demo     skip the upcall on the simulated kernel (needs root, keyutils, request-key)\n"
            + "  --tiny        one operation per measurement (tests; numbers meaningless)\n"
            + "  --upcalls N   concurrent upcalls of the mount-scale measurement (default 64; needs what --no-demo skips)\n"
            + "  --upcalls-only  only the mount-scale upcall measurement\n"
            + "  --daemon-only   only lsvcgssd as a process: RSS, threads, negotiations/s (needs what --no-demo skips)\n";

    record Group(String name, BigInteger p) {
    }

    /**
     * Entry point of the bench jar ({@code target/lsk-bench.jar}, built from the test tree so
     * that the product jar holds no bench), which {@code scripts/lsk bench} runs.
     */
    public static void main(String[] argv) {
        int rc = new Bench().run(java.util.Arrays.asList(argv), Io.system(Bench.class));
        System.out.flush();
        System.err.flush();
        System.exit(rc);
    }

    @Override
    public int run(List<String> args, Io io) {
        boolean quick = false;
        boolean tiny = false;
        boolean processes = true;
        boolean demo = true;
        int threads = Runtime.getRuntime().availableProcessors();
        int upcalls = 64;
        boolean upcallsOnly = false;
        boolean daemonOnly = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--quick" -> quick = true;
                case "--tiny" -> tiny = true;
                case "--no-process" -> processes = false;
                case "--no-demo" -> demo = false;
                case "--upcalls-only" -> upcallsOnly = true;
                case "--daemon-only" -> daemonOnly = true;
                case "--upcalls" -> {
                    if (i + 1 >= args.size() || !args.get(i + 1).matches("[1-9][0-9]{0,3}")) {
                        io.err().print("lsk bench: --upcalls needs a number 1..9999\n" + USAGE);
                        return 1;
                    }
                    upcalls = Integer.parseInt(args.get(++i));
                }
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
            BenchRun run = new BenchRun(io.out(), plan, threads, processes, demo, procRuns, tiny, quick);
            if (daemonOnly) {
                run.daemonOnly();
            } else if (upcallsOnly) {
                run.upcallsOnly(upcalls);
            } else {
                run.all(upcalls);
            }
            return 0;
        } catch (Exception e) {
            io.err().println("lsk bench: failed: " + e);
            return 1;
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
