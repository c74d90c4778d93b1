package lsk.gssd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import lsk.base.CNumbers;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.LustreKernel;
import lsk.kernel.UpcallLine;
import lsk.sk.GssException;
import lsk.sk.Mech;

/**
 * The SK request handling of lsvcgssd, without any socket: one complete request line in, the
 * kernel's answers out. On success the rsc downcall (server context) first, then the rsi
 * downcall (reply token), both in the layouts of the running Lustre version ({@link Answers}); on
 * any failure an rsi downcall with {@code -EACCES} and the GSS major status, as the C daemon
 * does, and also when the rsc write fails (where C answers success). Every request ends as
 * exactly one completed or failed count. Thread-safe: the daemon's workers share one.
 */
public final class RequestHandler {
    private final boolean skEnabled;
    private final Responder responder;
    private final Log log;
    private final AnswerSink answers;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** @param skEnabled false: SK requests are answered "bad mech" as other mechanisms are */
    public RequestHandler(LustreKernel kernel, boolean skEnabled, Responder responder, ChannelNative shim, Log log) {
        this(new Answers(kernel, shim, log), skEnabled, responder, log);
    }

    /** With the answers of either server protocol ({@link AnswerSink}). */
    RequestHandler(AnswerSink answers, boolean skEnabled, Responder responder, Log log) {
        this.skEnabled = skEnabled;
        this.responder = responder;
        this.log = log;
        this.answers = answers;
    }

    public long completed() {
        return completed.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Handles one complete request line of the socket (newline included). */
    public void handle(byte[] raw) {
        UpcallLine req;
        try {
            req = UpcallLine.parse(raw);
        } catch (UpcallLine.Malformed e) {
            malformed(e, () -> shed(raw));
            return;
        }
        handle(req);
    }

    /**
     * A request that could not be parsed: counted as failed, logged (never its bytes), then
     * answered as far as its protocol can ({@code answer}).
     */
    void malformed(DecodeException e, Runnable answer) {
        failed.incrementAndGet();
        log.log(Log.ERR, "ERROR: " + e.getMessage());
        answer.run();
    }

    /** Handles one parsed request, from either backend: the handshake, then the answers. */
    void handle(UpcallLine req) {
        log.log(Log.INFO, "handling req: svc " + req.service() + ", nid 0x" + Long.toHexString(req.nid())
                + ", idx 0x" + Long.toHexString(req.handleSeq()) + " nodemap " + req.nodemap());
        if (req.mech() != Mech.SK || !skEnabled) {
            String what = switch (req.mech()) {
                case Mech.KRB5 -> "kerberos";
                case Mech.NULL -> "gssnull";
                case Mech.SK -> "SSK (not enabled: start with -s)";
                default -> "mechanism " + req.mech();
            };
            log.log(Log.WARN, "warning: request for " + what + ": not supported");
            reject(req, GssException.GSS_S_BAD_MECH);
            return;
        }
        try {
            Responder.Result r = responder.accept(req.inToken().toByteArray(), req.nid(), req.nodemap());
            byte[] handle = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(req.handleSeq()).array();
            boolean stored;
            try {
                stored = answers.context(req, r, handle);
            } finally {
                r.context().wipe(); // serialized into the rsc downcall, or given up: not needed again
            }
            if (!stored) {
                // The C daemon ignores a failed rsc write and still answers success, handing the
                // client a handle the kernel has no context for, so the failure only shows later
                // and far from its cause. An error answer fails the client's SEC_CTX_INIT at once
                // (no 30 s upcall timeout either) with the reason logged here.
                reject(req, GssException.GSS_S_FAILURE);
                return;
            }
            answers.success(req, handle, r.responseToken());
            completed.incrementAndGet();
            log.log(Log.INFO, "sk: context established for nid 0x" + Long.toHexString(req.nid()));
        } catch (GssException e) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Long.toHexString(req.nid()) + " failed: "
                    + e.getMessage());
            reject(req, e.major());
        } catch (LskException e) {
            log.log(Log.ERR, "ERROR: downcall failed: " + e.getMessage());
            failed.incrementAndGet();
        } catch (RuntimeException e) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Long.toHexString(req.nid())
                    + " failed internally: " + e.getClass().getSimpleName());
            reject(req, GssException.GSS_S_FAILURE);
        }
    }

    /**
     * A request given up unread or unparsed: an error downcall when its hash is readable, so
     * that its client fails at once rather than after the kernel's 30 s upcall timeout.
     */
    void shed(byte[] partial) {
        if (!(answers instanceof Answers a)) {
            return; // only the socket's requests carry a hash
        }
        try {
            a.errorForHash(hashOf(partial));
        } catch (DecodeException e) {
            // no hash: nothing to answer
        }
    }

    /** Longest hash field read: the C reader's {@code char buf[24]} less the NUL. */
    static final int MAX_HASH_CHARS = 23;

    /**
     * The first field of a request line, as the kernel writes it, from a line that may be
     * incomplete or broken elsewhere.
     */
    static long hashOf(byte[] raw) throws DecodeException {
        int sp = 0;
        while (sp < raw.length && sp <= MAX_HASH_CHARS && raw[sp] != ' ') {
            sp++;
        }
        if (sp == raw.length || raw[sp] != ' ') {
            throw new DecodeException("request hash", "no space-terminated first field");
        }
        if (sp > MAX_HASH_CHARS) {
            throw new DecodeException("request hash", "longer than " + MAX_HASH_CHARS + " characters");
        }
        try {
            return CNumbers.strtoull(new String(raw, 0, sp, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new DecodeException("request hash", e.getMessage());
        }
    }

    void reject(UpcallLine req, int major) {
        failed.incrementAndGet();
        answers.error(req, major);
    }
}
