package lsk.kernel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lsk.base.DecodeException;
import lsk.base.Printable;

/**
 * A Lustre version as the kernel reports it in {@code /sys/fs/lustre/version} (the
 * {@code LUSTRE_VERSION_STRING} of the build, e.g. {@code 2.16.1} or
 * {@code 2.17.51_23_g1234abc}): major.minor.patch[.fix], compared numerically. A suffix after
 * the numbers (git describe, vendor tag) is kept for messages and ignored for ordering.
 */
public record LustreVersion(int major, int minor, int patch, int fix, String text) implements Comparable<LustreVersion> {
    // Up to four dot-separated numbers without leading zeros (2.17.06 is no Lustre version and
    // would print differently from what was read), then nothing or a suffix that starts with a
    // separator a build system uses (_ - + ~); "lustre: " as older /proc/fs/lustre/version files start.
    private static final String NUM = "(0|[1-9]\\d{0,3})";
    private static final Pattern FORM = Pattern.compile("(?:lustre:\\s*)?" + NUM + "\\." + NUM + "\\." + NUM
            + "(?:\\." + NUM + ")?([_+~-][\\x21-\\x7e]{0,64})?");

    /**
     * Parses one version string; {@code source} names where it came from and is the field of
     * the {@link DecodeException}.
     */
    public static LustreVersion parse(String s, String source) throws DecodeException {
        String t = s.strip();
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            throw new DecodeException(source, "'" + Printable.masked(t.substring(0, Math.min(t.length(), 80)), 80)
                    + "' is not a Lustre version (expected major.minor.patch, e.g. 2.16.1)");
        }
        return new LustreVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                t.startsWith("lustre:") ? t.substring(7).strip() : t);
    }

    /** A version given by numbers (tests, the ABI table's range ends). */
    public static LustreVersion of(int major, int minor, int patch) {
        return new LustreVersion(major, minor, patch, 0, major + "." + minor + "." + patch);
    }

    @Override
    public int compareTo(LustreVersion o) {
        int c = Integer.compare(major, o.major);
        c = c != 0 ? c : Integer.compare(minor, o.minor);
        c = c != 0 ? c : Integer.compare(patch, o.patch);
        return c != 0 ? c : Integer.compare(fix, o.fix);
    }

    public boolean atLeast(int ma, int mi, int pa) {
        return compareTo(of(ma, mi, pa)) >= 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
