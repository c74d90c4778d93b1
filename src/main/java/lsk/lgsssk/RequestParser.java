package lsk.lgsssk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import lsk.cmd.Getopt;
import lsk.keyfile.KeyConfig;
import lsk.keyring.SkKeyring;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;

/**
 * {@code lgss_sk}'s argv to a {@link Request}, with the C tool's options, checks, messages and
 * their order: options are checked one by one as C's getopt loop does (so a warning for an
 * early option is printed before the error of a later one), then the operation is chosen.
 * Pure: what is to be printed comes back as {@link Note}s.
 */
final class RequestParser {
    static final int MAX_FSNAME = 64;  // MTI_NAME_MAXLEN
    static final int MAX_NODEMAP = 16; // LUSTRE_NODEMAP_NAME_LENGTH

    private static final String OPTSTRING = "ac:d:e:f:g:hi:k:l:m:n:p:r:R:st:u:vw:x:";
    /** Value of the lsk-only long option --random-prime (outside the char range of short options). */
    private static final int OPT_RANDOM_PRIME = 0x100;
    private static final List<Getopt.LongOpt> LONG_OPTS = List.of(
            new Getopt.LongOpt("ascii", false, 'a'),
            new Getopt.LongOpt("crypt", true, 'c'),
            new Getopt.LongOpt("data", true, 'd'),
            new Getopt.LongOpt("expire", true, 'e'),
            new Getopt.LongOpt("fsname", true, 'f'),
            new Getopt.LongOpt("mgsnids", true, 'g'),
            new Getopt.LongOpt("help", false, 'h'),
            new Getopt.LongOpt("hmac", true, 'i'),
            new Getopt.LongOpt("integrity", true, 'i'),
            new Getopt.LongOpt("key-bits", true, 'k'),
            new Getopt.LongOpt("shared", true, 'k'),
            new Getopt.LongOpt("load", true, 'l'),
            new Getopt.LongOpt("modify", true, 'm'),
            new Getopt.LongOpt("nodemap", true, 'n'),
            new Getopt.LongOpt("prime-bits", true, 'p'),
            new Getopt.LongOpt("read", true, 'r'),
            new Getopt.LongOpt("remove", true, 'R'),
            new Getopt.LongOpt("suffix", false, 's'),
            new Getopt.LongOpt("type", true, 't'),
            new Getopt.LongOpt("update", true, 'u'),
            new Getopt.LongOpt("verbose", false, 'v'),
            new Getopt.LongOpt("write", true, 'w'),
            new Getopt.LongOpt("timeout", true, 'x'),
            new Getopt.LongOpt("random-prime", false, OPT_RANDOM_PRIME));

    /** One piece of text for stdout ({@code toOut}) or stderr, printed in order before anything runs. */
    record Note(boolean toOut, String text) {
        static Note err(String text) {
            return new Note(false, text);
        }
    }

    /** The notes, and the request to run; without a request the run ends after the notes with exit 1. */
    record Parsed(List<Note> notes, Optional<Request> request) {
        Parsed {
            notes = List.copyOf(notes);
        }
    }

    private RequestParser() {
    }

    /** The options {@link #parse} accepts (for the man page). */
    static List<String> options() {
        return Getopt.spellings(OPTSTRING, LONG_OPTS);
    }

    static Parsed parse(String prog, List<String> args, boolean posixlyCorrect) {
        Getopt.Result parsed = Getopt.parse(prog, args, OPTSTRING, LONG_OPTS, posixlyCorrect);
        List<Note> notes = new ArrayList<>();
        for (Getopt.Event ev : parsed.events()) {
            if (!accept(ev, prog, notes)) {
                return new Parsed(notes, Optional.empty());
            }
        }
        Optional<Request> request = choose(new Given(parsed.events()), parsed.operands(), prog, notes);
        return new Parsed(notes, request);
    }

