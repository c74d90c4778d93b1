package lsk.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import lsk.cmd.Log;
import lsk.crypto.Ffdhe;
import lsk.demo.RequestKeyEntry;
import lsk.gssd.Svcgssd;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.handshake.RetryException;
import lsk.kernel.ChannelNative;
import lsk.kernel.ParamPaths;
import lsk.kernel.sim.SimCallout;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.keyring.KeyringKeySource;
import lsk.keyring.SkKeyring;
import lsk.sk.Flags;

/**
 * The upcall-scale rig, the demo's pieces put together for many targets at once: a simulated
 * kernel (newest layout) running the built l_getauth per request, lsvcgssd in this JVM (warmed
 * before anything is timed: on a real client the server is another, long-running machine),
 * SSK server and client keys of a unique file system name in the real user keyring, a private
 * keyring the requested keys land in, and one request-key.d entry per upcall path (each with
 * its own description prefix, so that one request-key call picks the path). {@link #close}
 * removes all of it, the service the upcalls started included.
 */
final class UpcallRig implements AutoCloseable {
    static final long CLIENT_NID = 0x00020000c0a80132L; // 192.168.1.50@tcp
    static final long SERVER_NID = 0x00020000c0a80165L; // 192.168.1.101@tcp
    /** The environment variable naming the service socket to the native upcall (tests, the bench). */
    static final String ENV_SOCKET = "LSK_UPCALLD_SOCKET";

    /** How the request-key handler reaches a context. */
    enum Route {
        /** Today's path, whatever is built: the handler runs {@code lsk lgss_keyring} (two JVMs per upcall). */
        JVM,
        /** scripts/lgss_keyring with the native upcall, made unable to reach a service: fallback F1. */
        FALLBACK,
        /** scripts/lgss_keyring with the native upcall and the resident service (started on demand). */
        SERVICE
    }

    final Path top;
    final Path dir;
    final String fs;
    final Keyring keyring;
    /** Marks every process of this run's upcalls (in their environment): the sampler counts only those. */
    final String marker;
    /** The service's socket, in a directory of the bench's own under /run/lsk. */
    final Path serviceSocket;
    private final Path serviceDir;
    private final int requestRing;
    private final byte[] shared = new byte[32];
    private final Map<Route, RequestKeyEntry> entries = new java.util.EnumMap<>(Route.class);
    private SimKernel kernel;
    private Svcgssd daemon;

    UpcallRig(Path top) throws Exception {
        this.top = top;
        SecureRandom random = new SecureRandom();
        byte[] tag = new byte[3];
        random.nextBytes(tag);
        random.nextBytes(shared);
        fs = "bn" + HexFormat.of().formatHex(tag); // Lustre fsnames have at most 8 characters
        dir = Files.createTempDirectory("lsk-bench-upcalls.");
        keyring = Keyring.open();
        requestRing = keyring.addKey("keyring", "lskbench-" + fs, new byte[0], Keyring.SESSION);
        serviceDir = RequestKeyEntry.Places.SYSTEM.runBase().resolve("bench-" + fs);
        serviceSocket = serviceDir.resolve("lgss_keyring.socket");
        marker = ParamPaths.ENV_ROOT + "=" + dir.resolve("kernel");
    }

    /** Whether the native upcall is built (else only {@link Route#JVM} can be measured). */
    boolean hasNativeUpcall() {
        return Files.isExecutable(top.resolve("target/native/lgss_keyring"));
    }

