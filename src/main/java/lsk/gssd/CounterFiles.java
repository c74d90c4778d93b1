package lsk.gssd;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.status.Snapshot;
import lsk.status.StatusCommand;
import lsk.status.StatusWriter;
import lsk.unixsock.SocketDir;

/**
 * Where lsvcgssd writes its counters: the status file ({@code --status-file}, default
 * {@code /run/lsk/lsvcgssd.status}) and, if asked for, the Prometheus file
 * ({@code --metrics-file} or {@code LSVCGSSD_METRICS}).
 */
record CounterFiles(Path status, Optional<Path> metrics) {
    /**
     * The status file of a daemon on {@code socket}: the one {@code lsk status} reads for the
     * default socket and Lustre's ({@link Svcgssd#LUSTRE_SOCKET}, in /tmp, where nothing of
     * root's belongs); beside the socket for any other, so that a second daemon (a test, a
     * trial) never overwrites the node's daemon's counters.
     */
    static Path defaultStatus(Path socket) {
        Path dir = socket.toAbsolutePath().getParent();
        if (dir == null || dir.equals(Svcgssd.DEFAULT_DIR) || socket.toAbsolutePath().equals(Svcgssd.LUSTRE_SOCKET)) {
            return StatusCommand.DEFAULT_FILE;
        }
        return dir.resolve(NAME);
    }

    static final String NAME = "lsvcgssd.status";

    /**
     * Starts the writer; {@code /run/lsk} is made (or checked) root's and 0700 first, as for the
     * socket, so that nobody else can touch the files in it.
     */
    StatusWriter start(Supplier<Snapshot> counters, long euid, Log log) {
        Path dir = status.toAbsolutePath().getParent();
        if (SocketDir.RUN_LSK.equals(dir)) {
            try {
                SocketDir.secure(dir, euid);
            } catch (LskException e) {
                log.log(Log.ERR, "ERROR: " + e.getMessage() + "; counters not written there");
            }
        }
        log.log(Log.INFO, "counters in " + status + metrics.map(m -> " and " + m).orElse(""));
        return StatusWriter.start(status, metrics, counters, log);
    }
}
