package lsk.cmd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

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

    /** openlog option: also print each line to stderr (tests read the ident libc holds this way). */
    int LOG_PERROR = 0x20;

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
        return syslog(ident, threshold, 0);
    }

    /**
     * As {@link #syslog(String, int)} with more openlog options ({@link #LOG_PERROR}). openlog
     * keeps the ident pointer for every later line, so the shim copies the ident into memory
     * that is never freed: a string JNA passes is freed once the garbage collector gets to it,
     * and the lines then carried whatever reused that memory.
     */
    static Log syslog(String ident, int threshold, int options) {
        LibC c = Native.load("c", LibC.class);
        String prefix = "";
        try {
            Native.load("lskshim", Ident.class).lsk_openlog(ident, 0x01 /* LOG_PID */ | options, 3 << 3 /* LOG_DAEMON */);
        } catch (UnsatisfiedLinkError e) {
            // No shim: no openlog (libc then names the lines after the program) and the ident
            // goes into each message instead.
            prefix = ident + ": ";
        }
        String p = prefix;
        return (level, msg) -> {
            if (level <= threshold) {
                int prio = switch (level) {
                    case ERR -> 3;
                    case WARN -> 4;
                    case INFO -> 6;
                    default -> 7;
                };
                c.syslog(prio, "%s", p + msg);
            }
        };
    }

    /**
     * {@code out} with {@link RateLimited} defaults: 20 lines per kind, 400 in all, per 10 s.
     * Messages above {@code threshold} are dropped first, so they take no share of the limit.
     */
    static Log rateLimited(Log out, int threshold) {
        return new RateLimited(out, threshold, 20, 400, Duration.ofSeconds(10), System::nanoTime);
    }

    interface LibC extends Library {
        void syslog(int priority, String format, Object... args);
    }

    /** The shim's openlog (jni/daemon.c), which keeps a copy of the ident for good. */
    interface Ident extends Library {
        long lsk_openlog(String ident, int option, int facility);
    }

    /**
     * Rate limit with aggregation, so that a peer repeating a bad request cannot flood the logs
     * (one local peer once produced 144,667 lines in 30 s). A message's kind is its level and
     * text with numbers blanked (NIDs, hashes, lengths differ between otherwise equal lines).
     * Per window, each kind passes its first {@code perKind} lines and all kinds together at
     * most {@code total} (a peer varying text it controls, a nodemap name say, makes new kinds);
     * the rest are counted and reported as one "suppressed" line per kind once its window has
     * passed, when that kind or any message comes next. At most {@link #MAX_KINDS} kinds are
     * tracked (least recently seen dropped first, its count reported).
     */
    final class RateLimited implements Log {
        static final int MAX_KINDS = 256;
        static final int KIND_CHARS = 160;
        private static final Pattern NUMBERS = Pattern.compile("0x[0-9a-fA-F]+|[0-9]+");

        private final Log out;
        private final int threshold;
        private final int perKind;
        private final int total;
        private final long window;
        private final LongSupplier nanoTime;
        private final Map<String, Kind> kinds = new LinkedHashMap<>(64, 0.75f, true);
        private long totalStart;
        private int totalPassed;
        private long totalSuppressed;

        private static final class Kind {
            final int level;
            final String text;
            long start;
            int passed;
            long suppressed;

            Kind(int level, String text, long start) {
                this.level = level;
                this.text = text;
                this.start = start;
            }
        }

        public RateLimited(Log out, int threshold, int perKind, int total, Duration window, LongSupplier nanoTime) {
            this.out = out;
            this.threshold = threshold;
            this.perKind = perKind;
            this.total = total;
            this.window = window.toNanos();
            this.nanoTime = nanoTime;
            this.totalStart = nanoTime.getAsLong();
        }

        /** The message with numbers blanked, cut to {@link #KIND_CHARS} (a kind is kept in memory). */
        static String kind(String message) {
            String k = NUMBERS.matcher(message).replaceAll("#");
            return k.length() > KIND_CHARS ? k.substring(0, KIND_CHARS) : k;
        }

        @Override
        public synchronized void log(int level, String message) {
            if (level > threshold) {
                return;
            }
            long now = nanoTime.getAsLong();
            if (now - totalStart >= window) {
                newWindow(now);
            }
            String text = kind(message);
            String key = level + " " + text;
            Kind k = kinds.get(key);
            if (k == null) {
                if (kinds.size() >= MAX_KINDS) {
                    Iterator<Kind> eldest = kinds.values().iterator();
                    report(eldest.next());
                    eldest.remove();
                }
                k = new Kind(level, text, now);
                kinds.put(key, k);
            } else if (now - k.start >= window) {
                report(k);
                k.start = now;
                k.passed = 0;
            }
            if (k.passed >= perKind) {
                k.suppressed++;
            } else if (totalPassed >= total) {
                totalSuppressed++;
            } else {
                k.passed++;
                totalPassed++;
                out.log(level, message);
            }
        }

        /** Reports what the last window suppressed, by kind, and starts a new one. */
        private void newWindow(long now) {
            if (totalSuppressed > 0) {
                out.log(WARN, "suppressed " + totalSuppressed + " log lines (more than " + total + " in "
                        + Duration.ofNanos(window).toSeconds() + " s)");
            }
            totalStart = now;
            totalPassed = 0;
            totalSuppressed = 0;
            for (Kind k : kinds.values()) {
                if (now - k.start >= window) {
                    report(k);
                }
            }
        }

        private void report(Kind k) {
            if (k.suppressed > 0) {
                out.log(k.level, "suppressed " + k.suppressed + " similar messages in "
                        + Duration.ofNanos(window).toSeconds() + " s: " + k.text);
                k.suppressed = 0;
            }
        }
    }
}
