package lsk.handshake;

import java.time.Duration;
import lsk.crypto.DhGroups;
import lsk.keyfile.KeyConfig;

/**
 * What a {@link Responder} lets a peer's DH prime cost (issue 10 item 5). A client that holds a
 * shared key chooses p, and an uncached check of a 16384-bit p costs seconds of CPU against
 * milliseconds for a handshake. The prime-check cache ({@link DhGroups}) bounds the checks run
 * at once; this bounds what one peer may ask for.
 *
 * @param maxBits          largest client prime accepted (default {@value #DEFAULT_MAX_BITS}); a
 *                         server key whose prime_bits is larger (its minimum for privacy mode)
 *                         raises the limit to that for requests under it, so the accepted range
 *                         is [prime_bits in privacy mode, else 512 .. max(maxBits, prime_bits)]
 * @param newPrimesPerPeer uncached primes one peer NID may have checked per window (default 2:
 *                         a client has one prime, two during a key change)
 * @param window           that window (default one minute)
 * @param maxPeers         peers whose budgets are tracked at once (default 4096); when every
 *                         tracked peer is within its window, a further peer's uncached prime is
 *                         refused until one window ends
 */
public record PrimePolicy(int maxBits, int newPrimesPerPeer, Duration window, int maxPeers) {
    public static final int DEFAULT_MAX_BITS = 8192;
    public static final PrimePolicy DEFAULT = new PrimePolicy(DEFAULT_MAX_BITS, 2, Duration.ofMinutes(1), 4096);

    public PrimePolicy {
        if (maxBits < DhGroups.MIN_BITS || maxBits > DhGroups.MAX_BITS) {
            throw new IllegalArgumentException("maxBits must be within " + DhGroups.MIN_BITS + ".." + DhGroups.MAX_BITS);
        }
        if (newPrimesPerPeer < 1 || maxPeers < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("per-peer budget, window and peers must be positive");
        }
    }

    /** The same policy with another size limit. */
    public PrimePolicy withMaxBits(int bits) {
        return new PrimePolicy(bits, newPrimesPerPeer, window, maxPeers);
    }

    /** Largest prime accepted under server key k. */
    long maxBitsFor(KeyConfig k) {
        return Math.max(maxBits, k.primeBits());
    }
}
