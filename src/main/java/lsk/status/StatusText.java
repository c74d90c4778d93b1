package lsk.status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import lsk.base.DecodeException;

/**
 * The status file ({@code /run/lsk/lsvcgssd.status}): one {@code key=value} per line, {@code #}
 * comments, in this order:
 *
 * <pre>
 * format=1
 * state=running | stopped
 * pid, version, start_time, updated           (Unix seconds)
 * requests, contexts_ski, contexts_skpi, failures
 * failures_status.GSS_S_...                  (every RFC 2744 routine error, and "other")
 * failures_reason.NAME                       (every reason)
 * requests_shed, requests_timed_out, requests_malformed, peers_refused
 * prime_checks, prime_checks_failed
 * latency_count, latency_sum_ns, latency_max_ns
 * latency_bucket_us.BOUND, latency_bucket_us.inf  (per bucket, not cumulative)
 * latency_p50_us, latency_p90_us, latency_p99_us  (derived; ignored when read)
 * </pre>
 *
 * Values are decimal counts except state and version. The parser is strict about syntax (a
 * key it does not know is skipped, so that a newer daemon's file stays readable).
 */
public final class StatusText {
    public static final int FORMAT = 1;
    /** Largest status file read. */
    public static final int MAX_BYTES = 64 * 1024;
    static final Pattern VERSION_CHARS = Pattern.compile("[A-Za-z0-9._+-]{1,64}");
    private static final Pattern LINE = Pattern.compile("([a-z][a-z0-9_]*(?:\\.[A-Za-z0-9_]+)?)=([A-Za-z0-9._+-]{1,64})");
    private static final Pattern COUNT = Pattern.compile("0|[1-9][0-9]{0,18}");
    private static final String STATUS = "failures_status.";
    private static final String REASON = "failures_reason.";
    private static final String BUCKET = "latency_bucket_us.";

    private StatusText() {
    }

    public static String render(Snapshot s) {
        StringBuilder b = new StringBuilder();
        b.append("# lsvcgssd counters since start (read them with: lsk status)\n");
        put(b, "format", FORMAT);
        b.append("state=").append(s.stopped() ? "stopped" : "running").append('\n');
        put(b, "pid", s.pid());
        b.append("version=").append(s.version()).append('\n');
        put(b, "start_time", s.startSeconds());
        put(b, "updated", s.updated());
        put(b, "requests", s.requests());
        put(b, "contexts_ski", s.contextsSki());
        put(b, "contexts_skpi", s.contextsSkpi());
        put(b, "failures", s.failures());
        s.byStatus().forEach((k, v) -> put(b, STATUS + k, v));
        s.byReason().forEach((k, v) -> put(b, REASON + k, v));
        put(b, "requests_shed", s.shed());
        put(b, "requests_timed_out", s.timedOut());
        put(b, "requests_malformed", s.malformed());
        put(b, "peers_refused", s.peersRefused());
        put(b, "prime_checks", s.primeChecks());
        put(b, "prime_checks_failed", s.primeChecksFailed());
        Snapshot.Latency l = s.latency();
        put(b, "latency_count", l.count());
        put(b, "latency_sum_ns", l.sumNanos());
        put(b, "latency_max_ns", l.maxNanos());
        List<Long> bounds = Snapshot.Latency.BOUNDS_US;
        for (int i = 0; i <= bounds.size(); i++) {
            put(b, BUCKET + (i < bounds.size() ? bounds.get(i).toString() : "inf"), l.counts().get(i));
        }
        put(b, "latency_p50_us", l.quantileMicros(0.50));
        put(b, "latency_p90_us", l.quantileMicros(0.90));
        put(b, "latency_p99_us", l.quantileMicros(0.99));
        return b.toString();
    }

    private static void put(StringBuilder b, String key, long v) {
        b.append(key).append('=').append(v).append('\n');
    }

    /** Reads a status file's text back; any line out of the format is an error. */
    public static Snapshot parse(String text) throws DecodeException {
        if (text.length() > MAX_BYTES) {
            throw new DecodeException("status file", "longer than " + MAX_BYTES + " bytes");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            var m = LINE.matcher(line);
            if (!m.matches()) {
                throw new DecodeException("status file", "line " + n + " is not key=value");
            }
            if (kv.put(m.group(1), m.group(2)) != null) {
                throw new DecodeException("status file", "line " + n + ": key " + m.group(1) + " repeated");
            }
        }
        if (!String.valueOf(FORMAT).equals(kv.get("format"))) {
            throw new DecodeException("status file", "format is not " + FORMAT);
        }
        String state = kv.get("state");
        if (!"running".equals(state) && !"stopped".equals(state)) {
            throw new DecodeException("status file", "state is neither running nor stopped");
        }
        String version = kv.get("version");
        if (version == null || !VERSION_CHARS.matcher(version).matches()) {
            throw new DecodeException("status file", "no valid version");
        }
        Map<String, Long> byStatus = new TreeMap<>();
        Map<String, Long> byReason = new TreeMap<>();
        Map<String, Long> buckets = new HashMap<>();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(STATUS)) {
                byStatus.put(k.substring(STATUS.length()), count(kv, k));
            } else if (k.startsWith(REASON)) {
                byReason.put(k.substring(REASON.length()), count(kv, k));
            } else if (k.startsWith(BUCKET)) {
                buckets.put(k.substring(BUCKET.length()), count(kv, k));
            }
        }
        List<Long> counts = new ArrayList<>();
        for (Long bound : Snapshot.Latency.BOUNDS_US) {
            counts.add(required(buckets, bound.toString()));
        }
        counts.add(required(buckets, "inf"));
        Snapshot.Latency latency = new Snapshot.Latency(counts, count(kv, "latency_sum_ns"), count(kv, "latency_max_ns"));
        Snapshot s = new Snapshot(version, count(kv, "pid"), count(kv, "start_time"), count(kv, "updated"),
                "stopped".equals(state), count(kv, "requests"), count(kv, "contexts_ski"), count(kv, "contexts_skpi"),
                byStatus, byReason, count(kv, "requests_shed"), count(kv, "requests_timed_out"),
                count(kv, "requests_malformed"), count(kv, "peers_refused"), count(kv, "prime_checks"),
                count(kv, "prime_checks_failed"), latency);
        if (latency.count() != count(kv, "latency_count") || s.failures() != count(kv, "failures")) {
            throw new DecodeException("status file", "totals disagree with their parts");
        }
        return s;
    }

    private static long required(Map<String, Long> buckets, String bound) throws DecodeException {
        Long v = buckets.get(bound);
        if (v == null) {
            throw new DecodeException("status file", "no latency bucket " + bound);
        }
        return v;
    }

    private static long count(Map<String, String> kv, String key) throws DecodeException {
        String v = kv.get(key);
        if (v == null) {
            throw new DecodeException("status file", "no " + key);
        }
        if (!COUNT.matcher(v).matches()) {
            throw new DecodeException("status file", key + " is not a count");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new DecodeException("status file", key + " is out of range");
        }
    }
}
