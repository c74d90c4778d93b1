package lsk.status;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import lsk.base.DecodeException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;

/**
 * {@code lsk status [--file PATH] [--prometheus]}: the counters lsvcgssd keeps, read from its
 * status file. Exit 0 while the daemon runs; 1 when it does not (no status file, a file it
 * left at exit, or its pid gone or no longer lsvcgssd: the counters are then shown labelled
 * stale) or the file cannot be read.
 */
public final class StatusCommand implements Command {
    /** Where lsvcgssd writes its status unless told otherwise ({@code --status-file}). */
    public static final Path DEFAULT_FILE = Path.of("/run/lsk/lsvcgssd.status");
    /** The daemon's process name ({@code /proc/PID/comm}), as lsvcgssd sets it. */
    static final String DAEMON = "lsvcgssd";
    static final String USAGE = """
            usage: lsk status [--file PATH] [--prometheus]
              lsvcgssd's counters since it started, from its status file (default
              /run/lsk/lsvcgssd.status, or lsvcgssd's --status-file). Exit status 0 while the
              daemon runs, 1 when it does not (counters shown labelled stale) or the file is unreadable.
              --file PATH    read this status file
              --prometheus   print the counters in the Prometheus text format instead
            """;
    private static final int OPT_FILE = 0x100;
    private static final int OPT_PROMETHEUS = 0x101;
    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(new Getopt.LongOpt("file", true, OPT_FILE),
            new Getopt.LongOpt("prometheus", false, OPT_PROMETHEUS), new Getopt.LongOpt("help", false, 'h'));
    private static final String OPTSTRING = "h";

    @Override
    public List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final Path proc;

    public StatusCommand() {
        this(Path.of("/proc"));
    }

    /** @param proc where to look the daemon's pid up (tests: a fake procfs) */
    StatusCommand(Path proc) {
        this.proc = proc;
    }

    @Override
    public int run(List<String> args, Io io) {
        Path file = DEFAULT_FILE;
        boolean prometheus = false;
        Getopt.Result r = Getopt.parse("lsk status", args, OPTSTRING, LONG_OPTS, false);
        for (Getopt.Event ev : r.events()) {
            switch (ev.val()) {
                case OPT_FILE -> file = io.resolve(ev.arg());
                case OPT_PROMETHEUS -> prometheus = true;
                case 'h' -> {
                    io.out().print(USAGE);
                    return 0;
                }
                default -> {
                    io.err().print(ev.error());
                    io.err().print(USAGE);
                    return 1;
                }
            }
        }
        if (!r.operands().isEmpty()) {
            io.err().print(USAGE);
            return 1;
        }
        Snapshot s;
        try {
            s = StatusText.parse(read(file));
        } catch (NoSuchFileException e) {
            io.err().println("lsvcgssd is not running: no status file " + file);
            return 1;
        } catch (IOException | DecodeException e) {
            io.err().println("lsk status: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        Optional<String> down = notRunning(s);
        if (down.isPresent()) {
            io.err().println("lsvcgssd is not running: " + down.get() + "; the counters below are stale");
        }
        io.out().print(prometheus ? PrometheusText.render(down.isPresent() ? s.at(s.updated(), true) : s)
                : readable(s, down.isPresent()));
        return down.isPresent() ? 1 : 0;
    }

    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes(StatusText.MAX_BYTES + 1);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    /** Why the daemon that wrote s is not serving, if it is not. */
    Optional<String> notRunning(Snapshot s) {
        if (s.stopped()) {
            return Optional.of("pid " + s.pid() + " stopped at " + TIME.format(Instant.ofEpochSecond(s.updated())));
        }
        String comm;
        try {
            comm = Files.readString(proc.resolve(Long.toString(s.pid())).resolve("comm")).strip();
        } catch (IOException e) {
            return Optional.of("pid " + s.pid() + " is gone");
        }
        if (!DAEMON.equals(comm)) {
            return Optional.of("pid " + s.pid() + " is no longer lsvcgssd");
        }
        return Optional.empty();
    }

    static String readable(Snapshot s, boolean stale) {
        StringBuilder b = new StringBuilder();
        b.append(stale ? "STALE: last counters of " : "").append("lsvcgssd ").append(s.version()).append(", pid ")
                .append(s.pid()).append(", started ").append(TIME.format(Instant.ofEpochSecond(s.startSeconds())))
                .append(stale ? "" : " (up " + human(Duration.ofSeconds(s.updated() - s.startSeconds())) + ")")
                .append(", counters as of ").append(TIME.format(Instant.ofEpochSecond(s.updated()))).append('\n');
        row(b, "requests", Long.toString(s.requests()));
        row(b, "contexts", (s.contextsSki() + s.contextsSkpi()) + " (ski " + s.contextsSki() + ", skpi "
                + s.contextsSkpi() + ")");
        row(b, "failures", Long.toString(s.failures()));
        row(b, "  by status", nonZero(s.byStatus()));
        row(b, "  by reason", nonZero(s.byReason()));
        row(b, "dropped", "shed " + s.shed() + ", timed out " + s.timedOut() + ", malformed " + s.malformed());
        row(b, "peers refused", Long.toString(s.peersRefused()));
        row(b, "prime checks", s.primeChecks() + " (failed " + s.primeChecksFailed() + ")");
        Snapshot.Latency l = s.latency();
        row(b, "latency", l.count() == 0 ? "no requests yet"
                : "p50 <= " + micros(l.quantileMicros(0.5)) + ", p90 <= " + micros(l.quantileMicros(0.9))
                + ", p99 <= " + micros(l.quantileMicros(0.99)) + ", max " + micros((l.maxNanos() + 999) / 1000)
                + " (" + l.count() + " requests)");
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(java.util.Locale.ROOT, "%-15s %s%n", name, value));
    }

    private static String nonZero(Map<String, Long> m) {
        String s = m.entrySet().stream().filter(e -> e.getValue() != 0).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "-" : s;
    }

    static String micros(long us) {
        if (us < 1000) {
            return us + " us";
        }
        if (us < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f ms", us / 1000.0);
        }
        return String.format(java.util.Locale.ROOT, "%.2f s", us / 1e6);
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 86400 ? s / 86400 + "d" + (s % 86400) / 3600 + "h" : s >= 3600 ? s / 3600 + "h" + (s % 3600) / 60 + "m"
                : s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
    }
}
