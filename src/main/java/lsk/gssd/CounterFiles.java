package lsk.gssd;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.status.Snapshot;
import lsk.status.StatusWriter;
import lsk.unixsock.SocketDir;

/**
 * Where lsvcgssd writes its counters: the status file ({@code --status-file}, default
 * {@code /run/lsk/lsvcgssd.status}) and, if asked for, the Prometheus file
 * ({@code --metrics-file} or {@code LSVCGSSD_METRICS}).
 */
record CounterFiles(Path status, Optional<Path> metrics) {
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
