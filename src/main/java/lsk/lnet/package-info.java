/**
 * LNet network identifiers: {@link lsk.lnet.Nid} as Lustre prints and packs them.
 *
 * <p>May import: lsk.base.
 */
package lsk.lnet;
