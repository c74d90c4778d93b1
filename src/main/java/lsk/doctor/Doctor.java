package lsk.doctor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;
import lsk.kernel.LustreKernel;

/**
 * {@code lsk doctor [--skpath DIR]... [--quiet]}: every check of the node, one line each, and
 * the number of problems as the exit status (at most {@value #MAX_STATUS}). Read-only.
 */
public final class Doctor implements Command {
    public static final String USAGE = """
            usage: lsk doctor [--skpath PATH]... [-q|--quiet]
              Checks this node for lsk and says what to fix, one line per check:
                ok      CHECK: what was found
                PROBLEM CHECK: what is wrong; fix: how
                skip    CHECK: why it was not checked (e.g. needs root)
              Lustre version and ABI, parameter files and debugfs, sptlrpc.gss.rsi_upcall, request-key's
              lgssc line and its programs (krb5/gssnull too), lsvcgss and its socket, SSK keys loaded
              (never their bytes), key files, the Java runtime. Changes nothing on the node.
              --skpath PATH  key file or directory to check (repeatable; default /etc/lustre/sk and
                             LSK_KEYS_DIR of /etc/sysconfig/lsk-keys)
              -q, --quiet    print only the problems
              Exit status: the number of problems (at most 100); 0 when the node is fine.
            """;
    public static final int MAX_STATUS = 100;
    static final String RUNTIME = "java runtime";

    private static final List<Getopt.LongOpt> OPTS = List.of(new Getopt.LongOpt("skpath", true, 's'),
            new Getopt.LongOpt("quiet", false, 'q'), new Getopt.LongOpt("help", false, 'h'));
    private static final String OPTSTRING = "qh";

    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, OPTS);
    }

    @Override
    public int run(List<String> args, Io io) {
        Getopt.Result r = Getopt.parse("lsk doctor", args, OPTSTRING, OPTS, false);
        List<Path> sk = new ArrayList<>();
        boolean quiet = false;
        for (Getopt.Event e : r.events()) {
            switch (e.val()) {
                case 's' -> sk.add(io.resolve(e.arg()));
                case 'q' -> quiet = true;
                case 'h' -> {
                    io.out().print(USAGE);
                    return 0;
                }
                default -> {
                    io.err().print(e.error() + "\n" + USAGE);
                    return MAX_STATUS + 1;
                }
            }
        }
        if (!r.operands().isEmpty()) {
            io.err().print("lsk doctor: unexpected argument '" + r.operands().get(0) + "'\n" + USAGE);
            return MAX_STATUS + 1;
        }
        Node node;
        try {
            node = Node.system(io.env(), sk);
        } catch (LskException e) {
            io.err().print("lsk doctor: " + e.getMessage() + "\n");
            return MAX_STATUS + 1;
        }
        return report(check(node), quiet, io);
    }

    /** Prints the findings (only problems when {@code quiet}); the exit status. */
    public static int report(List<Finding> findings, boolean quiet, Io io) {
        int problems = 0;
        for (Finding f : findings) {
            if (f.isProblem()) {
                problems++;
            }
            if (f.isProblem() || !quiet) {
                io.out().print(f.line() + "\n");
            }
        }
        return Math.min(problems, MAX_STATUS);
    }

    /** Every check, in the order printed: runtime, kernel, upcall, daemon, keys. */
    public static List<Finding> check(Node node) {
        List<Finding> keys = new ArrayList<>();
        KeyChecks k = new KeyChecks(node);
        k.files(keys);
        k.loaded(keys);
        Role role = k.role();

        List<Finding> out = new ArrayList<>();
        out.add(runtime(node));
        KernelChecks kc = new KernelChecks(node);
        Optional<LustreKernel> kernel = kc.version(out);
        if (kernel.isPresent()) {
            kc.params(kernel.get(), out);
            kc.rsiUpcall(kernel.get(), role, out);
        } else {
            out.add(Finding.skip("parameter files", "no Lustre version lsk supports (see lustre version)"));
            out.add(Finding.skip(KernelChecks.RSI_UPCALL, "no Lustre version lsk supports (see lustre version)"));
        }
        new RequestKeyChecks(node).run(out);
        new DaemonChecks(node).run(role, kernel, out);
        out.addAll(keys);
        return out;
    }

    static Finding runtime(Node node) {
        if (node.javaFeature() >= Node.JAVA_NEEDED) {
            return Finding.ok(RUNTIME, "Java " + node.javaVersion());
        }
        return Finding.problem(RUNTIME, "Java " + node.javaVersion() + " is older than Java " + Node.JAVA_NEEDED
                + ", which lsk needs", "install a Java " + Node.JAVA_NEEDED + " runtime or newer (openjdk-"
                + Node.JAVA_NEEDED + "-jre-headless / java-" + Node.JAVA_NEEDED + "-openjdk-headless) and make it the"
                + " java that scripts/lsk runs");
    }
}
