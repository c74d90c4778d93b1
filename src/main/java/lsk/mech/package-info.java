/**
 * The kernel's side of the SK mech as a model ({@link lsk.mech.SkMech}): what a kernel does with the
 * context lsk hands it (import checks, MIC, wrap/unwrap with its counters). Used by the demo,
 * the bench and tests to prove that a client and a server context talk to each other.
 *
 * <p>May import: lsk.base, lsk.sk, lsk.kernel.
 */
package lsk.mech;
