/**
 * The SEC_CTX_INIT tokens on the wire: framing ({@link lsk.wire.Netstring}) separate from parsing
 * ({@link lsk.wire.TokenCodec}), and the tokens as values of public bytes
 * ({@link lsk.wire.InitToken}, {@link lsk.wire.ResponseToken}, fields as {@link lsk.base.ByteString}).
 * Malformed input is a {@link lsk.base.DecodeException} naming the netstring at fault; what a
 * caller makes of it (a GSS status, an errno) is decided by the caller.
 *
 * <p>May import: lsk.base, lsk.sk.
 */
package lsk.wire;
