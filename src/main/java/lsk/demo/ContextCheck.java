package lsk.demo;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import lsk.base.Bytes;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.kernel.Downcalls;
import lsk.kernel.sim.SimKernel;
import lsk.mech.SkMech;
import lsk.sk.GssException;
import lsk.upcall.KeyPayload;

/**
 * The kernel's view of one negotiated context pair: the client context (from the key) and the
 * server context (from the daemon's rsc downcall, read in the played version's layout) must be
 * what was asked for and must talk to each other through the kernel-side model {@link SkMech},
 * tampered messages refused.
 */
final class ContextCheck {
    private ContextCheck() {
    }

    interface GssCall {
        void run() throws GssException;
    }

    /** Imports both contexts and exchanges protected messages both ways; the step's detail. */
    static String verify(SimKernel kernel, KeyPayload.Success c, boolean privacy) throws Exception {
        Downcalls.Rsc rsc = kernel.serverContext(c.handle().toByteArray()).orElseThrow(() -> new LskException(
                "no rsc downcall for handle " + c.handle(), Errno.ENOENT));
        if (!rsc.mech().equals("sk") || !rscNodemapFits(kernel, rsc.nodemap())
                || rsc.flags() != Downcalls.RSC_FLAG_ROOT || c.seqWindow() != SimKernel.SEQ_WINDOW) {
            throw new LskException("rsc downcall or key payload fields unexpected", Errno.EPROTO);
        }
        byte[] cctx = c.context().reveal(), sctx = rsc.context().reveal();
        try (SkMech client = SkMech.importContext(cctx, Clock.systemUTC());
             SkMech server = SkMech.importContext(sctx, Clock.systemUTC());
             SkMech serverOut = server.reverse()) {
            if (client.privacy() != privacy || server.privacy() != privacy) {
                throw new LskException("contexts " + (privacy ? "lack" : "carry") + " an encryption key",
                        Errno.EPROTO);
            }
            byte[] req = "RPC request, client to server".getBytes(StandardCharsets.US_ASCII);
            byte[] rep = "RPC reply, server to client".getBytes(StandardCharsets.US_ASCII);
            server.verifyMic(client.getMic(req), req);
            client.verifyMic(serverOut.getMic(rep), rep);
            byte[] forged = req.clone();
            forged[0] ^= 1;
            expectRejected(() -> server.verifyMic(client.getMic(req), forged), "a MIC over a changed message");
            String what = "MIC both ways";
            if (privacy) {
                byte[] hdr = "gss header".getBytes(StandardCharsets.US_ASCII);
                check(Arrays.equals(SkMech.padded(req), server.unwrap(hdr, client.wrap(hdr, req))), "wrap c->s");
                check(Arrays.equals(SkMech.padded(rep), client.unwrap(hdr, serverOut.wrap(hdr, rep))), "wrap s->c");
                byte[] tok = client.wrap(hdr, req);
                tok[tok.length - 1] ^= 1;
                expectRejected(() -> server.unwrap(hdr, tok), "a changed wrap token");
                what = "wrap/unwrap and MIC both ways";
            }
            return what + ", tampering rejected (" + client.hmacAlg().kernelName() + ")";
        } finally {
            Bytes.wipe(cctx, sctx);
        }
    }

    /**
     * The 48-byte header of 2.17.50 and earlier has no nodemap field; 2.17.54+ always carries
     * the name; 2.17.51-2.17.53 only when it came from a lookup by SHA (none here, no MGS).
     */
    private static boolean rscNodemapFits(SimKernel kernel, String nm) {
        return switch (kernel.kernel().abi().nodemapName) {
            case NEVER -> nm.isEmpty();
            case ALWAYS -> nm.equals("default");
            case AFTER_SHA_LOOKUP -> nm.isEmpty() || nm.equals("default");
        };
    }

    private static void expectRejected(GssCall c, String what) throws LskException {
        try {
            c.run();
        } catch (GssException e) {
            return;
        }
        throw new LskException("the kernel model accepted " + what, Errno.EPROTO);
    }

    private static void check(boolean ok, String what) throws LskException {
        if (!ok) {
            throw new LskException(what + " did not give the message back", Errno.EPROTO);
        }
    }
}
