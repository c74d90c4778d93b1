/**
 * {@code lsvcgssd}: the server daemon that answers SEC_CTX_INIT requests from {@code l_getauth} on a
 * root-only Unix socket with the rsi/rsc downcalls. Mechanics and policy are apart:
 *
 * <ul>
 *   <li>{@link lsk.gssd.RequestReader}: the framing, one request line per connection on one
 *       selector thread, with its {@link lsk.gssd.RequestReader.Limits} (connections, bytes, a
 *       deadline), peer checks and shedding under pressure;</li>
 *   <li>{@link lsk.gssd.RequestHandler}: one line in, the SK handshake and the downcalls out
 *       ({@link lsk.gssd.Answers} lays them out for the running Lustre version);</li>
 *   <li>{@link lsk.gssd.Svcgssd}: a started daemon (socket, reader thread, worker pool), made
 *       only by {@code Svcgssd.start};</li>
 *   <li>{@link lsk.gssd.SvcgssdCommand}: the command, with the C daemon's options and conduct
 *       (daemonizing, single instance, signals, socket activation).</li>
 * </ul>
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.handshake, lsk.obd, lsk.lnet, lsk.unixsock, lsk.status.
 */
package lsk.gssd;
