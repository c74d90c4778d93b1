package lsk.cmd;

import java.util.ArrayList;
import java.util.List;

/**
 * A GNU getopt_long work-alike: the same argument permutation, attached and separate option
 * values, clustered flags, unique-prefix long options, {@code --name=value}, {@code --} and
 * the same diagnostics (glibc wording), so that drop-in commands fail exactly as the C ones.
 *
 * <p>{@link #parse} returns the options in order as events; an event with {@code val == '?'}
 * carries the diagnostic glibc would have printed at that point. Callers handle events in
 * order and print the diagnostic when they reach it, which reproduces C's interleaving of
 * option side effects and getopt messages.
 */
public final class Getopt {

    /** One long option: {@code --name}, with or without a required argument, mapped to {@code val}. */
    public record LongOpt(String name, boolean hasArg, int val) {
    }

    /**
     * One parsed option.
     *
     * @param val   the option character (or long-only value), {@code '?'} on error
     * @param arg   its argument, or null
     * @param error the diagnostic line (with newline) for {@code '?'}, else null
     */
    public record Event(int val, String arg, String error) {
    }

    /** @param operands the non-option arguments, in order (GNU permutation moves them last) */
    public record Result(List<Event> events, List<String> operands) {
    }

    private Getopt() {
    }

    /** The options {@link #parse} accepts with these tables, as spelled on a command line ("-a", "--ascii"). */
    public static List<String> spellings(String optstring, List<LongOpt> longOpts) {
        List<String> out = new ArrayList<>();
        for (char c : optstring.toCharArray()) {
            if (c != ':' && c != '+') {
                out.add("-" + c);
            }
        }
        for (LongOpt o : longOpts) {
            out.add("--" + o.name());
        }
        return List.copyOf(out);
    }

    /**
     * @param prog           argv[0], the prefix of diagnostics
     * @param args           the arguments after argv[0]
     * @param optstring      short options as for getopt ({@code "c:"} = takes a value)
     * @param longOpts       long options
     * @param posixlyCorrect stop at the first non-option (POSIXLY_CORRECT or a leading '+')
     */
    public static Result parse(String prog, List<String> args, String optstring, List<LongOpt> longOpts,
            boolean posixlyCorrect) {
        if (optstring.startsWith("+")) {
            posixlyCorrect = true;
            optstring = optstring.substring(1);
        }
        List<Event> events = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        int i = 0;
        while (i < args.size()) {
            String a = args.get(i++);
            if (a.equals("--")) {
                operands.addAll(args.subList(i, args.size()));
                break;
            }
            if (!a.startsWith("-") || a.length() == 1) {
                operands.add(a);
                if (posixlyCorrect) {
                    operands.addAll(args.subList(i, args.size()));
                    break;
                }
                continue;
            }
            if (a.startsWith("--")) {
                i = longOption(prog, a.substring(2), args, i, longOpts, events);
                continue;
            }
            // A cluster of short options: -abc, -fVALUE, -f VALUE.
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                int at = c == ':' ? -1 : optstring.indexOf(c);
                if (at < 0) {
                    events.add(new Event('?', null, prog + ": invalid option -- '" + c + "'\n"));
                    continue;
                }
                boolean hasArg = at + 1 < optstring.length() && optstring.charAt(at + 1) == ':';
                if (!hasArg) {
                    events.add(new Event(c, null, null));
                    continue;
                }
                if (k + 1 < a.length()) {
                    events.add(new Event(c, a.substring(k + 1), null));
                } else if (i < args.size()) {
                    events.add(new Event(c, args.get(i++), null));
                } else {
                    events.add(new Event('?', null, prog + ": option requires an argument -- '" + c + "'\n"));
                }
                break;
            }
        }
        return new Result(events, operands);
    }

    private static int longOption(String prog, String text, List<String> args, int i, List<LongOpt> longOpts,
            List<Event> events) {
        int eq = text.indexOf('=');
        String name = eq < 0 ? text : text.substring(0, eq);
        LongOpt found = null;
        for (LongOpt o : longOpts) {
            if (o.name().equals(name)) {
                found = o;
                break;
            }
        }
        if (found == null) {
            List<LongOpt> matches = new ArrayList<>();
            boolean ambiguous = false;
            for (LongOpt o : longOpts) {
                if (o.name().startsWith(name)) {
                    if (!matches.isEmpty()) {
                        LongOpt first = matches.get(0);
                        if (first.hasArg() != o.hasArg() || first.val() != o.val()) {
                            ambiguous = true;
                        }
                    }
                    matches.add(o);
                }
            }
            if (ambiguous) {
                StringBuilder sb = new StringBuilder(prog + ": option '--" + text + "' is ambiguous; possibilities:");
                for (LongOpt o : matches) {
                    sb.append(" '--").append(o.name()).append('\'');
                }
                events.add(new Event('?', null, sb.append('\n').toString()));
                return i;
            }
            if (matches.isEmpty()) {
                events.add(new Event('?', null, prog + ": unrecognized option '--" + text + "'\n"));
                return i;
            }
            found = matches.get(0);
        }
        if (eq >= 0) {
            if (!found.hasArg()) {
                events.add(new Event('?', null, prog + ": option '--" + found.name() + "' doesn't allow an argument\n"));
            } else {
                events.add(new Event(found.val(), text.substring(eq + 1), null));
            }
            return i;
        }
        if (found.hasArg()) {
            if (i < args.size()) {
                events.add(new Event(found.val(), args.get(i), null));
                return i + 1;
            }
            events.add(new Event('?', null, prog + ": option '--" + found.name() + "' requires an argument\n"));
            return i;
        }
        events.add(new Event(found.val(), null, null));
        return i;
    }
}