    /** One option as C's getopt loop checks it: false (after its notes) if the run stops here. */
    private static boolean accept(Getopt.Event ev, String prog, List<Note> notes) {
        String arg = ev.arg();
        switch (ev.val()) {
            case 'e':
                if (atoi(arg) < 60) {
                    notes.add(Note.err("warning: using a " + Integer.toUnsignedString(atoi(arg))
                            + "s key expiration may cause issues during key renegotiation\n"));
                }
                return true;
            case 'f':
                return fits(cBytes(arg), MAX_FSNAME, "file system name", notes);
            case 'n':
                return fits(cBytes(arg), MAX_NODEMAP, "nodemap name", notes);
            case 'h':
                notes.add(new Note(true, Printer.usage(prog)));
                return false;
            case 'p':
                return atoi(arg) > 0 || stop(notes, "error: invalid prime length: '" + arg + "'\n");
            case 't':
                return parseType(arg).isPresent()
                        || stop(notes, "error: invalid type '" + arg + "', must be mgs, server, or client\n");
            case 'a', 'c', 'd', 'g', 'i', 'k', 'l', 'm', 'r', 'R', 's', 'u', 'v', 'w', 'x', OPT_RANDOM_PRIME:
                return true;
            default:
                notes.add(Note.err(ev.error()));
                return stop(notes, "error: unknown option: '?'\n");
        }
    }

    private static boolean fits(String name, int max, String what, List<Note> notes) {
        return name.length() <= max || stop(notes, "error: " + what + " longer than " + max + " characters\n");
    }

    private static boolean stop(List<Note> notes, String message) {
        notes.add(Note.err(message));
        return false;
    }

    /** After every option passed: the operation C's main() picks, or empty (after notes) for exit 1. */
    private static Optional<Request> choose(Given g, List<String> operands, String prog, List<Note> notes) {
        if (!operands.isEmpty()) {
            notes.add(Note.err("error: extraneous arguments provided, check usage\n"));
            return Optional.empty();
        }
        Optional<String> read = g.last('r');
        Optional<String> write = g.last('w');
        Optional<String> load = g.last('l');
        Optional<String> modify = g.last('m');
        Optional<String> remove = g.last('R');
        if (read.isEmpty() && write.isEmpty() && load.isEmpty() && modify.isEmpty() && remove.isEmpty()) {
            notes.add(Note.err(Printer.usage(prog)));
            return Optional.empty();
        }
        if (remove.isPresent() && (load.isPresent() || modify.isPresent() || read.isPresent() || write.isPresent())) {
            notes.add(Note.err("error: remove option cannot be combined with other operations\n"));
            notes.add(Note.err(Printer.usage(prog)));
            return Optional.empty();
        }
        Optional<String> update = g.last('u');
        boolean suffix = g.has('s');
        int timeout = g.last('x').map(RequestParser::atoi).orElse(-1);
        if ((update.isPresent() && load.isEmpty()) || (suffix && load.isEmpty()) || (timeout != -1 && !suffix)) {
            notes.add(Note.err(Printer.usage(prog)));
            return Optional.empty();
        }
        if (read.isPresent()) {
            return Optional.of(new Request.Read(read.get()));
        }
        int verbose = g.count('v');
        if (load.isPresent()) {
            boolean asClient = (g.types() & KeyConfig.TYPE_CLIENT) != 0;
            long former = timeout == -1 ? SkKeyring.LoadOptions.DEFAULT_FORMER_KEY_TIMEOUT : timeout;
            return Optional.of(new Request.Load(load.get(), asClient, g.has(OPT_RANDOM_PRIME), verbose, suffix,
                    former, update.orElse(null)));
        }
        if (remove.isPresent()) {
            return Optional.of(new Request.Remove(remove.get(), verbose));
        }
        return writeOrModify(g, modify, write.orElse(null), notes);
    }

