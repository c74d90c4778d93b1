package lsk.keys;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import lsk.base.LskException;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;
import lsk.keyring.Keyring;
import lsk.keyring.KeyringException;
import lsk.keyring.SkKeyring;

/** {@code lsk keys load|list|rotate}: see the package documentation and {@link #USAGE}. */
public final class KeysCommand implements Command {
    public static final String USAGE = """
            usage: lsk keys load [-c|--client] [-v] PATH
                   lsk keys list
                   lsk keys rotate [-x|--timeout SECONDS] [-n|--no-load] [--random-prime] [-d|--data FILE] [-v] KEYFILE...
              load    what mount.lustre -o skpath=PATH loads: PATH a key file, or a directory whose regular
                      files (dot files too) are all loaded, each as lgss_sk -l loads it; any failure is
                      reported and fails the command. --client: as on a client mount (server keys are
                      made client keys on disk, client keys get randomized descriptions).
              list    the SSK keys in the user keyring: description, type, file system, nodemap, context
                      expiry (seconds) and keyring timeout from /proc/keys; never key bytes.
              rotate  writes the next key of each KEYFILE (same parameters, a new shared key, shared by
                      files that share one now; client keys a new prime), loads it beside the current one
                      (lgss_sk -s), gives the former keys SECONDS to live (default 172800), and prints
                      which file goes to which nodes.
            """;

    private static final List<Getopt.LongOpt> LOAD_OPTS = List.of(new Getopt.LongOpt("client", false, 'c'),
            new Getopt.LongOpt("verbose", false, 'v'), new Getopt.LongOpt("help", false, 'h'));
    private static final int OPT_RANDOM_PRIME = 1000;
    private static final List<Getopt.LongOpt> ROTATE_OPTS = List.of(new Getopt.LongOpt("timeout", true, 'x'),
            new Getopt.LongOpt("no-load", false, 'n'), new Getopt.LongOpt("random-prime", false, OPT_RANDOM_PRIME),
            new Getopt.LongOpt("data", true, 'd'), new Getopt.LongOpt("verbose", false, 'v'),
            new Getopt.LongOpt("help", false, 'h'));
    private static final String LOAD_OPTSTRING = "cvh";
    private static final String LIST_OPTSTRING = "h";
    private static final List<Getopt.LongOpt> LIST_OPTS = LOAD_OPTS.subList(2, 3);
    private static final String ROTATE_OPTSTRING = "x:nd:vh";

    /** The options of load, list and rotate together (the man page documents each under its subcommand). */
    @Override
    public List<String> options() {
        Set<String> all = new LinkedHashSet<>(Getopt.spellings(LOAD_OPTSTRING, LOAD_OPTS));
        all.addAll(Getopt.spellings(LIST_OPTSTRING, LIST_OPTS));
        all.addAll(Getopt.spellings(ROTATE_OPTSTRING, ROTATE_OPTS));
        return List.copyOf(all);
    }

    @Override
    public int run(List<String> args, Io io) {
        if (args.isEmpty()) {
            io.err().print(USAGE);
            return 1;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case "load" -> load(rest, io);
            case "list" -> list(rest, io);
            case "rotate" -> rotate(rest, io);
            case "-h", "--help", "help" -> {
                io.out().print(USAGE);
                yield 0;
            }
            default -> {
                io.err().print("lsk keys: unknown subcommand '" + args.get(0) + "'\n" + USAGE);
                yield 1;
            }
        };
    }

