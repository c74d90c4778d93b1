package lsk.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;
import lsk.kernel.LustreVersion;
import lsk.kernel.sim.SimKernel;
import lsk.mech.SkMech;

/**
 * {@code lsk demo} ({@code scripts/demo}): the whole SSK flow on this machine, on the simulated
 * kernel of a chosen Lustre version, with the real keyring, real processes and real files under
 * a temp dir. Writes and loads a server and a client key with {@code lgss_sk}, starts
 * {@code lsvcgssd} (which reads the version from the simulated tree), has the upcall negotiate
 * an ski and an skpi context (through {@code /sbin/request-key} when it can, else by running
 * lgss_keyring's negotiation directly, and says which), the simulated kernel running the built
 * {@code l_getauth} helper per request as the real one does, then checks the client context
 * (from the key) against the server context (from the daemon's rsc downcall, read in that
 * version's layout) with the kernel-side model {@link SkMech}. Cleans up everything; exit 0 only
 * if every step held. This process plays the kernel: the simulated kernel and the context
 * checks run here.
 */
public final class Demo implements Command {
    public static final String USAGE = """
            usage: lsk demo [--lustre-version V] [--direct] [--repeat N]
                                                         (scripts/demo; needs the jar: mvn -DskipTests package)
              Runs the SSK loopback demo: key files, keyring, lsvcgssd, lgss_keyring, simulated kernel.
              --lustre-version V  the Lustre version the simulated kernel plays (default 2.17.54: master's
                          layouts; 2.16.1 and 2.17.0 use the released ones)
              --direct    do not use /sbin/request-key even when it is available
              --repeat N  then time N more requests (request-key to key updated): min/median/max
              The simulated kernel runs target/native/l_getauth (built by mvn package; LSK_GETAUTH names
              another) as its rsi upcall, as a real server kernel runs /usr/sbin/l_getauth.
            """;
    static final long CLIENT_NID = 0x00020000c0a80132L; // 192.168.1.50@tcp
    static final long SERVER_NID = 0x00020000c0a80165L; // 192.168.1.101@tcp
    static final Duration NEGOTIATION_TIMEOUT = Duration.ofSeconds(30);
    /** Environment variable naming the l_getauth helper instead of the build's. */
    static final String ENV_GETAUTH = "LSK_GETAUTH";

    private static final int OPT_DIRECT = 1000;
    private static final int OPT_VERSION = 1001;
    private static final int OPT_REPEAT = 1002;
    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(new Getopt.LongOpt("help", false, 'h'),
            new Getopt.LongOpt("direct", false, OPT_DIRECT), new Getopt.LongOpt("lustre-version", true, OPT_VERSION),
            new Getopt.LongOpt("repeat", true, OPT_REPEAT));
    private static final String OPTSTRING = "h";

    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }

    @Override
    public int run(List<String> args, Io io) {
        boolean direct = false;
        int repeat = 0;
        LustreVersion version = SimKernel.NEWEST;
        Getopt.Result parsed = Getopt.parse("demo", args, OPTSTRING, LONG_OPTS, false);
        for (Getopt.Event e : parsed.events()) {
            switch (e.val()) {
                case 'h' -> {
                    io.out().print(USAGE);
                    return 0;
                }
                case OPT_DIRECT -> direct = true;
                case OPT_VERSION -> {
                    try {
                        version = LustreKernel.version(e.arg(), "--lustre-version");
                        KernelAbi.of(version);
                    } catch (LskException x) {
                        io.err().println("demo: " + x.getMessage());
                        return 1;
                    }
                }
                case OPT_REPEAT -> {
                    if (!e.arg().matches("[0-9]{1,4}")) {
                        io.err().println("demo: --repeat needs a count (0..9999)");
                        return 1;
                    }
                    repeat = Integer.parseInt(e.arg());
                }
                default -> {
                    io.err().print(e.error());
                    io.err().print(USAGE);
                    return 1;
                }
            }
        }
        if (!parsed.operands().isEmpty()) {
            io.err().println("demo: unexpected argument '" + parsed.operands().get(0) + "'");
            io.err().print(USAGE);
            return 1;
        }
        Run r;
        try {
            r = new Run(io, direct, version);
        } catch (Exception e) {
            io.out().println("demo: FAILED to set up: " + e.getMessage());
            return 1;
        }
        boolean ok = false;
        try {
            ok = r.all(repeat);
        } catch (Exception e) {
            io.out().println("demo: FAILED: " + e.getMessage());
        } finally {
            ok &= r.cleanup();
        }
        return ok ? 0 : 1;
    }

    /** The scripts/ directory beside the jar this class runs from (or {@code LSK_SCRIPTS}). */
    static Path scriptsDir(Io io) {
        String env = io.env().get("LSK_SCRIPTS");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        try {
            Path jar = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().resolve("scripts");
        } catch (Exception e) {
            return Path.of("scripts").toAbsolutePath();
        }
    }

    /** The built l_getauth helper (or {@code LSK_GETAUTH}): target/native beside the scripts. */
    static Path getauth(Io io) {
        String env = io.env().get(ENV_GETAUTH);
        if (env != null && !env.isEmpty()) {
            return Path.of(env).toAbsolutePath();
        }
        return scriptsDir(io).toAbsolutePath().getParent().resolve("target/native/l_getauth");
    }

    /** The demo's own keyring (and the base of its request keys' descriptions): not an SSK key name. */
    static String ringName(String fs) {
        return "lskdemo-" + fs;
    }
}
