/**
 * Command plumbing: {@link lsk.cmd.Command} and its process view {@link lsk.cmd.Io}, the one
 * option parser ({@link lsk.cmd.Getopt}, getopt_long as glibc) and logging as the C tools log
 * ({@link lsk.cmd.Log}: levels, syslog, rate limits).
 *
 * <p>May import: lsk.base.
 */
package lsk.cmd;
