package lsk.demo;

import lsk.sk.KeyPerm;
import lsk.base.Errno;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Io;
import lsk.sk.GssException;
import lsk.kernel.Downcalls;
import lsk.kernel.ParamPaths;
import lsk.kernel.LustreVersion;
import lsk.kernel.sim.SimKernel;
import lsk.mech.SkMech;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.upcall.KeyPayload;

/**
 * {@code lsk demo} ({@code scripts/demo}): the whole SSK flow on this machine, on the simulated
 * kernel of a chosen Lustre version, with the real keyring, real processes and real files under
 * a temp dir. Writes and loads a server and a client key with {@code lgss_sk}, starts
 * {@code lsvcgssd} (which reads the version from the simulated tree), has the upcall negotiate
 * an ski and an skpi context (through {@code /sbin/request-key} when it can, else by running
 * lgss_keyring's negotiation directly, and says which), the simulated kernel running the built
 * {@code l_getauth} helper per request as the real one does, then checks the client context
 * (from the key) against the server context (from the daemon's rsc downcall, read in that
 * version's layout) with the kernel-side model {@link SkMech}. Cleans up everything; exit 0 only
 * if every step held. This process plays the kernel: the simulated kernel and the context
 * checks run here.
 */
public final class Demo implements Command {
    public static final String USAGE = """
            usage: lsk demo [--lustre-version V] [--direct] [--repeat N]
                                                         (scripts/demo; needs the jar: mvn -DskipTests package)
              Runs the SSK loopback demo: key files, keyring, lsvcgssd, lgss_keyring, simulated kernel.
              --lustre-version V  the Lustre version the simulated kernel plays (default 2.17.54: master's
                          layouts; 2.16.1 and 2.17.0 use the released ones)
              --direct    do not use /sbin/request-key even when it is available
              --repeat N  then time N more requests (request-key to key updated): min/median/max
              The simulated kernel runs target/native/l_getauth (built by mvn package; LSK_GETAUTH names
              another) as its rsi upcall, as a real server kernel runs /usr/sbin/l_getauth.
            """;
    static final long CLIENT_NID = 0x00020000c0a80132L; // 192.168.1.50@tcp
    static final long SERVER_NID = 0x00020000c0a80165L; // 192.168.1.101@tcp
    static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(30);
    static final Path REQUEST_KEY = Path.of("/sbin/request-key");
    static final Path REQUEST_KEY_D = RequestKeyEntry.Places.SYSTEM.requestKeyD();
    /** Environment variable naming the l_getauth helper instead of the build's. */
    static final String ENV_GETAUTH = "LSK_GETAUTH";

