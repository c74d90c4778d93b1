/**
 * The Linux kernel keyring, through the native shim ({@code jni/keyctl.c}).
 *
 * <ul>
 *   <li>{@link lsk.keyring.Keyring}: typed add_key/request_key/keyctl operations (errors are
 *       {@link lsk.keyring.KeyringException} with the errno; a describe string the kernel gets
 *       wrong is a {@link lsk.base.DecodeException} from {@link lsk.keyring.KeyDescription},
 *       reported as that call failing); for the request-key upcall (instantiate, update, reject,
 *       setperm, link, unlink by serial) and everything below.</li>
 *   <li>{@link lsk.keyring.SkKeyring}: {@code lgss_sk -l} / {@code -R} (SK-PROTOCOL.md section 2).</li>
 *   <li>{@link lsk.keyring.KeyringKeySource}: the keys a handshake may use, read back from @u
 *       (every generation during a key rotation).</li>
 * </ul>
 *
 * <p>May import: lsk.base, lsk.sk, lsk.keyfile, lsk.lnet.
 */
package lsk.keyring;
