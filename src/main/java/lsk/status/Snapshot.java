package lsk.status;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon's counters since start, at one moment. Immutable. Failures are counted twice, by
 * the GSS major status of the error answer (RFC 2744 names; a failure whose answer could not be
 * written has none) and by reason (one fixed name per request, see the README); every failure
 * has exactly one reason, so {@link #failures()} is the sum over reasons.
 *
 * @param version       lsk's version
 * @param pid           the daemon's process id
 * @param startSeconds  start time (Unix seconds)
 * @param updated       when this snapshot was taken (Unix seconds)
 * @param stopped       written at exit: the daemon no longer serves
 * @param requests      request lines handed to the handler
 * @param contextsSki   contexts established, integrity (ski)
 * @param contextsSkpi  contexts established, privacy (skpi)
 * @param byStatus      failures by GSS major status name
 * @param byReason      failures by reason
 * @param shed          connections given up under pressure (connection cap, buffer budget, fds)
 * @param timedOut      connections with no complete line within the read timeout
 * @param malformed     connections whose bytes were no request line (too long, no newline, trailing bytes)
 * @param peersRefused  connections refused because the peer was not root
 * @param primeChecks   expensive DH prime checks run (the prime was new to the cache)
 * @param primeChecksFailed those of them that found no safe prime
 * @param latency       request-to-downcall time of handled requests
 */
public record Snapshot(String version, long pid, long startSeconds, long updated, boolean stopped,
                       long requests, long contextsSki, long contextsSkpi,
                       Map<String, Long> byStatus, Map<String, Long> byReason,
                       long shed, long timedOut, long malformed, long peersRefused,
                       long primeChecks, long primeChecksFailed, Latency latency) {
    public Snapshot {
        byStatus = Collections.unmodifiableMap(new TreeMap<>(byStatus));
        byReason = Collections.unmodifiableMap(new TreeMap<>(byReason));
        if (!StatusText.VERSION_CHARS.matcher(version).matches()) {
            throw new IllegalArgumentException("version is not printable as it is: " + version);
        }
    }

    /** Failures in all (each has one reason). */
    public long failures() {
        return byReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The same counters, stamped as of {@code now} and marked stopped or not. */
    public Snapshot at(long now, boolean stop) {
        return new Snapshot(version, pid, startSeconds, now, stop, requests, contextsSki, contextsSkpi, byStatus,
                byReason, shed, timedOut, malformed, peersRefused, primeChecks, primeChecksFailed, latency);
    }

    /** True when only the time stamp differs: nothing to write again. */
    public boolean sameCounts(Snapshot o) {
        return o != null && at(0, false).equals(o.at(0, false)) && stopped == o.stopped;
    }

    /**
     * Request-to-downcall times in fixed log-scale buckets (1-2-5 per decade, {@link #BOUNDS_US}
     * microseconds and one unbounded bucket), their sum and maximum.
     *
     * @param counts per bucket, not cumulative: {@code BOUNDS_US.size() + 1} of them
     */
    public record Latency(List<Long> counts, long sumNanos, long maxNanos) {
        /** Upper bounds of the buckets, microseconds: 50 us to 10 s. */
        public static final List<Long> BOUNDS_US = List.of(50L, 100L, 200L, 500L, 1_000L, 2_000L, 5_000L, 10_000L,
                20_000L, 50_000L, 100_000L, 200_000L, 500_000L, 1_000_000L, 2_000_000L, 5_000_000L, 10_000_000L);

        public Latency {
            counts = List.copyOf(counts);
            if (counts.size() != BOUNDS_US.size() + 1 || counts.stream().anyMatch(c -> c < 0)) {
                throw new IllegalArgumentException("latency needs " + (BOUNDS_US.size() + 1) + " bucket counts");
            }
        }

        public static Latency empty() {
            return new Latency(Collections.nCopies(BOUNDS_US.size() + 1, 0L), 0, 0);
        }

        public long count() {
            return counts.stream().mapToLong(Long::longValue).sum();
        }

        /** Cumulative counts, as Prometheus buckets are (the last equals {@link #count()}). */
        public List<Long> cumulative() {
            List<Long> out = new ArrayList<>();
            long sum = 0;
            for (long c : counts) {
                sum += c;
                out.add(sum);
            }
            return out;
        }

        /**
         * The q-quantile's upper estimate in microseconds: the bound of the bucket it falls in
         * (the maximum when that is the unbounded one, or when the maximum is smaller); 0 with no
         * samples.
         */
        public long quantileMicros(double q) {
            long n = count();
            if (n == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * n));
            List<Long> cum = cumulative();
            long max = (maxNanos + 999) / 1000;
            for (int i = 0; i < BOUNDS_US.size(); i++) {
                if (cum.get(i) >= rank) {
                    return Math.min(BOUNDS_US.get(i), max);
                }
            }
            return max;
        }
    }
}
