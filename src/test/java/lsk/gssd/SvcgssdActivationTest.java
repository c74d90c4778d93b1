package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd socket activation, with systemd's own test tool (systemd-socket-activate, Debian's
 * systemd package): it binds the socket, waits for the first connection and execs the daemon
 * with fd 3 and LISTEN_FDS/LISTEN_PID, as systemd does for lsvcgss.socket. The request that
 * caused the start is served, the daemon (foreground, or detached as the unit starts it) serves
 * the passed socket, and on SIGTERM the socket file, systemd's, stays.
 */
class SvcgssdActivationTest {
    static final Path ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");

    @TempDir
    Path tmp;

    Path rsi;
    final List<ProcessHandle> started = new ArrayList<>();

    @BeforeEach
    void kernelTree() throws Exception {
        KernelAbi abi = KernelAbi.of(LustreVersion.parse("2.17.0", "test"));
        rsi = new ParamPaths(tmp.resolve("root")).simulated(abi, ParamPaths.RSI_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        Files.createFile(rsi);
    }

    @AfterEach
    void stopAll() {
        started.forEach(ProcessHandle::destroyForcibly);
    }

    Process activate(Path sock, String... daemonArgs) throws Exception {
        assumeTrue(Files.isExecutable(ACTIVATE), "systemd-socket-activate not installed");
        Path script = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lsvcgssd").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(ACTIVATE.toString(), "-l", sock.toString(), "-E", "PATH",
                "-E", "LSK_CLASSPATH=" + System.getProperty("java.class.path"), script.toString()));
        cmd.addAll(List.of(daemonArgs));
        // Its own status file: an activated daemon's default is the node's /run/lsk/lsvcgssd.status.
        cmd.addAll(List.of("-s", "--param-root", "root", "--lustre-version", "2.17.0", "--status-file",
                tmp.resolve("lsvcgssd.status").toString()));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("daemon.log").toFile()).start();
        started.add(p.toHandle());
        SvcgssdProcessTest.waitFor(() -> Files.exists(sock, LinkOption.NOFOLLOW_LINKS) || !p.isAlive(), "the socket");
        return p;
    }

    /** A junk request; served once its error answer for {@code hash} is written. */
    void assertServes(Path sock, long hash) throws Exception {
        Files.write(rsi, new byte[0]);
        try (SocketChannel c = connect(sock)) {
            c.write(ByteBuffer.wrap(SvcgssdPeerTest.line(hash).getBytes(StandardCharsets.US_ASCII)));
        }
        SvcgssdProcessTest.waitFor(() -> rsi.toFile().length() > 0, "the daemon's answer");
        assertEquals(hash, lsk.kernel.sim.SimDowncalls.rsi(Files.readAllBytes(rsi)).hash());
    }

    /**
     * systemd-socket-activate creates the socket file at bind() and listens a moment later: a
     * connect in between is refused, so retry that (and only that) for a while.
     */
    static SocketChannel connect(Path sock) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return SocketChannel.open(UnixDomainSocketAddress.of(sock));
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    String log() {
        return SvcgssdProcessTest.read(tmp.resolve("daemon.log"));
    }

    @Test
    void foregroundDaemonServesThePassedSocket() throws Exception {
        Path sock = tmp.resolve("activated.socket");
        Process p = activate(sock, "-f");
        assertServes(sock, 301); // this connection starts the daemon
        assertEquals("lsvcgssd", SvcgssdProcessTest.comm(p.pid()), log());
        assertTrue(log().contains("(passed by systemd)"), log());
        assertServes(sock, 302);
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log());
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS), "systemd's socket was removed");
    }

    @Test
    void detachedDaemonInheritsThePassedSocket() throws Exception {
        Path sock = tmp.resolve("activated.socket");
        Process p = activate(sock);
        assertServes(sock, 401);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log());
        Optional<ProcessHandle> child = ProcessHandle.allProcesses()
                .filter(h -> SvcgssdProcessTest.envCwd(h).equals(tmp.toString())).findFirst();
        assertTrue(child.isPresent(), "detached daemon not found");
        started.add(child.get());
        assertEquals("lsvcgssd", SvcgssdProcessTest.comm(child.get().pid()));
        assertServes(sock, 402);
        child.get().destroy();
        child.get().onExit().get(60, TimeUnit.SECONDS);
        assertTrue(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
    }
}
