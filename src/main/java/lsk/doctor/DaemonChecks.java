package lsk.doctor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import lsk.gssd.Svcgssd;
import lsk.kernel.KernelAbi;
import lsk.kernel.LustreKernel;

/**
 * The server daemon: something listens on its socket (lsvcgssd, or systemd holding the socket for
 * it), and the socket is root's alone (owner, mode, directory). The socket is the one
 * /etc/sysconfig/lsvcgss gives with {@code --socket}, else lsk's default. Whether it listens is
 * tried by connecting and closing at once: the daemon drops a connection that sent nothing
 * without a log line (RequestReader). /proc/net/unix cannot tell: the daemon binds a temporary
 * name and renames it, and the kernel keeps showing the name it was bound under.
 */
final class DaemonChecks {
    static final String RUNNING = "lsvcgss running", SOCKET = "lsvcgss socket";
    static final String DAEMON_COMM = "lsvcgssd";

    private final Node node;

    DaemonChecks(Node node) {
        this.node = node;
    }

    void run(Role role, Optional<LustreKernel> kernel, List<Finding> out) {
        if (!role.server()) {
            out.add(Finding.skip(RUNNING, role.why()));
            out.add(Finding.skip(SOCKET, role.why()));
            return;
        }
        if (kernel.isPresent() && kernel.get().abi().server() == KernelAbi.Server.CACHE_CHANNELS) {
            new ChannelChecks(node).run(kernel.get(), out);
            return;
        }
        String named = socketName();
        Path sock = node.fs(named);
        List<Long> pids = pids();
        String procs = pids.isEmpty() ? "" : " (" + DAEMON_COMM + " pid " + join(pids) + ")";
        Optional<String> refused = connect(sock);
        boolean listening = refused.isEmpty();
        if (listening) {
            out.add(Finding.ok(RUNNING, "answering on " + named + procs));
        } else if (refused.get().contains("Permission denied")) {
            out.add(Finding.skip(RUNNING, "needs root (only root may connect to " + named + ")" + procs));
        } else {
            out.add(Finding.problem(RUNNING, "nothing listens on " + named + " (" + refused.get() + ")" + procs
                    + ": servers refuse SSK connections",
                    "systemctl start lsvcgss (journalctl -u lsvcgss says why it stopped)"));
        }
        out.add(socket(named, sock, listening));
    }

    /** Empty when something accepts a connection on {@code sock}; else why not. */
    static Optional<String> connect(Path sock) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            return Optional.of(m == null ? e.getClass().getSimpleName() : m);
        }
    }

    private Finding socket(String named, Path sock, boolean listening) {
        String restart = "systemctl restart lsvcgss (lsvcgssd makes its socket 0600 in a 0700 directory of root's)";
        Optional<FileFacts.Stat> s;
        Optional<FileFacts.Stat> dir;
        try {
            s = FileFacts.stat(sock, false);
            dir = FileFacts.stat(sock.getParent(), false);
        } catch (AccessDeniedException e) {
            return Finding.skip(SOCKET, "needs root (" + e.getMessage() + ")");
        } catch (IOException e) {
            return Finding.problem(SOCKET, "cannot stat " + named + ": " + e.getMessage(), restart);
        }
        if (s.isEmpty()) {
            return listening ? Finding.problem(SOCKET, named + " was removed while the daemon listens: l_getauth cannot"
                    + " reach it", restart) : Finding.skip(SOCKET, "no socket at " + named + " (the daemon is not running)");
        }
        FileFacts.Stat st = s.get();
        if (st.type() != FileFacts.TYPE_SOCK) {
            return Finding.problem(SOCKET, named + " is not a socket", "remove it, then " + restart);
        }
        if (st.uid() != 0) {
            return Finding.problem(SOCKET, named + " is owned by uid " + st.uid() + ", not root", restart);
        }
        if ((st.perm() & 0077) != 0) {
            return Finding.problem(SOCKET, named + " has mode " + st.octal() + ": local users other than root can send"
                    + " the daemon requests", "chmod 0600 " + named + ", or " + restart);
        }
        String where = named + " (root's, mode " + st.octal() + ")";
        Path parent = Path.of(named).getParent();
        if (Path.of(named).equals(Svcgssd.LUSTRE_SOCKET)) {
            return Finding.ok(SOCKET, where + "; in /tmp, where any user can take the name while the daemon is"
                    + " down: lsk's l_getauth with the default socket avoids that");
        }
        FileFacts.Stat d = dir.orElseThrow();
        if (d.uid() != 0 || (d.perm() & FileFacts.GROUP_OTHER_WRITE) != 0) {
            return Finding.problem(SOCKET, "its directory " + parent + " is " + (d.uid() != 0 ? "owned by uid " + d.uid()
                    : "writable by group or others (mode " + d.octal() + ")") + ": another user can replace the socket",
                    "chown root:root " + parent + " && chmod 0700 " + parent);
        }
        return Finding.ok(SOCKET, where + " in " + parent + " (mode " + d.octal() + ")");
    }

    /** The socket lsvcgss.service starts the daemon with: --socket in LSVCGSSDARGS, else lsk's default. */
    String socketName() {
        Path conf = node.fs("/etc/sysconfig/lsvcgss");
        try {
            if (Files.isRegularFile(conf)) {
                for (String l : FileFacts.readText(conf, 1 << 16).split("\n")) {
                    String t = l.strip();
                    if (!t.startsWith("LSVCGSSDARGS=")) {
                        continue;
                    }
                    String[] w = t.substring(t.indexOf('=') + 1).replace("\"", " ").replace("'", " ").strip().split("\\s+");
                    for (int i = 0; i < w.length; i++) {
                        if (w[i].equals("--socket") && i + 1 < w.length) {
                            return w[i + 1];
                        }
                        if (w[i].startsWith("--socket=")) {
                            return w[i].substring("--socket=".length());
                        }
                    }
                }
            }
        } catch (IOException e) {
            // unreadable options: the unit's default stands
        }
        return Svcgssd.DEFAULT_SOCKET.toString();
    }

    /** Processes named lsvcgssd (the daemon sets its name so pgrep finds it). */
    List<Long> pids() {
        return processes(p -> {
            try {
                return FileFacts.readText(p.resolve("comm"), 64).strip().equals(DAEMON_COMM);
            } catch (IOException e) {
                return false; // gone meanwhile
            }
        });
    }

    /** The pids whose /proc/PID directory passes {@code test}, in order; none without a process list. */
    List<Long> processes(Predicate<Path> test) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(node.proc(), "[0-9]*")) {
            for (Path p : s) {
                try {
                    if (test.test(p)) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (NumberFormatException e) {
                    // not a process
                }
            }
        } catch (IOException e) {
            // no process list: the listener decides
        }
        out.sort(null);
        return out;
    }

    static String join(List<Long> l) {
        return String.join(", ", l.stream().map(String::valueOf).toList());
    }
}
