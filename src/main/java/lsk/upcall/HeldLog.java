package lsk.upcall;

import java.util.ArrayList;
import java.util.List;
import lsk.cmd.Log;

/**
 * A log that keeps its lines back, to be passed on later or dropped: the detached negotiation's
 * lines from before the parent let it act, which must not be logged if it never does.
 */
final class HeldLog implements Log {
    private record Line(int level, String function, String text) {
    }

    private final List<Line> lines = new ArrayList<>();

    @Override
    public void log(int level, String message) {
        log(level, null, message);
    }

    /** Keeps the line with its function's name, found now (on release the stack is another). */
    @Override
    public synchronized void log(int level, String function, String message) {
        lines.add(new Line(level, function != null ? function : Log.caller(), message));
    }

    /** Logs every line held to {@code log}, in order, and forgets them. */
    synchronized void releaseTo(Log log) {
        for (Line l : lines) {
            log.log(l.level(), l.function(), l.text());
        }
        lines.clear();
    }
}
