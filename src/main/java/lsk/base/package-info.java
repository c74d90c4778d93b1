/**
 * The bottom of everything: errno values and their one mapping ({@link lsk.base.Errno}), the
 * base exception carrying an errno ({@link lsk.base.LskException}), the one decode exception of
 * every codec ({@link lsk.base.DecodeException}), immutable public bytes ({@link lsk.base.ByteString}),
 * secret bytes ({@link lsk.base.Secret}), C number parsing and printable text.
 *
 * <p>May import: nothing of lsk.
 */
package lsk.base;
