package lsk.status;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A {@link Snapshot} in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: names prefixed {@value #PREFIX}, each family with its
 * {@code # HELP} and {@code # TYPE} before its samples, counters ending {@code _total}, the
 * latency as a histogram in seconds (cumulative {@code le} buckets, {@code +Inf} equal to
 * {@code _count}). The only label values are lsk's own names (GSS status, reason, flavor,
 * version), escaped as the format requires all the same.
 */
public final class PrometheusText {
    public static final String PREFIX = "lsk_svcgssd_";

    private PrometheusText() {
    }

    public static String render(Snapshot s) {
        StringBuilder b = new StringBuilder();
        family(b, "info", "gauge", "lsvcgssd's version and process id (value 1)");
        b.append(PREFIX).append("info{version=\"").append(escape(s.version())).append("\",pid=\"").append(s.pid())
                .append("\"} 1\n");
        gauge(b, "start_time_seconds", "when lsvcgssd started (Unix seconds)", s.startSeconds());
        gauge(b, "up", "1 while lsvcgssd serves, 0 in the file it leaves at exit", s.stopped() ? 0 : 1);
        counter(b, "requests_total", "request lines handed to the request handler", s.requests());
        family(b, "contexts_established_total", "counter", "server contexts established, by flavor");
        labelled(b, "contexts_established_total", "flavor", Map.of("ski", s.contextsSki(), "skpi", s.contextsSkpi()));
        counter(b, "failures_total", "requests answered with an error or not answered", s.failures());
        family(b, "failures_by_status_total", "counter", "failures by the GSS major status of their error answer");
        labelled(b, "failures_by_status_total", "status", s.byStatus());
        family(b, "failures_by_reason_total", "counter", "failures by reason");
        labelled(b, "failures_by_reason_total", "reason", s.byReason());
        family(b, "connections_dropped_total", "counter", "connections given up before a complete request line");
        labelled(b, "connections_dropped_total", "why",
                Map.of("shed", s.shed(), "timeout", s.timedOut(), "malformed", s.malformed()));
        counter(b, "peers_refused_total", "connections refused because the peer was not root", s.peersRefused());
        counter(b, "prime_checks_total", "expensive checks of DH primes new to the cache", s.primeChecks());
        counter(b, "prime_checks_failed_total", "prime checks that found no safe prime", s.primeChecksFailed());
        histogram(b, s.latency());
        return b.toString();
    }

    private static void histogram(StringBuilder b, Snapshot.Latency l) {
        String name = "request_duration_seconds";
        family(b, name, "histogram", "time from a complete request line to its downcall");
        List<Long> cum = l.cumulative();
        List<Long> bounds = Snapshot.Latency.BOUNDS_US;
        for (int i = 0; i <= bounds.size(); i++) {
            String le = i < bounds.size() ? seconds(bounds.get(i) * 1000) : "+Inf";
            b.append(PREFIX).append(name).append("_bucket{le=\"").append(le).append("\"} ").append(cum.get(i))
                    .append('\n');
        }
        b.append(PREFIX).append(name).append("_sum ").append(seconds(l.sumNanos())).append('\n');
        b.append(PREFIX).append(name).append("_count ").append(l.count()).append('\n');
    }

    /** Nanoseconds as seconds, exact and without an exponent. */
    static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    private static void counter(StringBuilder b, String name, String help, long v) {
        family(b, name, "counter", help);
        b.append(PREFIX).append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, long v) {
        family(b, name, "gauge", help);
        b.append(PREFIX).append(name).append(' ').append(v).append('\n');
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(PREFIX).append(name).append(' ').append(help.replace("\\", "\\\\")
                .replace("\n", "\\n")).append('\n');
        b.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    private static void labelled(StringBuilder b, String name, String label, Map<String, Long> values) {
        new java.util.TreeMap<>(values).forEach((k, v) -> b.append(PREFIX).append(name).append('{').append(label)
                .append("=\"").append(escape(k)).append("\"} ").append(v).append('\n'));
    }

    /** A label value as the format escapes it: backslash, double quote, newline. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
