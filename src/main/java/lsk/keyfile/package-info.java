/**
 * Shared-key files: the 2407-byte layout and its ASCII form ({@link lsk.keyfile.KeyFileCodec}),
 * the key as a value ({@link lsk.keyfile.KeyConfig}: its shared key a {@link lsk.base.Secret},
 * wiped by its owner), where a handshake finds keys ({@link lsk.keyfile.KeySource}), validation,
 * and crash-safe writing in directories other users may share ({@link lsk.keyfile.KeyFiles},
 * {@link lsk.keyfile.KeyDir}). A file that gives no key is a
 * {@link lsk.keyfile.KeyFileFormatException} (a {@link lsk.base.DecodeException} carrying the C
 * tool's sentence); I/O failures map to errno through {@link lsk.base.Errno#of}. Unused MGS NID
 * slots are {@link lsk.lnet.Nid#ANY}.
 *
 * <p>May import: lsk.base, lsk.sk, lsk.crypto, lsk.lnet.
 */
package lsk.keyfile;
