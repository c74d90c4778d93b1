package lsk.gssd;

import lsk.unixsock.DaemonNative;
import lsk.unixsock.SocketFile;
import lsk.unixsock.Activation;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;
import lsk.crypto.DhGroups;
import lsk.handshake.Entropy;
import lsk.handshake.PrimePolicy;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.cmd.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;
import lsk.obd.ObdNodemapResolver;
import lsk.status.StatusWriter;
import sun.misc.Signal;

/**
 * {@code lsvcgssd}: the server daemon (SK only), with the C daemon's options (getopt
 * {@code fgkmnoR:svz}) and conduct: it daemonizes unless {@code -f} ({@link Detach}), runs once
 * per socket ({@link SingleInstance}; "Another instance is running, exit" with status 0),
 * ignores SIGHUP, and on SIGTERM (status 0) or SIGINT (status 1) closes and removes the socket
 * it bound. Its process is named {@code lsvcgssd}, so {@code pgrep}/{@code pkill lsvcgssd} (as
 * Lustre's test framework uses them) find it. It is not dumpable (no core file of its keys), its
 * log lines are rate-limited ({@link Log.RateLimited}), it serves a socket systemd passes
 * ({@link Activation}), and it exits 1 if its request reader dies, so that the unit restarts it.
 */
public final class SvcgssdCommand implements Command {
    static final String NAME = "lsvcgssd";
    public static final String USAGE = """
            usage: lsvcgssd [-fgkmnosvz] [-R REALM] [--socket PATH] [--param-root DIR] [--lustre-version V]
                            [--max-prime-bits N] [--status-file PATH] [--metrics-file PATH]
              Lustre GSS server daemon, SK mechanism: answers SEC_CTX_INIT requests that the kernel
              (through l_getauth) sends to the Unix socket (default /run/lsk/svcgssd.socket; with
              Lustre's own l_getauth use --socket /tmp/svcgssd.socket) with rsi/rsc downcalls in the
              layouts of the running Lustre version. Only root may connect. Under systemd socket
              activation (lsvcgss.socket) it serves the socket passed.
              -s  enable SK (shared key)          -f  stay in the foreground, log to stderr
              -v  more verbose (repeatable)       -g/-m/-o  serve MGS/MDS/OSS (Kerberos credentials: no effect)
              -n  no Kerberos credentials (no effect)
              -k/-z  Kerberos / gssnull: not supported by lsk (disabled; requests answered "bad mech")
              -R REALM  Kerberos realm (needs -k; no effect)
              --socket PATH      listen here       --param-root DIR  parameter root (simulated kernel)
              --lustre-version V  the running Lustre version (default: /sys/fs/lustre/version,
                                  or env LSK_LUSTRE_VERSION); it chooses the downcall layouts
              --max-prime-bits N  largest DH prime a client may bring (default 8192, or the server
                                  key's prime_bits when larger; at most 16384): each new prime
                                  costs a safe-prime check
              --status-file PATH  counters for `lsk status` (default /run/lsk/lsvcgssd.status; with a
                                  --socket elsewhere, lsvcgssd.status beside that socket)
              --metrics-file PATH also the counters in Prometheus text format, for node_exporter's
                                  textfile collector (default: env LSVCGSSD_METRICS; none if unset)
              -h, --help  this text
            """;
    /** Seconds a shutdown hook waits for a start under way: binding takes milliseconds. */
    private static final int STARTING = 5;
    private static final String OPTSTRING = "fghkmnoR:svz";
    private static final int OPT_SOCKET = 0x100;
    private static final int OPT_PARAM_ROOT = 0x101;
    private static final int OPT_VERSION = 0x102;
    private static final int OPT_MAX_PRIME_BITS = 0x103;
    private static final int OPT_STATUS_FILE = 0x104;
    private static final int OPT_METRICS_FILE = 0x105;
    /** The Prometheus file when no --metrics-file (set in /etc/sysconfig/lsvcgss). */
    static final String ENV_METRICS = "LSVCGSSD_METRICS";
    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(
            new Getopt.LongOpt("socket", true, OPT_SOCKET),
            new Getopt.LongOpt("param-root", true, OPT_PARAM_ROOT),
            new Getopt.LongOpt("lustre-version", true, OPT_VERSION),
            new Getopt.LongOpt("max-prime-bits", true, OPT_MAX_PRIME_BITS),
            new Getopt.LongOpt("status-file", true, OPT_STATUS_FILE),
            new Getopt.LongOpt("metrics-file", true, OPT_METRICS_FILE),
            new Getopt.LongOpt("help", false, 'h'));