    /** Starts kernel, daemon and keys, warms the daemon's crypto, writes the entries. */
    UpcallRig start(Duration timeout, boolean quick) throws Exception {
        Path getauth = top.resolve("target/native/l_getauth");
        if (!Files.isExecutable(getauth)) {
            throw new IllegalStateException("l_getauth helper not built at " + getauth + " (mvn package)");
        }
        Path sock = dir.resolve("svcgssd.socket");
        Path log = dir.resolve("simkernel.log");
        kernel = SimKernel.start(new SimKernel.Config(dir.resolve("kernel"), SimKernel.NEWEST, sock, CLIENT_NID,
                "default", timeout).withUpcall(getauth.toString()), m -> append(log, m));
        Log dlog = (lvl, m) -> append(log, "lsvcgssd: " + m);
        daemon = Svcgssd.start(new Svcgssd.Options(sock, kernel.kernel(), true, Duration.ofSeconds(5), 2),
                new Responder(new KeyringKeySource(keyring), NodemapResolver.NONE, Entropy.secure()),
                ChannelNative.load(), dlog);
        SkKeyring sk = new SkKeyring(keyring, new PrintStream(OutputStream.nullOutputStream()), 0,
                Clock.systemDefaultZone(), new SecureRandom());
        sk.load(key(KeyConfig.TYPE_SERVER), SkKeyring.LoadOptions.defaults());
        sk.load(key(KeyConfig.TYPE_CLIENT), SkKeyring.LoadOptions.defaults());
        warmResponder(quick ? 1500 : 4000);
        RequestKeyEntry.removeStale(RequestKeyEntry.Places.SYSTEM);
        Files.createDirectories(serviceDir.getParent());
        Files.createDirectory(serviceDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        entries.put(Route.JVM, entry(Route.JVM, List.of(), top.resolve("scripts/lsk"), "lgss_keyring"));
        if (hasNativeUpcall()) {
            // F1 forced: the socket's directory does not exist, so neither a connect nor a start can
            // succeed (the native upcall refuses a socket directory it cannot trust) and it falls back.
            entries.put(Route.FALLBACK, entry(Route.FALLBACK, List.of(ENV_SOCKET + "=" + serviceDir.resolve("none/x.socket")),
                    top.resolve("scripts/lgss_keyring"), null));
            entries.put(Route.SERVICE, entry(Route.SERVICE, List.of(ENV_SOCKET + "=" + serviceSocket),
                    top.resolve("scripts/lgss_keyring"), null));
        }
        return this;
    }

    /**
     * Whole handshakes against a responder over the same server key, in this JVM, before
     * anything is timed: lsvcgssd here stands for a server that has long been compiled by C2.
     */
    private void warmResponder(long ms) throws Exception {
        KeyConfig server = key(KeyConfig.TYPE_SERVER);
        KeyConfig client = key(KeyConfig.TYPE_CLIENT);
        Responder r = new Responder(d -> List.of(server), NodemapResolver.NONE, Entropy.secure());
        Entropy e = Entropy.secure();
        String target = fs + "-OST0000_UUID";
        Harness.warm(new Harness.Plan(ms, 0, 0), () -> {
            Initiator ini = Initiator.start(client, target, Flags.ROOT | Flags.SVC_INTEGRITY, CLIENT_NID, e);
            try {
                ini.finish(r.accept(ini.token(), CLIENT_NID, "default").responseToken());
            } catch (RetryException shortS) {
                // S short: fine for a warm-up
            }
        });
    }

    private KeyConfig key(int type) {
        KeyConfig.Builder b = KeyConfig.builder().type(type).fsname(fs).nodemap("default").sharedKey(shared)
                .primeBits(2048);
        return type == KeyConfig.TYPE_CLIENT ? b.prime(Ffdhe.FFDHE2048.primeBytes()).build() : b.build();
    }

    /** A handler running {@code program [arg] "$@"} on this rig's kernel with {@code env} and the marker. */
    private RequestKeyEntry entry(Route route, List<String> env, Path program, String arg) throws Exception {
        String name = route.name().toLowerCase(java.util.Locale.ROOT);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        StringBuilder exports = new StringBuilder("export LSK_LOG_STDERR=1");
        for (String e : concat(List.of(marker), env)) {
            int eq = e.indexOf('=');
            exports.append(' ').append(e, 0, eq + 1).append(RequestKeyEntry.quote(Path.of(e.substring(eq + 1))));
        }
        return RequestKeyEntry.install(RequestKeyEntry.Places.SYSTEM, "bench", "bench-" + name + "-" + fs, "user",
                "lskbench-" + name + "-" + fs, RequestKeyEntry.reliedOnBy(top.resolve("scripts/lgss_keyring")),
                d -> "#!/bin/sh\n" + exports + "\n"
                        + "PATH=" + RequestKeyEntry.quote(javaBin) + ":$PATH; export PATH\n"
                        + "exec " + RequestKeyEntry.quote(program) + (arg == null ? "" : " " + arg) + " \"$@\" 2>>"
                        + RequestKeyEntry.quote(d.resolve("upcall.log")) + "\n");
    }

    /** Callout info of a root integrity context for target {@code i} (an OST), as the kernel writes it. */
    String callout(int i) {
        return SimCallout.root(1, 'i', 1, SERVER_NID, String.format("%s-OST%04x-osc-ffff8881a2b4c000", fs, i),
                CLIENT_NID, (int) ProcessHandle.current().pid(), null).format(kernel.kernel().abi());
    }

    /** request_key(2) through the real /sbin/request-key by {@code route}; returns when the upcall has instantiated it. */
    int request(Route route, String name, int target) throws KeyringException {
        return keyring.requestKey("user", entries.get(route).description(name), callout(target), requestRing);
    }

    /** The key's payload, or null once it is gone. */
    byte[] read(int key) {
        try {
            return keyring.read(key);
        } catch (KeyringException e) {
            return null;
        }
    }

    /** The last lines of the upcall logs and the kernel log: why a context did not arrive. */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Route, RequestKeyEntry> e : entries.entrySet()) {
            b.append(e.getKey()).append(" upcall: ").append(tail(e.getValue().log())).append("; ");
        }
        return b.append("kernel: ").append(tail(dir.resolve("simkernel.log"))).toString();
    }

    /** Drops requested keys (the next batch requests new ones; a found key would not run an upcall). */
    void drop(int[] keys) {
        for (int k : keys) {
            try {
                keyring.invalidate(k);
            } catch (KeyringException e) {
                // gone already (a failed negotiation revokes it)
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        UpcallProcesses.stopAll(marker, Duration.ofSeconds(10)); // the service, any negotiator left
        if (daemon != null) {
            daemon.close();
        }
        if (kernel != null) {
            kernel.close();
        }
        for (RequestKeyEntry e : entries.values()) {
            problems.addAll(e.remove());
        }
        try {
            for (int k : keyring.find(Keyring.USER, d -> d.matchesBase("lustre:" + fs))) {
                keyring.unlink(k, Keyring.USER);
            }
            keyring.invalidate(requestRing);
        } catch (KeyringException e) {
            problems.add("keyring: " + e.getMessage());
        }
        try {
            Bench.deleteTree(serviceDir);
            Bench.deleteTree(dir);
        } catch (IOException e) {
            problems.add(e.toString());
        }
        if (!problems.isEmpty()) {
            System.err.println("lsk bench: upcall rig cleanup: " + String.join("; ", problems));
        }
    }

    private static String tail(Path f) {
        try {
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                return "(none)";
            }
            List<String> l = Files.readAllLines(f);
            return String.join(" | ", l.subList(Math.max(0, l.size() - 4), l.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void append(Path f, String line) {
        try {
            Files.writeString(f, line + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // a log line lost: only diagnostics
        }
    }
}
