package lsk.gssd;

import lsk.base.ByteString;
import lsk.base.Errno;
import java.nio.file.Path;
import java.util.Arrays;
import lsk.base.LskException;
import lsk.sk.Flags;
import lsk.sk.GssException;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.ContextBlob;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelAbi;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.UpcallLine;
import lsk.kernel.ParamPaths;

/**
 * The daemon's answers to the kernel: the rsc downcall (server context) and the rsi downcall
 * (SEC_CTX_INIT reply or error), in the layouts of the running version, each as one write to
 * its parameter file.
 */
final class Answers implements AnswerSink {
    private final LustreKernel kernel;
    private final ChannelNative shim;
    private final Log log;

    Answers(LustreKernel kernel, ChannelNative shim, Log log) {
        this.kernel = kernel;
        this.shim = shim;
        this.log = log;
    }

    /**
     * The server context to rsc_info, in the running version's header layout. False (logged,
     * naming the file and errno) when it could not be encoded or written.
     */
    @Override
    public boolean context(UpcallLine req, Responder.Result r, byte[] handle) {
        KernelAbi abi = kernel.abi();
        byte[] ctx = ContextBlob.forKernel(r.context());
        byte[] blob = new byte[0];
        try {
            blob = Downcalls.encode(shim, abi.rscHeader, new Downcalls.Rsc(rscFlags(r.flags()), -1, 0, 0,
                    Svcgssd.MECH_NAME, rscNodemap(abi.nodemapName, r.nodemapByHash(), r.nodemap()), handle, ctx));
            write(ParamPaths.RSC_DOWNCALL, blob);
            return true;
        } catch (LskException e) {
            log.log(Log.ERR, "ERROR: rsc downcall (" + ParamPaths.RSC_DOWNCALL + ") for nid 0x"
                    + Long.toHexString(req.nid()) + " failed, errno " + e.errno() + ": " + e.getMessage()
                    + "; answering the client with an error");
            return false;
        } finally {
            Arrays.fill(ctx, (byte) 0);
            Arrays.fill(blob, (byte) 0);
        }
    }

    /** The SEC_CTX_INIT reply: GSS_S_COMPLETE, the context handle and the response token. */
    @Override
    public void success(UpcallLine req, byte[] handle, byte[] token) throws LskException {
        write(ParamPaths.RSI_DOWNCALL, Downcalls.encode(shim, new Downcalls.Rsi(req.hash(), 0,
                GssException.GSS_S_COMPLETE, 0, req.inHandle(), req.inToken(), ByteString.copyOf(handle),
                ByteString.copyOf(token))));
    }

    /** An error reply as the C daemon sends it: -EACCES, the major status, empty out buffers. */
    @Override
    public void error(UpcallLine req, int major) {
        try {
            write(ParamPaths.RSI_DOWNCALL, Downcalls.encode(shim, new Downcalls.Rsi(req.hash(),
                    -Errno.EACCES, major, 0, req.inHandle(), req.inToken(), ByteString.empty(), ByteString.empty())));
        } catch (LskException e) {
            log.log(Log.ERR, "ERROR: error downcall failed: " + e.getMessage());
        }
    }

    @Override
    public void errorForHash(long hash) {
        try {
            write(ParamPaths.RSI_DOWNCALL, Downcalls.encode(shim, new Downcalls.Rsi(hash,
                    -Errno.EACCES, GssException.GSS_S_FAILURE, 0, new byte[0], new byte[0],
                    new byte[0], new byte[0])));
        } catch (LskException e) {
            // best effort, unlogged: these come in floods (junk, shedding) and the cause is logged
        }
    }

    /**
     * The nodemap name the rsc header carries ({@link KernelAbi#nodemapName}): none in the
     * 48-byte header; on 2.17.51-2.17.53 only a name found by a lookup by SHA (the client was
     * accepted under another nodemap than the kernel reported; zeroes otherwise); from 2.17.54
     * always the nodemap the client was accepted under, which is the upcall line's unless such
     * a lookup found another.
     */
    static String rscNodemap(KernelAbi.NodemapName policy, boolean byHash, String accepted) {
        return switch (policy) {
            case NEVER -> "";
            case AFTER_SHA_LOOKUP -> byHash ? accepted : "";
            case ALWAYS -> accepted;
        };
    }

    static int rscFlags(int wireFlags) {
        return ((wireFlags & Flags.ROOT) != 0 ? Downcalls.RSC_FLAG_ROOT : 0)
                | ((wireFlags & Flags.MDT) != 0 ? Downcalls.RSC_FLAG_MDS : 0)
                | ((wireFlags & Flags.OST) != 0 ? Downcalls.RSC_FLAG_OSS : 0);
    }

    private void write(String param, byte[] blob) throws LskException {
        Path p = kernel.param(param, shim);
        long rc = shim.lsk_downcall_write(p.toString(), blob, blob.length);
        if (rc < 0) {
            throw new LskException("write to " + p + " failed: errno " + -rc, (int) -rc);
        }
    }
}
