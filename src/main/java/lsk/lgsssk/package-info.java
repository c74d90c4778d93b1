/**
 * {@code lgss_sk}, a drop-in for the C tool: key files written, read and modified, and loaded
 * into or removed from the kernel keyring, with C's options, output, messages and exit codes.
 * One class per job: {@code RequestParser} turns argv into a sealed {@code Request} (read, write,
 * modify, load, remove), {@code KeyEdit} is the pure key-editing policy, {@code Printer} the text,
 * {@code WriteOrModify} and {@code Loader} the file and keyring work; {@code LgssSk} wires them.
 * Errors become -errno and exit codes here, at the command's edge.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.keyfile, lsk.kernel, lsk.keyring, lsk.obd, lsk.lnet.
 */
package lsk.lgsssk;
