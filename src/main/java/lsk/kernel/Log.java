package lsk.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.PrintStream;

/**
 * Log sink with the C tools' levels (lgss_utils {@code loglevel_t}): a message is emitted when
 * its level is at most the threshold. Messages never carry key material.
 */
@FunctionalInterface
public interface Log {
    int ERR = 0;
    int WARN = 1;
    int INFO = 2;
    int DEBUG = 3;
    int TRACE = 4;
    int MAX = 5;

    void log(int level, String message);

    static Log stderr(PrintStream err, String ident, int threshold) {
        return (level, msg) -> {
            if (level <= threshold) {
                err.println(ident + ": " + msg);
            }
        };
    }

    /** syslog(3) through libc, facility daemon, with the pid; priority from the level. */
    static Log syslog(String ident, int threshold) {
        LibC c = Native.load("c", LibC.class);
        c.openlog(ident, 0x01 /* LOG_PID */, 3 << 3 /* LOG_DAEMON */);
        return (level, msg) -> {
            if (level <= threshold) {
                int prio = switch (level) {
                    case ERR -> 3;
                    case WARN -> 4;
                    case INFO -> 6;
                    default -> 7;
                };
                c.syslog(prio, "%s", msg);
            }
        };
    }

    interface LibC extends Library {
        void openlog(String ident, int option, int facility);

        void syslog(int priority, String format, Object... args);
    }
}
