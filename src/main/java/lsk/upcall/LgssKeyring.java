package lsk.upcall;

import lsk.sk.Mech;
import lsk.base.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Io;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.handshake.RetryException;
import lsk.kernel.ContextBlob;
import lsk.kernel.KernelChannel;
import lsk.kernel.KernelContext;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.UpcallLine;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
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
 */
public final class LgssKeyring implements Command {
    public static final String NEGOTIATE = "--negotiate";
    public static final String ENV_FOREGROUND = "LSK_UPCALL_FOREGROUND";
    /** Key types whose payload may be empty at instantiation; others (tests use "user") get one byte. */
    public static final String KEY_TYPE = "lgssc";
    /** How long a refused key stays negative (the kernel's default key_negative_timeout). */
    static final int REJECT_SECONDS = 60;
    static final int KEY_POS_VIEW = 0x01000000, KEY_POS_WRITE = 0x04000000, KEY_POS_SEARCH = 0x08000000,
            KEY_POS_LINK = 0x10000000, KEY_POS_SETATTR = 0x20000000, KEY_USR_VIEW = 0x00010000,
            KEY_USR_WRITE = 0x00040000, KEY_POS_READ = 0x02000000, KEY_USR_READ = 0x00020000;

    @Override
    public int run(List<String> argv, Io io) {
        lsk.kernel.ChannelNative.noCoreDumps(); // it reads client keys and writes session keys
        boolean child = !argv.isEmpty() && argv.get(0).equals(NEGOTIATE);
        List<String> args = child ? argv.subList(1, argv.size()) : argv;
        if (args.size() == 1 && (args.get(0).equals("-h") || args.get(0).equals("--help"))) {
            io.out().print(UpcallArgs.USAGE);
            return 0;
        }
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        UpcallArgs a = null;
        LskException bad = null;
        try {
            a = UpcallArgs.parse(args);
        } catch (LskException e) {
            bad = e;
        }
        // The negotiation JVM starts first thing, on a thread, so that it boots, loads the client
        // key and computes its init token while this one opens the log and the keyring and
        // instantiates the key; it waits for a byte on its stdin before acting (see negotiate).
        Spawn spawn = a == null || child || !a.callout().mech().equals("sk") || !a.rootContextAllowed()
                || "1".equals(io.env().get(ENV_FOREGROUND)) ? null : Spawn.start(args, io);
        try {
            return request(child, args, a, bad, paths, io, spawn);
        } finally {
            if (spawn != null) {
                spawn.release(); // no go sent by now: the child exits without acting
            }
        }
    }

    private int request(boolean child, List<String> args, UpcallArgs a, LskException bad, ParamPaths paths, Io io,
                        Spawn spawn) {
        Log log = openLog(io, paths);
        if (bad != null) {
            log.log(Log.ERR, bad.getMessage());
            return 1;
        }
        CalloutInfo co = a.callout();
        String kid = String.format("%08x", a.keyId());
        if (!a.rootContextAllowed()) {
            log.log(Log.ERR, "key " + kid + ": refused: a root context (callout flags '" + co.flagLetters()
                    + "', uid " + Integer.toUnsignedString(co.uid()) + ") for requester uid "
                    + Integer.toUnsignedString(a.uid()) + "; " + (child ? "not negotiated" : reject(a.keyId())));
            return 1;
        }
        if (!co.mech().equals("sk")) {
            // scripts/lgss_keyring hands these to Lustre's own lgss_keyring when it is installed.
            log.log(Log.ERR, "key " + kid + ": unsupported mech: " + co.mech() + " (lsk handles sk only)");
            return 1;
        }
        LustreKernel kernel;
        try {
            kernel = LustreKernel.detect(paths, io.env(), null);
        } catch (LskException e) {
            log.log(Log.ERR, "key " + kid + ": " + e.getMessage());
            return 1;
        }
        try {
            co.checkFor(kernel.abi());
        } catch (CalloutInfo.Malformed e) {
            log.log(Log.ERR, "key " + kid + ": " + e.getMessage());
            return 1;
        }
        Keyring kc;
        try {
            kc = Keyring.open();
        } catch (KeyringException e) {
            log.log(Log.ERR, "key " + kid + ": " + e.getMessage());
            return 1;
        }
        if (child) {
            return negotiateWhenReleased(a, kernel, kc, log, io.in());
        }
        log.log(Log.INFO, "key " + kid + ", desc " + a.description() + ", ugid " + a.uid() + ":" + a.gid()
                + ", sring " + a.sessionKeyring() + ", coinfo " + args.get(args.size() - 6));
        boolean prepared = findClientKey(co, kc, log).isPresent();
        if (!prepared && co.rootCred()) {
            log.log(Log.ERR, "key " + kid + ": no SK key for " + co.targetUuid());
            return 1;
        }
        try {
            int inst = 0;
            boolean lgssc = a.type().equals(KEY_TYPE);
            if (!co.rootCred()) {
                if (co.uid() != currentUid()) {
                    throw new LskException("user credentials for uid " + co.uid()
                            + " need an identity switch, not supported", Errno.EOPNOTSUPP);
                }
                inst = Keyring.USER;
            }
            if (!co.rootCred() || !lgssc) {
                // User credentials: write permission for the user, needed for the update (as in C).
                // Other key types than lgssc (tests use "user"): the kernel's lgssc type links root keys
                // into this upcall's session keyring, making the background part their possessor;
                // without that, the same user permission lets it update the key, and read lets the
                // requester see the context (for lgssc only the kernel reads it).
                kc.setPerm(a.keyId(), KEY_POS_VIEW | KEY_POS_WRITE | KEY_POS_SEARCH | KEY_POS_LINK
                        | KEY_POS_SETATTR | KEY_USR_VIEW | KEY_USR_WRITE
                        | (lgssc ? 0 : KEY_POS_READ | KEY_USR_READ));
            }
            kc.instantiate(a.keyId(), lgssc ? new byte[0] : new byte[1], inst);
            log.log(Log.TRACE, "instantiated kernel key " + kid + " in keyring " + inst);
        } catch (LskException e) {
            log.log(Log.ERR, "instantiate key " + kid + ": " + e.getMessage());
            return 1;
        }
        if ("1".equals(io.env().get(ENV_FOREGROUND))) {
            return negotiate(a, kernel, kc, log);
        }
        try {
            spawn.go();
        } catch (java.io.IOException e) {
            log.log(Log.ERR, "key " + kid + ": can't start negotiation: " + e.getMessage());
            errorKey(a, KeyUpdater.Ops.of(kc), log, -Errno.EIO, 0);
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
            Keyring.open().reject(key, REJECT_SECONDS, Errno.EKEYREJECTED, 0);
            return "key rejected";
        } catch (KeyringException | RuntimeException | UnsatisfiedLinkError e) {
            return "key not rejected: " + e.getMessage();
        }
    }

