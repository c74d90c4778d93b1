/**
 * The root-only Unix sockets the daemons listen on, shared by {@code lsvcgssd} and
 * {@code lgss_keyringd}: {@link lsk.unixsock.SocketFile} (bind 0600 without replacing a live
 * socket, remove only our own), {@link lsk.unixsock.SocketDir} (root's 0700 directory),
 * {@link lsk.unixsock.Peers} (SO_PEERCRED), {@link lsk.unixsock.Activation} (systemd socket
 * activation) and {@link lsk.unixsock.DaemonNative} (the process calls Java lacks).
 *
 * <p>May import: lsk.base, lsk.cmd.
 */
package lsk.unixsock;
