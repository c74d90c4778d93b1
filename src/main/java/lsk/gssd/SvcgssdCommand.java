package lsk.gssd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lsk.LskException;
import lsk.cli.Command;
import lsk.cli.Io;
import lsk.handshake.Entropy;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.Log;
import lsk.kernel.LustreKernel;
import lsk.kernel.ParamPaths;

/** {@code lsvcgssd}: the server daemon (SK only). */
public final class SvcgssdCommand implements Command {
    public static final String USAGE = """
            usage: lsvcgssd [-f] [-v]... [-s] [-m] [-o] [-g] [-k] [-z] [--socket PATH] [--param-root DIR]
              Lustre GSS server daemon, SK mechanism: answers SEC_CTX_INIT requests that the kernel
              sends to the Unix socket (default /tmp/svcgssd.socket) with rsi/rsc downcalls.
              -s  enable SK (shared key)          -f  stay in the foreground, log to stderr
              -v  more verbose (repeatable)       -m/-o/-g  serve MDS/OSS/MGS (accepted for compatibility)
              -k/-z  Kerberos / gssnull: not supported by lsk (requests are answered "bad mech")
              --socket PATH      listen here       --param-root DIR  parameter root (simulated kernel)
              --lustre-version V  the running Lustre version (default: /sys/fs/lustre/version,
                                  or env LSK_LUSTRE_VERSION); it chooses the downcall layouts
            """;

    @Override
    public int run(List<String> args, Io io) {
        boolean sk = false, fg = false;
        int verbose = 0;
        Path socket = Svcgssd.DEFAULT_SOCKET;
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        String version = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    io.out().print(USAGE);
                    return 0;
                }
                case "--socket", "--param-root", "--lustre-version" -> {
                    if (i + 1 >= args.size()) {
                        io.err().println("lsvcgssd: " + a + " needs a value");
                        return 1;
                    }
                    String v = args.get(++i);
                    if (a.equals("--socket")) {
                        socket = io.resolve(v);
                    } else if (a.equals("--lustre-version")) {
                        version = v;
                    } else {
                        paths = new ParamPaths(io.resolve(v));
                    }
                }
                default -> {
                    if (!a.matches("-[sfvmogkz]+")) {
                        io.err().println("lsvcgssd: unknown option '" + a + "'");
                        io.err().print(USAGE);
                        return 1;
                    }
                    for (char c : a.substring(1).toCharArray()) {
                        switch (c) {
                            case 's' -> sk = true;
                            case 'f' -> fg = true;
                            case 'v' -> verbose++;
                            case 'k', 'z' -> io.err().println("lsvcgssd: -" + c + ": mechanism not supported by lsk");
                            default -> {
                            }
                        }
                    }
                }
            }
        }
        if (!sk) {
            io.err().println("lsvcgssd: no mechanism enabled; use -s for SK");
            return 1;
        }
        int level = Math.min(Log.TRACE, Log.WARN + verbose);
        Log log = fg || io.env().containsKey("LSK_LOG_STDERR") ? Log.stderr(io.err(), "lsvcgssd", level)
                : Log.syslog("lsvcgssd", level);
        try {
            ChannelNative shim = ChannelNative.load();
            LustreKernel kernel = LustreKernel.detect(paths, io.env(), version);
            Responder responder = new Responder(new lsk.keyring.KeyringKeySource(lsk.keyring.Keyring.open()), NodemapResolver.NONE,
                    Entropy.secure());
            Svcgssd d = new Svcgssd(new Svcgssd.Options(socket, kernel, true, Duration.ofSeconds(5),
                    Runtime.getRuntime().availableProcessors()), responder, shim, log);
            d.start();
            Warmup.start(log, () -> d.completed() + d.failed() + d.dropped() > 0);
            Runtime.getRuntime().addShutdownHook(new Thread(d::close));
            io.err().println("lsvcgssd: serving SK on " + socket + " for " + kernel);
            d.join();
            return 0;
        } catch (LskException e) {
            io.err().println("lsvcgssd: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