    private static Log openLog(Io io, ParamPaths paths) {
        int level = Log.WARN;
        Optional<Path> p = paths.find(ParamPaths.KEYRING_DEBUG_LEVEL);
        if (p.isPresent()) {
            try {
                String s = Files.readString(p.get()).trim();
                if (s.matches("[0-9]{1,2}") && Integer.parseInt(s) < Log.MAX) {
                    level = Integer.parseInt(s);
                }
            } catch (java.io.IOException e) {
                // keep the default
            }
        }
        if (io.env().containsKey("LSK_LOG_STDERR")) {
            return Log.stderr(io.err(), "lgss_keyring", level);
        }
        try {
            return Log.syslog("lgss_keyring", level);
        } catch (UnsatisfiedLinkError e) {
            return Log.stderr(io.err(), "lgss_keyring", level);
        }
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Client key descriptions tried for a target, most specific first. The target is the client
     * OBD device name (callout field 8): {@code <fsname>-<target>-<type>-<instance>} such as
     * {@code tank-MDT0000-mdc-ffff8881a2b4c000} or {@code tank-OST0001-osc-ffff...} selects
     * {@code lustre:<fsname>} (everything before the first {@code -}, as the C tool takes it);
     * a name without {@code -} must be {@code MGC<nid>} and selects {@code lustre:MGC<nid>}.
     * Anything else names no key. For a file system target, a client uuid (12th field, if not
     * empty) is tried first: {@code lustre:<fsname>:<client uuid>}.
     */
    static List<String> descriptions(CalloutInfo co) {
        String t = co.targetUuid();
        int dash = t.indexOf('-');
        if (dash < 0) {
            return t.startsWith("MGC") && t.length() > 3 ? List.of("lustre:" + t) : List.of();
        }
        if (dash == 0) {
            return List.of();
        }
        String fs = t.substring(0, dash);
        String cl = co.clientUuid();
        return cl == null || cl.isEmpty() ? List.of("lustre:" + fs) : List.of("lustre:" + fs + ":" + cl, "lustre:" + fs);
    }

    static Optional<KeyConfig> findClientKey(CalloutInfo co, Keyring kc, Log log) {
        for (String d : descriptions(co)) {
            for (int ring : new int[] {Keyring.SESSION, Keyring.USER}) {
                byte[] payload = null;
                try {
                    OptionalInt key = kc.search(ring, "user", d);
                    if (key.isEmpty()) {
                        continue;
                    }
                    payload = kc.read(key.getAsInt());
                    KeyConfig cfg = KeyFileCodec.decodeBinary(payload);
                    if (cfg.hasPrime()) {
                        return Optional.of(cfg);
                    }
                    log.log(Log.ERR, "key '" + d + "' has no prime: not a client key");
                } catch (LskException | lsk.base.DecodeException e) {
                    log.log(Log.DEBUG, "no usable key '" + d + "': " + e.getMessage());
                } finally {
                    if (payload != null) {
                        Arrays.fill(payload, (byte) 0);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The background part: negotiates through the kernel's init_channel and updates the key with
     * the context, or with the error payload (then unlinks it). Exit status.
     */
    public static int negotiate(UpcallArgs a, LustreKernel kernel, Keyring kc, Log log) {
        return negotiate(a, kernel, kc, log, findClientKey(a.callout(), kc, log), null);
    }

    /**
     * The detached child: finds the client key and computes the init token (local work only,
     * its log held back) while the parent instantiates the key, then waits for the parent's
     * {@link Spawn#GO} on {@code in} and negotiates; without it, exits at once.
     */
    static int negotiateWhenReleased(UpcallArgs a, LustreKernel kernel, Keyring kc, Log log, java.io.InputStream in) {
        List<Object[]> held = new ArrayList<>();
        Log hold = (level, msg) -> held.add(new Object[] {level, msg});
        CalloutInfo co = a.callout();
        Optional<KeyConfig> key = findClientKey(co, kc, hold);
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
        } catch (java.io.IOException e) {
            b = -1;
        }
        if (b != Spawn.GO) {
            return 0; // the parent failed (and said why) before instantiating: nothing to do
        }
        for (Object[] m : held) {
            log.log((Integer) m[0], (String) m[1]);
        }
        return negotiate(a, kernel, kc, log, key, first);
    }

    private static int negotiate(UpcallArgs a, LustreKernel kernel, Keyring kc, Log log, Optional<KeyConfig> key,
                                 Initiator first) {
        CalloutInfo co = a.callout();
        String kid = String.format("%08x", a.keyId());
        if (key.isEmpty()) {
            log.log(Log.ERR, "key " + kid + ": no SK key for " + co.targetUuid());
            errorKey(a, KeyUpdater.Ops.of(kc), log, -Errno.ENOKEY, 0);
            return 1;
        }
        int rpcErr = -Errno.EACCES, gssErr = 0;
        ReplyBuffer r = null;
        KernelContext ctx = null;
        for (int attempt = 0; attempt < 2 && ctx == null; attempt++) {
            try {
                KernelChannel ch = KernelChannel.open(kernel);
                Initiator ini = attempt == 0 && first != null ? first : Initiator.start(key.get(), co.targetUuid(),
                        co.wireFlags(), co.selfNid(), Entropy.secure());
                r = ch.negotiate(new KernelChannel.InitRequest(co.secid(), co.targetUuid(),
                        co.lustreSvc() | Mech.SK << Mech.SHIFT, co.uid(), co.gid(),
                        ini.token()));
                if (r.major() != GssException.GSS_S_COMPLETE) {
                    rpcErr = 0;
                    gssErr = r.major();
                    log.log(Log.ERR, "negotiation gss error " + Integer.toHexString(r.major()));
                    break;
                }
                if (r.handle().length == 0 || r.token().length == 0) {
                    log.log(Log.ERR, "zero length context or token received");
                    rpcErr = -Errno.EINVAL;
                    break;
                }
                ctx = ini.finish(r.token());
            } catch (RetryException e) {
                log.log(Log.ERR, "Failed negotiation must retry: " + e.getMessage());
            } catch (GssException e) {
                log.log(Log.ERR, "peer token failed validation: " + e.getMessage());
                rpcErr = -e.errno();
                gssErr = e.major();
                break;
            } catch (LskException e) {
                log.log(Log.ERR, "negotiation rpc error: " + e.getMessage());
                rpcErr = -e.errno();
                if (e.errno() != Errno.ETIMEDOUT && e.errno() != Errno.EAGAIN) {
                    break;
                }
            } catch (RuntimeException e) {
                log.log(Log.ERR, "key " + kid + ": negotiation failed: " + e.getClass().getSimpleName());
                break;
            }
        }
        KeyUpdater.Ops ops = KeyUpdater.Ops.of(kc);
        if (ctx != null) {
            try {
                updateKey(a, new KeyUpdater(ops, log), r, ctx);
                log.log(Log.INFO, "key " + kid + " for user " + co.uid() + " is updated OK!");
                return 0;
            } catch (LskException e) {
                log.log(Log.ERR, "key " + kid + ": can't store the context: " + e.getMessage());
                rpcErr = -e.errno();
            }
        } else {
            log.log(Log.ERR, "key " + kid + ": failed to negotiate");
        }
        errorKey(a, ops, log, rpcErr, gssErr);
        return 1;
    }

    private static void updateKey(UpcallArgs a, KeyUpdater up, ReplyBuffer r, KernelContext ctx)
            throws LskException {
        byte[] blob = ContextBlob.forKernel(ctx);
        byte[] payload = KeyPayload.success(r.seqWindow(), r.handle(), blob);
        try {
            up.update(a.keyId(), payload);
        } finally {
            Arrays.fill(blob, (byte) 0);
            Arrays.fill(payload, (byte) 0);
        }
    }

    /**
     * Stores the failure payload and unlinks the key, even when that update failed: from the
     * session keyring for root credentials, else from the user keyring (where it was linked).
     */
    static boolean errorKey(UpcallArgs a, KeyUpdater.Ops ops, Log log, int rpcErr, int gssErr) {
        int ring = a.callout().rootCred() || a.callout().uid() == 0 ? Keyring.SESSION : Keyring.USER;
        return new KeyUpdater(ops, log).fail(a.keyId(), ring, rpcErr, gssErr);
    }
}
