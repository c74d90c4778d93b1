package lsk.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import lsk.crypto.DhBusyException;
import org.junit.jupiter.api.Test;

/** The per-peer budget of new primes and the refusal log's rate limit, on a fake clock. */
class PrimeBudgetTest {
    final AtomicLong now = new AtomicLong(1_000);

    @Test
    void perPeerWindow() throws Exception {
        PeerPrimeBudget b = new PeerPrimeBudget(new PrimePolicy(8192, 2, Duration.ofSeconds(60), 100), now::get);
        b.charge(1);
        b.charge(1);
        assertThrows(DhBusyException.class, () -> b.charge(1));
        b.charge(2); // another peer has its own budget
        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThrows(DhBusyException.class, () -> b.charge(1));
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        b.charge(1);
        b.charge(1);
        assertThrows(DhBusyException.class, () -> b.charge(1));
    }

    @Test
    void peersTrackedAreBounded() throws Exception {
        PeerPrimeBudget b = new PeerPrimeBudget(new PrimePolicy(8192, 1, Duration.ofSeconds(60), 2), now::get);
        b.charge(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(30));
        b.charge(2);
        DhBusyException e = assertThrows(DhBusyException.class, () -> b.charge(3));
        assertTrue(e.getMessage().contains("2 peers"), e.getMessage());
        now.addAndGet(TimeUnit.SECONDS.toNanos(30)); // peer 1's window is over
        b.charge(3);
        assertEquals(2, b.tracked());
    }

    @Test
    void refusalLogIsRateLimitedAndCounts() {
        List<String> lines = new ArrayList<>();
        RateLimitedLog log = new RateLimitedLog(capture(lines), 10, TimeUnit.SECONDS, now::get);
        assertTrue(log.log(System.Logger.Level.WARNING, "refused 1"));
        for (int i = 2; i <= 100; i++) {
            assertFalse(log.log(System.Logger.Level.WARNING, "refused " + i));
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        assertTrue(log.log(System.Logger.Level.WARNING, "refused 101"));
        assertEquals(List.of("refused 1", "refused 101 (and 99 more like it since the last such line)"), lines);
    }

    static System.Logger capture(List<String> lines) {
        return new System.Logger() {
            @Override
            public String getName() {
                return "capture";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                lines.add(msg);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                lines.add(format);
            }
        };
    }
}
