package lsk.tools;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lsk.base.CNumbers;
import lsk.cmd.Getopt;

/**
 * The diagnostic commands' command line, parsed by {@link Getopt} as long options only, and
 * strictly: every option known, given at most once, with a value; no positional arguments.
 * Values are parsed strictly too (numbers as C {@code strtoull(s, NULL, 0)} would read them,
 * but the whole string must be a number: no sign, no blanks, no trailing text). Immutable.
 */
final class ToolArgs {
    /** A bad command line; the message names the option at fault. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** Long-only option values start above every char getopt could return for a short option. */
    private static final int FIRST_VAL = 0x100;

    private final Map<String, String> values;

    private ToolArgs(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /**
     * Parses {@code args} against the option names (without the leading dashes), all of which
     * take a value. As getopt_long, a unique prefix of a name is that name.
     *
     * @param command the command's name, for getopt's diagnostics (left out of the message)
     */
    static ToolArgs parse(String command, List<String> args, List<String> names) throws UsageException {
        List<Getopt.LongOpt> opts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            opts.add(new Getopt.LongOpt(names.get(i), true, FIRST_VAL + i));
        }
        String prog = "lsk " + command;
        Getopt.Result r = Getopt.parse(prog, args, "", opts, false);
        Map<String, String> v = new LinkedHashMap<>();
        for (Getopt.Event ev : r.events()) {
            if (ev.val() < FIRST_VAL) {
                // getopt's glibc-worded diagnostic, "<prog>: ...\n", as the message.
                throw new UsageException(ev.error().substring(prog.length() + 2).strip());
            }
            String name = names.get(ev.val() - FIRST_VAL);
            if (v.put(name, ev.arg()) != null) {
                throw new UsageException("option --" + name + " given twice");
            }
        }
        if (!r.operands().isEmpty()) {
            throw new UsageException("unexpected argument '" + r.operands().get(0) + "'");
        }
        return new ToolArgs(v);
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
     * Reads an unsigned number like {@code strtoull(s, &end, 0)} with {@code *end == '\0'}
     * ({@link CNumbers#strtoull}); values over {@code bits} bits are refused.
     */
    static BigInteger number(String name, String s, int bits) throws UsageException {
        long n;
        try {
            n = CNumbers.strtoull(s);
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
