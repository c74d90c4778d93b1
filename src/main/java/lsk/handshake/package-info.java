/**
 * SEC_CTX_INIT, both sides: {@link lsk.handshake.Initiator} (client) and
 * {@link lsk.handshake.Responder} (server). A request the responder is serving is one immutable
 * {@code Request} (peer, decoded token, nodemap, key description, prime); the checks both sides
 * make (token MACs, the peer's public value, the nodemap hash, entropy, algorithms) live once in
 * {@code Side}, which also gives each side its C errno. Session keys and the kernel context come
 * from {@code KeySchedule}. Shared keys, DH exponents and session keys are held as
 * {@link lsk.base.Secret}s and wiped when their owner is done. Pure protocol: keys come through
 * {@link lsk.keyfile.KeySource}, never from the keyring directly.
 *
 * <p>May import: lsk.base, lsk.sk, lsk.crypto, lsk.wire, lsk.keyfile, lsk.kernel, lsk.lnet.
 */
package lsk.handshake;
