package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 10, item 6): on an accept() error such as EMFILE the daemon exited with
 * status 0 and no log line, so Restart=on-failure never restarted it. Here the daemon's fd limit
 * is lowered while it runs (prlimit) and connections are held open until accept fails: the daemon
 * logs, backs off (no busy loop), gives up unfinished connections to get fds back, keeps serving,
 * and still ends cleanly on SIGTERM.
 */
class SvcgssdFdExhaustionTest {
    @TempDir
    Path tmp;

    Process daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.destroyForcibly();
        }
    }

    Path rsi() throws Exception {
        KernelAbi abi = KernelAbi.of(LustreVersion.parse("2.17.0", "test"));
        return new ParamPaths(tmp.resolve("root")).simulated(abi, ParamPaths.RSI_DOWNCALL);
    }

    void assertServes(Path sock, long hash) throws Exception {
        Path rsi = rsi();
        Files.write(rsi, new byte[0]);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            c.write(ByteBuffer.wrap(SvcgssdPeerTest.line(hash).getBytes(StandardCharsets.US_ASCII)));
        }
        SvcgssdProcessTest.waitFor(() -> rsi.toFile().length() > 0 || !daemon.isAlive(), "the daemon's answer");
        assertTrue(daemon.isAlive(), "daemon died: " + log());
        assertEquals(hash, lsk.kernel.sim.SimDowncalls.rsi(Files.readAllBytes(rsi)).hash());
    }

    String log() {
        return SvcgssdProcessTest.read(tmp.resolve("daemon.log"));
    }

    /** utime + stime of the process, in clock ticks. */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void prlimit(long pid, long nofile) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + nofile + ":") // soft only: raising a hard limit again may need CAP_SYS_RESOURCE
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    @Test
    void outOfFileDescriptorsIsLoggedAndSurvived() throws Exception {
        Files.createDirectories(rsi().getParent());
        Files.createFile(rsi());
        Path sock = tmp.resolve("svcgssd.socket");
        Path script = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lsvcgssd").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-f", "-s", "--socket", sock.toString(),
                "--param-root", "root", "--lustre-version", "2.17.0").directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile());
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove(KernelAbi.ENV_VERSION);
        daemon = pb.start();
        SvcgssdProcessTest.waitFor(() -> Files.exists(sock, LinkOption.NOFOLLOW_LINKS) || !daemon.isAlive(), "the socket");
        assertServes(sock, 11); // also stops the JIT warm-up, which would blur the CPU figure
        long pid = daemon.pid();

        long open;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            open = fds.count();
        }
        prlimit(pid, open + 6);
        List<SocketChannel> hoard = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                hoard.add(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
            }
            SvcgssdProcessTest.waitFor(() -> log().contains("accept failed") || !daemon.isAlive(), "the accept error");
            assertTrue(daemon.isAlive(), "daemon exited on EMFILE with status " + exit() + ": " + log());
            Thread.sleep(500);
            long before = cpuTicks(pid);
            Thread.sleep(2000);
            long used = cpuTicks(pid) - before;
            assertTrue(used < 100, "busy loop? " + used + " ticks of CPU in 2 s");

            // Served while the limit is still low: hoarded connections give way.
            assertServes(sock, 12);
        } finally {
            for (SocketChannel c : hoard) {
                c.close();
            }
        }
        prlimit(pid, 4096);
        assertServes(sock, 13);
        assertTrue(log().contains("accept failed: Too many open files"), log());

        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, daemon.exitValue(), log());
    }

    private String exit() {
        return daemon.isAlive() ? "(alive)" : Integer.toString(daemon.exitValue());
    }
}
