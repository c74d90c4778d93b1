/**
 * The SEC_CTX_INIT tokens on the wire: framing ({@link lsk.wire.Netstring}) separate from parsing
 * ({@link lsk.wire.TokenCodec}, {@link lsk.wire.InitToken}, {@link lsk.wire.ResponseToken}).
 *
 * <p>May import: lsk.base, lsk.sk.
 */
package lsk.wire;
