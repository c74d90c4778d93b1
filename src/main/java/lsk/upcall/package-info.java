/**
 * {@code lgss_keyring}: the client's request-key upcall that negotiates a context and updates the key.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.handshake, lsk.obd, lsk.lnet.
 */
package lsk.upcall;
