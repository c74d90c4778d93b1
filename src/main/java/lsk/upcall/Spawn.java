package lsk.upcall;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import lsk.cmd.Io;

/**
 * The detached negotiation process ({@code setsid}, stdout to /dev/null), started on a thread
 * as soon as the arguments are known. Its stdin is a pipe from this process: one byte
 * ({@link #GO}) once the key is instantiated; end of file without it (this process failed
 * or died first) makes it exit without touching the key.
 */
final class Spawn {
    static final int GO = 'g';
    /** The child, or why it could not be started: completed once, by the spawning thread. */
    private final CompletableFuture<Process> process = new CompletableFuture<>();

    private Spawn(List<String> args, Io io) {
        Thread t = new Thread(() -> {
            try {
                process.complete(detach(args, io));
            } catch (IOException | RuntimeException e) {
                process.completeExceptionally(e);
            }
        }, "lgss_keyring-spawn");
        t.start();
    }

    static Spawn start(List<String> args, Io io) {
        return new Spawn(args, io);
    }

    private Process await() throws IOException {
        try {
            return process.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start the negotiation: " + e.getCause(), e.getCause());
        }
    }

    /** Lets the child negotiate: the key is instantiated. */
    void go() throws IOException {
        OutputStream o = await().getOutputStream();
        o.write(GO);
        o.close();
    }

    /** Closes the child's stdin (a no-op after {@link #go}); the child then exits on its own. */
    void release() {
        try {
            await().getOutputStream().close();
        } catch (IOException e) {
            // no child or already closed: nothing waits
        }
    }

    private static Process detach(List<String> args, Io io) throws IOException {
        List<String> childArgs = new ArrayList<>(List.of(LgssKeyring.NEGOTIATE));
        childArgs.addAll(args);
        // The same JVM options as this process (scripts/lgss_keyring tunes them for a short run).
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(io.selfCommand("lgss_keyring", childArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(io.env());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // Logging to stderr (tests, debugging): the background part keeps the caller's stderr.
        pb.redirectError(io.env().containsKey("LSK_LOG_STDERR") ? ProcessBuilder.Redirect.INHERIT
                : ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }
}
