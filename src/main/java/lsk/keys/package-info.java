/**
 * {@code lsk keys}: SSK keys at boot and mount, as sites run them.
 *
 * <ul>
 *   <li>{@code keys load PATH}: what {@code mount.lustre -o skpath=PATH} does before it mounts
 *       (Lustre's {@code load_shared_keys}: every regular file of a directory, dot files
 *       included, each through {@code sk_load_keyfile}, with its messages and errors), run by the
 *       {@code lsk-keys.service} unit at boot ({@link lsk.keys.SkPath}, {@link lsk.keys.KeyFileLoad}).</li>
 *   <li>{@code keys list}: the SSK keys in the user keyring, their parameters and timeouts,
 *       never key bytes ({@link lsk.keys.LoadedKeys}).</li>
 *   <li>{@code keys rotate FILE...}: the next key of each file, loaded beside the current one,
 *       and where to copy it ({@link lsk.keys.Rotation}).</li>
 * </ul>
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.keyfile, lsk.keyring, lsk.lnet.
 */
package lsk.keys;
