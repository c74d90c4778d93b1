package lsk.keyring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Independent view of the kernel's keys for tests: parses /proc/keys (one line per key the
 * reader may view: serial, flags, usage, timeout, perm, uid, gid, type, description and a
 * type-specific summary, for user keys ": <payload size>"). Does not use lsk code.
 */
record ProcKeys(int serial, String flags, String timeout, int perm, String type, String description,
        String summary) {

    private static final Pattern LINE = Pattern.compile(
            "^([0-9a-f]{8}) (\\S{7})\\s+(\\d+)\\s+(\\S+)\\s+([0-9a-f]{8})\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+(.*)$");

    /** Live keys (not revoked, dead or invalidated) whose description contains {@code tag}. */
    static List<ProcKeys> live(String tag) {
        List<ProcKeys> out = new ArrayList<>();
        for (ProcKeys k : all()) {
            if (k.description.contains(tag) && k.flags.indexOf('R') < 0 && k.flags.indexOf('D') < 0
                    && k.flags.indexOf('i') < 0) {
                out.add(k);
            }
        }
        return out;
    }

    static List<ProcKeys> all() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/keys"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ProcKeys> out = new ArrayList<>();
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                throw new IllegalStateException("unexpected /proc/keys line: " + l);
            }
            String rest = m.group(9);
            int cut = rest.lastIndexOf(": ");
            String desc = cut < 0 ? rest : rest.substring(0, cut);
            String summary = cut < 0 ? "" : rest.substring(cut + 2);
            out.add(new ProcKeys(Integer.parseUnsignedInt(m.group(1), 16), m.group(2), m.group(4),
                    Integer.parseUnsignedInt(m.group(5), 16), m.group(8), desc, summary));
        }
        return out;
    }

    static ProcKeys bySerial(int serial) {
        return all().stream().filter(k -> k.serial == serial).findFirst().orElse(null);
    }
}
