package lsk.kernel;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;

/**
 * {@code lsk abi}: which Lustre version this node runs and what lsk will write to its kernel
 * (one line per fact of {@link KernelAbi}), or with {@code --all} the whole table. For
 * administrators checking a node, and for bug reports.
 */
public final class AbiCommand implements Command {
    public static final String USAGE = """
            usage: lsk abi [--lustre-version V] [--param-root DIR] | lsk abi --all
              Prints the running Lustre version (from <root>/sys/fs/lustre/version, env LSK_LUSTRE_VERSION
              or --lustre-version) and the kernel interface lsk uses for it: rsc downcall header,
              lgssd_ioctl_param size, callout fields, where init_channel and rsi/rsc_info live, and
              whether the rsc carries a nodemap name. --all prints every supported range.
            """;

    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(new Getopt.LongOpt("help", false, 'h'),
            new Getopt.LongOpt("all", false, 'a'), new Getopt.LongOpt("lustre-version", true, 'v'),
            new Getopt.LongOpt("param-root", true, 'r'));
    private static final String OPTSTRING = "h";

    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }

    @Override
    public int run(List<String> args, Io io) {
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        String version = null;
        boolean all = false;
        Getopt.Result parsed = Getopt.parse("lsk abi", args, OPTSTRING, LONG_OPTS, false);
        for (Getopt.Event e : parsed.events()) {
            switch (e.val()) {
                case 'h' -> {
                    io.out().print(USAGE);
                    return 0;
                }
                case 'a' -> all = true;
                case 'r' -> paths = new ParamPaths(io.resolve(e.arg()).toAbsolutePath());
                case 'v' -> version = e.arg();
                default -> {
                    io.err().print(e.error());
                    io.err().print(USAGE);
                    return 1;
                }
            }
        }
        if (!parsed.operands().isEmpty()) {
            io.err().println("lsk abi: unexpected argument '" + parsed.operands().get(0) + "'");
            io.err().print(USAGE);
            return 1;
        }
        if (all) {
            for (KernelAbi abi : KernelAbi.values()) {
                print(io, abi.describe());
                io.out().println();
            }
            io.out().println("versions: before 2.15.0: not supported");
            return 0;
        }
        try {
            LustreKernel k = LustreKernel.detect(paths, io.env(), version);
            io.out().println("lustre version: " + k.version());
            print(io, k.abi().describe());
            return 0;
        } catch (LskException e) {
            io.err().println("lsk abi: " + e.getMessage());
            return 1;
        }
    }

    private static void print(Io io, Map<String, String> facts) {
        new TreeMap<>(facts).forEach((k, v) -> io.out().println(k + ": " + v));
    }
}
