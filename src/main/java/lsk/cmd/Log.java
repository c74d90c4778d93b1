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

    /**
     * As {@link #log(int, String)}, naming the function the line is about ({@code null}: the
     * caller's, found on the stack by sinks that print one): a log that holds lines back passes
     * the name it found when the line was logged.
     */
    default void log(int level, String function, String message) {
        log(level, message);
    }

    /** The level names of lgss_utils.c {@code log_prefix[]}, by level. */
    java.util.List<String> LEVEL_NAMES = java.util.List.of("ERROR", "WARNING", "INFO", "DEBUG", "TRACE");

    /**
     * One line as lgss_keyring writes it: lgss_utils.c {@code __logmsg} formats
     * {@code "[%d]:%s:%s(): "} from getpid(), the level's name and {@code __FUNCTION__}, then
     * the message (lustre-release lustre/utils/gss/lgss_utils.c, commit 02b456e4).
     */
    static String lgssLine(long pid, int level, String function, String message) {
        return "[" + pid + "]:" + LEVEL_NAMES.get(Math.min(Math.max(level, 0), TRACE)) + ":" + function + "(): "
                + message;
    }

    /**
     * The method that logged: the first frame on the stack that is not in a log (a class
     * implementing Log, wrappers included), a lambda's frame named by its enclosing method.
     */
    static String caller() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> !Log.class.isAssignableFrom(f.getDeclaringClass()))
                .findFirst().map(f -> {
                    String m = f.getMethodName();
                    // javac names a lambda's body lambda$<enclosing method>$<n>
                    return m.startsWith("lambda$") && m.indexOf('$', 7) > 7 ? m.substring(7, m.indexOf('$', 7)) : m;
                }).orElse("main"));
    }

    /** syslog.h (glibc): facility LOG_USER (1 << 3), what syslog(3) uses when openlog never ran. */
    int LOG_USER = 1 << 3;
    /** syslog.h (glibc): priority LOG_INFO, at which lgss_utils.c __logmsg writes every line. */
    int LOG_INFO = 6;

    /** Where {@link #lgss} lines go: libc's openlog(3)/syslog(3), or a recorder in tests. */
    interface Syslog {
        void openlog(String ident, int option, int facility);

        void syslog(int priority, String line);
    }

    /**
     * libc's syslog. openlog goes through the shim, which keeps a copy of the ident for good
     * (see {@link #syslog(String, int, int)}); without the shim this throws UnsatisfiedLinkError.
     */
    static Syslog libc() {
        LibC c = Native.load("c", LibC.class);
        Ident shim = Native.load("lskshim", Ident.class);
        return new Syslog() {
            @Override
            public void openlog(String ident, int option, int facility) {
                shim.lsk_openlog(ident, option, facility);
            }

            @Override
            public void syslog(int priority, String line) {
                c.syslog(priority, "%s", line);
            }
        };
    }

    /**
     * lgss_keyring's log, as the C tool writes it (lgss_utils.c {@code __logmsg}, lgss_keyring.c
     * {@code main}, lustre-release commit 02b456e4): it never calls openlog, so its lines carry
     * the program's name and facility LOG_USER, with no LOG_PID option (the pid is in the
     * message); every line goes at LOG_INFO whatever its level, the level being in the
     * {@link #lgssLine} prefix; lines above the threshold (sptlrpc/gss/lgss_keyring/debug_level)
     * are not written. With {@code stderr}, the lines go there instead, as libc's LOG_PERROR
     * prints them ({@code ident: line}).
     */
    static Log lgss(String ident, int threshold, PrintStream stderr) {
        if (stderr != null) {
            return new Lgss(threshold, ProcessHandle.current().pid(), line -> stderr.println(ident + ": " + line));
        }
        return lgss(ident, threshold, libc(), 0);
    }

    /** As {@link #lgss(String, int, PrintStream)} to {@code sys}, with more openlog options (tests: {@link #LOG_PERROR}). */
    static Log lgss(String ident, int threshold, Syslog sys, int options) {
        sys.openlog(ident, options, LOG_USER);
        return new Lgss(threshold, ProcessHandle.current().pid(), line -> sys.syslog(LOG_INFO, line));
    }

    /**
     * lsvcgssd's log as the C daemon writes it (lustre-release lustre/utils/gss/err_util.c
     * {@code initerr}/{@code printerr}, commit 37e738fb; svcgssd.c {@code main} passes the
     * program's name): in the background {@code openlog(progname, LOG_PID, LOG_DAEMON)} and every
     * line at LOG_ERR whatever its verbosity; in the foreground ({@code fg} not null) the bare
     * message on stderr and nothing to syslog.
     */
    static Log printerr(String ident, int threshold, PrintStream fg) {
        return fg != null ? printerr(threshold, fg::println) : printerr(ident, threshold, libc());
    }

    /** As {@link #printerr(String, int, PrintStream)} in the background, to {@code sys}. */
    static Log printerr(String ident, int threshold, Syslog sys) {
        sys.openlog(ident, 0x01 /* LOG_PID */, 3 << 3 /* LOG_DAEMON */);
        return printerr(threshold, m -> sys.syslog(3 /* LOG_ERR */, m));
    }

    private static Log printerr(int threshold, java.util.function.Consumer<String> out) {
        return (level, message) -> {
            if (level <= threshold) {
                out.accept(message);
            }
        };
    }

    /** {@link #lgss}'s sink: the level filter and the C prefix, the caller's name when not given. */
    final class Lgss implements Log {
        private final int threshold;
        private final long pid;
        private final java.util.function.Consumer<String> out;

        Lgss(int threshold, long pid, java.util.function.Consumer<String> out) {
            this.threshold = threshold;
            this.pid = pid;
            this.out = out;
        }

        @Override
        public void log(int level, String message) {
            log(level, null, message);
        }

        @Override
        public void log(int level, String function, String message) {
            if (level <= threshold) {
                out.accept(lgssLine(pid, level, function != null ? function : caller(), message));
            }
        }
    }

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
        public void log(int level, String message) {
            log(level, null, message);
        }

        @Override
        public synchronized void log(int level, String function, String message) {
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
                out.log(level, function, message);
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
