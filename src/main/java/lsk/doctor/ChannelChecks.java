package lsk.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lsk.kernel.CacheChannelLines;
import lsk.kernel.LustreKernel;

/**
 * The server daemon of Lustre 2.15.x, which has no socket: the kernel queues SEC_CTX_INIT
 * requests on the sunrpc cache channel {@code /proc/net/rpc/auth.sptlrpc.init/channel} and
 * fails them when no process holds it open. So "running" means some process has that file open
 * (its /proc/PID/fd links name it), which only root can see.
 */
final class ChannelChecks {
    private final Node node;

    ChannelChecks(Node node) {
        this.node = node;
    }

    void run(LustreKernel k, List<Finding> out) {
        Path init = CacheChannelLines.initChannel(k.paths());
        String named = init.toString();
        out.add(Finding.skip(DaemonChecks.SOCKET, "Lustre 2.15.x has no daemon socket: requests come on " + named));
        if (!Files.exists(init)) {
            out.add(Finding.problem(DaemonChecks.RUNNING, "no " + named + ": the kernel's GSS module is not loaded, so"
                    + " servers cannot take SSK connections", "modprobe ptlrpc_gss (then systemctl restart lsvcgss)"));
            return;
        }
        if (!node.isRoot()) {
            out.add(Finding.skip(DaemonChecks.RUNNING, "needs root (which process holds " + named + " open)"));
            return;
        }
        List<Long> daemons = new DaemonChecks(node).pids();
        List<Long> holders = holders(init);
        if (!holders.isEmpty()) {
            out.add(Finding.ok(DaemonChecks.RUNNING, "reading " + named + " (pid " + DaemonChecks.join(holders) + ")"));
        } else if (!daemons.isEmpty()) {
            out.add(Finding.problem(DaemonChecks.RUNNING, DaemonChecks.DAEMON_COMM + " (pid " + DaemonChecks.join(daemons)
                    + ") does not hold " + named + " open: it serves another Lustre version's socket",
                    "systemctl restart lsvcgss (lsvcgssd reads the Lustre version when it starts)"));
        } else {
            out.add(Finding.problem(DaemonChecks.RUNNING, "nothing reads " + named + ": the 2.15 kernel fails every"
                    + " SEC_CTX_INIT", "systemctl start lsvcgss (journalctl -u lsvcgss says why it stopped)"));
        }
    }

    /** Processes with {@code file} open, by their /proc/PID/fd links. */
    private List<Long> holders(Path file) {
        String want = file.toString();
        return new DaemonChecks(node).processes(p -> holds(p.resolve("fd"), want));
    }

    private static boolean holds(Path fds, String want) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(fds)) {
            for (Path fd : s) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(want)) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // gone, or a process we may not look into
        }
        return false;
    }
}
