package lsk.handshake;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import lsk.crypto.DhBusyException;

/**
 * Per peer NID, how many uncached DH primes it had checked in its current window
 * ({@link PrimePolicy#newPrimesPerPeer()} per {@link PrimePolicy#window()}); a fixed window that
 * starts at the peer's first check. Bounded: at most {@link PrimePolicy#maxPeers()} peers.
 */
final class PeerPrimeBudget {
    private record Window(long start, int used) {
    }

    private final PrimePolicy policy;
    private final long windowNanos;
    private final LongSupplier clock;
    private final Map<Long, Window> peers = new HashMap<>();

    /** @param clock nanoseconds, monotonic ({@code System::nanoTime}) */
    PeerPrimeBudget(PrimePolicy policy, LongSupplier clock) {
        this.policy = policy;
        this.windowNanos = policy.window().toNanos();
        this.clock = clock;
    }

    /** Counts one new check for nid, or refuses it. */
    synchronized void charge(long nid) throws DhBusyException {
        long now = clock.getAsLong();
        Window w = peers.get(nid);
        if (w == null || now - w.start() >= windowNanos) {
            if (w == null && peers.size() >= policy.maxPeers()) {
                peers.values().removeIf(x -> now - x.start() >= windowNanos);
                if (peers.size() >= policy.maxPeers()) {
                    throw new DhBusyException(policy.maxPeers() + " peers had new DH primes checked within "
                            + policy.window().toSeconds() + " s");
                }
            }
            w = new Window(now, 0);
        }
        if (w.used() >= policy.newPrimesPerPeer()) {
            throw new DhBusyException("peer had " + w.used() + " new DH primes checked within "
                    + policy.window().toSeconds() + " s (limit " + policy.newPrimesPerPeer() + ")");
        }
        peers.put(nid, new Window(w.start(), w.used() + 1));
    }

    /** Peers tracked (tests). */
    synchronized int tracked() {
        return peers.size();
    }
}
