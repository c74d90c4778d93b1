package lsk.cmd;

import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a command may touch of its process: streams, working directory and environment.
 * Passed in (never read from statics) so tests run commands in-process, in any directory.
 *
 * @param in    standard input ({@code -} as a file name)
 * @param out   standard output
 * @param err   standard error
 * @param cwd   directory that relative paths are resolved against
 * @param env   environment variables
 * @param entry the class whose {@code main} runs {@code lsk <command>}, for commands that start
 *              themselves again ({@link #selfCommand}); null where nothing may
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Path cwd, Map<String, String> env,
        String entry) {

    /** An Io that cannot start lsk again (tests of commands that never do). */
    public Io(InputStream in, PrintStream out, PrintStream err, Path cwd, Map<String, String> env) {
        this(in, out, err, cwd, env, null);
    }

    /** This process's streams, directory and environment; {@code entry} is the program's main class. */
    public static Io system(Class<?> entry) {
        return new Io(System.in, System.out, System.err, Path.of("").toAbsolutePath(), System.getenv(),
                entry.getName());
    }

    /** The same Io in another working directory. */
    public Io withCwd(Path dir) {
        return new Io(in, out, err, dir, env, entry);
    }

    /** Resolves a command-line path the way the C tools would (relative to the working directory). */
    public Path resolve(String name) {
        return cwd.resolve(name);
    }

    /**
     * The command line that runs {@code lsk <command> args} in a new JVM like this one: the same
     * java, the same JVM options, the class path made absolute (the child may start elsewhere).
     */
    public List<String> selfCommand(String command, List<String> args) {
        if (entry == null) {
            throw new IllegalStateException("this Io cannot start lsk again (no entry point given)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                cp.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, cp));
        cmd.add(entry);
        cmd.add(command);
        cmd.addAll(args);
        return cmd;
    }
}
