package lsk.gssd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import lsk.base.CNumbers;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.handshake.Rejected;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.LustreKernel;
import lsk.kernel.UpcallLine;
import lsk.sk.Flags;
import lsk.sk.GssException;
import lsk.sk.Mech;

/**
 * The SK request handling of lsvcgssd, without any socket: one complete request line in, the
 * kernel's answers out. On success the rsc downcall (server context) first, then the rsi
 * downcall (reply token), both in the layouts of the running Lustre version ({@link Answers}); on
 * any failure an rsi downcall with {@code -EACCES} and the GSS major status, as the C daemon
 * does, and also when the rsc write fails (where C answers success). Every request ends as
 * exactly one completed or failed count in its {@link DaemonStats}, a failure with its reason.
 * Thread-safe: the daemon's workers share one.
 */
public final class RequestHandler {
    private final boolean skEnabled;
    private final Responder responder;
    private final Log log;
    private final AnswerSink answers;
    private final DaemonStats stats;

    /** @param skEnabled false: SK requests are answered "bad mech" as other mechanisms are */
    public RequestHandler(LustreKernel kernel, boolean skEnabled, Responder responder, ChannelNative shim, Log log) {
        this(kernel, skEnabled, responder, shim, log, DaemonStats.forThisProcess());
    }

    public RequestHandler(LustreKernel kernel, boolean skEnabled, Responder responder, ChannelNative shim, Log log,
                          DaemonStats stats) {
        this(new Answers(kernel, shim, log), skEnabled, responder, log, stats);
    }

    /** With the answers of either server protocol ({@link AnswerSink}). */
    RequestHandler(AnswerSink answers, boolean skEnabled, Responder responder, Log log, DaemonStats stats) {
        this.skEnabled = skEnabled;
        this.responder = responder;
        this.log = log;
        this.answers = answers;
        this.stats = stats;
    }

    public long completed() {
        return stats.established();
    }

    public long failed() {
        return stats.failures();
    }

    /** Where this handler counts (a backend adds its framing's drops and refusals there). */
    public DaemonStats stats() {
        return stats;
    }

    /** The counters now, with the responder's prime checks. */
    public lsk.status.Snapshot snapshot() {
        return stats.snapshot(responder.primeChecks(), responder.primeChecksFailed());
    }

    /** Handles one complete request line of the socket (newline included), timed from now. */
    public void handle(byte[] raw) {
        handle(raw, System.nanoTime());
    }

    /**
     * Handles one complete request line (newline included).
     *
     * @param received {@code System.nanoTime()} when the line was complete (queueing counts)
     */
    public void handle(byte[] raw, long received) {
        timed(received, () -> answer(raw));
    }

    /** One request of either backend: counted as received, its latency from {@code received}. */
    void timed(long received, Runnable request) {
        stats.received();
        try {
            request.run();
        } finally {
            stats.latency(System.nanoTime() - received);
        }
    }

    /**
     * A request that could not be parsed: counted as failed (with the GSS status its answer
     * carries, 0 when none can be sent) before {@code answer} releases the client, logged
     * (never its bytes), then answered as far as its protocol can.
     */
    void malformed(DecodeException e, int major, Runnable answer) {
        log.log(Log.ERR, "ERROR: " + e.getMessage());
        stats.failed(DaemonStats.Reason.MALFORMED_REQUEST, major);
        answer.run();
    }

    private void answer(byte[] raw) {
        UpcallLine req;
        try {
            req = UpcallLine.parse(raw);
        } catch (UpcallLine.Malformed e) {
            Long hash = hashOrNull(raw);
            malformed(e, hash == null ? 0 : GssException.GSS_S_FAILURE, () -> {
                if (hash != null) {
                    answers.errorForHash(hash);
                }
            });
            return;
        }
        handle(req);
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
            stats.failed(DaemonStats.Reason.UNSUPPORTED_MECH, GssException.GSS_S_BAD_MECH);
            answers.error(req, GssException.GSS_S_BAD_MECH);
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
                stats.failed(DaemonStats.Reason.DOWNCALL_FAILED, GssException.GSS_S_FAILURE);
                answers.error(req, GssException.GSS_S_FAILURE);
                return;
            }
            answers.success(req, handle, r.responseToken());
            stats.established((r.flags() & Flags.SVC_PRIVACY) != 0);
            log.log(Log.INFO, "sk: context established for nid 0x" + Long.toHexString(req.nid()));
        } catch (GssException e) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Long.toHexString(req.nid()) + " failed: "
                    + e.getMessage());
            if (e instanceof Rejected r) {
                stats.failed(r.reason(), e.major());
            } else {
                stats.failed(DaemonStats.Reason.OTHER, e.major());
            }
            answers.error(req, e.major());
        } catch (LskException e) {
            log.log(Log.ERR, "ERROR: downcall failed: " + e.getMessage());
            stats.failed(DaemonStats.Reason.DOWNCALL_FAILED, 0);
        } catch (RuntimeException e) {
            log.log(Log.ERR, "ERROR: sk negotiation from nid 0x" + Long.toHexString(req.nid())
                    + " failed internally: " + e.getClass().getSimpleName());
            stats.failed(Rejected.Reason.INTERNAL, GssException.GSS_S_FAILURE);
            answers.error(req, GssException.GSS_S_FAILURE);
        }
    }

    /**
     * A request given up unread or unparsed: an error downcall when its hash is readable, so
     * that its client fails at once rather than after the kernel's 30 s upcall timeout.
     */
    void shed(byte[] partial) {
        Long hash = hashOrNull(partial);
        if (hash != null) {
            answers.errorForHash(hash);
        }
    }

    /** The request's hash, or null when it has none (nothing to answer). */
    private static Long hashOrNull(byte[] partial) {
        try {
            return hashOf(partial);
        } catch (DecodeException e) {
            return null;
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
}
