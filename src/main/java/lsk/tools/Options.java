package lsk.tools;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strict {@code --name VALUE} option parsing for the diagnostic commands: every option known,
 * given at most once, with a value; no positional arguments. Values are parsed strictly too
 * (numbers as C {@code strtoull(s, NULL, 0)} would read them, but the whole string must be a
 * number: no sign, no blanks, no trailing text).
 */
final class Options {
    /** A bad command line; the message names the option at fault. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    /** Parses {@code args} against the allowed option names (without the leading dashes). */
    static Options parse(List<String> args, Set<String> allowed) throws UsageException {
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!allowed.contains(name)) {
                throw new UsageException("unknown option --" + name);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (v.put(name, value) != null) {
                throw new UsageException("option --" + name + " given twice");
            }
        }
        return new Options(v);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    String required(String name) throws UsageException {
        String s = values.get(name);
        if (s == null) {
            throw new UsageException("missing option --" + name);
        }
        return s;
    }

    /** An unsigned 64-bit number (returned as the same bits in a long). */
    long u64(String name) throws UsageException {
        return number(name, required(name), 64).longValue();
    }

    /** An unsigned 32-bit number (returned as the same bits in an int). */
    int u32(String name) throws UsageException {
        return number(name, required(name), 32).intValue();
    }

    /** Hex bytes; with {@code exactLength >= 0} the byte count is checked too. */
    Optional<byte[]> hex(String name, int exactLength) throws UsageException {
        Optional<String> s = get(name);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        byte[] b;
        try {
            b = HexFormat.of().parseHex(s.get());
        } catch (IllegalArgumentException e) {
            throw new UsageException("option --" + name + ": not an even-length hex string");
        }
        if (exactLength >= 0 && b.length != exactLength) {
            throw new UsageException("option --" + name + ": " + b.length + " bytes, expected " + exactLength);
        }
        return Optional.of(b);
    }

    /**
     * Reads an unsigned number like {@code strtoull(s, &end, 0)} with {@code *end == '\0'}:
     * {@code 0x}/{@code 0X} hex, a leading {@code 0} octal, else decimal. Signs, blanks,
     * empty strings and values over {@code bits} bits are refused (strtoull would accept some).
     */
    static BigInteger number(String name, String s, int bits) throws UsageException {
        long n;
        try {
            n = lsk.base.CNumbers.strtoull(s);
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + ": " + e.getMessage() + " (decimal, 0x-hex or 0-octal)");
        }
        BigInteger v = new BigInteger(Long.toUnsignedString(n));
        if (v.bitLength() > bits) {
            throw new UsageException("option --" + name + ": " + s + " does not fit in " + bits + " bits");
        }
        return v;
    }
}
