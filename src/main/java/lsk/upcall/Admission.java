package lsk.upcall;

import java.util.Optional;
import java.util.function.IntFunction;
import lsk.base.DecodeException;
import lsk.base.Errno;
import lsk.cmd.Log;
import lsk.kernel.KernelAbi;
import lsk.keyring.Keyring;

/**
 * The checks an upcall passes before its key is instantiated, with their log lines, shared by
 * the one-shot {@link LgssKeyring} and the resident service so that both refuse the same
 * requests in the same words: the root-context rule and the mechanism ({@link #screen}), the
 * callout's fields against the kernel ({@link #checkAbi}), then the request's log line and the
 * client key ({@link #admit}).
 */
public final class Admission {
    /** How long a refused key stays negative (the kernel's default key_negative_timeout). */
    public static final int REJECT_SECONDS = 60;

    /**
     * Why a request is refused: {@code rejectSeconds > 0} asks the upcall to KEYCTL_REJECT the
     * key with {@code errno} for that long; 0 lets the key be negated when the upcall fails.
     */
    public record Refusal(int rejectSeconds, int errno) {
    }

    private Admission() {
    }

    /**
     * The root-context rule and the mechanism.
     *
     * @param onReject what became of a refused root context, for the end of its log line (it
     *     may reject the key itself)
     */
    public static Optional<Refusal> screen(UpcallArgs a, Log log, IntFunction<String> onReject) {
        CalloutInfo co = a.callout();
        if (!a.rootContextAllowed()) {
            log.log(Log.ERR, "key " + kid(a) + ": refused: a root context (callout flags '" + co.flagLetters()
                    + "', uid " + Integer.toUnsignedString(co.uid()) + ") for requester uid "
                    + Integer.toUnsignedString(a.uid()) + "; " + onReject.apply(a.keyId()));
            return Optional.of(new Refusal(REJECT_SECONDS, Errno.EKEYREJECTED));
        }
        if (!co.mech().equals("sk")) {
            // scripts/lgss_keyring hands these to Lustre's own lgss_keyring when it is installed.
            log.log(Log.ERR, "key " + kid(a) + ": unsupported mech: " + co.mech() + " (lsk handles sk only)");
            return Optional.of(new Refusal(0, Errno.EOPNOTSUPP));
        }
        return Optional.empty();
    }

    /** The callout has no more fields than the running kernel sends. */
    public static Optional<Refusal> checkAbi(UpcallArgs a, KernelAbi abi, Log log) {
        try {
            a.callout().checkFor(abi);
            return Optional.empty();
        } catch (DecodeException e) {
            log.log(Log.ERR, "key " + kid(a) + ": invalid " + e.getMessage());
            return Optional.of(new Refusal(0, Errno.EINVAL));
        }
    }

    /** The request's log line, and a client key for a root context (found, not kept). */
    public static Optional<Refusal> admit(UpcallArgs a, Keyring kc, Log log) {
        CalloutInfo co = a.callout();
        log.log(Log.INFO, "key " + kid(a) + ", desc " + a.description() + ", ugid " + a.uid() + ":" + a.gid()
                + ", sring " + a.sessionKeyring() + ", coinfo " + a.calloutText());
        boolean prepared = ClientKeys.find(co, kc, log).isPresent();
        if (!prepared && co.rootCred()) {
            log.log(Log.ERR, "key " + kid(a) + ": no SK key for " + co.targetUuid());
            return Optional.of(new Refusal(0, Errno.ENOKEY));
        }
        return Optional.empty();
    }

    private static String kid(UpcallArgs a) {
        return String.format("%08x", a.keyId());
    }
}
