package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import lsk.bench.DaemonProcess;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 6: lsvcgssd started as production starts it (scripts/lsvcgssd, so scripts/lsk
 * with the options of scripts/lsk-jvm.conf and the launcher's environment, from the built jar)
 * on the simulated kernel holds at most 64 MiB resident (VmRSS of /proc/PID/status) when idle
 * after real handshakes through the kernel's init channel, and again once a burst of hostile
 * connections (overlong lines, near-maximal lines left hanging, junk tokens, idle connections)
 * is over, and keeps serving. Idle means after two of the JVM's native-heap trims. The peak
 * during the burst (C2 compiling the new paths, the heap filling with the reader's buffers) is
 * held to a looser bound: it measured 71-75 MiB (docs/performance.md, 2026-11-30); the JDK
 * defaults gave 298 MiB idle and 610 MiB after warm-up.
 */
class DaemonMemoryIT {
    private static final double LIMIT_MIB = 64;
    private static final double PEAK_LIMIT_MIB = 96;

    @Test
    void smallIdleAndAfterHostileBurst() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "needs root (the server key goes into root's keyring)");
        Path top = Path.of(System.getProperty("lsk.basedir", ".")).toAbsolutePath();
        assumeTrue(Files.isRegularFile(top.resolve("target/lsk.jar")), "needs the jar: mvn -DskipTests package");
        try (DaemonProcess d = DaemonProcess.start(top)) {
            d.negotiate(60, 1);
            d.negotiate(60, 4);
            Thread.sleep(DaemonProcess.SETTLE_MS);
            DaemonProcess.Status idle = d.status();
            assertTrue(idle.rssMiB() <= LIMIT_MIB, "idle after warm-up: " + idle);

            DaemonProcess.Status peak = d.hostileBurst(64);
            assertTrue(peak.rssMiB() <= PEAK_LIMIT_MIB, "during the hostile burst: " + peak);
            Thread.sleep(DaemonProcess.SETTLE_MS);
            DaemonProcess.Status after = d.status();
            assertTrue(after.rssMiB() <= LIMIT_MIB, "idle after the hostile burst: " + after + " (peak " + peak + ")");
            assertTrue(d.negotiate(20, 1) > 0, "still serving");
            System.out.println("DaemonMemoryIT: idle " + idle + "; hostile peak " + peak + "; after " + after);
        }
    }
}
