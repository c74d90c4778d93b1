package lsk.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Io;
import lsk.kernel.KernelAbi;
import lsk.kernel.KernelChannel;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import lsk.kernel.sim.SimKernel;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.sk.KeyNames;
import lsk.upcall.KeyPayload;

/**
 * One demo run, step by step: key files, keyring, simulated kernel, lsvcgssd, a context of each
 * flavour and its check, optional timing. Keeps what it created so that {@link #cleanup} can
 * remove it whatever happened.
 */
final class Run {
    private final PrintStream out;
    private final Path scripts;
    private final Path getauth;
    private final Path dir;
    private final String fs;
    private final Keyring keyring;
    private final LustreVersion version;
    private final int demoRing;
    private final KeyRequests requests;
    private final Steps steps;
    private SimKernel kernel;
    private Process daemon;

    Run(Io io, boolean forceDirect, LustreVersion version) throws IOException, LskException {
        this.version = version;
        this.out = io.out();
        this.scripts = Demo.scriptsDir(io);
        this.getauth = Demo.getauth(io);
        this.keyring = Keyring.open();
        this.dir = Files.createTempDirectory("lsk-demo.");
        byte[] tag = new byte[2];
        new SecureRandom().nextBytes(tag);
        this.fs = "demo" + HexFormat.of().formatHex(tag);
        this.demoRing = keyring.addKey("keyring", Demo.ringName(fs), new byte[0], Keyring.SESSION);
        this.requests = new KeyRequests(keyring, fs, demoRing, scripts, dir, forceDirect, io.err());
        this.steps = new Steps(out);
    }

    boolean all(int repeat) throws Exception {
        out.println("lsk demo: file system " + fs + ", work dir " + dir);
        out.println("  upcall: " + (requests.viaRequestKey() ? "real " + KeyRequests.REQUEST_KEY
                + " runs scripts/lgss_keyring"
                : "direct invocation of lgss_keyring's negotiation (" + requests.whyDirect() + ")"));
        out.println("  server kernel: Lustre " + version + (channels() ? ", sunrpc cache channels (no rsi upcall)"
                : ", rsi upcall " + getauth));
        if (!requests.stale().isEmpty()) {
            out.println("  removed " + requests.stale().size() + " request-key.d entries of killed runs: "
                    + requests.stale());
        }
        Path server = dir.resolve("server.key"), client = dir.resolve("client.key");
        if (!steps.step("write server key (lgss_sk -w)", () -> {
            tool("lgss_sk", "-t", "server", "-f", fs, "-w", server.toString());
            return Files.size(server) + " bytes, mode " + PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(server));
        }) || !steps.step("client key: copy, lgss_sk -t client -m", () -> {
            // The admin's way: the client key is the server key's shared key plus a DH prime.
            Files.copy(server, client, StandardCopyOption.COPY_ATTRIBUTES);
            tool("lgss_sk", "-t", "client", "-m", client.toString());
            return Files.size(client) + " bytes, ffdhe2048 prime";
        }) || !steps.step("load server key (lgss_sk -l)", () -> {
            tool("lgss_sk", "-l", server.toString());
            return KeyNames.server(fs, "default");
        }) || !steps.step("load client key (lgss_sk -l)", () -> {
            tool("lgss_sk", "-l", client.toString());
            return KeyNames.client(fs, null);
        }) || !steps.step("start simulated kernel", this::startKernel)
                || !steps.step("start lsvcgssd -s", this::startDaemon)) {
            return steps.finish();
        }
        for (char svc : new char[] {'i', 'p'}) {
            String flavor = svc == 'i' ? "ski" : "skpi";
            KeyPayload.Success[] got = new KeyPayload.Success[1];
            if (!steps.step(flavor + ": upcall negotiates, key updated", () -> {
                got[0] = requests.request(kernel, flavor + "-0", svc);
                return "context " + got[0].context().size() + " bytes, server handle " + got[0].handle();
            })) {
                continue;
            }
            steps.step(flavor + ": contexts interoperate (SkMech)", () -> ContextCheck.verify(kernel, got[0],
                    svc == 'p'));
        }
        if (repeat > 0 && steps.failures() == 0) {
            steps.step("time " + repeat + " more ski requests", () -> timeRequests(repeat));
        }
        return steps.finish();
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
                    + Logs.tail(log), Errno.EIO);
        }
    }

    private String startKernel() throws Exception {
        if (!Files.isExecutable(getauth)) {
            throw new LskException("no l_getauth helper at " + getauth + " (build it: mvn -DskipTests package;"
                    + " or name one with " + Demo.ENV_GETAUTH + ")", Errno.ENOENT);
        }
        kernel = SimKernel.start(new SimKernel.Config(dir.resolve("kernel"), version, dir.resolve("svcgssd.socket"),
                Demo.CLIENT_NID, "default", Demo.NEGOTIATION_TIMEOUT, getauth.toString()),
                m -> Logs.append(dir.resolve("simkernel.log"), m));
        return kernel.kernel() + (channels() ? ", auth.sptlrpc.{init,context}/channel"
                : ", rsc header " + kernel.kernel().abi().rscHeader.size + " bytes, runs " + getauth.getFileName());
    }

    private String startDaemon() throws Exception {
        Path sock = dir.resolve("svcgssd.socket");
        ProcessBuilder pb = new ProcessBuilder(scripts.resolve("lsvcgssd").toString(), "-s", "-f", "-v",
                "--socket", sock.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("lsvcgssd.log").toFile());
        pb.environment().put(ParamPaths.ENV_ROOT, kernel.paths().root().toString());
        pb.environment().remove(KernelAbi.ENV_VERSION); // the version file decides
        daemon = pb.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String serving = "for " + kernel.kernel();
        Path log = dir.resolve("lsvcgssd.log");
        // 2.15.x: no socket, the daemon reads the init channel
        while (!(channels() || KernelChannel.isSocket(sock)) || !Files.readString(log).contains(serving)) {
            if (!daemon.isAlive() || System.nanoTime() > end) {
                throw new LskException("lsvcgssd did not start " + serving + ": " + Logs.tail(log), Errno.EIO);
            }
            Thread.sleep(20);
        }
        return "pid " + daemon.pid() + (channels() ? ", init channel" : ", socket " + sock.getFileName()) + ", "
                + serving;
    }

    private boolean channels() {
        return version.compareTo(KernelAbi.V2_16.from) < 0; // 2.15.x: the sunrpc cache channels
    }

    private String timeRequests(int n) throws Exception {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            KeyPayload.Success s = requests.request(kernel, "t" + i, 'i');
            t[i] = System.nanoTime() - t0;
            if (kernel.serverContext(s.handle().toByteArray()).isEmpty()) {
                throw new LskException("request " + i + ": no server context", Errno.ENOENT);
            }
        }
        Arrays.sort(t);
        return "request to key updated: min " + Steps.ms(t[0]) + ", median " + Steps.ms(t[n / 2]) + ", max "
                + Steps.ms(t[n - 1]);
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
        boolean hadEntry = requests.hasEntry();
        problems.addAll(requests.removeEntry());
        int removed = 0;
        try {
            for (int k : keyring.find(Keyring.USER, d -> d.matchesBase(KeyNames.client(fs, null)))) {
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
                + (hadEntry ? "request-key.d entry, its handler dir and " : "") + "work dir removed"
                + (problems.isEmpty() ? "" : "; PROBLEMS: " + String.join("; ", problems)));
        return problems.isEmpty();
    }
}
