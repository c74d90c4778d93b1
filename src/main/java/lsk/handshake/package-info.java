/**
 * SEC_CTX_INIT, both sides: {@link lsk.handshake.Initiator} (client) and
 * {@link lsk.handshake.Responder} (server): DH, signed tokens, nodemap and flag checks, session keys,
 * the kernel context. Pure protocol: keys come through {@link lsk.keyfile.KeySource}.
 *
 * <p>May import: lsk.base, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.lnet.
 */
package lsk.handshake;
