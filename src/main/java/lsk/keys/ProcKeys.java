package lsk.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of {@code /proc/keys} that keyctl does not give: flags and the timeout as the
 * kernel prints it ({@code perm}, {@code expd}, or what is left: {@code 59s}, {@code 47m},
 * {@code 23h}, {@code 6d}, {@code 2w}). Lines are {@code serial flags usage timeout perm uid
 * gid type description: summary}; only the first four fields are read here.
 *
 * @param flags   the 7 flag letters ({@code R} revoked, {@code D} dead, {@code i} invalidated ...)
 * @param timeout the timeout column
 */
public record ProcKeys(String flags, String timeout) {

    /** Whether the key is revoked, dead or invalidated: no longer usable, only not yet collected. */
    boolean gone() {
        return flags.indexOf('R') >= 0 || flags.indexOf('D') >= 0 || flags.indexOf('i') >= 0;
    }

    /** Serial to columns, for every key this process may view. */
    public static Map<Integer, ProcKeys> read(Path file) throws IOException {
        return parse(Files.readAllLines(file));
    }

    static Map<Integer, ProcKeys> parse(List<String> lines) {
        Map<Integer, ProcKeys> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+", 5);
            if (f.length < 5) {
                continue;
            }
            try {
                out.put(Integer.parseUnsignedInt(f[0], 16), new ProcKeys(f[1], f[3]));
            } catch (NumberFormatException e) {
                // not a key line: skip it rather than fail the whole listing
            }
        }
        return out;
    }
}
