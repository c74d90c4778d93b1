/**
 * {@code lsk demo}: the loopback demo on one node, a simulated kernel with the real daemon, the
 * real keyring and the real upcall through request-key, each context checked with the mech
 * model. The command and its options, the steps of a run, their output, the request-key rig and
 * the context checks are separate classes.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.kernel, lsk.kernel.sim, lsk.mech, lsk.keyring, lsk.upcall.
 */
package lsk.demo;
