/**
 * The simulated kernel of each Lustre version (a parameter tree plus loopback channels) behind
 * the same files and sockets as the real one; it decodes what lsk writes with decoders of its own.
 *
 * <p>May import: lsk.base, lsk.cmd, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.lnet, lsk.kernel, lsk.mech.
 */
package lsk.kernel.sim;
