/**
 * The SK vocabulary shared by both ends and the kernel: algorithms ({@link lsk.sk.HmacAlg},
 * {@link lsk.sk.CryptAlg}), flags, GSS major status and its exception ({@link lsk.sk.GssException}),
 * key descriptions, mech numbers and keyring permissions (SK-PROTOCOL.md).
 *
 * <p>May import: lsk.base, lsk.lnet.
 */
package lsk.sk;
