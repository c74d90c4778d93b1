package lsk.handshake;

import lsk.kernel.KernelContext;

/**
 * Server side of SEC_CTX_INIT (the SK part of lsvcgssd). Thread-safe: one instance serves
 * all requests. (Stub: the handshake issue implements it.)
 */
public final class Responder {

    /**
     * What a successful accept yields.
     *
     * @param responseToken the 4-netstring reply to send
     * @param context       the server's kernel context
     * @param flags         the client's wire flags (root bits and service)
     * @param nodemap       the nodemap the client was accepted under
     */
    public record Result(byte[] responseToken, KernelContext context, int flags, String nodemap) {
        public Result {
            responseToken = responseToken.clone();
        }

        @Override
        public byte[] responseToken() {
            return responseToken.clone();
        }
    }

    public Responder(KeySource keys, NodemapResolver nodemaps, Entropy entropy) {
    }

    /**
     * @param initToken    the client's token, as received
     * @param clientNid    the peer NID the kernel reported (u64)
     * @param peerNodemap  the nodemap name the kernel reported for the peer
     */
    public Result accept(byte[] initToken, long clientNid, String peerNodemap) throws GssException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
