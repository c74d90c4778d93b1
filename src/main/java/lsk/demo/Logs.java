package lsk.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The demo's log files: what a failed step quotes from them, and best-effort appending. */
final class Logs {
    private Logs() {
    }

    /** The last four lines of {@code log}, joined, for a failure message. */
    static String tail(Path log) {
        try {
            List<String> l = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return l.isEmpty() ? "(no output)" : String.join(" | ", l.subList(Math.max(0, l.size() - 4), l.size()));
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    static void append(Path log, String line) {
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // logging is best effort
        }
    }
}
