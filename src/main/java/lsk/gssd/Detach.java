package lsk.gssd;

import lsk.unixsock.DaemonNative;
import lsk.unixsock.Activation;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lsk.cmd.Io;

/**
 * lsvcgssd's start without {@code -f}, as the C daemon's: the command returns only once the
 * daemon serves (exit 0), or with the daemon's failure (exit 1, its reason on stderr). A JVM
 * cannot fork, so the parent runs the same command again as a child (same JVM, options and
 * class path; working directory /, stdin and stderr /dev/null, or stdin the listening socket
 * systemd passed) and reads one status line from
 * the child's stdout. The child starts a session of its own, logs to syslog, and points its
 * stdout at /dev/null once it has reported.
 */
final class Detach {
    /** Set in the child's environment to the parent's working directory (for relative options). */
    static final String ENV_CHILD = "LSK_SVCGSSD_DETACHED";
    /** Set for the detached child: its stdin is the listening socket systemd passed. */
    static final String ENV_LISTEN_STDIN = "LSK_SVCGSSD_LISTEN_STDIN";
    static final String READY = "lsvcgssd-status ready";
    static final String STATUS = "lsvcgssd-status exit ";

    private Detach() {
    }

    /** The child's side: one line to the parent, then its stdout goes to /dev/null. */
    interface Report {
        void ready();

        /** The daemon ends with {@code status} before serving; {@code why} goes to the parent's stderr. */
        void exit(int status, String why);

        Report NONE = new Report() {
            @Override public void ready() { }
            @Override public void exit(int status, String why) { }
        };

        /** @param sys the shim that redirects stdout afterwards; null when it could not be loaded */
        static Report toParent(PrintStream out, DaemonNative sys) {
            return new Report() {
                @Override
                public void ready() {
                    send(READY);
                }

                @Override
                public void exit(int status, String why) {
                    send(STATUS + status + " " + why.replace('\n', ' '));
                }

                private void send(String line) {
                    out.println(line);
                    out.flush();
                    if (sys != null) {
                        sys.lsk_devnull_fd(1);
                    }
                }
            };
        }
    }

    /** In the child: the working directory the parent had (relative paths of its options). */
    static Path parentDirectory(Io io) {
        String d = io.env().get(ENV_CHILD);
        return d != null && d.startsWith("/") ? Path.of(d) : Path.of("/");
    }

    /**
     * The parent's side: starts the child and waits for its status line.
     *
     * @return 0 once the child serves; the child's status when it ends first (0 when another
     *         instance runs, as C); 1 when it cannot be started or dies without a word
     */
    static int parent(String command, List<String> args, Io io, boolean passedSocket) {
        ProcessBuilder pb = new ProcessBuilder(io.selfCommand(command, args)).directory(new File("/"))
                .redirectInput(passedSocket ? ProcessBuilder.Redirect.INHERIT
                        : ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put(ENV_CHILD, io.cwd().toAbsolutePath().toString());
        // The socket systemd passed (now our stdin) goes on to the child as its stdin; the
        // LISTEN_ variables named this process, not the child.
        pb.environment().remove(Activation.LISTEN_PID);
        pb.environment().remove(Activation.LISTEN_FDS);
        pb.environment().remove(Activation.LISTEN_FDNAMES);
        if (passedSocket) {
            pb.environment().put(ENV_LISTEN_STDIN, "1");
        } else {
            pb.environment().remove(ENV_LISTEN_STDIN);
        }
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            io.err().println(command + ": cannot start the daemon: " + e.getMessage());
            return 1;
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals(READY)) {
                    return 0;
                }
                if (line.startsWith(STATUS)) {
                    String rest = line.substring(STATUS.length());
                    int sp = rest.indexOf(' ');
                    io.err().println(command + ": " + (sp < 0 ? "" : rest.substring(sp + 1)));
                    return parseStatus(sp < 0 ? rest : rest.substring(0, sp));
                }
            }
            int rc = child.waitFor();
            io.err().println(command + ": the daemon exited with status " + rc + " before serving");
            return 1;
        } catch (IOException e) {
            io.err().println(command + ": lost the daemon's status: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int parseStatus(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