    private static Optional<Request> writeOrModify(Given g, Optional<String> modify, String write, List<Note> notes) {
        Optional<String> crypt = g.last('c');
        Optional<String> hmac = g.last('i');
        if (crypt.isPresent() && CryptAlg.byName(crypt.get()).isEmpty()) {
            notes.add(Note.err("error: invalid crypt algorithm specified\n"));
            return Optional.empty();
        }
        if (hmac.isPresent() && HmacAlg.byName(hmac.get()).isEmpty()) {
            notes.add(Note.err("error: invalid HMAC algorithm specified\n"));
            return Optional.empty();
        }
        Optional<String> datafile = g.last('d');
        if (modify.isPresent() && datafile.isPresent()) {
            notes.add(Note.err("error: data file option not valid in key modify\n"));
            return Optional.empty();
        }
        int type = g.types();
        Request.Changes changes = new Request.Changes(
                type == 0 ? OptionalInt.empty() : OptionalInt.of(type),
                crypt.flatMap(CryptAlg::byName).filter(a -> a != CryptAlg.NONE),
                hmac.flatMap(HmacAlg::byName).filter(a -> a != HmacAlg.NONE),
                given(g.last('e')), given(g.last('k')), given(g.last('p')),
                g.last('f').map(RequestParser::cBytes), g.last('n').map(RequestParser::cBytes), g.last('g'));
        boolean ascii = g.has('a');
        boolean randomPrime = g.has(OPT_RANDOM_PRIME);
        if (modify.isPresent()) {
            return Optional.of(new Request.Modify(modify.get(), changes, ascii, randomPrime));
        }
        return Optional.of(new Request.Write(write, changes, datafile.orElse("/dev/random"), ascii, randomPrime));
    }

    /** A number option as C keeps it: atoi of the last one given, -1 meaning "not given". */
    private static OptionalInt given(Optional<String> arg) {
        int v = arg.map(RequestParser::atoi).orElse(-1);
        return v == -1 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** The options that passed {@link #accept}, asked as C's variables would be after the loop. */
    private record Given(List<Getopt.Event> events) {
        /** The last value given (C overwrites its variable each time). */
        Optional<String> last(int opt) {
            Optional<String> v = Optional.empty();
            for (Getopt.Event e : events) {
                if (e.val() == opt) {
                    v = Optional.of(e.arg());
                }
            }
            return v;
        }

        boolean has(int opt) {
            return count(opt) > 0;
        }

        int count(int opt) {
            return (int) events.stream().filter(e -> e.val() == opt).count();
        }

        /** Every {@code -t} adds its types (C ORs them into one mask); 0 when none was given. */
        int types() {
            return events.stream().filter(e -> e.val() == 't').mapToInt(e -> parseType(e.arg()).orElseThrow())
                    .reduce(0, (a, b) -> a | b);
        }
    }

    /** A {@code -t} value: strsep semantics, every comma-separated element must name a type. */
    static OptionalInt parseType(String arg) {
        int mask = 0;
        for (String t : arg.split(",", -1)) {
            if (t.equalsIgnoreCase("server")) {
                mask |= KeyConfig.TYPE_SERVER;
            } else if (t.equalsIgnoreCase("mgs")) {
                mask |= KeyConfig.TYPE_MGS;
            } else if (t.equalsIgnoreCase("client")) {
                mask |= KeyConfig.TYPE_CLIENT;
            } else {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.of(mask);
    }

    /** C atoi (glibc: strtol clamped to long, then truncated to int). */
    static int atoi(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && (s.charAt(i) == ' ' || (s.charAt(i) >= '\t' && s.charAt(i) <= '\r'))) {
            i++;
        }
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        long v = 0;
        boolean overflow = false;
        for (; i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
            int d = s.charAt(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                overflow = true;
            } else {
                v = v * 10 + d;
            }
        }
        if (overflow) {
            v = neg ? Long.MIN_VALUE : Long.MAX_VALUE;
        } else if (neg) {
            v = -v;
        }
        return (int) v;
    }

    /** A command-line string as the bytes C sees (UTF-8), one char per byte, as KeyConfig stores names. */
    static String cBytes(String arg) {
        return new String(arg.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
