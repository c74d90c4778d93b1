package lsk.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import lsk.base.Bytes;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.kernel.KernelAbi;
import lsk.kernel.ParamPaths;
import lsk.kernel.TrustedPath;
import lsk.kernel.sim.SimCallout;
import lsk.kernel.sim.SimKernel;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.sk.KeyPerm;
import lsk.upcall.KeyPayload;
import lsk.upcall.LgssKeyring;

/**
 * The demo's request-key rig: how a client context is asked for. Through the real
 * {@code /sbin/request-key} and a request-key.d entry running scripts/lgss_keyring when this
 * machine allows it (the entry written on first use, removed at the end, those of killed runs
 * removed at the start), else by running lgss_keyring's negotiation directly on a key made
 * here; either way, then waiting until the key holds the context.
 */
final class KeyRequests {
    static final Path REQUEST_KEY = Path.of("/sbin/request-key");
    static final Path REQUEST_KEY_D = RequestKeyEntry.Places.SYSTEM.requestKeyD();

    private final Keyring keyring;
    private final String fs;
    private final int demoRing;
    private final Path scripts;
    private final Path dir;
    /** Null when request-key is used, else why not. */
    private final String whyDirect;
    /** Entries of killed runs removed at the start. */
    private final List<Path> stale;
    /** The request-key.d entry, once written (the first request through request-key). */
    private RequestKeyEntry entry;

    KeyRequests(Keyring keyring, String fs, int demoRing, Path scripts, Path dir, boolean forceDirect,
                PrintStream err) {
        this.keyring = keyring;
        this.fs = fs;
        this.demoRing = demoRing;
        this.scripts = scripts;
        this.dir = dir;
        String why;
        if (forceDirect) {
            why = "--direct";
        } else if (!Files.isExecutable(REQUEST_KEY)) {
            why = REQUEST_KEY + " not found (apt-get install keyutils)";
        } else if (!Files.isWritable(REQUEST_KEY_D) && !Files.isWritable(REQUEST_KEY_D.getParent())) {
            why = REQUEST_KEY_D + " not writable (run as root)";
        } else {
            why = untrusted(RequestKeyEntry.reliedOnBy(scripts.resolve("lgss_keyring")));
        }
        this.whyDirect = why;
        List<Path> removed = List.of();
        if (why == null) {
            try {
                removed = RequestKeyEntry.removeStale(RequestKeyEntry.Places.SYSTEM);
            } catch (LskException e) {
                err.println("demo: " + e.getMessage()); // this run's own entry is unaffected
            }
        }
        this.stale = removed;
    }

    boolean viaRequestKey() {
        return whyDirect == null;
    }

    String whyDirect() {
        return whyDirect;
    }

    List<Path> stale() {
        return stale;
    }

    /**
     * Why request-key may not run programs from {@code dirs} as root (someone else could
     * change them, now or once this run is gone), or null.
     */
    private static String untrusted(List<Path> dirs) {
        try {
            for (Path d : dirs) {
                TrustedPath.checkDir(d, TrustedPath.Above.STRICT, "upcall program dir");
            }
            return null;
        } catch (LskException e) {
            return e.getMessage();
        }
    }

    /** As the client kernel of the played version formats it, for the MDC device of a client root context. */
    private String callout(SimKernel kernel, long serverNid, long clientNid, char svc) {
        return SimCallout.root(1, svc, 1, serverNid, fs + "-MDT0000-mdc-ffff8881a2b4c000", clientNid,
                (int) ProcessHandle.current().pid(), null).format(kernel.kernel().abi());
    }

    /** One client context: request-key (or direct negotiation) until the key holds it. */
    KeyPayload.Success request(SimKernel kernel, String name, char svc) throws Exception {
        String callout = callout(kernel, Demo.SERVER_NID, Demo.CLIENT_NID, svc);
        int key;
        if (viaRequestKey()) {
            if (entry == null) {
                entry = RequestKeyEntry.forLgssKeyring(RequestKeyEntry.Places.SYSTEM, "demo", "demo-" + fs,
                        Demo.ringName(fs), kernel.paths().root(), scripts.resolve("lgss_keyring"));
            }
            key = keyring.requestKey("user", entry.description(name), callout, demoRing);
        } else {
            String desc = Demo.ringName(fs) + ":" + name;
            key = keyring.addKey("user", desc, new byte[1], demoRing);
            keyring.setPerm(key, KeyPerm.POSSESSOR_ALL_OWNER_RW); // as a kernel-made key: the upcall writes it
            List<String> cmd = new ArrayList<>(List.of(scripts.resolve("lgss_keyring").toString(),
                    LgssKeyring.NEGOTIATE, "create", Integer.toString(key), "user", desc, callout,
                    "0", "0", "0", "0", Integer.toString(keyring.resolve(Keyring.SESSION, false))));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("upcall.log").toFile()));
            pb.environment().put(ParamPaths.ENV_ROOT, kernel.paths().root().toString());
            pb.environment().remove(KernelAbi.ENV_VERSION);
            pb.environment().put("LSK_LOG_STDERR", "1");
            Process p = pb.start();
            // The key is made already: let the negotiation act (it waits for this byte).
            try (java.io.OutputStream go = p.getOutputStream()) {
                go.write(LgssKeyring.NEGOTIATE_GO);
            }
            p.waitFor(Demo.NEGOTIATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return awaitContext(key);
    }

    private KeyPayload.Success awaitContext(int key) throws Exception {
        long end = System.nanoTime() + Demo.NEGOTIATION_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            byte[] p;
            try {
                p = keyring.read(key);
            } catch (KeyringException e) {
                throw new LskException("key " + key + " gone (negotiation failed): " + logTails(), e.errno());
            }
            try {
                Optional<KeyPayload.Failure> f = KeyPayload.asFailure(p);
                if (f.isPresent()) {
                    throw new LskException("negotiation failed: " + f.get() + "; " + logTails(), Errno.EACCES);
                }
                if (p.length > 1) {
                    return KeyPayload.parseSuccess(p);
                }
            } finally {
                Bytes.wipe(p);
            }
            Thread.sleep(5);
        }
        throw new LskException("key " + key + " not updated within " + Demo.NEGOTIATION_TIMEOUT.toSeconds() + " s: "
                + logTails(), Errno.ETIMEDOUT);
    }

    /** The upcall's and the simulated kernel's last log lines (refused downcalls show here). */
    private String logTails() {
        return "upcall: " + Logs.tail(entry != null ? entry.log() : dir.resolve("upcall.log")) + "; kernel: "
                + Logs.tail(dir.resolve("simkernel.log"));
    }

    /** Whether a request-key.d entry was written (and so is removed by {@link #removeEntry}). */
    boolean hasEntry() {
        return entry != null;
    }

    /** Removes the request-key.d entry, if any; the problems met. */
    List<String> removeEntry() {
        return entry != null ? entry.remove() : List.of();
    }
}