    private static int load(List<String> args, Io io) {
        Getopt.Result r = Getopt.parse("lsk keys load", args, LOAD_OPTSTRING, LOAD_OPTS, false);
        boolean client = false;
        int verbose = 1; // mount.lustre's sk_init_logging(NULL, 1, 1)
        for (Getopt.Event e : r.events()) {
            switch (e.val()) {
                case 'c' -> client = true;
                case 'v' -> verbose++;
                case 'h' -> {
                    io.out().print(USAGE);
                    return 0;
                }
                default -> {
                    return usageError(io, e.error());
                }
            }
        }
        if (r.operands().size() != 1) {
            return usageError(io, "lsk keys load: exactly one PATH (a key file or directory)\n");
        }
        SkKeyring kr;
        try {
            kr = SkKeyring.open(io.err(), verbose);
        } catch (LskException e) {
            io.err().print("lsk keys load: cannot open the kernel keyring: " + e.getMessage() + "\n");
            return 1;
        }
        String path = r.operands().get(0);
        int rc = SkPath.load(path, new KeyFileLoad(io, kr, client, lockTimeout(io)), io.err(), io::resolve);
        if (rc < 0) {
            io.err().print("lsk keys load: Error loading shared keys: " + KeyringException.strerror(-rc) + "\n");
        }
        return rc & 0xff; // mount.lustre returns the negative errno from main: 256 - errno
    }

    private static int list(List<String> args, Io io) {
        Getopt.Result r = Getopt.parse("lsk keys list", args, LIST_OPTSTRING, LIST_OPTS, false);
        for (Getopt.Event e : r.events()) {
            if (e.val() == 'h') {
                io.out().print(USAGE);
                return 0;
            }
            return usageError(io, e.error());
        }
        if (!r.operands().isEmpty()) {
            return usageError(io, "lsk keys list: unexpected argument '" + r.operands().get(0) + "'\n");
        }
        try {
            Keyring kr = Keyring.open();
            LoadedKeys.print(LoadedKeys.list(kr, ProcKeys.read(Path.of("/proc/keys"))), io.out());
            return 0;
        } catch (KeyringException e) {
            io.err().print("lsk keys list: " + e.getMessage() + "\n");
            return 1;
        } catch (IOException e) {
            io.err().print("lsk keys list: reading /proc/keys: " + e.getMessage() + "\n");
            return 1;
        }
    }

    private static int rotate(List<String> args, Io io) {
        Getopt.Result r = Getopt.parse("lsk keys rotate", args, ROTATE_OPTSTRING, ROTATE_OPTS, false);
        long timeout = SkKeyring.LoadOptions.DEFAULT_FORMER_KEY_TIMEOUT;
        boolean load = true;
        boolean randomPrime = false;
        String data = "/dev/random";
        int verbose = 0;
        for (Getopt.Event e : r.events()) {
            switch (e.val()) {
                case 'x' -> {
                    try {
                        timeout = Long.parseLong(e.arg());
                    } catch (NumberFormatException ex) {
                        timeout = -1;
                    }
                    if (timeout < 0 || timeout > Integer.MAX_VALUE) {
                        return usageError(io, "lsk keys rotate: invalid timeout '" + e.arg() + "'\n");
                    }
                }
                case 'n' -> load = false;
                case OPT_RANDOM_PRIME -> randomPrime = true;
                case 'd' -> data = e.arg();
                case 'v' -> verbose++;
                case 'h' -> {
                    io.out().print(USAGE);
                    return 0;
                }
                default -> {
                    return usageError(io, e.error());
                }
            }
        }
        if (r.operands().isEmpty()) {
            return usageError(io, "lsk keys rotate: no KEYFILE given\n");
        }
        Rotation.Options o = new Rotation.Options(timeout, load, randomPrime, data, verbose, lockTimeout(io));
        return new Rotation(io, o).run(r.operands(), SkKeyring::open);
    }

    private static int usageError(Io io, String message) {
        io.err().print(message);
        io.err().print(USAGE);
        return 1;
    }

    /** LSK_LOCK_TIMEOUT seconds (as lgss_sk -m), default 60. */
    private static Duration lockTimeout(Io io) {
        try {
            long s = Long.parseLong(io.env().getOrDefault("LSK_LOCK_TIMEOUT", "60").trim());
            return Duration.ofSeconds(Math.max(0, s));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(60);
        }
    }
}
