/**
 * The loopback demo: a simulated kernel, the real daemon and the real upcall through request-key,
 * end to end on one node.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.kernel.sim, lsk.mech, lsk.keyring, lsk.handshake, lsk.obd, lsk.lnet, lsk.gssd, lsk.upcall, lsk.lgsssk.
 */
package lsk.demo;
