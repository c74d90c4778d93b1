package lsk.upcalld;

import java.util.List;
import java.util.Optional;
import lsk.base.DecodeException;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.keyring.KeyringException;
import lsk.keyring.Keyring;
import lsk.upcall.Admission;
import lsk.upcall.KeyInstantiation;
import lsk.upcall.LgssKeyring;
import lsk.upcall.UpcallArgs;

/**
 * The handling of one upcall, without any socket: the same steps and log lines as the one-shot
 * lgss_keyring before it instantiates ({@link Admission}), the instantiation as values for the
 * upcall to carry out ({@link KeyInstantiation#plan}), the proof that the key reached the
 * service's keyring, then today's negotiation and key update ({@link LgssKeyring#negotiate}).
 * Thread-safe: connections and negotiations share one.
 */
final class UpcallHandler {
    /** What the service answers a request. */
    sealed interface Decision permits Inst, Refuse {
    }

    /** Instantiate as {@code plan}, link into the service keyring, then negotiate {@code args}. */
    record Inst(UpcallArgs args, KeyInstantiation.Plan plan) implements Decision {
    }

    record Refuse(Admission.Refusal refusal) implements Decision {
    }

    private final LustreKernel kernel;
    private final Keyring keyring;
    private final int link;
    private final int instantiatorUid;
    private final Log log;

    /**
     * @param link the service keyring's serial ({@link ServiceKeyring})
     * @param instantiatorUid the upcall's uid (peers are root, as the service)
     */
    UpcallHandler(LustreKernel kernel, Keyring keyring, int link, int instantiatorUid, Log log) {
        this.kernel = kernel;
        this.keyring = keyring;
        this.link = link;
        this.instantiatorUid = instantiatorUid;
        this.log = log;
    }

    int link() {
        return link;
    }

    Decision decide(List<String> argv) {
        UpcallArgs a;
        try {
            a = UpcallArgs.parse(argv);
        } catch (DecodeException e) {
            log.log(Log.ERR, e.getMessage());
            return new Refuse(new Admission.Refusal(0, Errno.EINVAL));
        }
        // The upcall rejects the key on REFUSE with a reject time, as it alone holds the authority.
        Optional<Admission.Refusal> r = Admission.screen(a, log, k -> "key rejected")
                .or(() -> Admission.checkAbi(a, kernel.abi(), log))
                .or(() -> Admission.admit(a, keyring, log));
        if (r.isPresent()) {
            return new Refuse(r.get());
        }
        try {
            return new Inst(a, KeyInstantiation.planForUpcall(a, instantiatorUid));
        } catch (LskException e) {
            log.log(Log.ERR, "instantiate key " + kid(a.keyId()) + ": " + e.getMessage());
            return new Refuse(new Admission.Refusal(0, e.errno()));
        }
    }

    /** The upcall's DONE: logged as the one-shot upcall logs its own instantiation. */
    boolean instantiated(Inst i, int rc) {
        String kid = kid(i.args().keyId());
        if (rc != 0) {
            log.log(Log.ERR, "instantiate key " + kid + ": the upcall failed with errno " + -rc);
            return false;
        }
        log.log(Log.TRACE, "instantiated kernel key " + kid + " in keyring " + i.plan().destKeyring());
        return true;
    }

    /**
     * Whether {@code key} is linked in the service keyring, so that the service possesses it:
     * describing it would not prove that (root may view it as its owner).
     */
    boolean possessed(int key) {
        try {
            for (int k : keyring.list(link)) {
                if (k == key) {
                    return true;
                }
            }
            log.log(Log.ERR, "key " + kid(key) + ": not in the service keyring " + link + " after the upcall");
        } catch (KeyringException e) {
            log.log(Log.ERR, "key " + kid(key) + ": cannot read the service keyring: " + e.getMessage());
        }
        return false;
    }

    /** Negotiates and updates the key (today's steps), then drops the service's link. Exit status. */
    int negotiate(UpcallArgs a) {
        try {
            return LgssKeyring.negotiate(a, kernel, keyring, log);
        } finally {
            drop(a.keyId());
        }
    }

    /** Unlinks {@code key} from the service keyring; gone already (a failure unlinks it) is fine. */
    void drop(int key) {
        try {
            keyring.unlink(key, link);
        } catch (KeyringException e) {
            if (e.errno() != Errno.ENOENT) {
                log.log(Log.WARN, "key " + kid(key) + ": unlink from the service keyring: " + e.getMessage());
            }
        }
    }

    private static String kid(int key) {
        return String.format("%08x", key);
    }
}
