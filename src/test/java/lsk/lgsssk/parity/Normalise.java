package lsk.lgsssk.parity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's normalisations, applied alike to C's recorded text and to lsk's: key and
 * keyring serials (renamed S1, S2... in order of first appearance in the case, so a serial
 * that reappears must reappear in the same place), rotation timestamps, /proc/keys timeouts
 * (they tick down: only "perm" or not is kept), masked prime dump lines, and lsk's
 * {@code lsk options:} usage appendix (a documented extension).
 */
public final class Normalise {
    private static final Pattern SERIAL = Pattern.compile("(?<=(?<![.\\w])[Kk]ey )\\d+\\b");
    private static final Pattern STAMP = Pattern.compile("\\b\\d{8}_\\d{6}_\\d{6}\\b");
    private static final Pattern TIMEOUT = Pattern.compile("proc_timeout_perm=\\[(?!perm )\\S+ ");
    private static final Pattern LSK_OPTIONS = Pattern.compile("\\nlsk options:\\n(?:(?:--| )[^\\n]*\\n)*");
    private static final Pattern HEX_LINE = Pattern.compile("  [0-9a-f]{4}: .*");

    private final Map<String, String> serials = new LinkedHashMap<>();

    /** One per case and side: serial names are consistent across the case's steps. */
    public Normalise() {
    }

    public String apply(String s) {
        if (s == null) {
            return null;
        }
        Matcher m = SERIAL.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = serials.computeIfAbsent(m.group(), k -> "S" + (serials.size() + 1));
            m.appendReplacement(sb, name);
        }
        m.appendTail(sb);
        s = STAMP.matcher(sb.toString()).replaceAll("TIMESTAMP");
        s = TIMEOUT.matcher(s).replaceAll("proc_timeout_perm=[TIMEOUT ");
        return LSK_OPTIONS.matcher(s).replaceAll("");
    }

    /** mask_prime: in a run of hex dump lines, those after the 8th (the prime's) are masked. */
    public static String maskPrime(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int run = 0;
        for (String line : s.split("\n", -1)) {
            run = HEX_LINE.matcher(line).matches() ? run + 1 : 0;
            sb.append(run > 8 ? "  MASKED" : line).append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** The case directory and the tool's path as invoked become DIR and PROG, as in C's record. */
    public static String paths(String s, String dir, String prog) {
        if (s == null) {
            return null;
        }
        s = s.replace(dir, "DIR");
        return prog == null ? s : s.replace(prog, "PROG");
    }
}
