/**
 * LNet network identifiers: {@link lsk.lnet.Nid} as Lustre prints and packs them, and the one
 * definition of LNET_NID_ANY ({@link lsk.lnet.Nid#ANY}), the failed parse and the unused slot.
 *
 * <p>May import: lsk.base.
 */
package lsk.lnet;
