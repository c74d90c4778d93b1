/**
 * Shared-key files: the 2407-byte layout and its ASCII form ({@link lsk.keyfile.KeyFileCodec}),
 * the key as a value ({@link lsk.keyfile.KeyConfig}), validation, and crash-safe writing in
 * directories other users may share ({@link lsk.keyfile.KeyFiles}, {@link lsk.keyfile.KeyDir}).
 *
 * <p>May import: lsk.base, lsk.sk, lsk.crypto.
 */
package lsk.keyfile;
