/**
 * The daemon's counters as a value and as files: {@link lsk.status.Snapshot} (counters since
 * start, immutable), the status file's key=value text ({@link lsk.status.StatusText}), the
 * Prometheus text exposition for node_exporter's textfile collector
 * ({@link lsk.status.PrometheusText}), their safe atomic replacement ({@link lsk.status.AtomicFile})
 * refreshed by {@link lsk.status.StatusWriter}, and {@code lsk status}
 * ({@link lsk.status.StatusCommand}), which reads the status file back. Counting itself is the
 * daemon's (lsk.gssd); nothing here sees a request, a key or a token.
 *
 * <p>May import: lsk.base, lsk.cmd.
 */
package lsk.status;
