package lsk.base;

/**
 * Numbers as the C tools read them with {@code strtoull(s, &end, 0)} and {@code *end == '\0'},
 * minus strtoull's laxities: {@code 0x}/{@code 0X} hex, a leading {@code 0} octal, else decimal;
 * ASCII digits only, no whitespace, no sign, no overflow. One parser for the upcall line, the
 * callout info and command options.
 */
public final class CNumbers {
    /** Characters of a bad number quoted in the message. */
    private static final int MAX_SHOWN = 30;

    private CNumbers() {
    }

    /**
     * @return the value as an unsigned 64-bit number
     * @throws NumberFormatException saying why, quoting {@code s} (callers add the field name)
     */
    public static long strtoull(String s) {
        int radix = 10;
        String digits = s;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            digits = s.substring(2);
        } else if (s.length() > 1 && s.charAt(0) == '0') {
            radix = 8;
            digits = s.substring(1);
        }
        if (digits.isEmpty()) {
            throw new NumberFormatException("'" + s + "' is not a number");
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            // Character.digit alone would accept non-ASCII digits, which C never does.
            if (c > 0x7f || Character.digit(c, radix) < 0) {
                throw new NumberFormatException("'" + Printable.masked(s, MAX_SHOWN) + "' is not a base-" + radix
                        + " number");
            }
        }
        try {
            return Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + Printable.masked(s, MAX_SHOWN) + "' overflows 64 bits");
        }
    }
}
