package lsk.base;

import java.util.HexFormat;

/**
 * Text from outside made safe to print in one log line or message: control and non-ASCII
 * characters never reach a terminal or syslog as they are, and the length is bounded.
 */
public final class Printable {
    private Printable() {
    }

    /** Non-printable characters as {@code ?}, at most {@code max} characters, {@code ...} when cut. */
    public static String masked(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > max ? b.append("...").toString() : b.toString();
    }

    /** Non-printable characters as {@code \xNN} (their low byte), at most {@code max} characters kept. */
    public static String escaped(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append("\\x").append(HexFormat.of().toHexDigits((byte) c));
            }
        }
        return b.toString();
    }
}