    @Override
    public int run(List<String> args, Io io) {
        boolean direct = false;
        int repeat = 0;
        LustreVersion version = SimKernel.NEWEST;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-h", "--help" -> {
                    io.out().print(USAGE);
                    return 0;
                }
                case "--direct" -> direct = true;
                case "--lustre-version" -> {
                    try {
                        version = LustreVersion.parse(i + 1 < args.size() ? args.get(++i) : "", "--lustre-version");
                        lsk.kernel.KernelAbi.of(version);
                    } catch (LskException e) {
                        io.err().println("demo: " + e.getMessage());
                        return 1;
                    }
                }
                case "--repeat" -> {
                    if (i + 1 >= args.size() || !args.get(i + 1).matches("[0-9]{1,4}")) {
                        io.err().println("demo: --repeat needs a count (0..9999)");
                        return 1;
                    }
                    repeat = Integer.parseInt(args.get(++i));
                }
                default -> {
                    io.err().println("demo: unknown option '" + args.get(i) + "'");
                    io.err().print(USAGE);
                    return 1;
                }
            }
        }
        Run r;
        try {
            r = new Run(io, direct, version);
        } catch (Exception e) {
            io.out().println("demo: FAILED to set up: " + e.getMessage());
            return 1;
        }
        boolean ok = false;
        try {
            ok = r.all(repeat);
        } catch (Exception e) {
            io.out().println("demo: FAILED: " + e.getMessage());
        } finally {
            ok &= r.cleanup();
        }
        return ok ? 0 : 1;
    }

    /** The scripts/ directory beside the jar this class runs from (or {@code LSK_SCRIPTS}). */
    static Path scriptsDir(Io io) {
        String env = io.env().get("LSK_SCRIPTS");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        try {
            Path jar = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().resolve("scripts");
        } catch (Exception e) {
            return Path.of("scripts").toAbsolutePath();
        }
    }

    /** The built l_getauth helper (or {@code LSK_GETAUTH}): target/native beside the scripts. */
    static Path getauth(Io io) {
        String env = io.env().get(ENV_GETAUTH);
        if (env != null && !env.isEmpty()) {
            return Path.of(env).toAbsolutePath();
        }
        return scriptsDir(io).toAbsolutePath().getParent().resolve("target/native/l_getauth");
    }

    /** One demo run: what it created, so that {@link #close} can remove it whatever happened. */
    private static final class Run {
        private final Io io;
        private final PrintStream out;
        private final Path scripts;
        private final Path getauth;
        private final Path dir;
        private final String fs;
        private final Keyring keyring;
        private final LustreVersion version;
        private final int demoRing;
        private final boolean viaRequestKey;
        private final String whyDirect;
        /** The request-key.d entry, once written (the first request through request-key). */
        private RequestKeyEntry entry;
        /** Entries of killed runs removed at the start. */
        private List<Path> stale = List.of();
        private SimKernel kernel;
        private Process daemon;
        private int step;
        private int failures;
        private final long start = System.nanoTime();

        Run(Io io, boolean forceDirect, LustreVersion version) throws IOException, LskException {
            this.io = io;
            this.version = version;
            this.out = io.out();
            this.scripts = scriptsDir(io);
            this.getauth = getauth(io);
            this.keyring = Keyring.open();
            this.dir = Files.createTempDirectory("lsk-demo.");
            byte[] tag = new byte[2];
            new SecureRandom().nextBytes(tag);
            this.fs = "demo" + HexFormat.of().formatHex(tag);
            this.demoRing = keyring.addKey("keyring", "lskdemo-" + fs, new byte[0], Keyring.SESSION);
            String why = null;
            if (forceDirect) {
                why = "--direct";
            } else if (!Files.isExecutable(REQUEST_KEY)) {
                why = REQUEST_KEY + " not found (apt-get install keyutils)";
            } else if (!Files.isWritable(REQUEST_KEY_D) && !Files.isWritable(REQUEST_KEY_D.getParent())) {
                why = REQUEST_KEY_D + " not writable (run as root)";
            } else {
                why = untrusted(RequestKeyEntry.reliedOnBy(scripts.resolve("lgss_keyring")));
            }
            this.viaRequestKey = why == null;
            this.whyDirect = why;
            if (viaRequestKey) {
                try {
                    stale = RequestKeyEntry.removeStale(RequestKeyEntry.Places.SYSTEM);
                } catch (LskException e) {
                    io.err().println("demo: " + e.getMessage()); // this run's own entry is unaffected
                }
            }
        }

        /**
         * Why request-key may not run programs from {@code dirs} as root (someone else could
         * change them, now or once this run is gone), or null.
         */
        private static String untrusted(List<Path> dirs) {
            try {
                for (Path d : dirs) {
                    lsk.kernel.TrustedPath.checkDir(d, lsk.kernel.TrustedPath.Above.STRICT, "upcall program dir");
                }
                return null;
            } catch (LskException e) {
                return e.getMessage();
            }
        }

        boolean all(int repeat) throws Exception {
            out.println("lsk demo: file system " + fs + ", work dir " + dir);
            out.println("  upcall: " + (viaRequestKey ? "real " + REQUEST_KEY + " runs scripts/lgss_keyring"
                    : "direct invocation of lgss_keyring's negotiation (" + whyDirect + ")"));
            out.println("  server kernel: Lustre " + version + ", rsi upcall " + getauth);
            if (!stale.isEmpty()) {
                out.println("  removed " + stale.size() + " request-key.d entries of killed runs: " + stale);
            }
            Path server = dir.resolve("server.key"), client = dir.resolve("client.key");
            if (!step("write server key (lgss_sk -w)", () -> {
                tool("lgss_sk", "-t", "server", "-f", fs, "-w", server.toString());
                return Files.size(server) + " bytes, mode " + PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(server));
            }) || !step("client key: copy, lgss_sk -t client -m", () -> {
                // The admin's way: the client key is the server key's shared key plus a DH prime.
                Files.copy(server, client, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                tool("lgss_sk", "-t", "client", "-m", client.toString());
                return Files.size(client) + " bytes, ffdhe2048 prime";
            }) || !step("load server key (lgss_sk -l)", () -> {
                tool("lgss_sk", "-l", server.toString());
                return "lustre:" + fs + ":default";
            }) || !step("load client key (lgss_sk -l)", () -> {
                tool("lgss_sk", "-l", client.toString());
                return "lustre:" + fs;
            }) || !step("start simulated kernel", this::startKernel)
                    || !step("start lsvcgssd -s", this::startDaemon)) {
                return finish();
            }
            for (char svc : new char[] {'i', 'p'}) {
                String flavor = svc == 'i' ? "ski" : "skpi";
                KeyPayload.Success[] got = new KeyPayload.Success[1];
                if (!step(flavor + ": upcall negotiates, key updated", () -> {
                    got[0] = requestContext(flavor + "-0", svc);
                    return "context " + got[0].context().size() + " bytes, server handle "
                            + HexFormat.of().formatHex(got[0].handle().toByteArray());
                })) {
                    continue;
                }
                step(flavor + ": contexts interoperate (SkMech)", () -> verify(got[0], svc == 'p'));
            }
            if (repeat > 0 && failures == 0) {
                step("time " + repeat + " more ski requests", () -> timeRequests(repeat));
            }
            return finish();
        }

        private boolean finish() {
            out.println(failures == 0
                    ? "demo: all " + step + " steps held (" + ms(System.nanoTime() - start) + " total)"
                    : "demo: FAILED: " + failures + " of " + step + " steps did not hold");
            return failures == 0;
        }

        interface Body {
            String run() throws Exception;
        }

        private boolean step(String title, Body body) {
            step++;
            out.printf("%3d. %-46s", step, title);
            out.flush();
            long t0 = System.nanoTime();
            try {
                String detail = body.run();
                out.printf("ok  %8s  %s%n", ms(System.nanoTime() - t0), detail == null ? "" : detail);
                return true;
            } catch (Exception | AssertionError e) {
                failures++;
                out.printf("FAILED (%s)%n      %s%n", ms(System.nanoTime() - t0), e.getMessage());
                return false;
            }
        }

        private static String ms(long nanos) {
            return String.format("%d ms", TimeUnit.NANOSECONDS.toMillis(nanos));
        }

        private void tool(String script, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(scripts.resolve(script).toString()));
            cmd.addAll(List.of(args));
            Path log = dir.resolve(script + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LskException(script + " did not finish within 60 s", Errno.ETIMEDOUT);
            }
            if (p.exitValue() != 0) {
                throw new LskException(script + " " + String.join(" ", args) + " exited " + p.exitValue() + ": "
                        + tail(log), Errno.EIO);
            }
        }

        private String startKernel() throws Exception {
            if (!Files.isExecutable(getauth)) {
                throw new LskException("no l_getauth helper at " + getauth + " (build it: mvn -DskipTests package;"
                        + " or name one with " + ENV_GETAUTH + ")", Errno.ENOENT);
            }
            kernel = SimKernel.start(new SimKernel.Config(dir.resolve("kernel"), version, dir.resolve("svcgssd.socket"),
                    CLIENT_NID, "default", NEGOTIATION_TIMEOUT, getauth.toString()),
                    m -> appendLog("simkernel.log", m));
            return kernel.kernel() + ", rsc header " + kernel.kernel().abi().rscHeader.size + " bytes, runs "
                    + getauth.getFileName();
        }

        private String startDaemon() throws Exception {
            Path sock = dir.resolve("svcgssd.socket");
            ProcessBuilder pb = new ProcessBuilder(scripts.resolve("lsvcgssd").toString(), "-s", "-f", "-v",
                    "--socket", sock.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("lsvcgssd.log").toFile());
            pb.environment().put(ParamPaths.ENV_ROOT, kernel.paths().root().toString());
            pb.environment().remove(lsk.kernel.KernelAbi.ENV_VERSION); // the version file decides
            daemon = pb.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String serving = "for " + kernel.kernel();
            Path log = dir.resolve("lsvcgssd.log");
            while (!lsk.kernel.KernelChannel.isSocket(sock) || !Files.readString(log).contains(serving)) {
                if (!daemon.isAlive() || System.nanoTime() > end) {
                    throw new LskException("lsvcgssd did not start " + serving + ": " + tail(log),
                            Errno.EIO);
                }
                Thread.sleep(20);
            }
            return "pid " + daemon.pid() + ", socket " + sock.getFileName() + ", " + serving;
        }

        /** As the client kernel of {@link #version} formats it, for the MDC device of a client root context. */
        private String callout(char svc) {
            return lsk.kernel.sim.SimCallout.root(1, svc, 1, SERVER_NID, fs + "-MDT0000-mdc-ffff8881a2b4c000", CLIENT_NID,
                    (int) ProcessHandle.current().pid(), null).format(kernel.kernel().abi());
        }

        /** One client context: request-key (or direct negotiation) until the key holds it. */
        private KeyPayload.Success requestContext(String name, char svc) throws Exception {
            int key;
            if (viaRequestKey) {
                if (entry == null) {
                    entry = RequestKeyEntry.forLgssKeyring(RequestKeyEntry.Places.SYSTEM, "demo", "demo-" + fs,
                            "lskdemo-" + fs, kernel.paths().root(), scripts.resolve("lgss_keyring"));
                }
                key = keyring.requestKey("user", entry.description(name), callout(svc), demoRing);
            } else {
                String desc = "lskdemo-" + fs + ":" + name;
                key = keyring.addKey("user", desc, new byte[1], demoRing);
                keyring.setPerm(key, KeyPerm.POSSESSOR_ALL_OWNER_RW); // possessor all; user view, read, write
                List<String> cmd = new ArrayList<>(List.of(scripts.resolve("lgss_keyring").toString(),
                        lsk.upcall.LgssKeyring.NEGOTIATE, "create", Integer.toString(key), "user", desc, callout(svc),
                        "0", "0", "0", "0", Integer.toString(keyring.resolve(Keyring.SESSION, false))));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("upcall.log").toFile()));
                pb.environment().put(ParamPaths.ENV_ROOT, kernel.paths().root().toString());
                pb.environment().remove(lsk.kernel.KernelAbi.ENV_VERSION);
                pb.environment().put("LSK_LOG_STDERR", "1");
                Process p = pb.start();
                p.waitFor(NEGOTIATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            return awaitContext(key);
        }

        private KeyPayload.Success awaitContext(int key) throws Exception {
            long end = System.nanoTime() + NEGOTIATION_TIMEOUT.toNanos();
            while (System.nanoTime() < end) {
                byte[] p;
                try {
                    p = keyring.read(key);
                } catch (KeyringException e) {
                    throw new LskException("key " + key + " gone (negotiation failed): " + logTails(),
                            e.errno());
                }
                try {
                    Optional<KeyPayload.Failure> f = KeyPayload.asFailure(p);
                    if (f.isPresent()) {
                        throw new LskException("negotiation failed: " + f.get() + "; " + logTails(),
                                Errno.EACCES);
                    }
                    if (p.length > 1) {
                        return KeyPayload.parseSuccess(p);
                    }
                } finally {
                    Arrays.fill(p, (byte) 0);
                }
                Thread.sleep(5);
            }
            throw new LskException("key " + key + " not updated within " + NEGOTIATION_TIMEOUT.toSeconds() + " s: "
                    + logTails(), Errno.ETIMEDOUT);
        }

        /** The kernel's view: import both contexts, exchange protected messages both ways. */
        private String verify(KeyPayload.Success c, boolean privacy) throws Exception {
            Downcalls.Rsc rsc = kernel.serverContext(c.handle().toByteArray()).orElseThrow(() -> new LskException(
                    "no rsc downcall for handle " + HexFormat.of().formatHex(c.handle().toByteArray()), Errno.ENOENT));
            if (!rsc.mech().equals("sk") || !rscNodemapFits(rsc.nodemap())
                    || rsc.flags() != Downcalls.RSC_FLAG_ROOT || c.seqWindow() != SimKernel.SEQ_WINDOW) {
                throw new LskException("rsc downcall or key payload fields unexpected", Errno.EPROTO);
            }
            byte[] cctx = c.context().reveal(), sctx = rsc.context();
            try (SkMech client = SkMech.importContext(cctx, Clock.systemUTC());
                 SkMech server = SkMech.importContext(sctx, Clock.systemUTC());
                 SkMech serverOut = server.reverse()) {
                if (client.privacy() != privacy || server.privacy() != privacy) {
                    throw new LskException("contexts " + (privacy ? "lack" : "carry") + " an encryption key",
                            Errno.EPROTO);
                }
                byte[] req = "RPC request, client to server".getBytes(StandardCharsets.US_ASCII);
                byte[] rep = "RPC reply, server to client".getBytes(StandardCharsets.US_ASCII);
                server.verifyMic(client.getMic(req), req);
                client.verifyMic(serverOut.getMic(rep), rep);
                byte[] forged = req.clone();
                forged[0] ^= 1;
                expectRejected(() -> server.verifyMic(client.getMic(req), forged), "a MIC over a changed message");
                String what = "MIC both ways";
                if (privacy) {
                    byte[] hdr = "gss header".getBytes(StandardCharsets.US_ASCII);
                    check(Arrays.equals(SkMech.padded(req), server.unwrap(hdr, client.wrap(hdr, req))), "wrap c->s");
                    check(Arrays.equals(SkMech.padded(rep), client.unwrap(hdr, serverOut.wrap(hdr, rep))), "wrap s->c");
                    byte[] tok = client.wrap(hdr, req);
                    tok[tok.length - 1] ^= 1;
                    expectRejected(() -> server.unwrap(hdr, tok), "a changed wrap token");
                    what = "wrap/unwrap and MIC both ways";
                }
                return what + ", tampering rejected (" + client.hmacAlg().kernelName() + ")";
            } finally {
                Arrays.fill(cctx, (byte) 0);
                Arrays.fill(sctx, (byte) 0);
            }
        }

        /**
         * The 48-byte header of 2.17.50 and earlier has no nodemap field; 2.17.54+ always carries
         * the name; 2.17.51-2.17.53 only when it came from a lookup by SHA (none here, no MGS).
         */
        private boolean rscNodemapFits(String nm) {
            return switch (kernel.kernel().abi().nodemapName) {
                case NEVER -> nm.isEmpty();
                case ALWAYS -> nm.equals("default");
                case AFTER_SHA_LOOKUP -> nm.isEmpty() || nm.equals("default");
            };
        }

        interface GssCall {
            void run() throws GssException;
        }

        private static void expectRejected(GssCall c, String what) throws LskException {
            try {
                c.run();
            } catch (GssException e) {
                return;
            }
            throw new LskException("the kernel model accepted " + what, Errno.EPROTO);
        }

        private static void check(boolean ok, String what) throws LskException {
            if (!ok) {
                throw new LskException(what + " did not give the message back", Errno.EPROTO);
            }
        }

        private String timeRequests(int n) throws Exception {
            long[] t = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                KeyPayload.Success s = requestContext("t" + i, 'i');
                t[i] = System.nanoTime() - t0;
                if (kernel.serverContext(s.handle().toByteArray()).isEmpty()) {
                    throw new LskException("request " + i + ": no server context", Errno.ENOENT);
                }
            }
            Arrays.sort(t);
            return "request to key updated: min " + ms(t[0]) + ", median " + ms(t[n / 2]) + ", max " + ms(t[n - 1]);
        }

        private void appendLog(String name, String line) {
            try {
                Files.writeString(dir.resolve(name), line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                // logging is best effort
            }
        }

        /** The upcall's and the simulated kernel's last log lines (refused downcalls show here). */
        private String logTails() {
            return "upcall: " + tail(entry != null ? entry.log() : dir.resolve("upcall.log")) + "; kernel: "
                    + tail(dir.resolve("simkernel.log"));
        }

        private static String tail(Path log) {
            try {
                List<String> l = Files.exists(log) ? Files.readAllLines(log) : List.of();
                return l.isEmpty() ? "(no output)" : String.join(" | ", l.subList(Math.max(0, l.size() - 4), l.size()));
            } catch (IOException e) {
                return "(" + e.getMessage() + ")";
            }
        }

        /** Removes everything the run created; false if something could not be removed. */
        boolean cleanup() {
            List<String> problems = new ArrayList<>();
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
            if (entry != null) {
                problems.addAll(entry.remove());
            }
            int removed = 0;
            try {
                for (int k : keyring.find(Keyring.USER, d -> d.matchesBase("lustre:" + fs))) {
                    keyring.unlink(k, Keyring.USER);
                    removed++;
                }
                keyring.invalidate(demoRing);
            } catch (KeyringException e) {
                problems.add("keyring: " + e.getMessage());
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                problems.add("remove " + dir + ": " + e.getMessage());
            }
            out.println("  cleanup: daemon stopped, " + removed + " SSK keys and the request keys removed, "
                    + (entry != null ? "request-key.d entry, its handler dir and " : "") + "work dir removed"
                    + (problems.isEmpty() ? "" : "; PROBLEMS: " + String.join("; ", problems)));
            return problems.isEmpty();
        }
    }
}
