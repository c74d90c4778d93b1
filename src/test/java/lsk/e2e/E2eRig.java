package lsk.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.base.LskException;
import lsk.crypto.Ffdhe;
import lsk.demo.RequestKeyEntry;
import lsk.gssd.Svcgssd;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.Downcalls;
import lsk.cmd.Log;
import lsk.kernel.LustreVersion;
import lsk.kernel.sim.SimKernel;
import lsk.sk.HmacAlg;
import lsk.keyfile.KeyConfig;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.keyring.KeyringKeySource;
import lsk.keyring.SkKeyring;
import lsk.upcall.KeyPayload;

/**
 * One end-to-end setup on this machine: a simulated kernel of one Lustre version and an
 * in-process lsvcgssd for that version under a temp dir, SSK keys of a unique file system name
 * in the real user keyring, a private keyring the requested keys land in, and an
 * {@code /etc/request-key.d} entry ({@link RequestKeyEntry}, removed at the next start if this
 * JVM is killed) that has the real {@code /sbin/request-key} run {@code scripts/lgss_keyring},
 * from a handler in root's 0700 directory under /run, for key type {@code user} with
 * descriptions {@code lskit-<fs>-<random>:*}.
 * The simulated kernel runs the built l_getauth helper per request, as a real server kernel
 * does ({@link #viaSocket} skips it); a 2.15.x one hands requests to the daemon on its cache
 * channel files instead. {@link #close} removes all of it, also after failures.
 */
final class E2eRig implements AutoCloseable {
    static final long CLIENT_NID = 0x00020000c0a80132L; // 192.168.1.50@tcp
    static final long SERVER_NID = 0x00020000c0a80165L; // 192.168.1.101@tcp
    static final String REQUEST_KEY_D = RequestKeyEntry.Places.SYSTEM.requestKeyD().toString();
    /**
     * The versions the per-version e2e tests run for: 2.15 LTS (the sunrpc cache channels), both
     * released downcall layouts and master's newest.
     */
    static final List<String> VERSIONS = List.of("2.15.8", "2.16.1", "2.17.0", "2.17.54");

    final String fs;
    final Path dir;
    final Keyring keyring;
    final SkKeyring sk;
    final List<String> log = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private RequestKeyEntry entry;
    private final int requestRing;
    private final LustreVersion version;
    private Duration timeout = Duration.ofSeconds(30);
    private boolean viaHelper = true;
    private SimKernel kernel;
    private Svcgssd daemon;

    /** @param dir a fresh temp dir (removed by the caller) */
    E2eRig(Path dir) throws Exception {
        this(dir, SimKernel.NEWEST);
    }

    E2eRig(Path dir, String version) throws Exception {
        this(dir, LustreVersion.parse(version, "test version"));
    }

