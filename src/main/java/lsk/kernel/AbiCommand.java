package lsk.kernel;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lsk.base.LskException;
import lsk.cmd.Command;
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

    @Override
    public int run(List<String> args, Io io) {
        ParamPaths paths = ParamPaths.fromEnv(io.env());
        String version = null;
        boolean all = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    io.out().print(USAGE);
                    return 0;
                }
                case "--all" -> all = true;
                case "--lustre-version", "--param-root" -> {
                    if (i + 1 >= args.size()) {
                        io.err().println("lsk abi: " + a + " needs a value");
                        return 1;
                    }
                    String v = args.get(++i);
                    if (a.equals("--param-root")) {
                        paths = new ParamPaths(io.resolve(v).toAbsolutePath());
                    } else {
                        version = v;
                    }
                }
                default -> {
                    io.err().println("lsk abi: unknown option '" + a + "'");
                    io.err().print(USAGE);
                    return 1;
                }
            }
        }
        if (all) {
            for (KernelAbi abi : KernelAbi.values()) {
                print(io, abi.describe());
                io.out().println();
            }
            io.out().println("versions: 2.15.x and older: not supported (sunrpc cache-channel server protocol)");
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
