/**
 * The kernel's side of the SK mech as a model ({@link lsk.mech.SkMech}): what a kernel does with the
 * context lsk hands it. Used by the simulated kernel, the demo and tests.
 *
 * <p>May import: lsk.base, lsk.sk, lsk.crypto, lsk.kernel.
 */
package lsk.mech;
