package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lsk.sk.HmacAlg;
import lsk.keyring.Keyring;
import lsk.keyring.SkKeyring;
import lsk.upcall.KeyPayload;
import lsk.upcall.LgssKeyring;
import lsk.upcall.UpcallArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2.17.0 node whose debugfs is not mounted (the simulated tree has no sys/kernel/debug, and
 * a simulated root is never mounted on): rsi_info and rsc_info live there from 2.16.59 on, so
 * lsvcgssd cannot answer. Its downcall writes must fail with an error that names debugfs and
 * says how to mount it, and the client must fail within the kernel's acquire timeout (no
 * downcall can reach the kernel, so the rsi never comes) instead of hanging.
 */
class DebugfsMissingE2eIT {
    static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    Path tmp;

    @Test
    void downcallErrorNamesDebugfsAndTheClientFailsInTime() throws Exception {
        try (E2eRig rig = new E2eRig(tmp, "2.17.0").timeout(ACQUIRE_TIMEOUT).start(false)) {
            byte[] shared = rig.newSharedKey();
            rig.load(rig.serverKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            rig.load(rig.clientKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            Path debugfs = rig.kernel().paths().root().resolve("sys/kernel/debug");
            try (Stream<Path> s = Files.walk(debugfs)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertTrue(!Files.exists(debugfs));

            List<String> clientLog = new CopyOnWriteArrayList<>();
            int key = rig.placeholderKey("nodebugfs");
            long t0 = System.nanoTime();
            int rc = LgssKeyring.negotiate(UpcallArgs.parse(List.of("create", Integer.toString(key), "user",
                    "lskit-" + rig.fs + ":x", rig.callout('i', null), "0", "0", "0", "0",
                    Integer.toString(rig.keyring.resolve(Keyring.SESSION, false)))), rig.kernel().kernel(),
                    rig.keyring, (lvl, m) -> clientLog.add(m));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(1, rc, "negotiation must fail; " + clientLog + "\n" + rig.diagnostics());
            assertTrue(ms < ACQUIRE_TIMEOUT.toMillis() + 5000, "client failed after " + ms + " ms");
            assertTrue(KeyPayload.asFailure(rig.keyring.read(key)).isPresent(), "the key holds the error payload");

            String daemon = rig.log.stream().filter(m -> m.startsWith("lsvcgssd: ")).reduce("", (a, b) -> a + b + "\n");
            assertTrue(daemon.contains("rsc_info not found") && daemon.contains("keeps it in debugfs")
                    && daemon.contains("is debugfs mounted there (mount -t debugfs none /sys/kernel/debug)?"),
                    "daemon log: " + daemon);
            assertTrue(rig.log.stream().anyMatch(m -> m.contains("no rsi downcall within")), rig.diagnostics());
            assertTrue(clientLog.stream().anyMatch(m -> m.contains("negotiat")), "client says why: " + clientLog);
        }
    }
}
