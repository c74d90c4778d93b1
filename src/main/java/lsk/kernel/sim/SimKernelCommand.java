package lsk.kernel.sim;

import lsk.base.Errno;
import lsk.kernel.LustreVersion;
import lsk.kernel.UpcallLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lsk.base.DecodeException;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;

/** {@code lsk simkernel}: runs a {@link SimKernel} until killed (demo, cross-process tests). */
public final class SimKernelCommand implements Command {
    public static final String USAGE = """
            usage: lsk simkernel --root DIR [--lustre-version V] [--socket PATH] [--upcall PROGRAM]
                                 [--client-nid U64] [--nodemap NAME]
              Serves a simulated Lustre kernel parameter tree under DIR (use LSK_PARAM_ROOT=DIR for the
              client and daemon): init_channel carries negotiations to lsvcgssd at PATH
              (default /run/lsk/svcgssd.socket, lsvcgssd's); the server contexts it receives are logged by handle.
              --lustre-version V  the version to play (default 2.17.54, master's layout): its parameter
                                  tree, ioctl size and downcall layouts (2.16.x, 2.17.0, 2.17.51+ differ);
                                  2.15.x serves proc/net/rpc/auth.sptlrpc.{init,context}/channel
                                  instead (sunrpc cache channels; --socket and --upcall unused)
              --upcall PROGRAM    what sptlrpc/gss/rsi_upcall holds: the program run per request as
                                  PROGRAM -c rsicache -r LINE (lsk's target/native/l_getauth, or
                                  Lustre's /usr/sbin/l_getauth); default NONE: the line is written to
                                  the daemon's socket directly
            """;

    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(new Getopt.LongOpt("help", false, 'h'),
            new Getopt.LongOpt("root", true, 'r'), new Getopt.LongOpt("socket", true, 's'),
            new Getopt.LongOpt("client-nid", true, 'n'), new Getopt.LongOpt("nodemap", true, 'm'),
            new Getopt.LongOpt("lustre-version", true, 'v'), new Getopt.LongOpt("upcall", true, 'u'));
    private static final String OPTSTRING = "h";

    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }

    @Override
    public int run(List<String> args, Io io) {
        Path root = null, sock = Path.of("/run/lsk/svcgssd.socket"); // lsvcgssd's default
        long nid = 0x0009000000000000L; // 0@lo
        String nm = "default";
        LustreVersion version = SimKernel.NEWEST;
        String upcall = SimKernel.UPCALL_NONE;
        Getopt.Result parsed = Getopt.parse("simkernel", args, OPTSTRING, LONG_OPTS, false);
        try {
            for (Getopt.Event e : parsed.events()) {
                String v = e.arg();
                switch (e.val()) {
                    case 'h' -> {
                        io.out().print(USAGE);
                        return 0;
                    }
                    case 'r' -> root = io.resolve(v);
                    case 's' -> sock = io.resolve(v);
                    case 'n' -> nid = UpcallLine.strtoull(v, "client nid");
                    case 'm' -> nm = v;
                    case 'v' -> version = LustreVersion.parse(v, "--lustre-version");
                    case 'u' -> upcall = v.equals(SimKernel.UPCALL_NONE) ? v : io.resolve(v).toString();
                    default -> {
                        io.err().print(e.error());
                        return 1;
                    }
                }
            }
            if (!parsed.operands().isEmpty()) {
                throw new LskException("unexpected argument '" + parsed.operands().get(0) + "'", Errno.EINVAL);
            }
            if (root == null) {
                throw new LskException("--root is required", Errno.EINVAL);
            }
            try (SimKernel k = SimKernel.start(new SimKernel.Config(root, version, sock, nid, nm, Duration.ofSeconds(30))
                    .withUpcall(upcall),
                    m -> io.err().println(m))) {
                io.err().println("simkernel: serving " + k.kernel() + " under " + root);
                Thread.currentThread().join();
            }
            return 0;
        } catch (LskException | DecodeException e) {
            io.err().println("simkernel: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            return 0;
        }
    }
}
