package lsk.gssd;

import lsk.base.LskException;
import lsk.handshake.Responder;
import lsk.kernel.UpcallLine;

/**
 * Where {@link RequestHandler}'s answers go, one implementation per server protocol:
 * {@link Answers} (rsi_info/rsc_info structs, 2.15.59 and later) and {@link ChannelAnswers}
 * (text lines on the sunrpc cache channels, 2.15.x). The handler decides what to answer and in
 * which order (context first, then the reply); these only lay the answers out and write them.
 */
interface AnswerSink {
    /** The server context; false (logged) when it could not be encoded or written. */
    boolean context(UpcallLine req, Responder.Result r, byte[] handle);

    /** The SEC_CTX_INIT reply: GSS_S_COMPLETE, the context handle and the response token. */
    void success(UpcallLine req, byte[] handle, byte[] token) throws LskException;

    /** An error reply with the GSS major status and empty out buffers (failures logged, not thrown). */
    void error(UpcallLine req, int major);

    /**
     * An error reply to a request known only by its hash (given up before it could be parsed).
     * Only the socket's requests carry one; the cache channels answer a request by its words.
     */
    default void errorForHash(long hash) {
    }
}
