package lsk.upcalld;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.keyring.Keyring;
import lsk.unixsock.Activation;
import lsk.unixsock.DaemonNative;
import lsk.unixsock.SocketDir;
import lsk.upcall.LgssKeyring;

/**
 * {@code lgss_keyringd}: the resident negotiation service the native upcall hands root SK
 * requests to ({@link Upcalld}). Started on demand (by the first upcall, detached, or by
 * systemd's lsk-keyringd.socket) and gone after {@code --idle-timeout} without work, so that a
 * node holds no memory between mounts. One per socket: a live socket is never replaced, and a
 * lock beside it keeps a second start from binding at all ("Another instance is running", exit 0).
 */
public final class UpcalldCommand implements Command {
    static final String NAME = "lgss_keyringd";
    public static final Path DEFAULT_SOCKET = SocketDir.RUN_LSK.resolve("lgss_keyring.socket");
    public static final String USAGE = """
            usage: lgss_keyringd [-f] [--socket PATH] [--idle-timeout SECONDS] [--param-root DIR]
                                 [--lustre-version V]
              The client's resident SK negotiation service: the native lgss_keyring upcall sends it
              root SK requests on a root-only Unix socket (default /run/lsk/lgss_keyring.socket);
              it checks them as lgss_keyring does, has the upcall instantiate the key and link it
              into the service's keyring, then negotiates and updates the key. Exits after
              --idle-timeout seconds without work (default 60; 0: never). Under systemd socket
              activation (lsk-keyringd.socket) it serves the socket passed.
              -f  log to stderr as well as to syslog (ident lgss_keyring)
              -h, --help  this text
            """;
    private static final int OPT_SOCKET = 0x100;
    private static final int OPT_IDLE = 0x101;
    private static final int OPT_PARAM_ROOT = 0x102;
    private static final int OPT_VERSION = 0x103;
    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(
            new Getopt.LongOpt("socket", true, OPT_SOCKET),
            new Getopt.LongOpt("idle-timeout", true, OPT_IDLE),
            new Getopt.LongOpt("param-root", true, OPT_PARAM_ROOT),
            new Getopt.LongOpt("lustre-version", true, OPT_VERSION),
            new Getopt.LongOpt("help", false, 'h'));
    private static final String OPTSTRING = "fh";

    /** Parsed options; {@code exit >= 0}: return that status now. */
    record Parsed(boolean fg, Path socket, Duration idle, ParamPaths paths, String version, int exit) {
    }

    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }

    @Override
    public int run(List<String> args, Io io) {
        Parsed o = parse(args, io);
        if (o.exit() >= 0) {
            return o.exit();
        }
        lsk.kernel.ChannelNative.noCoreDumps(); // it reads client keys and writes session keys
        try {
            Files.writeString(Path.of("/proc/self/comm"), NAME); // what ps and pgrep show
        } catch (IOException e) {
            // not Linux procfs: keep the JVM's name
        }
        Log base = LgssKeyring.openLog(io, o.paths());
        // -f: every line on stderr as well; when the log already goes there (LSK_LOG_STDERR),
        // that one stderr log at every level, so that each line shows once.
        Log log = !o.fg() ? base : io.env().containsKey("LSK_LOG_STDERR") ? Log.lgss("lgss_keyring", Log.TRACE, io.err())
                : both(base, Log.stderr(io.err(), NAME, Log.TRACE));
        try {
            DaemonNative sys = DaemonNative.load();
            boolean passed = Activation.take(io.env(), sys, NAME, "lsk-keyringd.socket");
            ServerSocketChannel inherited = passed ? Activation.channel() : null;
            Path socket = inherited == null ? o.socket() : lsk.unixsock.SocketFile.pathOf(inherited);
            Optional<Long> guard = lock(socket, sys);
            if (guard.isEmpty()) {
                log.log(Log.WARN, "Another instance is running, exit");
                return 0;
            }
            LustreKernel kernel = LustreKernel.detect(o.paths(), io.env(), o.version());
            Keyring kc = Keyring.open();
            Upcalld.Options opts = Upcalld.Options.of(socket, o.idle());
            Upcalld d = inherited == null ? Upcalld.start(opts, kernel, kc, log)
                    : Upcalld.start(opts, inherited, kernel, kc, log);
            // SIGTERM: the JVM's shutdown runs this, which removes the socket if it is ours.
            Runtime.getRuntime().addShutdownHook(new Thread(d::close));
            log.log(Log.INFO, "serving on " + socket + (passed ? " (passed by systemd)" : "") + " for " + kernel);
            d.join();
            return 0;
        } catch (LskException e) {
            log.log(Log.ERR, e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * An exclusive flock on {@code .<socket name>.lock} beside the socket, held for the life of
     * the process: the native upcall serializes its starts on another lock, which it holds while
     * the service starts.
     */
    private static Optional<Long> lock(Path socket, DaemonNative sys) throws LskException {
        Path abs = socket.toAbsolutePath().normalize();
        if (abs.getParent().equals(SocketDir.RUN_LSK)) {
            SocketDir.secure(SocketDir.RUN_LSK, sys.lsk_geteuid());
        }
        Path lock = abs.resolveSibling("." + abs.getFileName() + ".lock");
        long rc = sys.lsk_lock_file(lock.toString());
        if (rc == -lsk.base.Errno.EAGAIN) {
            return Optional.empty();
        }
        if (rc < 0) {
            throw new LskException("cannot lock " + lock + ": errno " + -rc, (int) -rc);
        }
        return Optional.of(rc);
    }

    /** Both logs; a class, not a lambda, so that the syslog line names the caller ({@link Log#caller}). */
    private static Log both(Log a, Log b) {
        return new Log() {
            @Override
            public void log(int level, String m) {
                log(level, null, m);
            }

            @Override
            public void log(int level, String function, String m) {
                String f = function != null ? function : Log.caller();
                a.log(level, f, m);
                b.log(level, f, m);
            }
        };
    }

    static Parsed parse(List<String> args, Io io) {
        boolean fg = false;
        Path socket = DEFAULT_SOCKET;
        Duration idle = Duration.ofSeconds(60);
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        String version = null;
        Getopt.Result r = Getopt.parse(NAME, args, OPTSTRING, LONG_OPTS, io.env().containsKey("POSIXLY_CORRECT"));
        for (Getopt.Event ev : r.events()) {
            switch (ev.val()) {
                case 'f' -> fg = true;
                case 'h' -> {
                    io.out().print(USAGE);
                    return exit(0);
                }
                case OPT_SOCKET -> socket = io.resolve(ev.arg());
                case OPT_IDLE -> {
                    if (!ev.arg().matches("0|[1-9][0-9]{0,6}")) {
                        io.err().println(NAME + ": --idle-timeout " + ev.arg() + ": a number of seconds");
                        return usage(io);
                    }
                    idle = Duration.ofSeconds(Long.parseLong(ev.arg()));
                }
                case OPT_PARAM_ROOT -> paths = new ParamPaths(io.resolve(ev.arg()));
                case OPT_VERSION -> version = ev.arg();
                default -> {
                    io.err().print(ev.error());
                    return usage(io);
                }
            }
        }
        if (!r.operands().isEmpty()) {
            io.err().println(NAME + ": unexpected argument '" + r.operands().get(0) + "'");
            return usage(io);
        }
        return new Parsed(fg, socket, idle, paths, version, -1);
    }

    private static Parsed exit(int status) {
        return new Parsed(false, null, null, null, null, status);
    }

    private static Parsed usage(Io io) {
        io.err().print(USAGE);
        return exit(1);
    }
}
