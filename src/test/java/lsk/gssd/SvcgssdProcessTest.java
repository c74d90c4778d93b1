package lsk.gssd;

import lsk.base.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import lsk.base.LskException;
import lsk.sk.GssException;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreVersion;
import lsk.kernel.ParamPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lsvcgssd as a process, as an init system or Lustre's test framework sees it: named
 * {@code lsvcgssd} in /proc, one instance per socket (the second exits 0 and the first keeps
 * serving), SIGHUP ignored, SIGTERM ends it with status 0 and removes its socket; without
 * {@code -f} the command returns once the detached daemon serves. Runs from this build's class
 * path (LSK_CLASSPATH). The socket is not the default one, so the guard is per path and the
 * test never meets a daemon of this machine.
 */
class SvcgssdProcessTest {
    @TempDir
    Path tmp;

    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        for (ProcessHandle p : started) {
            p.destroyForcibly();
        }
    }

    ProcessBuilder command(String... args) throws Exception {
        Path script = Path.of(System.getProperty("lsk.basedir", "."), "scripts", "lsvcgssd").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--socket", "svcgssd.socket", "--param-root", "root", "--lustre-version", "2.17.0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("LSK_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove(KernelAbi.ENV_VERSION);
        return pb;
    }

    Path socket() {
        return tmp.resolve("svcgssd.socket");
    }

    /** The rsi_info of the 2.17.0 tree, a plain file the daemon writes its answers to. */
    Path rsiFile() throws Exception {
        KernelAbi abi = KernelAbi.of(LustreVersion.parse("2.17.0", "test"));
        Path rsi = new ParamPaths(tmp.resolve("root")).simulated(abi, ParamPaths.RSI_DOWNCALL);
        Files.createDirectories(rsi.getParent());
        if (!Files.exists(rsi)) {
            Files.createFile(rsi);
        }
        return rsi;
    }

    static void waitFor(java.util.function.BooleanSupplier c, String what) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
    }

    static String comm(long pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
    }

    /** A junk request; the daemon serves if it writes the error answer for hash {@code hash}. */
    void assertServes(long hash) throws Exception {
        Path rsi = rsiFile();
        Files.write(rsi, new byte[0]);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            c.write(ByteBuffer.wrap((hash + " 131073 0x1 0x0 default 0 AAAA\n").getBytes(StandardCharsets.US_ASCII)));
        }
        waitFor(() -> rsi.toFile().length() > 0, "the daemon's answer");
        Downcalls.Rsi r = lsk.kernel.sim.SimDowncalls.rsi(Files.readAllBytes(rsi));
        assertEquals(hash, r.hash());
        assertEquals(-Errno.EACCES, r.err());
        assertTrue(r.major() != GssException.GSS_S_COMPLETE);
    }

    @Test
    void foregroundDaemon() throws Exception {
        Path log = tmp.resolve("first.log");
        Process first = command("-f", "-s").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(first.toHandle());
        waitFor(() -> Files.exists(socket(), LinkOption.NOFOLLOW_LINKS) || !first.isAlive(), "the socket");
        assertTrue(first.isAlive(), () -> read(log));
        assertEquals("lsvcgssd", comm(first.pid()));
        Object inode = Files.getAttribute(socket(), "unix:ino", LinkOption.NOFOLLOW_LINKS);

        Process second = command("-f", "-s").redirectErrorStream(true).start();
        started.add(second.toHandle());
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        String said = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, second.exitValue(), said);
        assertTrue(said.contains("Another instance is running, exit"), said);
        assertEquals(inode, Files.getAttribute(socket(), "unix:ino", LinkOption.NOFOLLOW_LINKS));
        assertServes(101);

        new ProcessBuilder("kill", "-HUP", Long.toString(first.pid())).start().waitFor();
        waitFor(() -> read(log).contains("Received SIGHUP... Ignoring."), "the SIGHUP log line");
        assertTrue(first.isAlive());
        assertServes(102);

        first.destroy(); // SIGTERM
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue(), read(log));
        assertFalse(Files.exists(socket(), LinkOption.NOFOLLOW_LINKS), "socket left behind");
        assertTrue(read(log).contains("exiting on signal 15"), read(log));
    }

    @Test
    void daemonizingStartReturnsOnceServing() throws Exception {
        Process parent = command("-s").redirectErrorStream(true).start();
        assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
        String said = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, parent.exitValue(), said);
        // Serving as soon as the command returned: the socket is there, no waiting.
        assertTrue(Files.exists(socket(), LinkOption.NOFOLLOW_LINKS), said);
        Optional<ProcessHandle> daemon = ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> List.of(a).contains("svcgssd.socket")).orElse(false) && envCwd(p).equals(tmp.toString()))
                .findFirst();
        assertTrue(daemon.isPresent(), "detached daemon not found");
        ProcessHandle d = daemon.get();
        started.add(d);
        assertEquals("lsvcgssd", comm(d.pid()));
        assertEquals(d.pid(), session(d.pid()), "not a session leader (setsid)");
        assertEquals(Path.of("/"), Path.of("/proc/" + d.pid() + "/cwd").toRealPath());
        assertServes(201);

        Process again = command("-s").redirectErrorStream(true).start();
        assertTrue(again.waitFor(60, TimeUnit.SECONDS));
        String again2 = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, again.exitValue(), again2);
        assertTrue(again2.contains("Another instance is running, exit"), again2);
        assertTrue(d.isAlive());

        d.destroy(); // SIGTERM
        d.onExit().get(60, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket(), LinkOption.NOFOLLOW_LINKS), "socket left behind");
    }

    @Test
    void daemonizingStartReportsFailure() throws Exception {
        Files.createDirectories(tmp.resolve("svcgssd.socket"));
        Process parent = command("-s").redirectErrorStream(true).start();
        assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
        String said = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, parent.exitValue(), said);
        assertTrue(said.contains("is not a socket; refusing to replace it"), said);
        assertTrue(Files.isDirectory(tmp.resolve("svcgssd.socket")));
    }

    /** The parent's working directory as the detached child got it ({@link Detach#ENV_CHILD}). */
    static String envCwd(ProcessHandle p) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc/" + p.pid() + "/environ"));
            for (String kv : new String(env, StandardCharsets.UTF_8).split("\0")) {
                if (kv.startsWith(Detach.ENV_CHILD + "=")) {
                    return kv.substring(Detach.ENV_CHILD.length() + 1);
                }
            }
        } catch (java.io.IOException e) {
            // gone or not ours
        }
        return "";
    }

    /** Field 6 of /proc/PID/stat. */
    static long session(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[3]);
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
