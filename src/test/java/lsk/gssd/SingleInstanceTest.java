package lsk.gssd;


import lsk.unixsock.DaemonNative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-instance guards. The semaphore is tried with a throwaway key (the real one,
 * 0x3b92d473, would exclude a daemon running on this machine) and removed afterwards.
 */
class SingleInstanceTest {
    @TempDir
    Path tmp;

    @Test
    void semaphoreAdmitsOneHolder() throws Exception {
        DaemonNative sys = DaemonNative.load();
        int key = 0x6c736b00 | ThreadLocalRandom.current().nextInt(0x100);
        try {
            Optional<SingleInstance> first = SingleInstance.semaphore(key, sys);
            assertTrue(first.isPresent());
            assertTrue(SingleInstance.semaphore(key, sys).isEmpty(), "second holder admitted");
            first.get().close();
            first.get().close(); // twice must not raise the count to 2
            Optional<SingleInstance> again = SingleInstance.semaphore(key, sys);
            assertTrue(again.isPresent());
            assertTrue(SingleInstance.semaphore(key, sys).isEmpty());
            again.get().close();
        } finally {
            new ProcessBuilder("ipcrm", "-S", "0x" + Integer.toHexString(key)).start().waitFor();
        }
    }

    @Test
    void abstractGuardPerSocketPath() throws Exception {
        DaemonNative sys = DaemonNative.load();
        Path a = tmp.resolve("a.socket");
        Optional<SingleInstance> first = SingleInstance.acquire(a, sys);
        assertTrue(first.isPresent());
        assertTrue(SingleInstance.acquire(tmp.resolve("sub/../a.socket"), sys).isEmpty(), "same path, other spelling");
        Optional<SingleInstance> other = SingleInstance.acquire(tmp.resolve("b.socket"), sys);
        assertTrue(other.isPresent(), "another path has its own guard");
        first.get().close();
        Optional<SingleInstance> again = SingleInstance.acquire(a, sys);
        assertTrue(again.isPresent());
        again.get().close();
        other.get().close();
    }

    /** The default directory's guard: a lock file nobody but root can create, one holder. */
    @Test
    void lockFileAdmitsOneHolder() throws Exception {
        Path lock = tmp.resolve(".svcgssd.socket.lock");
        Optional<SingleInstance> first = SingleInstance.lockFile(lock, DaemonNative.load());
        assertTrue(first.isPresent());
        assertTrue(SingleInstance.lockFile(lock, DaemonNative.load()).isEmpty(), "second holder in this process");
        assertEquals("busy", probe(lock), "second holder in another process");
        first.get().close();
        assertEquals("held", probe(lock));
        Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link.lock"), tmp.resolve("elsewhere"));
        assertThrows(lsk.base.LskException.class, () -> SingleInstance.lockFile(link, DaemonNative.load()), "followed a link");
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("elsewhere")));
    }

    static String probe(Path lock) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SingleInstanceLockProbe.class.getName(), lock.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    @Test
    void guardByPath() {
        assertTrue(SingleInstance.ABSTRACT_PREFIX.startsWith("lsk"));
        assertEquals(Path.of("/run/lsk"), Svcgssd.DEFAULT_SOCKET.getParent());
        assertEquals(Path.of("/tmp/svcgssd.socket"), Svcgssd.LUSTRE_SOCKET);
    }

    @Test
    void lustreSocketUsesTheCDaemonsSemaphore() {
        assertEquals(0x3b92d473, SingleInstance.SVC_SEM_KEY);
        assertNotEquals(SingleInstance.abstractName(Path.of("/tmp/x.socket")),
                SingleInstance.abstractName(Path.of("/tmp/y.socket")));
        assertTrue(SingleInstance.abstractName(Path.of("/tmp/x.socket")).length() < 107);
    }
}
