package lsk.tools;

import lsk.sk.KeyNames;
import lsk.base.Errno;
import lsk.cmd.Command;
import lsk.cmd.Io;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import lsk.base.LskException;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.keyfile.KeySource;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyring.SkKeyring;

/**
 * Diagnostic commands that replay a SEC_CTX_INIT exchange offline: {@code transcript} (both
 * sides), {@code respond} (server side on a captured client token) and {@code initiate}
 * (client side, optionally checking a captured reply).
 *
 * <p>Results go to standard output as {@code name: hex} lines. A failed exchange is a result
 * too: an {@code error:} line naming the check that failed and a {@code gss_major: 0x...}
 * line on standard output, exit 1. A bad command line gets a message and the usage on
 * standard error, exit 1.
 *
 * <p>These tools print key material (DH secrets, session and context keys) on purpose: they
 * are for test keys and captured test exchanges, never for production keys.
 */
public final class HandshakeTools {
    private static final String KEY_WARNING =
            "  These diagnostic tools PRINT SECRET KEY MATERIAL (DH secret, session, HMAC and\n"
            + "  encryption keys): use them only with test keys, never with production keys.\n";
    private static final String NUMBERS =
            "  Numbers are decimal, 0x-hex or 0-octal (as C strtoull base 0); HEX is even-length hex.\n";

    static final String TRANSCRIPT_USAGE =
            "usage: lsk transcript --client-key F --server-key F --target NAME --flags U32\n"
            + "         --client-nid U64 --client-random HEX --server-random HEX\n"
            + "         --client-private HEX --server-private HEX [--nodemap NAME]\n"
            + "  Runs a whole SK exchange between the two keys with the given randoms and DH private\n"
            + "  keys and prints client_token, server_token, shared_secret, session_key, hmac_key,\n"
            + "  encrypt_key, client_context, server_context as 'name: hex' lines.\n"
            + "  --nodemap: the nodemap the server's kernel reports for the client (default: the\n"
            + "  client key's). On failure: 'error: ...' and 'gss_major: 0x...' lines, exit 1.\n"
            + NUMBERS + KEY_WARNING;
    static final String RESPOND_USAGE =
            "usage: lsk respond --server-key F --client-nid U64 --nodemap NAME --token HEX\n"
            + "         [--server-random HEX] [--server-private HEX]\n"
            + "  Runs the responder on a client token; prints server_token and server_context,\n"
            + "  or 'error: ...' and 'gss_major: 0x...' lines and exits 1. Without a random or\n"
            + "  private key, fresh secure ones are used.\n"
            + NUMBERS + KEY_WARNING;
    static final String INITIATE_USAGE =
            "usage: lsk initiate --client-key F --target NAME --flags U32 --client-nid U64\n"
            + "         [--client-random HEX] [--client-private HEX] [--response HEX]\n"
            + "  Prints client_token; with --response also checks the server's token and prints\n"
            + "  client_context, or 'error: ...' and 'gss_major: 0x...' lines and exits 1.\n"
            + NUMBERS + KEY_WARNING;

    private HandshakeTools() {
    }

    public static Command transcript() {
        return new Tool("transcript", TRANSCRIPT_USAGE,
                List.of("client-key", "server-key", "target", "flags", "client-nid", "client-random",
                        "server-random", "client-private", "server-private", "nodemap"),
                HandshakeTools::transcript);
    }

    public static Command respond() {
        return new Tool("respond", RESPOND_USAGE,
                List.of("server-key", "client-nid", "nodemap", "token", "server-random", "server-private"),
                HandshakeTools::respond);
    }

    public static Command initiate() {
        return new Tool("initiate", INITIATE_USAGE,
                List.of("client-key", "target", "flags", "client-nid", "client-random", "client-private",
                        "response"),
                HandshakeTools::initiate);
    }

    private interface Body {
        void run(ToolArgs o, Io io, Printer out) throws ToolArgs.UsageException, LskException;
    }

    /** One tool: its long options (all with a value) and, alone, {@code -h}/{@code --help}. */
    private record Tool(String name, String usage, List<String> names, Body body) implements Command {
        @Override
        public int run(List<String> args, Io io) {
            return HandshakeTools.run(args, io, name, usage, names, body);
        }

        @Override
        public List<String> options() {
            List<String> all = new ArrayList<>(List.of("-h", "--help"));
            names.forEach(n -> all.add("--" + n));
            return List.copyOf(all);
        }
    }

    private static int run(List<String> args, Io io, String name, String usage, List<String> names, Body body) {
        if (args.size() == 1 && (args.get(0).equals("-h") || args.get(0).equals("--help"))) {
            io.out().print(usage);
            return 0;
        }
        Printer out = new Printer(io.out());
        try {
            body.run(ToolArgs.parse(name, args, names), io, out);
            return 0;
        } catch (ToolArgs.UsageException e) {
            io.err().println("error: " + e.getMessage());
            io.err().print(usage);
            return 1;
        } catch (GssException e) {
            out.line("error", e.getMessage());
            out.line("gss_major", "0x" + Integer.toHexString(e.major()));
            return 1;
        } catch (LskException e) {
            out.line("error", e.getMessage());
            return 1;
        }
    }

