/**
 * {@code lsvcgssd}: the server daemon that answers SEC_CTX_INIT requests from {@code l_getauth} on a
 * root-only socket and writes the rsi/rsc downcalls.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.handshake, lsk.obd, lsk.lnet.
 */
package lsk.gssd;
