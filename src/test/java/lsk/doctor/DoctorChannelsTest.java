package lsk.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.LustreKernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lsk doctor on a Lustre 2.15.x server, which has no daemon socket: the daemon is running when
 * a process holds the sunrpc init channel open. The process table is a made-up /proc (its fd
 * links as the kernel shows them; keys from the real one), since the test's daemon is this JVM
 * and the simulated channel is a socket.
 */
class DoctorChannelsTest {
    @TempDir
    Path tmp;
    DoctorNode n;
    Path proc;
    Path init;

    @BeforeEach
    void start() throws Exception {
        n = new DoctorNode(tmp, LustreKernel.version("2.15.8", "test"));
        init = CacheChannelLines.initChannel(n.kernel.paths());
        proc = Files.createDirectories(tmp.resolve("proc"));
        Files.createSymbolicLink(proc.resolve("keys"), Path.of("/proc/keys"));
    }

    @AfterEach
    void stop() {
        n.close();
    }

    private void process(long pid, String comm, Path... open) throws Exception {
        Path p = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("fd"));
        Files.writeString(p.getParent().resolve("comm"), comm + "\n");
        for (int i = 0; i < open.length; i++) {
            Files.createSymbolicLink(p.resolve(Integer.toString(3 + i)), open[i]);
        }
    }

    private List<Finding> check() {
        return Doctor.check(n.node().withProc(proc));
    }

    private static List<Finding> problems(List<Finding> all) {
        return all.stream().filter(Finding::isProblem).toList();
    }

    private static String text(List<Finding> all) {
        return all.stream().map(Finding::line).collect(Collectors.joining("\n"));
    }

    @Test
    void daemonHoldingTheInitChannelIsRunning() throws Exception {
        process(4242, "lsvcgssd", Path.of("/dev/null"), init);
        List<Finding> all = check();
        assertEquals(List.of(), problems(all), text(all));
        String s = text(all);
        assertTrue(s.contains("ok      lustre version: Lustre 2.15.8"), s);
        assertTrue(s.contains("ok      lsvcgss running: reading " + init + " (pid 4242)"), s);
        assertTrue(s.contains("skip    lsvcgss socket: Lustre 2.15.x has no daemon socket"), s);
        assertTrue(s.contains("skip    rsi_upcall: "), s);
    }

    @Test
    void nothingReadsTheInitChannel() throws Exception {
        process(77, "bash", Path.of("/dev/null"));
        List<Finding> p = problems(check());
        assertEquals(1, p.size(), text(check()));
        assertTrue(p.get(0).line().startsWith("PROBLEM lsvcgss running: nothing reads " + init), p.get(0).line());
        assertTrue(p.get(0).fix().contains("systemctl start lsvcgss"), p.get(0).line());
    }

    @Test
    void aDaemonOnTheSocketInsteadIsFound() throws Exception {
        process(4243, "lsvcgssd", Path.of("/run/lsk/svcgssd.socket"));
        List<Finding> p = problems(check());
        assertEquals(1, p.size(), text(check()));
        assertTrue(p.get(0).detail().contains("lsvcgssd (pid 4243) does not hold " + init + " open"), p.get(0).line());
    }

    @Test
    void noGssModule() throws Exception {
        process(4242, "lsvcgssd", init);
        n.stopDaemon();
        Files.delete(init);
        List<Finding> p = problems(check());
        assertEquals(1, p.size(), text(check()));
        assertTrue(p.get(0).detail().startsWith("no " + init + ": the kernel's GSS module is not loaded"), p.get(0).line());
    }

    @Test
    void notRootIsSkippedNotFailed() throws Exception {
        List<Finding> all = Doctor.check(n.node().withProc(proc).withEuid(65534));
        assertTrue(text(all).contains("skip    lsvcgss running: needs root"), text(all));
    }
}
