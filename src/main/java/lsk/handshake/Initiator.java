package lsk.handshake;

import lsk.kernel.KernelContext;
import lsk.keyfile.KeyConfig;

/**
 * Client side of SEC_CTX_INIT (what lgss_keyring runs). One instance per attempt:
 * {@link #start} builds the init token; {@link #finish} checks the server's reply and derives
 * the client context. (Stub: the handshake issue implements it.)
 */
public final class Initiator {

    /**
     * @param key       the client key (must carry a prime)
     * @param target    target UUID without trailing NUL, e.g. {@code tank-MDT0000_UUID}
     * @param flags     wire flags (root bits | service bit, see {@link Flags})
     * @param clientNid this node's NID (u64), bound into the session key
     */
    public static Initiator start(KeyConfig key, String target, int flags, long clientNid, Entropy entropy)
            throws GssException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The init token (all 8 netstrings) to send. */
    public byte[] token() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Checks the responder's token and derives the client's context.
     *
     * @throws RetryException when the whole exchange must be redone (random collision, short S)
     */
    public KernelContext finish(byte[] responseToken) throws GssException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
