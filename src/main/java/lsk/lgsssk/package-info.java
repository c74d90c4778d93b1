/**
 * {@code lgss_sk}: key files and the keyring, a drop-in for the C tool.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.obd, lsk.lnet.
 */
package lsk.lgsssk;