    /** Parsed options; {@code exit >= 0}: return that status now (usage, help, bad options). */
    record Parsed(boolean fg, int verbose, Path socket, ParamPaths paths, String version, PrimePolicy primes,
                  int exit, CounterFiles files) {
    }


    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }

    @Override
    public int run(List<String> args, Io io) {
        boolean child = io.env().containsKey(Detach.ENV_CHILD);
        if (child) {
            io = io.withCwd(Detach.parentDirectory(io));
        }
        Parsed o = parse(args, io);
        if (o.exit() >= 0) {
            return o.exit();
        }
        nameProcess();
        DaemonNative sys;
        boolean passed;
        try {
            sys = DaemonNative.load();
            // First, before any key is read: the parent too, as it may be the daemon (-f).
            if (sys.lsk_no_core_dumps() < 0) {
                io.err().println(NAME + ": warning: cannot disable core dumps");
            }
            passed = child ? "1".equals(io.env().get(Detach.ENV_LISTEN_STDIN)) : Activation.take(io.env(), sys, NAME, "lsvcgss.socket");
        } catch (LskException e) {
            io.err().println(NAME + ": " + e.getMessage());
            return 1;
        }
        if (!o.fg() && !child) {
            return Detach.parent(NAME, args, io, passed);
        }
        return serve(o, io, child, passed, sys);
    }

    static Parsed parse(List<String> args, Io io) {
        boolean fg = false, sk = false, krb = false, gssnull = false;
        int verbose = 0;
        String realm = null, version = null;
        PrimePolicy primes = PrimePolicy.DEFAULT;
        Path socket = Svcgssd.DEFAULT_SOCKET;
        Path status = null;
        String metricsEnv = io.env().get(ENV_METRICS);
        Optional<Path> metrics = metricsEnv == null || metricsEnv.isBlank() ? Optional.empty()
                : Optional.of(io.resolve(metricsEnv.strip()));
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        Getopt.Result r = Getopt.parse(NAME, args, OPTSTRING, LONG_OPTS, io.env().containsKey("POSIXLY_CORRECT"));
        for (Getopt.Event ev : r.events()) {
            switch (ev.val()) {
                case 'f' -> fg = true;
                case 'g', 'm', 'o', 'n' -> {
                    // Kerberos service credentials (which to get, or none): nothing to do for SK.
                }
                case 'h' -> {
                    io.out().print(USAGE);
                    return exit(0);
                }
                case 'k' -> krb = true;
                case 'R' -> realm = ev.arg();
                case 's' -> sk = true;
                case 'v' -> verbose++;
                case 'z' -> gssnull = true;
                case OPT_SOCKET -> socket = io.resolve(ev.arg());
                case OPT_PARAM_ROOT -> paths = new ParamPaths(io.resolve(ev.arg()));
                case OPT_VERSION -> version = ev.arg();
                case OPT_STATUS_FILE -> status = io.resolve(ev.arg());
                case OPT_METRICS_FILE -> metrics = Optional.of(io.resolve(ev.arg()));
                case OPT_MAX_PRIME_BITS -> {
                    String v = ev.arg();
                    if (!v.matches("[1-9][0-9]{2,4}") || Integer.parseInt(v) < DhGroups.MIN_BITS
                            || Integer.parseInt(v) > DhGroups.MAX_BITS) {
                        io.err().println(NAME + ": --max-prime-bits " + v + ": a number of bits from "
                                + DhGroups.MIN_BITS + " to " + DhGroups.MAX_BITS);
                        return usage(io);
                    }
                    primes = primes.withMaxBits(Integer.parseInt(v));
                }
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
        if (!sk && !krb && !gssnull) {
            io.err().println("error: need one of -k, -s, or -z options");
            return usage(io);
        }
        if (realm != null && !krb) {
            io.err().println("error: need -k option if -R is used");
            return usage(io);
        }
        // As C when a mechanism cannot be set up: disable it, go on while one is left.
        if (krb) {
            io.err().println(NAME + ": lsk supports the sk mechanism only: disabling Kerberos support (-k)");
        }
        if (gssnull) {
            io.err().println(NAME + ": lsk supports the sk mechanism only: disabling gssnull support (-z)");
        }
        if (!sk) {
            io.err().println(NAME + ": no mechanism left to serve; start with -s for SK");
            return exit(1);
        }
        return new Parsed(fg, verbose, socket, paths, version, primes, -1,
                new CounterFiles(status != null ? status : CounterFiles.defaultStatus(socket), metrics));
    }

    private static Parsed exit(int status) {
        return new Parsed(false, 0, null, null, null, null, status, null);
    }

    private static Parsed usage(Io io) {
        io.err().print(USAGE);
        return exit(1);
    }

    /**
     * Renames the thread-group leader (what ps, pgrep and pkill match) to {@code lsvcgssd}: a
     * JVM is otherwise "java". Best effort.
     */
    static void nameProcess() {
        try {
            Files.writeString(Path.of("/proc/self/comm"), NAME);
        } catch (IOException e) {
            // not Linux procfs: keep the JVM's name
        }
    }

    private static int serve(Parsed o, Io io, boolean child, boolean passed, DaemonNative sys) {
        int level = Math.min(Log.TRACE, Log.WARN + o.verbose());
        Log log = Log.rateLimited(Log.printerr(NAME, level, o.fg() ? io.err() : null), level); // as C's err_util.c
        Detach.Report report = Detach.Report.NONE;
        try {
            if (child) {
                sys.lsk_setsid();
                report = Detach.Report.toParent(io.out(), sys);
            }
            ChannelNative shim = ChannelNative.load();
            LustreKernel kernel = LustreKernel.detect(o.paths(), io.env(), o.version());
            ServerSocketChannel inherited = passed ? Activation.channel() : null;
            Path socket = inherited == null ? o.socket() : SocketFile.pathOf(inherited);
            Optional<SingleInstance> guard = SingleInstance.acquire(socket, sys);
            if (guard.isEmpty()) {
                log.log(Log.ERR, "Another instance is running, exit");
                return reportExit(report, 0, "Another instance is running, exit");
            }
            Responder responder = new Responder(new lsk.keyring.KeyringKeySource(lsk.keyring.Keyring.open()),
                    ObdNodemapResolver.forKernel(kernel, log), Entropy.secure(), new DhGroups(), o.primes());
            Svcgssd.Options options = new Svcgssd.Options(socket, kernel, true, Duration.ofSeconds(5),
                    Runtime.getRuntime().availableProcessors());
            // Handlers first: a signal that comes as soon as the socket exists finds them. The
            // hook waits for a start under way, so that the socket it bound is removed too.
            CompletableFuture<Svcgssd> running = new CompletableFuture<>();
            CompletableFuture<StatusWriter> counters = new CompletableFuture<>();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                closeWhenStarted(running);
                Optional.ofNullable(counters.getNow(null)).ifPresent(StatusWriter::close); // last counters, "stopped"
            }));
            handleSignals(log);
            Svcgssd d;
            try {
                d = inherited == null ? Svcgssd.start(options, responder, shim, log)
                        : Svcgssd.start(options, responder, shim, log, inherited);
            } catch (Throwable e) { // rethrown as it is: the hook must not wait for a start that failed
                running.completeExceptionally(e);
                throw e;
            }
            running.complete(d);
            counters.complete(o.files().start(d::snapshot, sys.lsk_geteuid(), log));
            Warmup.start(log, () -> d.completed() + d.failed() + d.dropped() > 0);
            log.log(Log.WARN, "serving SK on " + d.servedOn() + (passed && d.socketPath() != null
                    ? " (passed by systemd)" : "") + " for " + kernel);
            report.ready();
            d.join();
            return exitStatus(d, log);
        } catch (LskException e) {
            log.log(Log.ERR, e.getMessage());
            if (child && report == Detach.Report.NONE) {
                report = Detach.Report.toParent(io.out(), null);
            }
            return reportExit(report, 1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * 0 once closed (SIGTERM), 1 when the request reader died: a daemon that no longer reads its
     * socket must not look like a clean exit, or Restart= would leave the node without one.
     */
    static int exitStatus(Svcgssd d, Log log) {
        if (d.failure().isPresent()) {
            log.log(Log.ERR, "exiting with status 1: requests are no longer read");
            return 1;
        }
        return 0;
    }

    private static void closeWhenStarted(CompletableFuture<Svcgssd> running) {
        try {
            running.get(STARTING, TimeUnit.SECONDS).close();
        } catch (ExecutionException | TimeoutException e) {
            // never started (or still binding after the wait): nothing of ours to remove
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int reportExit(Detach.Report report, int status, String why) {
        report.exit(status, why);
        return status;
    }

    /**
     * SIGHUP is ignored (logged, as C: the unit's reload sends it); SIGTERM and SIGINT exit, 0
     * and 1 as C, through the shutdown hook that closes the daemon and removes its own socket.
     */
    private static void handleSignals(Log log) {
        try {
            Signal.handle(new Signal("HUP"), s -> log.log(Log.WARN, "Received SIGHUP... Ignoring."));
            Signal.handle(new Signal("TERM"), s -> exitOn(log, s, 0));
            Signal.handle(new Signal("INT"), s -> exitOn(log, s, 1));
        } catch (IllegalArgumentException e) {
            log.log(Log.WARN, "cannot handle signals (" + e.getMessage() + "): the JVM's defaults apply");
        }
    }

    private static void exitOn(Log log, Signal s, int status) {
        log.log(Log.WARN, "exiting on signal " + s.getNumber());
        System.exit(status);
    }
}
