package lsk.gssd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;
import lsk.base.ByteString;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.handshake.Responder;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.ContextBlob;
import lsk.kernel.Qwords;
import lsk.kernel.UpcallLine;
import lsk.sk.Flags;
import lsk.sk.GssException;

/**
 * The daemon's answers on a Lustre 2.15.x server: the rsc line to the context channel and the
 * rsi line to the init channel ({@link CacheChannelLines}), with the C daemon's credentials for
 * SK (svcgssd_proc.c handle_sk: uid and gid 0, no mapped uid, root/mds/oss from the flags) and
 * its expiry (now + 1 hour, which the kernel replaces by the context's own for the rsc).
 */
final class ChannelAnswers implements AnswerSink {
    private final ChannelFile init;
    private final ChannelFile context;
    private final Log log;
    private final LongSupplier epochSeconds;

    ChannelAnswers(ChannelFile init, ChannelFile context, Log log, LongSupplier epochSeconds) {
        this.init = init;
        this.context = context;
        this.log = log;
        this.epochSeconds = epochSeconds;
    }

    @Override
    public boolean context(UpcallLine req, Responder.Result r, byte[] handle) {
        byte[] ctx = ContextBlob.forKernel(r.context());
        byte[] line = new byte[0];
        try {
            int f = r.flags();
            line = CacheChannelLines.rsc(handle, expiry(), new CacheChannelLines.Cred(false, (f & Flags.ROOT) != 0,
                    (f & Flags.MDT) != 0, (f & Flags.OST) != 0, -1, 0, 0), Svcgssd.MECH_NAME, ctx);
            context.write(line, true);
            return true;
        } catch (LskException | DecodeException e) {
            log.log(Log.ERR, "ERROR: rsc line (" + context.path() + ") for nid 0x" + Long.toHexString(req.nid())
                    + " failed: " + e.getMessage() + "; answering the client with an error");
            return false;
        } finally {
            Arrays.fill(ctx, (byte) 0);
            Arrays.fill(line, (byte) 0);
        }
    }

    @Override
    public void success(UpcallLine req, byte[] handle, byte[] token) throws LskException {
        try {
            init.write(CacheChannelLines.rsi(req.inHandle(), req.inToken(), expiry(), GssException.GSS_S_COMPLETE, 0,
                    handle, token), false);
        } catch (DecodeException e) {
            throw new LskException(e.getMessage(), lsk.base.Errno.EINVAL, e);
        }
    }

    @Override
    public void error(UpcallLine req, int major) {
        error(req.inHandle(), req.inToken(), major);
    }

    /**
     * An error answer to a request that could not be parsed, when it is a whole line of six words
     * whose in-handle and token words still decode (the kernel finds the waiting request by those two): its client fails at once
     * instead of after the kernel's upcall timeout. Nothing when they do not.
     */
    void errorFor(byte[] raw) {
        if (raw.length == 0 || raw[raw.length - 1] != '\n') {
            return; // cut short: its token would not be the one the kernel waits with
        }
        String[] w = new String(raw, 0, raw.length - 1, StandardCharsets.ISO_8859_1).split(" ", -1);
        if (w.length != 6) {
            return;
        }
        try {
            byte[] handle = Qwords.hexWord(w[4], "in handle", 0, UpcallLine.CONTINUE_HANDLE_LEN);
            byte[] token = Qwords.hexWord(w[5], "in token", 0, CacheChannelLines.MAX_TOKEN);
            error(ByteString.copyOf(handle), ByteString.copyOf(token), GssException.GSS_S_FAILURE);
        } catch (DecodeException e) {
            // nothing to key an answer on
        }
    }

    private void error(ByteString inHandle, ByteString inToken, int major) {
        try {
            init.write(CacheChannelLines.rsi(inHandle, inToken, expiry(), major, 0, new byte[0], new byte[0]), false);
        } catch (LskException | DecodeException e) {
            log.log(Log.ERR, "ERROR: error answer (" + init.path() + ") failed: " + e.getMessage());
        }
    }

    private long expiry() {
        return epochSeconds.getAsLong() + CacheChannelLines.EXPIRY_SECONDS;
    }
}
