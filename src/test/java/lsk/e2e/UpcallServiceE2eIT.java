package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import lsk.keyring.KeyDescription;
import lsk.sk.KeyPerm;
import lsk.testutil.LocalUser;
import lsk.upcall.KeyPayload;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native upcall and the resident service, end to end: the real /sbin/request-key runs
 * scripts/lgss_keyring, which runs the built native upcall; it hands root sk upcalls to the
 * service on the rig's socket (starting it when none runs) or falls back to today's JVM path.
 * Every context is checked against the simulated server kernel's record of it.
 */
class UpcallServiceE2eIT {
    /**
     * The lgssc key's permissions ({@link KeyPerm#LGSSC}: WRITE for the possessor only, no root
     * bypass) plus possessor READ, which lets the requester, a possessor, read the context back:
     * lgssc has no read method, the kernel reads it itself.
     */
    static final int LGSSC_PERM = KeyPerm.LGSSC | KeyPerm.POS_READ;
    static final String FALLBACK_LINE = "is not usable";

    @TempDir
    Path tmp;

    @BeforeEach
    void needs() {
        assumeTrue(Files.isExecutable(Path.of("/sbin/request-key")), "needs keyutils' /sbin/request-key");
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false), "needs root");
        assertTrue(ServiceRig.nativeUpcallBuilt(), "the build makes target/native/lgss_keyring (mvn package)");
    }

    /** The service cannot be reached (its socket path is a directory): today's path gives the context, said once. */
    @Test
    void unreachableServiceFallsBackToTheJvmUpcallAndSaysSoOnce() throws Exception {
        try (ServiceRig s = new ServiceRig(tmp).start()) {
            Files.createDirectory(s.socket); // connect: refused; a service started there cannot bind
            int contexts = s.rig.kernel().serverContextCount();
            for (String name : List.of("f1-a", "f1-b")) {
                KeyPayload.Success p = s.await(s.request(name));
                assertTrue(s.rig.serverContext(p.handle().toByteArray()).isPresent(), "no server context for " + name);
            }
            assertEquals(contexts + 2, s.rig.kernel().serverContextCount());
            String log = s.upcallLog();
            assertEquals(1, log.lines().filter(l -> l.contains(FALLBACK_LINE)).count(), "one fallback line:\n" + log);
            assertTrue(s.services().isEmpty(), "a service runs on an unusable socket path");
        }
    }

    /** With --idle-timeout 1 the service exits, removing its socket; the next upcall starts a new one. */
    @Test
    void idleServiceExitsAndTheNextUpcallStartsItAgain() throws Exception {
        try (ServiceRig s = new ServiceRig(tmp).start()) {
            Process first = s.startService("--idle-timeout", "1");
            s.await(s.request("idle-a"));
            assertTrue(first.waitFor(10, TimeUnit.SECONDS), "service still up 10 s after its last request; "
                    + s.diagnostics());
            assertEquals(0, first.exitValue(), s.diagnostics());
            assertFalse(Files.exists(s.socket), "socket left behind by the idle exit");
            KeyPayload.Success p = s.await(s.request("idle-b"));
            assertTrue(s.rig.serverContext(p.handle().toByteArray()).isPresent());
            List<ProcessHandle> again = s.services();
            assertEquals(1, again.size(), "one service started by the upcall: " + again);
            assertNotEquals(first.pid(), again.get(0).pid());
            assertFalse(s.upcallLog().contains(FALLBACK_LINE), s.upcallLog());
        }
    }

    /**
     * A local user cannot reach the service: the socket's directory is root's alone. Were the
     * directory and socket open to all, the service still serves no non-root peer (SO_PEERCRED):
     * it closes the connection without an answer.
     */
    @Test
    void anUnprivilegedUserCannotReachTheService() throws Exception {
        assumeTrue(LocalUser.available(), "needs root, useradd and setpriv");
        try (ServiceRig s = new ServiceRig(tmp).start(); LocalUser u = LocalUser.create()) {
            s.startService();
            LocalUser.Result r = u.exec("perl", "-MIO::Socket::UNIX", "-e", CONNECT, s.socket.toString());
            assertTrue(r.exit() != 0 && r.output().contains("Permission denied"), r.exit() + ": " + r.output());

            // /run/lsk is root's 0700 too: a second service on a socket the user can reach.
            Path open = tmp.resolve("open");
            Files.createDirectory(open);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path sock = open.resolve("lgss_keyring.socket");
            s.startServiceAt(sock);
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
            r = u.exec("perl", "-MIO::Socket::UNIX", "-e", CONNECT, sock.toString());
            assertEquals(3, r.exit(), "connected, and the service must close without a byte: " + r.output()
                    + "; " + ServiceRig.read(s.serviceLog()));
            assertTrue(ServiceRig.read(s.serviceLog()).contains(u.name()) || ServiceRig.read(s.serviceLog())
                    .contains(Integer.toString(u.uid())), "the refusal is logged: " + ServiceRig.read(s.serviceLog()));
            // Root is still served.
            s.await(s.request("after-refusal"));
        }
    }

    /**
     * Connects, sends a request of no arguments, exits 3 on EOF without an answer, 4 on an answer
     * (a send the service closed first fails quietly: SIGPIPE ignored).
     */
    static final String CONNECT = "$SIG{PIPE} = 'IGNORE'; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0])"
            + " or die \"connect: $!\\n\";"
            + " $s->send(\"REQ 0\\n\"); my $b = ''; $s->recv($b, 64); exit(length($b) ? 4 : 3);";

    /**
     * Possession: a {@code user} key with exactly the lgssc key's permissions (no user WRITE, no
     * root bypass) is updated by the service only because the upcall linked it into the
     * service's keyring; a root process without that link is refused (EACCES).
     */
    @Test
    void theServiceUpdatesALgsscMaskedKeyOnlyBecauseItPossessesIt() throws Exception {
        try (ServiceRig s = new ServiceRig(tmp).start()) {
            s.startService();
            int key = s.request("possession");
            KeyPayload.Success p = s.await(key);
            assertTrue(s.rig.serverContext(p.handle().toByteArray()).isPresent());
            KeyDescription d = s.rig.keyring.describe(key);
            assertEquals(Integer.toHexString(LGSSC_PERM), Integer.toHexString(d.perm()),
                    "the key must carry the lgssc key's permissions (and possessor read)");
            assertEquals(0, d.uid());
            // Root in a fresh session keyring, which does not hold the key: no update, no read.
            ProcessBuilder pb = new ProcessBuilder("keyctl", "session", "-", "keyctl", "update", Integer.toString(key),
                    "forged").redirectErrorStream(true);
            Process c = pb.start();
            String out = new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(c.waitFor() != 0 && out.contains("Permission denied"), "a non-possessor updated the key: " + out);
            assertFalse(s.upcallLog().contains(FALLBACK_LINE), s.upcallLog());
        }
    }

    /** Eight upcalls at once: every one gets its context through the one service, none falls back. */
    @Test
    void eightConcurrentUpcallsAllGetContextsThroughTheService() throws Exception {
        try (ServiceRig s = new ServiceRig(tmp).start()) {
            int contexts = s.rig.kernel().serverContextCount();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<KeyPayload.Success>> got = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String name = "c" + i;
                    got.add(pool.submit(() -> s.await(s.request(name))));
                }
                for (Future<KeyPayload.Success> f : got) {
                    KeyPayload.Success p = f.get(60, TimeUnit.SECONDS);
                    assertTrue(s.rig.serverContext(p.handle().toByteArray()).isPresent());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(contexts + 8, s.rig.kernel().serverContextCount());
            assertEquals(1, s.services().size(), "one service for all: " + s.services());
            assertFalse(s.upcallLog().contains(FALLBACK_LINE), s.diagnostics());
        }
    }
}