    E2eRig(Path dir, LustreVersion version) throws Exception {
        this.dir = dir;
        this.version = version;
        byte[] tag = new byte[3];
        random.nextBytes(tag);
        fs = "it" + HexFormat.of().formatHex(tag); // Lustre fsnames have at most 8 characters
        keyring = Keyring.open();
        sk = new SkKeyring(keyring, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), 0,
                java.time.Clock.systemDefaultZone(), random);
        // A keyring of our own, linked into the session keyring: requested keys land here and go with it.
        requestRing = keyring.addKey("keyring", "lskit-" + fs, new byte[0], Keyring.SESSION);
    }

    static Path basedir() {
        return Path.of(System.getProperty("lsk.basedir", ".")).toAbsolutePath().normalize();
    }

    /** The l_getauth helper the build makes (jni/l_getauth.c). */
    static Path getauth() {
        return basedir().resolve("target/native/l_getauth");
    }

    /** The simulated kernel writes request lines to the daemon itself (measures the daemon alone). */
    E2eRig viaSocket() {
        viaHelper = false;
        return this;
    }

    /** How long the simulated kernel waits for the daemon's downcall (its rsi acquire timeout). */
    E2eRig timeout(Duration t) {
        timeout = t;
        return this;
    }

    /** Starts the simulated kernel and the daemon; writes the request-key.d entry. */
    E2eRig start() throws Exception {
        return start(true);
    }

    E2eRig start(boolean requestKey) throws Exception {
        Path sock = dir.resolve("svcgssd.socket");
        SimKernel.Config config = new SimKernel.Config(dir.resolve("kernel"), version, sock, CLIENT_NID, "default",
                timeout);
        if (viaHelper) {
            if (!Files.isExecutable(getauth())) {
                throw new IllegalStateException("l_getauth helper not built at " + getauth() + " (mvn package)");
            }
            config = config.withUpcall(getauth().toString());
        }
        kernel = SimKernel.start(config, log::add);
        Log dlog = (lvl, m) -> log.add("lsvcgssd: " + m);
        daemon = Svcgssd.start(new Svcgssd.Options(sock, kernel.kernel(), true, Duration.ofSeconds(5), 2),
                new Responder(new KeyringKeySource(keyring), NodemapResolver.NONE, Entropy.secure()),
                ChannelNative.load(), dlog);
        if (!requestKey) {
            return this;
        }
        Files.writeString(kernel.paths().simulated(kernel.kernel().abi(), lsk.kernel.ParamPaths.KEYRING_DEBUG_LEVEL), "4\n");
        RequestKeyEntry.removeStale(RequestKeyEntry.Places.SYSTEM);
        entry = RequestKeyEntry.forLgssKeyring(RequestKeyEntry.Places.SYSTEM, "it", "it-" + fs, "lskit-" + fs,
                kernel.paths().root(), basedir().resolve("scripts/lgss_keyring"));
        return this;
    }

    SimKernel kernel() {
        return kernel;
    }

    Svcgssd daemon() {
        return daemon;
    }

    byte[] newSharedKey() {
        byte[] k = new byte[32];
        random.nextBytes(k);
        return k;
    }

    KeyConfig serverKey(byte[] shared, HmacAlg hmac) {
        return KeyConfig.builder().type(KeyConfig.TYPE_SERVER).fsname(fs).nodemap("default").hmacAlg(hmac.id())
                .sharedKey(shared).primeBits(2048).build();
    }

    KeyConfig clientKey(byte[] shared, HmacAlg hmac) {
        return KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname(fs).nodemap("default").hmacAlg(hmac.id())
                .sharedKey(shared).primeBits(2048).prime(Ffdhe.FFDHE2048.primeBytes()).build();
    }

    String target() {
        return fs + "-MDT0000_UUID";
    }

    /**
     * Callout info for a root (r) credential of service type {@code svc} (i or p), as the rig's
     * kernel version formats it; a client uuid only where that version sends the 12th field.
     */
    String callout(char svc, String clientUuid) {
        return lsk.kernel.sim.SimCallout.root(1, svc, 1, SERVER_NID, target(), CLIENT_NID,
                (int) ProcessHandle.current().pid(), clientUuid).format(kernel.kernel().abi());
    }

    /** A key of our own to negotiate into without request-key (in-process tests). */
    int placeholderKey(String name) throws KeyringException {
        return keyring.addKey("user", "lskit-" + fs + ":" + name, new byte[1], requestRing);
    }

    /** request_key(2) through /sbin/request-key; the key's serial (instantiated, maybe not yet negotiated). */
    int request(String name, String callout) throws KeyringException {
        return keyring.requestKey("user", description(name), callout, requestRing);
    }

    /** The description of a requested key named {@code name}: what the request-key entry matches. */
    String description(String name) {
        return entry.description(name);
    }

    /** The request-key entry (after {@link #start}). */
    RequestKeyEntry entry() {
        return entry;
    }

    /** Where the upcall started by request-key logs. */
    Path upcallLog() {
        return entry != null ? entry.log() : dir.resolve("upcall.log");
    }

    /** The key's payload once the background negotiation replaced the placeholder byte. */
    byte[] awaitPayload(int key, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            byte[] p;
            try {
                p = keyring.read(key);
            } catch (KeyringException e) {
                throw new AssertionError("key " + key + " is gone (" + e.getMessage() + "): negotiation failed; "
                        + diagnostics(), e);
            }
            Optional<KeyPayload.Failure> f = KeyPayload.asFailure(p);
            if (f.isPresent()) {
                throw new AssertionError("key " + key + " holds the error payload " + f.get() + "; " + diagnostics());
            }
            if (p.length > 1) {
                return p;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("key " + key + " not updated within " + timeout + "; " + diagnostics());
    }

    Optional<Downcalls.Rsc> serverContext(byte[] handle) {
        return kernel.serverContext(handle);
    }

    /**
     * Whether the rsc's nodemap name is what this version's layout carries: none in the 48-byte
     * header, always the name from 2.17.54, the name or nothing (no lookup by SHA) in between.
     */
    boolean rscNodemapFits(String nm) {
        return switch (kernel.kernel().abi().nodemapName) {
            case NEVER -> nm.isEmpty();
            case ALWAYS -> nm.equals("default");
            case AFTER_SHA_LOOKUP -> nm.isEmpty() || nm.equals("default");
        };
    }

    String diagnostics() {
        String up;
        try {
            up = Files.exists(upcallLog()) ? Files.readString(upcallLog()) : "(none)";
        } catch (java.io.IOException e) {
            up = e.toString();
        }
        return "upcall log:\n" + up + "\ndaemon/kernel log:\n" + String.join("\n", log);
    }

    void load(KeyConfig cfg, SkKeyring.LoadOptions options) throws LskException {
        sk.load(cfg, options);
    }

    @Override
    public void close() {
        closeQuietly(daemon);
        closeQuietly(kernel);
        if (entry != null) {
            entry.remove(); // what is left is removed by the next start (stale-entry check)
        }
        try {
            for (int k : keyring.find(Keyring.USER, d -> d.matchesBase("lustre:" + fs))) {
                keyring.unlink(k, Keyring.USER);
            }
        } catch (KeyringException e) {
            // best effort
        }
        try {
            keyring.invalidate(requestRing);
        } catch (KeyringException e) {
            // best effort
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            Arrays.fill(a, (byte) 0);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }
}
