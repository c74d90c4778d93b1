package lsk.cmd;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of its process: streams, working directory and environment.
 * Passed in (never read from statics) so tests run commands in-process, in any directory.
 *
 * @param in  standard input ({@code -} as a file name)
 * @param out standard output
 * @param err standard error
 * @param cwd directory that relative paths are resolved against
 * @param env environment variables
 */
public record Io(InputStream in, PrintStream out, PrintStream err, Path cwd, Map<String, String> env) {

    public static Io system() {
        return new Io(System.in, System.out, System.err, Path.of("").toAbsolutePath(), System.getenv());
    }

    /** Resolves a command-line path the way the C tools would (relative to the working directory). */
    public Path resolve(String name) {
        return cwd.resolve(name);
    }
}
