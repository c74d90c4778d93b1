package lsk.kernel.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** close() ends every thread of the simulated kernel, including the readers of idle downcall FIFOs. */
class SimKernelCloseTest {
    @TempDir
    Path tmp;

    @Test
    void closeEndsAllThreadsEvenWithIdleFifos() throws Exception {
        SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, tmp.resolve("sock"), 0L, "default",
                Duration.ofSeconds(5)), m -> { });
        Thread.sleep(100); // let the FIFO readers block in read()
        k.close();
        assertTrue(k.awaitTermination(Duration.ofSeconds(5)), "simkernel threads still running after close()");
    }
}