    private static void transcript(ToolArgs o, Io io, Printer out) throws ToolArgs.UsageException, LskException {
        KeyConfig clientKey = readKey(io, o, "client-key");
        KeyConfig serverKey = readKey(io, o, "server-key");
        String target = o.required("target");
        int flags = o.u32("flags");
        long nid = o.u64("client-nid");
        Entropy ce = entropy(o, "client-random", "client-private", true);
        Entropy se = entropy(o, "server-random", "server-private", true);
        String nodemap = o.get("nodemap").orElse(clientKey.nodemap());

        Initiator init = Initiator.start(clientKey, target, flags, nid, ce);
        byte[] clientToken = init.token();
        out.hex("client_token", clientToken);
        Responder.Detailed d = new Responder(serverKeySource(serverKey), NodemapResolver.NONE, se)
                .acceptDetailed(clientToken, nid, nodemap);
        d.secrets().wipe(); // the client side's copies are printed below
        byte[] serverToken = d.result().responseToken();
        out.hex("server_token", serverToken);
        Initiator.Outcome c = init.finishDetailed(serverToken);
        try {
            out.hex("shared_secret", c.secrets().kdfSecret());
            out.hex("session_key", c.secrets().sessionKey());
            out.hex("hmac_key", c.secrets().hmacKey());
            out.hex("encrypt_key", c.secrets().encryptKey());
        } finally {
            c.secrets().wipe();
        }
        out.hex("client_context", KernelContextCodec.encode(c.context()));
        out.hex("server_context", KernelContextCodec.encode(d.result().context()));
    }

    private static void respond(ToolArgs o, Io io, Printer out) throws ToolArgs.UsageException, LskException {
        KeyConfig serverKey = readKey(io, o, "server-key");
        long nid = o.u64("client-nid");
        String nodemap = o.required("nodemap");
        byte[] token = o.hex("token", -1).orElseThrow(() -> new ToolArgs.UsageException("missing option --token"));
        Entropy se = entropy(o, "server-random", "server-private", false);
        Responder.Result r = new Responder(serverKeySource(serverKey), NodemapResolver.NONE, se)
                .accept(token, nid, nodemap);
        out.hex("server_token", r.responseToken());
        out.hex("server_context", KernelContextCodec.encode(r.context()));
    }

    private static void initiate(ToolArgs o, Io io, Printer out) throws ToolArgs.UsageException, LskException {
        KeyConfig clientKey = readKey(io, o, "client-key");
        String target = o.required("target");
        int flags = o.u32("flags");
        long nid = o.u64("client-nid");
        Entropy ce = entropy(o, "client-random", "client-private", false);
        Optional<byte[]> response = o.hex("response", -1);
        Initiator init = Initiator.start(clientKey, target, flags, nid, ce);
        out.hex("client_token", init.token());
        if (response.isPresent()) {
            out.hex("client_context", KernelContextCodec.encode(init.finish(response.get())));
        }
    }

    /**
     * The keys a server would have in its keyring after {@code lgss_sk -l} of this one file:
     * {@code lustre:<fsname>:<nodemap>} for a server key, {@code lustre:MGS:<nodemap>} for an
     * mgs key. Any other description finds nothing, as on a real server.
     */
    static KeySource serverKeySource(KeyConfig key) {
        List<String> descriptions = new ArrayList<>();
        if (key.isServer()) {
            descriptions.add(KeyNames.server(key.fsname(), key.nodemap()));
        }
        if (key.isMgs()) {
            descriptions.add(KeyNames.mgs(key.nodemap()));
        }
        return d -> descriptions.contains(d) ? List.of(key) : List.of();
    }

    /** Key files, binary or ASCII, as {@code lgss_sk -r} reads them. */
    static KeyConfig readKey(Io io, ToolArgs o, String option) throws ToolArgs.UsageException, LskException {
        String name = o.required(option);
        Path p = io.resolve(name);
        byte[] file;
        try {
            file = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new LskException("cannot read --" + option + " '" + name + "': " + e.getMessage(),
                    Errno.of(e), e);
        }
        byte[] image = null;
        try {
            image = KeyFileCodec.isAscii(file) ? KeyFileCodec.asciiPayload(file) : file;
            return KeyFileCodec.decodeBinary(image);
        } catch (KeyFileFormatException e) {
            throw new LskException("--" + option + " '" + name + "': " + e.getMessage(), Errno.EINVAL, e);
        } finally {
            Arrays.fill(file, (byte) 0);
            if (image != null) {
                Arrays.fill(image, (byte) 0);
            }
        }
    }

    /**
     * Randomness for one side: the given 4-byte random and DH private key where given (to
     * replay a transcript), fresh secure values otherwise (unless {@code required}).
     */
    private static Entropy entropy(ToolArgs o, String randomOpt, String privateOpt, boolean required)
            throws ToolArgs.UsageException {
        Optional<byte[]> random = o.hex(randomOpt, 4);
        Optional<byte[]> priv = o.hex(privateOpt, -1);
        if (required && random.isEmpty()) {
            throw new ToolArgs.UsageException("missing option --" + randomOpt);
        }
        if (required && priv.isEmpty()) {
            throw new ToolArgs.UsageException("missing option --" + privateOpt);
        }
        if (priv.isPresent() && new BigInteger(1, priv.get()).signum() == 0) {
            throw new ToolArgs.UsageException("option --" + privateOpt + ": a private key cannot be zero");
        }
        BigInteger x = priv.map(b -> new BigInteger(1, b)).orElse(null);
        priv.ifPresent(b -> Arrays.fill(b, (byte) 0));
        if (random.isPresent() && x != null) {
            return Entropy.fixed(random.get(), x);
        }
        Entropy secure = Entropy.secure();
        return new Entropy() {
            @Override
            public byte[] random4() {
                return random.isPresent() ? random.get().clone() : secure.random4();
            }

            @Override
            public BigInteger privateKey(BigInteger p) {
                return x != null ? x : secure.privateKey(p);
            }
        };
    }

    /** {@code name: value} lines. */
    private record Printer(PrintStream out) {
        void hex(String name, byte[] value) {
            line(name, HexFormat.of().formatHex(value));
        }

        void line(String name, String value) {
            out.println(name + ": " + value);
        }
    }
}
