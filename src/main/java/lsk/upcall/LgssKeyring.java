package lsk.upcall;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import lsk.base.DecodeException;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Io;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;

/**
 * {@code lgss_keyring}: the request-key handler for Lustre GSS keys, SK mechanism.
 *
 * <p>Like the C tool it instantiates the key (empty payload; root credentials in no keyring,
 * user credentials in the user keyring) and returns at once, leaving the negotiation to a
 * background process: request-key, and with it the kernel's request_key(), wait for this
 * process to exit. Java cannot fork, so the background part is this same command re-executed
 * detached ({@code setsid}, stdio to /dev/null) with {@code --negotiate}; with env
 * {@code LSK_UPCALL_FOREGROUND=1} it runs in-process instead (tests, timing).
 *
 * <p>This class is the command: the order of the steps and what each failure logs. The steps
 * are {@link UpcallArgs} (the request), {@link ClientKeys} (the key search),
 * {@link KeyInstantiation} (permissions and instantiation), {@link Spawn} (the background
 * process) and {@link Negotiation} (the handshake with its retries, and the key update).
 */
public final class LgssKeyring implements Command {
    public static final String NEGOTIATE = "--negotiate";
    /** The byte a {@link #NEGOTIATE} process waits for on its stdin before it acts (the key is ready). */
    public static final int NEGOTIATE_GO = Spawn.GO;
    public static final String ENV_FOREGROUND = "LSK_UPCALL_FOREGROUND";
    private static final List<String> HELP = List.of("-h", "--help");

    /** The realm option, help, and the internal {@link #NEGOTIATE} marker of the background process. */
    @Override
    public List<String> options() {
        return List.of(UpcallArgs.REALM, UpcallArgs.REALM_LONG, HELP.get(0), HELP.get(1), NEGOTIATE);
    }

    @Override
    public int run(List<String> argv, Io io) {
        lsk.kernel.ChannelNative.noCoreDumps(); // it reads client keys and writes session keys
        boolean child = !argv.isEmpty() && argv.get(0).equals(NEGOTIATE);
        List<String> args = child ? argv.subList(1, argv.size()) : argv;
        if (args.size() == 1 && HELP.contains(args.get(0))) {
            io.out().print(UpcallArgs.USAGE);
            return 0;
        }
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        UpcallArgs a;
        try {
            a = UpcallArgs.parse(args);
        } catch (DecodeException e) {
            openLog(io, paths).log(Log.ERR, e.getMessage());
            return 1;
        }
        // The negotiation JVM starts first thing, on a thread, so that it boots, loads the client
        // key and computes its init token while this one opens the log and the keyring and
        // instantiates the key; it waits for a byte on its stdin before acting (see Negotiation).
        Spawn spawn = child || !a.callout().mech().equals("sk") || !a.rootContextAllowed()
                || "1".equals(io.env().get(ENV_FOREGROUND)) ? null : Spawn.start(args, io);
        try {
            return request(child, a, openLog(io, paths), paths, io, spawn);
        } finally {
            if (spawn != null) {
                spawn.release(); // no go sent by now: the child exits without acting
            }
        }
    }

    private int request(boolean child, UpcallArgs a, Log log, ParamPaths paths, Io io, Spawn spawn) {
        String kid = String.format("%08x", a.keyId());
        if (Admission.screen(a, log, k -> child ? "not negotiated" : reject(k)).isPresent()) {
            return 1;
        }
        LustreKernel kernel;
        Keyring kc;
        try {
            kernel = LustreKernel.detect(paths, io.env(), null);
            if (Admission.checkAbi(a, kernel.abi(), log).isPresent()) {
                return 1;
            }
            kc = Keyring.open();
        } catch (LskException e) {
            log.log(Log.ERR, "key " + kid + ": " + e.getMessage());
            return 1;
        }
        Negotiation negotiation = new Negotiation(a, kernel, kc, log);
        if (child) {
            return negotiation.whenReleased(io.in());
        }
        if (Admission.admit(a, kc, log).isPresent()) {
            return 1;
        }
        try {
            KeyInstantiation.instantiate(a, kc, log);
        } catch (LskException e) {
            log.log(Log.ERR, "instantiate key " + kid + ": " + e.getMessage());
            return 1;
        }
        if ("1".equals(io.env().get(ENV_FOREGROUND))) {
            return negotiation.run();
        }
        try {
            spawn.go();
        } catch (IOException e) {
            log.log(Log.ERR, "key " + kid + ": can't start negotiation: " + e.getMessage());
            negotiation.errorKey(KeyUpdater.Ops.of(kc), -Errno.of(e), 0);
            return 1;
        }
        return 0;
    }

    /**
     * Rejects the key at once (request_key(2) returns EKEYREJECTED for a minute) rather than
     * leave it to time out; the end of the refusal's log line.
     */
    private static String reject(int key) {
        try {
            Keyring.open().reject(key, Admission.REJECT_SECONDS, Errno.EKEYREJECTED, 0);
            return "key rejected";
        } catch (KeyringException | RuntimeException | UnsatisfiedLinkError e) {
            return "key not rejected: " + e.getMessage();
        }
    }

    /**
     * lgss_keyring's log as the C tool writes it ({@link Log#lgss}: syslog ident lgss_keyring,
     * facility user, {@code [pid]:LEVEL:function(): } prefix; stderr with env LSK_LOG_STDERR), at
     * the level of sptlrpc/gss/lgss_keyring/debug_level (default warnings); the resident
     * service logs the same way.
     */
    public static Log openLog(Io io, ParamPaths paths) {
        int level = Log.WARN;
        Optional<Path> p = paths.find(ParamPaths.KEYRING_DEBUG_LEVEL);
        if (p.isPresent()) {
            try {
                String s = Files.readString(p.get()).trim();
                if (s.matches("[0-9]{1,2}") && Integer.parseInt(s) < Log.MAX) {
                    level = Integer.parseInt(s);
                }
            } catch (IOException e) {
                // keep the default
            }
        }
        if (io.env().containsKey("LSK_LOG_STDERR")) {
            return Log.lgss("lgss_keyring", level, io.err());
        }
        try {
            return Log.lgss("lgss_keyring", level, null);
        } catch (UnsatisfiedLinkError e) {
            return Log.lgss("lgss_keyring", level, io.err());
        }
    }

    /**
     * The background part in this process: negotiates through the kernel's init_channel and
     * updates the key with the context, or with the error payload (then unlinks it). Exit status.
     */
    public static int negotiate(UpcallArgs a, LustreKernel kernel, Keyring kc, Log log) {
        return new Negotiation(a, kernel, kc, log).run();
    }
}
