package lsk.upcall;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import lsk.base.Bytes;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.handshake.RetryException;
import lsk.kernel.ContextBlob;
import lsk.kernel.KernelChannel;
import lsk.kernel.KernelContext;
import lsk.kernel.LustreKernel;
import lsk.kernel.ReplyBuffer;
import lsk.keyfile.KeyConfig;
import lsk.keyring.Keyring;
import lsk.sk.GssException;
import lsk.sk.Mech;

/**
 * The upcall's background part: negotiates a context through the kernel's init_channel, at
 * most {@link #ATTEMPTS} times (again after a short S or a timed-out channel), and stores the
 * outcome in the key: the context, or the error payload (the key is then unlinked).
 */
final class Negotiation {
    /** Tries through the init_channel, as the C tool makes them. */
    static final int ATTEMPTS = 2;

    /** What one attempt came to. */
    private sealed interface Outcome {
    }

    private record Established(ReplyBuffer reply, KernelContext context) implements Outcome {
    }

    private record Failed(int rpcError, int gssError) implements Outcome {
    }

    /** Worth another attempt; {@code rpcError} is what to report if none is left. */
    private record Retry(int rpcError) implements Outcome {
    }

    private final UpcallArgs args;
    private final LustreKernel kernel;
    private final Keyring keyring;
    private final Log log;
    private final String kid;

    Negotiation(UpcallArgs args, LustreKernel kernel, Keyring keyring, Log log) {
        this.args = args;
        this.kernel = kernel;
        this.keyring = keyring;
        this.log = log;
        this.kid = String.format("%08x", args.keyId());
    }

    /**
     * The detached child: finds the client key and computes the init token (local work only,
     * its log held back) while the parent instantiates the key, then waits for the parent's
     * {@link Spawn#GO} on {@code in} and negotiates; without it, exits at once.
     */
    int whenReleased(InputStream in) {
        HeldLog held = new HeldLog();
        CalloutInfo co = args.callout();
        Optional<KeyConfig> key = ClientKeys.find(co, keyring, held);
        Initiator first = null;
        if (key.isPresent()) {
            try {
                first = Initiator.start(key.get(), co.targetUuid(), co.wireFlags(), co.selfNid(), Entropy.secure());
            } catch (GssException | RuntimeException e) {
                // made again (and its error reported) in the negotiation
            }
        }
        int b;
        try {
            b = in.read();
        } catch (IOException e) {
            b = -1;
        }
        if (b != Spawn.GO) {
            return 0; // the parent failed (and said why) before instantiating: nothing to do
        }
        held.releaseTo(log);
        return run(key, first);
    }

    /** Finds the client key and negotiates. Exit status. */
    int run() {
        return run(ClientKeys.find(args.callout(), keyring, log), null);
    }

    /** @param first an init token made in advance, or null */
    private int run(Optional<KeyConfig> key, Initiator first) {
        if (key.isEmpty()) {
            log.log(Log.ERR, "key " + kid + ": no SK key for " + args.callout().targetUuid());
            errorKey(KeyUpdater.Ops.of(keyring), -Errno.ENOKEY, 0);
            return 1;
        }
        Outcome o = new Retry(-Errno.EACCES);
        for (int attempt = 0; attempt < ATTEMPTS && o instanceof Retry r; attempt++) {
            o = attempt(key.get(), attempt == 0 ? first : null, r.rpcError());
        }
        KeyUpdater.Ops ops = KeyUpdater.Ops.of(keyring);
        if (o instanceof Established e) {
            try {
                store(new KeyUpdater(ops, log), e);
                log.log(Log.INFO, "key " + kid + " for user " + args.callout().uid() + " is updated OK!");
                return 0;
            } catch (LskException ex) {
                log.log(Log.ERR, "key " + kid + ": can't store the context: " + ex.getMessage());
                errorKey(ops, -ex.errno(), 0);
                return 1;
            }
        }
        log.log(Log.ERR, "key " + kid + ": failed to negotiate");
        if (o instanceof Failed f) {
            errorKey(ops, f.rpcError(), f.gssError());
        } else {
            errorKey(ops, ((Retry) o).rpcError(), 0);
        }
        return 1;
    }

    /** @param rpcError the rpc error so far, kept when this attempt brings none */
    private Outcome attempt(KeyConfig key, Initiator first, int rpcError) {
        CalloutInfo co = args.callout();
        try {
            KernelChannel ch = KernelChannel.open(kernel);
            Initiator ini = first != null ? first
                    : Initiator.start(key, co.targetUuid(), co.wireFlags(), co.selfNid(), Entropy.secure());
            ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(co.secid(), co.targetUuid(),
                    co.lustreSvc() | Mech.SK << Mech.SHIFT, co.uid(), co.gid(), ini.token()));
            if (r.major() != GssException.GSS_S_COMPLETE) {
                log.log(Log.ERR, "negotiation gss error " + Integer.toHexString(r.major()));
                return new Failed(0, r.major());
            }
            if (r.handle().isEmpty() || r.token().isEmpty()) {
                log.log(Log.ERR, "zero length context or token received");
                return new Failed(-Errno.EINVAL, 0);
            }
            return new Established(r, ini.finish(r.token().toByteArray()));
        } catch (RetryException e) {
            log.log(Log.ERR, "Failed negotiation must retry: " + e.getMessage());
            return new Retry(rpcError);
        } catch (GssException e) {
            log.log(Log.ERR, "peer token failed validation: " + e.getMessage());
            return new Failed(-e.errno(), e.major());
        } catch (LskException e) {
            log.log(Log.ERR, "negotiation rpc error: " + e.getMessage());
            boolean again = e.errno() == Errno.ETIMEDOUT || e.errno() == Errno.EAGAIN;
            return again ? new Retry(-e.errno()) : new Failed(-e.errno(), 0);
        } catch (RuntimeException e) {
            log.log(Log.ERR, "key " + kid + ": negotiation failed: " + e.getClass().getSimpleName());
            return new Failed(rpcError, 0);
        }
    }

    private void store(KeyUpdater up, Established e) throws LskException {
        byte[] blob;
        try {
            blob = ContextBlob.forKernel(e.context());
        } finally {
            e.context().wipe(); // serialized: from here the keys live only in the blob
        }
        byte[] payload = KeyPayload.success(e.reply().seqWindow(), e.reply().handle().toByteArray(), blob);
        try {
            up.update(args.keyId(), payload);
        } finally {
            Bytes.wipe(blob, payload);
        }
    }

    /**
     * Stores the failure payload and unlinks the key, even when that update failed: from the
     * session keyring for root credentials, else from the user keyring (where it was linked).
     */
    boolean errorKey(KeyUpdater.Ops ops, int rpcErr, int gssErr) {
        return errorKey(args, ops, log, rpcErr, gssErr);
    }

    static boolean errorKey(UpcallArgs a, KeyUpdater.Ops ops, Log log, int rpcErr, int gssErr) {
        int ring = a.callout().rootCred() || a.callout().uid() == 0 ? Keyring.SESSION : Keyring.USER;
        return new KeyUpdater(ops, log).fail(a.keyId(), ring, rpcErr, gssErr);
    }
}
