/**
 * {@code lgss_keyringd}: the client's resident negotiation service, which the native upcall
 * (jni/upcall.c) hands root SK requests to over a root-only Unix socket. Framing and handling
 * are apart:
 *
 * <ul>
 *   <li>{@link lsk.upcalld.Frames} and {@link lsk.upcalld.Conn}: the messages (REQ of
 *       netstrings, INST/REFUSE, DONE, OK), bounded, each read within a deadline;</li>
 *   <li>{@link lsk.upcalld.UpcallHandler}: the checks, instantiation policy and negotiation of
 *       the one-shot upcall (lsk.upcall), reused, with the possession check;</li>
 *   <li>{@link lsk.upcalld.Exchange}: one connection's order of messages;</li>
 *   <li>{@link lsk.upcalld.Upcalld}: a started service (socket, service keyring, pools, idle
 *       exit) and {@link lsk.upcalld.UpcalldCommand} the command.</li>
 * </ul>
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.kernel, lsk.keyring, lsk.upcall, lsk.unixsock.
 */
package lsk.upcalld;
