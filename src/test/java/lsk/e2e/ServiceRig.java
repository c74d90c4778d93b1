package lsk.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lsk.demo.RequestKeyEntry;
import lsk.keyring.Keyring;
import lsk.keyring.SkKeyring;
import lsk.sk.HmacAlg;
import lsk.upcall.KeyPayload;

/**
 * {@link E2eRig} (simulated kernel, in-process lsvcgssd, SSK keys) with a request-key.d entry
 * whose handler runs scripts/lgss_keyring, hence the native upcall, pointed by
 * {@code LSK_UPCALLD_SOCKET} at a socket in a directory of this rig's own under /run/lsk (root's,
 * 0700, as the upcall wants it): the resident service the upcall starts there, or one a test
 * starts, serves only this rig. {@link #close} stops every service on that socket and removes
 * the entry, the directory, the keys.
 */
final class ServiceRig implements AutoCloseable {
    static final Duration NEGOTIATION = Duration.ofSeconds(30);
    /** The service's command. */
    static final String SERVICE = "lgss_keyringd";

    final E2eRig rig;
    final Path runDir;
    final Path socket;
    private final List<Process> started = new ArrayList<>();
    private RequestKeyEntry entry;
    private int ring;

    ServiceRig(Path tmp) throws Exception {
        rig = new E2eRig(tmp);
        runDir = RequestKeyEntry.Places.SYSTEM.runBase().resolve("it-svc-" + rig.fs);
        socket = runDir.resolve("lgss_keyring.socket");
    }

    static boolean nativeUpcallBuilt() {
        return Files.isExecutable(E2eRig.basedir().resolve("target/native/lgss_keyring"));
    }

    ServiceRig start() throws Exception {
        rig.start(false);
        byte[] shared = rig.newSharedKey();
        rig.load(rig.serverKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
        rig.load(rig.clientKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
        ring = rig.keyring.addKey("keyring", "lskit-svc-" + rig.fs, new byte[0], Keyring.SESSION);
        Files.createDirectories(runDir.getParent());
        Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path lgssKeyring = E2eRig.basedir().resolve("scripts/lgss_keyring");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin");
        Path root = rig.kernel().paths().root();
        RequestKeyEntry.removeStale(RequestKeyEntry.Places.SYSTEM);
        entry = RequestKeyEntry.install(RequestKeyEntry.Places.SYSTEM, "it", "itsvc-" + rig.fs, "user",
                "lskitsvc-" + rig.fs, RequestKeyEntry.reliedOnBy(lgssKeyring), d -> "#!/bin/sh\n"
                        + "export LSK_PARAM_ROOT=" + RequestKeyEntry.quote(root) + " LSK_LOG_STDERR=1 LSK_UPCALLD_SOCKET="
                        + RequestKeyEntry.quote(socket) + "\n"
                        + "PATH=" + RequestKeyEntry.quote(javaBin) + ":$PATH; export PATH\n"
                        + "exec " + RequestKeyEntry.quote(lgssKeyring) + " \"$@\" 2>>" + RequestKeyEntry.quote(d.resolve("upcall.log"))
                        + "\n");
        return this;
    }

    /** request_key(2) for a root integrity context through the real /sbin/request-key; returns once instantiated. */
    int request(String name) throws Exception {
        return rig.keyring.requestKey("user", entry.description(name), rig.callout('i', null), ring);
    }

    /** Waits until the key holds its context (fails with the logs otherwise). */
    KeyPayload.Success await(int key) throws Exception {
        long end = System.nanoTime() + NEGOTIATION.toNanos();
        while (System.nanoTime() < end) {
            byte[] p;
            try {
                p = rig.keyring.read(key);
            } catch (lsk.keyring.KeyringException e) {
                throw new AssertionError("key " + key + " gone (" + e.getMessage() + "); " + diagnostics(), e);
            }
            if (KeyPayload.asFailure(p).isPresent()) {
                throw new AssertionError("key " + key + " holds a failure payload; " + diagnostics());
            }
            if (p.length > 1) {
                return KeyPayload.parseSuccess(p);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("key " + key + " not updated within " + NEGOTIATION + "; " + diagnostics());
    }

    /** Starts the service on this rig's socket in the foreground, logging to service.log, and waits for its socket. */
    Process startService(String... args) throws Exception {
        return startServiceAt(socket, args);
    }

    /** As {@link #startService}, on another socket path. */
    Process startServiceAt(Path socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(E2eRig.basedir().resolve("scripts/lsk").toString(), SERVICE, "-f",
                "--socket", socket.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(serviceLog().toFile()));
        pb.environment().put("LSK_PARAM_ROOT", rig.kernel().paths().root().toString());
        pb.environment().put("LSK_LOG_STDERR", "1");
        Process p = pb.start();
        started.add(p);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > end) {
                throw new AssertionError("service did not bind " + socket + ": " + read(serviceLog()));
            }
            Thread.sleep(20);
        }
        return p;
    }

    Path serviceLog() {
        return rig.dir.resolve("service.log");
    }

    /** The services running on this rig's socket (started by a test or by an upcall). */
    List<ProcessHandle> services() {
        String sock = "\0" + socket + "\0";
        return ProcessHandle.allProcesses().filter(h -> {
            try {
                String cmd = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"), StandardCharsets.UTF_8);
                return cmd.contains("\0" + SERVICE + "\0") && cmd.contains(sock);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).toList();
    }

    String upcallLog() {
        return read(entry.log());
    }

    String diagnostics() {
        return "upcall log:\n" + upcallLog() + "\nservice log:\n" + read(serviceLog()) + "\n" + rig.diagnostics();
    }

    static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "(none)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        for (ProcessHandle h : services()) {
            h.destroy();
        }
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (ProcessHandle h : services()) {
            h.destroyForcibly();
        }
        if (entry != null) {
            entry.remove();
        }
        if (ring != 0) {
            try {
                rig.keyring.invalidate(ring);
            } catch (lsk.keyring.KeyringException e) {
                // best effort
            }
        }
        if (Files.isDirectory(runDir)) {
            try (var s = Files.walk(runDir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        rig.close();
    }
}
