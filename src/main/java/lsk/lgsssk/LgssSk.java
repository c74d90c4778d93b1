package lsk.lgsssk;

import lsk.base.Errno;
import lsk.cmd.Command;
import lsk.cmd.Getopt;
import lsk.cmd.Io;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import lsk.base.LskException;
import lsk.crypto.Ffdhe;
import lsk.crypto.SafePrimeGenerator;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.KeyValidation;
import lsk.keyfile.UpdateLock;
import lsk.keyring.SkKeyring;
import lsk.kernel.ParamPaths;
import lsk.lnet.Nid;
import lsk.obd.LustreMount;
import lsk.obd.ObdNative;

/**
 * The {@code lgss_sk} drop-in: write, read, modify, load and remove Lustre SSK key files with
 * the C tool's options, output, messages and exit codes.
 *
 * <p>Deliberate differences from the C tool (all invisible in output):
 * <ul>
 * <li>Client keys of 2048/3072/4096/6144/8192 bits get the RFC 7919 ffdhe prime of that size
 *     unless {@code --random-prime} asks for a fresh random safe prime (other sizes are
 *     always random). Messages are the C ones either way.</li>
 * <li>Files are written atomically (temp file, fsync, rename) and always end up mode 0400;
 *     a failed write leaves the old file as it was. The temp file is unnamed (O_TMPFILE) until
 *     just before the rename, and copies a killed run left are removed by the next {@code -m}.</li>
 * <li>Key files are opened relative to their directory, opened once (links in the given path
 *     resolved then), without following a link in the file's own name and without blocking: a
 *     link swapped in during {@code -m} is refused, never followed, and a FIFO, device or socket
 *     is refused ("not a regular file") where C would hang or read it. Keys are only written
 *     into directories that neither group nor others may write, owned by root or the caller.</li>
 * <li>{@code -m} and the conversion in {@code -l} hold an exclusive flock on the key file itself
 *     (no lock file beside the keys), waiting at most {@code LSK_LOCK_TIMEOUT} seconds (60 by
 *     default) for another holder.</li>
 * <li>Converting a server key while loading it as a client key keeps an ASCII file ASCII.</li>
 * <li>{@code -u DIR} opens DIR as a directory and never through a symbolic link (C follows
 *     one); its fsname-mismatch and client-UUID messages are lsk's (lsk.obd.LustreMount).</li>
 * <li>Shared keys under 128 bits are refused by {@code -w}, {@code -m} and {@code -l} (C takes
 *     {@code -k 0}, a key anyone can forge tokens with); under 256 bits they draw a warning.
 *     {@code -r} and {@code -R} still take them, so a weak key C loaded can be found and removed.</li>
 * <li>{@code -l} gives loaded keys permission 0x3f3f0000 (possessor and owner), not C's
 *     0x3f3f3f3f, which lets every local user read, update and revoke the shared key: visible in
 *     {@code /proc/keys} and {@code keyctl describe} (lsk.keyring.SkKeyring says why no reader
 *     needs more).</li>
 * </ul>
 * Quirks kept because the output must be byte-identical: {@code -p N -m} on a client key
 * whose prime already has N bits zeroes the prime without making a new one (as C does; run
 * {@code -p} with another size, or {@code -t client}, to regenerate); exactly 16 MGS NIDs are
 * refused as "more than 16"; {@code -k -1}, {@code -e -1} and {@code -x -1} mean "not given".
 */
public final class LgssSk implements Command {
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

    static final int MAX_FSNAME = 64;      // MTI_NAME_MAXLEN
    static final int MAX_NODEMAP = 16;     // LUSTRE_NODEMAP_NAME_LENGTH
    static final int MIN_PRIME_BITS = 512; // OpenSSL's DH minimum, enforced by the C tool
    static final long DEFAULT_EXPIRE = 604800;
    static final int DEFAULT_KEYLEN = 256;
    static final int DEFAULT_PRIME_BITS = 2048;
    static final int ENOKEY = Errno.ENOKEY;

    /** Where each run's options go (one instance per run: no shared mutable state). */
    private static final class Options {
        String datafile;
        String fsname;
        String input;
        String load;
        String modify;
        String mgsnids;
        String nodemap;
        String output;
        String remove;
        String updatePath;
        int crypt = CryptAlg.NONE.id();  // SK_CRYPT_EMPTY: keep the default
        int hmac = HmacAlg.NONE.id();    // SK_HMAC_EMPTY
        int expire = -1;
        int sharedKeylen = -1;
        int primeBits = -1;
        int verbose;
        boolean ascii;
        boolean suffix;
        int timeout = -1;
        int type;
        boolean randomPrime;
    }

    public static Command command() {
        return new LgssSk();
    }

    @Override
    public int run(List<String> args, Io io) {
        lsk.kernel.ChannelNative.noCoreDumps(); // shared keys pass through this process
        String prog = io.env().getOrDefault("LSK_ARGV0", "lgss_sk");
        PrintStream out = io.out();
        PrintStream err = io.err();
        Getopt.Result parsed = Getopt.parse(prog, args, OPTSTRING, LONG_OPTS,
                io.env().containsKey("POSIXLY_CORRECT"));
        Options o = new Options();
        for (Getopt.Event ev : parsed.events()) {
            String arg = ev.arg();
            switch (ev.val()) {
                case 'a' -> o.ascii = true;
                case 'c' -> o.crypt = CryptAlg.byName(arg).map(CryptAlg::id).orElse(CryptAlg.INVALID_ID);
                case 'd' -> o.datafile = arg;
                case 'e' -> {
                    o.expire = atoi(arg);
                    if (o.expire < 60) {
                        err.print("warning: using a " + Integer.toUnsignedString(o.expire)
                                + "s key expiration may cause issues during key renegotiation\n");
                    }
                }
                case 'f' -> {
                    o.fsname = cBytes(arg);
                    if (o.fsname.length() > MAX_FSNAME) {
                        err.print("error: file system name longer than " + MAX_FSNAME + " characters\n");
                        return 1;
                    }
                }
                case 'g' -> o.mgsnids = arg;
                case 'h' -> {
                    usage(out, prog);
                    return 1;
                }
                case 'i' -> o.hmac = HmacAlg.byName(arg).map(HmacAlg::id).orElse(HmacAlg.INVALID_ID);
                case 'k' -> o.sharedKeylen = atoi(arg);
                case 'l' -> o.load = arg;
                case 'm' -> o.modify = arg;
                case 'n' -> {
                    o.nodemap = cBytes(arg);
                    if (o.nodemap.length() > MAX_NODEMAP) {
                        err.print("error: nodemap name longer than " + MAX_NODEMAP + " characters\n");
                        return 1;
                    }
                }
                case 'p' -> {
                    o.primeBits = atoi(arg);
                    if (o.primeBits <= 0) {
                        err.print("error: invalid prime length: '" + arg + "'\n");
                        return 1;
                    }
                }
                case 'r' -> o.input = arg;
                case 'R' -> o.remove = arg;
                case 's' -> o.suffix = true;
                case 't' -> {
                    // strsep semantics: every comma-separated element must name a type.
                    for (String t : arg.split(",", -1)) {
                        if (t.equalsIgnoreCase("server")) {
                            o.type |= KeyConfig.TYPE_SERVER;
                        } else if (t.equalsIgnoreCase("mgs")) {
                            o.type |= KeyConfig.TYPE_MGS;
                        } else if (t.equalsIgnoreCase("client")) {
                            o.type |= KeyConfig.TYPE_CLIENT;
                        } else {
                            err.print("error: invalid type '" + arg + "', must be mgs, server, or client\n");
                            return 1;
                        }
                    }
                }
                case 'u' -> o.updatePath = arg;
                case 'v' -> o.verbose++;
                case 'w' -> o.output = arg;
                case 'x' -> o.timeout = atoi(arg);
                case OPT_RANDOM_PRIME -> o.randomPrime = true;
                default -> {
                    err.print(ev.error());
                    err.print("error: unknown option: '?'\n");
                    return 1;
                }
            }
        }
        if (!parsed.operands().isEmpty()) {
            err.print("error: extraneous arguments provided, check usage\n");
            return 1;
        }
        if (o.input == null && o.output == null && o.load == null && o.modify == null && o.remove == null) {
            usage(err, prog);
            return 1;
        }
        if (o.remove != null && (o.load != null || o.modify != null || o.input != null || o.output != null)) {
            err.print("error: remove option cannot be combined with other operations\n");
            usage(err, prog);
            return 1;
        }
        if ((o.updatePath != null && o.load == null) || (o.suffix && o.load == null)
                || (o.timeout != -1 && !o.suffix)) {
            usage(err, prog);
            return 1;
        }
        if (o.input != null) {
            return printConfig(o.input, io);
        }
        if (o.load != null) {
            return load(o, io);
        }
        if (o.remove != null) {
            return remove(o, io);
        }
        return writeOrModify(o, io);
    }

    // ---- -r ----

    private static int printConfig(String name, Io io) {
        PrintStream out = io.out();
        PrintStream err = io.err();
        KeyConfig c;
        try {
            c = KeyFiles.read(name, io.cwd(), io.in(), err).config();
        } catch (KeyFileFormatException e) {
            err.print(e.getMessage() + "\n");
            return 1;
        }
        Optional<String> bad = KeyValidation.check(c);
        if (bad.isPresent()) {
            err.print(bad.get() + "\n");
            err.print("error: key configuration failed validation\n");
            return 1;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Version:        ").append(c.version()).append('\n');
        sb.append("Type:          ");
        if (c.isMgs()) {
            sb.append(" mgs");
        }
        if (c.isServer()) {
            sb.append(" server");
        }
        if (c.isClient()) {
            sb.append(" client");
        }
        sb.append('\n');
        sb.append("HMAC alg:       ").append(HmacAlg.byId(c.hmacAlg()).map(HmacAlg::kernelName).orElse("(null)"))
                .append('\n');
        sb.append("Crypto alg:     ").append(CryptAlg.byId(c.cryptAlg()).map(CryptAlg::kernelName).orElse("(null)"))
                .append('\n');
        sb.append("Ctx Expiration: ").append(c.expire()).append(" seconds\n");
        sb.append("Shared keylen:  ").append(c.sharedKeyLenBits()).append(" bits\n");
        sb.append("Prime length:   ").append(c.primeBits()).append(" bits\n");
        sb.append("File system:    ").append(c.fsname()).append('\n');
        sb.append("MGS NIDs:      ");
        for (long nid : c.usedMgsNids()) {
            sb.append(' ').append(Nid.format(nid));
        }
        sb.append('\n');
        sb.append("Nodemap name:   ").append(c.nodemap()).append('\n');
        sb.append("Shared key:\n");
        writeLatin1(out, sb);
        out.flush();
        byte[] key = c.sharedKey();
        try {
            writeLatin1(err, hexDump(key));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        if (c.hasPrime()) {
            writeLatin1(out, "Prime (p):\n");
            writeLatin1(err, hexDump(c.prime()));
        }
        out.flush();
        err.flush();
        return 0;
    }

    /** print_hex: offset, 16 bytes as 2-byte hex groups, then the printable characters. */
    static String hexDump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i += 16) {
            sb.append(String.format("  %04x: ", i));
            int n = Math.min(16, b.length - i);
            for (int j = 0; j < 16; j++) {
                if (j < n) {
                    sb.append(String.format("%02x", b[i + j] & 0xff));
                } else {
                    sb.append("  ");
                }
                if (j % 2 == 1) {
                    sb.append(' ');
                }
            }
            sb.append(' ');
            for (int j = 0; j < n; j++) {
                int c = b[i + j] & 0xff;
                sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    // ---- -w / -m ----

    private int writeOrModify(Options o, Io io) {
        PrintStream out = io.out();
        PrintStream err = io.err();
        if (o.crypt == CryptAlg.INVALID_ID) {
            err.print("error: invalid crypt algorithm specified\n");
            return 1;
        }
        if (o.hmac == HmacAlg.INVALID_ID) {
            err.print("error: invalid HMAC algorithm specified\n");
            return 1;
        }
        if (o.modify != null && o.datafile != null) {
            err.print("error: data file option not valid in key modify\n");
            return 1;
        }
        // -m is read-modify-write: hold the file's update lock until the new key is in place,
        // so concurrent -m runs on one file apply one after the other and none is lost.
        // Read and write then go through the directory the lock opened (a link swapped in later
        // cannot redirect them). Anything but a regular file is left to the reader, for its message.
        UpdateLock lock = null;
        if (o.modify != null && !o.modify.equals("-") && Files.isRegularFile(io.resolve(o.modify))) {
            try {
                lock = UpdateLock.acquire(io.resolve(o.modify), o.modify, lockTimeout(io));
            } catch (LskException e) {
                err.print(e.getMessage() + "\n");
                return 1;
            }
        }
        try {
            return buildAndWrite(o, io, out, err, lock);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** How long -m and key conversion wait for another holder of a key file's update lock. */
    static Duration lockTimeout(Io io) {
        String s = io.env().get("LSK_LOCK_TIMEOUT");
        if (s != null && s.matches("[0-9]{1,6}")) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        return KeyFiles.LOCK_TIMEOUT;
    }

    private int buildAndWrite(Options o, Io io, PrintStream out, PrintStream err, UpdateLock lock) {
        KeyConfig.Builder b;
        boolean ascii = o.ascii;
        boolean generatePrime = false;
        String datafile = o.datafile;
        if (o.modify != null) {
            KeyFiles.KeyFile kf;
            try {
                kf = lock != null ? lock.read(err) : KeyFiles.read(o.modify, io.cwd(), io.in(), err);
            } catch (KeyFileFormatException e) {
                err.print(e.getMessage() + "\n");
                return 1;
            }
            // As C, which checks the format by opening the name: stdin never counts as ASCII.
            ascii |= kf.ascii() && !o.modify.equals("-");
            KeyConfig old = kf.config();
            b = old.toBuilder();
            int type = old.type();
            if (o.type != 0) {
                if ((old.type() & KeyConfig.TYPE_CLIENT) == 0 && (o.type & KeyConfig.TYPE_CLIENT) != 0) {
                    generatePrime = true;
                } else if ((o.type & KeyConfig.TYPE_CLIENT) == 0) {
                    b.prime(new byte[0]);
                }
                b.type(o.type);
                type = o.type;
            }
            if (o.primeBits != -1) {
                b.prime(new byte[0]);
                // As C: the prime is regenerated only when its size changes (see class doc).
                if (old.primeBits() != o.primeBits && (type & KeyConfig.TYPE_CLIENT) != 0) {
                    generatePrime = true;
                }
            }
        } else {
            if (o.fsname == null && o.mgsnids == null) {
                err.print("error: missing --fsname or --mgsnids\n");
                return 1;
            }
            b = KeyConfig.builder().version(1).expire(DEFAULT_EXPIRE).sharedKeyLenBits(DEFAULT_KEYLEN)
                    .primeBits(DEFAULT_PRIME_BITS).cryptAlg(CryptAlg.AES256_CTR.id()).hmacAlg(HmacAlg.SHA256.id())
                    .nodemap("default");
            if (o.type == 0) {
                err.print("error: no type specified for key\n");
                return 1;
            }
            b.type(o.type);
            generatePrime = (o.type & KeyConfig.TYPE_CLIENT) != 0;
            if (datafile == null) {
                datafile = "/dev/random";
            }
        }
        if (o.crypt != CryptAlg.NONE.id()) {
            b.cryptAlg(o.crypt);
        }
        if (o.hmac != HmacAlg.NONE.id()) {
            b.hmacAlg(o.hmac);
        }
        if (o.expire != -1) {
            b.expire(Integer.toUnsignedLong(o.expire));
        }
        if (o.sharedKeylen != -1) {
            b.sharedKeyLenBits(Integer.toUnsignedLong(o.sharedKeylen));
        }
        if (o.primeBits != -1) {
            if (o.primeBits < MIN_PRIME_BITS) {
                err.print("error: prime length must be at least " + MIN_PRIME_BITS + "\n");
                return 1;
            }
            b.primeBits(o.primeBits);
        }
        if (o.fsname != null) {
            b.fsname(o.fsname);
        }
        if (o.nodemap != null) {
            b.nodemap(o.nodemap);
        }
        if (o.mgsnids != null) {
            long[] nids = parseMgsNids(o.mgsnids, err);
            if (nids == null) {
                return 1;
            }
            b.mgsNids(nids);
        }
        KeyConfig c = b.build();
        Optional<String> bad = KeyValidation.check(c);
        if (bad.isPresent()) {
            err.print(bad.get() + "\n");
            err.print("error: key configuration failed validation\n");
            return 1;
        }
        String target = o.modify != null ? o.modify : o.output;
        if (!strongEnough(c, target, err, true)) {
            return 1;
        }
        if (datafile != null) {
            byte[] key = readKeyData(datafile, c.sharedKeyLenBits(), io);
            if (key == null) {
                err.print("error: failure getting key data from '" + datafile + "'\n");
                return 1;
            }
            c = c.toBuilder().sharedKey(key).build();
            Arrays.fill(key, (byte) 0);
        }
        Path targetPath = io.resolve(target);
        if (generatePrime) {
            out.print("Generating DH parameters, this can take a while...\n");
            out.flush();
            if (o.modify == null && o.randomPrime && Files.exists(targetPath)) {
                // Spare the user a long prime search whose result could not be written.
                err.print("error: opening '" + target + "': File exists\n");
                return 1;
            }
            try {
                c = c.toBuilder().prime(makePrime((int) c.primeBits(), o.randomPrime)).build();
            } catch (LskException e) {
                err.print(e.getMessage() + "\n");
                return 1;
            }
        }
        try {
            if (lock != null) {
                lock.write(c, ascii);
            } else {
                KeyFiles.write(targetPath, target, c, ascii, o.modify != null);
            }
        } catch (LskException e) {
            err.print(e.getMessage() + "\n");
            return 1;
        }
        out.flush();
        return 0;
    }

    /** Refuses a shared key under 128 bits and warns under 256 (C takes any: issue 10 item 8). */
    private static boolean strongEnough(KeyConfig c, String name, PrintStream err, boolean warn) {
        Optional<String> refused = KeyValidation.tooShort(c, name);
        if (refused.isPresent()) {
            err.print(refused.get() + "\n");
            return false;
        }
        if (warn) {
            KeyValidation.shortWarning(c, name).ifPresent(w -> err.print(w + "\n"));
        }
        return true;
    }

    /** parse_mgsnids: at most 15 NIDs (the C loop refuses a 16th as "more than 16"). */
    static long[] parseMgsNids(String list, PrintStream err) {
        List<Long> nids = new ArrayList<>();
        int pos = 0;
        while (pos < list.length() && nids.size() < KeyFileCodec.MGS_NID_SLOTS) {
            int comma = list.indexOf(',', pos);
            String one = comma < 0 ? list.substring(pos) : list.substring(pos, comma);
            long nid = Nid.parse(one);
            if (nid == Nid.ANY) {
                err.print("error: invalid MGS NID: " + one + "\n");
                return null;
            }
            nids.add(nid);
            pos += one.length() + 1;
        }
        if (nids.size() == KeyFileCodec.MGS_NID_SLOTS) {
            err.print("error: more than " + KeyFileCodec.MGS_NID_SLOTS + " MGS NIDs provided\n");
            return null;
        }
        return nids.stream().mapToLong(Long::longValue).toArray();
    }

    /** get_key_data: exactly ceil(bits/8) bytes of the source; null (after a message) if it fails. */
    private static byte[] readKeyData(String src, long bits, Io io) {
        io.out().print("Reading random data for shared key from '" + src + "'\n");
        int n = (int) ((bits + 7) / 8);
        byte[] key = new byte[n];
        try (InputStream in = Files.newInputStream(io.resolve(src))) {
            int got = 0;
            while (got < n) {
                int r;
                try {
                    r = in.read(key, got, n - got);
                } catch (IOException e) {
                    io.err().print("error: reading from '" + src + "': " + KeyFiles.strerror(e) + "\n");
                    Arrays.fill(key, (byte) 0);
                    return null;
                }
                if (r < 0) {
                    io.err().print("error: key source too short for " + bits + "-bit key\n");
                    Arrays.fill(key, (byte) 0);
                    return null;
                }
                got += r;
            }
            return key;
        } catch (IOException e) {
            io.err().print("error: opening '" + src + "': " + KeyFiles.strerror(e) + "\n");
            Arrays.fill(key, (byte) 0);
            return null;
        }
    }

    /** The prime of a new client key: the ffdhe group of that size, or a fresh random safe prime. */
    static byte[] makePrime(int bits, boolean random) throws LskException {
        Optional<Ffdhe> group = Ffdhe.ofBits(bits);
        if (group.isPresent() && !random) {
            return group.get().primeBytes();
        }
        if (bits < 16) {
            throw new LskException("error: generating SSK prime failed: prime length " + bits + " too small",
                    Errno.EINVAL);
        }
        try {
            BigInteger p = SafePrimeGenerator.create().generate(bits);
            byte[] raw = p.toByteArray();
            return raw[0] == 0 ? Arrays.copyOfRange(raw, 1, raw.length) : raw;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LskException("error: generating SSK prime failed: interrupted", Errno.EIO);
        }
    }

    // ---- -l / -R ----

    private int load(Options o, Io io) {
        Path p = io.resolve(o.load);
        List<String> files = new ArrayList<>();
        if (Files.isDirectory(p)) {
            // As mount.lustre skpath=DIR: every regular file in the directory.
            try (Stream<Path> s = Files.list(p)) {
                s.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted()
                        .forEach(f -> files.add(o.load.endsWith("/") ? o.load + f : o.load + "/" + f));
            } catch (IOException e) {
                io.err().print("error: reading directory '" + o.load + "': " + KeyFiles.strerror(e) + "\n");
                return 1;
            }
        } else {
            files.add(o.load);
        }
        int status = 0;
        for (String f : files) {
            int rc = loadOne(f, o, io);
            if (rc < 0) {
                io.err().print("error: loading keyfile failed: rc=" + rc + "\n");
                status = 1;
            }
        }
        return status;
    }

    /** sk_load_keyfile: 0 or -errno (messages printed). */
    private int loadOne(String name, Options o, Io io) {
        PrintStream err = io.err();
        Path path = io.resolve(name);
        boolean wantClient = (o.type & KeyConfig.TYPE_CLIENT) != 0;
        boolean converted = false;
        while (true) {
            int mode;
            try {
                mode = KeyFiles.mode(path);
            } catch (IOException e) {
                err.print("stat() failed for file " + name + ": " + KeyFiles.strerror(e) + "\n");
                return -errnoOf(e);
            }
            KeyFiles.KeyFile kf;
            try {
                kf = KeyFiles.read(name, io.cwd(), io.in(), err);
            } catch (KeyFileFormatException e) {
                err.print(e.getMessage() + "\n");
                return -ENOKEY;
            }
            // Like ssh: refuse a key others may read or change (group rw, other wx).
            if ((mode & 0073) != 0) {
                err.print("Shared key files must be readable/writeable only by owner\n");
                return -Errno.EACCES;
            }
            KeyConfig c = kf.config();
            Optional<String> bad = KeyValidation.check(c);
            if (bad.isPresent()) {
                err.print(bad.get() + "\n");
                return -ENOKEY;
            }
            if (!strongEnough(c, name, err, !converted)) {
                return -ENOKEY;
            }
            if (c.isServer() && wantClient && !converted) {
                // A client mounting with a server key: make it a client key on disk, then load that.
                if (c.isMgs()) {
                    int rc = loadIntoKeyring(c.toBuilder().type(KeyConfig.TYPE_MGS).build(), o, io);
                    if (rc < 0) {
                        return rc;
                    }
                }
                io.out().print("Generating DH parameters to turn " + name
                        + " into a client key, this can take a while...\n");
                io.out().flush();
                // Read-modify-write like -m: under the file's update lock, from the file as it is
                // now (a concurrent -m may have changed it since the read above).
                UpdateLock lock = null;
                try {
                    KeyConfig base = c;
                    boolean ascii = kf.ascii();
                    if (!name.equals("-")) {
                        lock = UpdateLock.acquire(path, name, lockTimeout(io));
                        KeyFiles.KeyFile now = lock.read(new PrintStream(java.io.OutputStream.nullOutputStream()));
                        base = now.config();
                        ascii = now.ascii();
                    }
                    if (base.isServer()) { // else converted meanwhile: just load what is there
                        KeyConfig client = base.toBuilder().type(KeyConfig.TYPE_CLIENT)
                                .prime(makePrime((int) base.primeBits(), o.randomPrime)).build();
                        if (lock != null) {
                            lock.write(client, ascii);
                        } else {
                            KeyFiles.write(path, name, client, ascii, true);
                        }
                    }
                } catch (KeyFileFormatException e) { // a DecodeException now, no longer an LskException
                    err.print(e.getMessage() + "\n");
                    return -Errno.EINVAL;
                } catch (LskException e) {
                    err.print(e.getMessage() + "\n");
                    return -e.errno();
                } finally {
                    if (lock != null) {
                        lock.close();
                    }
                }
                converted = true;
                continue;
            }
            String clientUuid = null;
            if (o.updatePath != null && c.isClient() && !c.fsname().isEmpty()) {
                try {
                    clientUuid = mountClientUuid(c.fsname(), o.updatePath, io);
                } catch (LustreMount.Failure f) {
                    err.print(f.text());
                    return f.rc();
                }
            }
            return loadIntoKeyring(c, o, io, clientUuid);
        }
    }

    /** {@code -u DIR}: the mount's client UUID, by the ioctls liblustreapi uses (lsk.obd.LustreMount). */
    private static String mountClientUuid(String keyFsname, String dir, Io io) throws LustreMount.Failure {
        String prog = Path.of(io.env().getOrDefault("LSK_ARGV0", "lgss_sk")).getFileName().toString();
        ObdNative shim;
        try {
            shim = ObdNative.load();
        } catch (LskException e) {
            throw new LustreMount.Failure("Cannot get Lustre fsname for " + dir + ": rc=-" + e.errno() + " ("
                    + e.getMessage() + ")\n", -e.errno());
        }
        return new LustreMount(shim, prog).clientUuidFor(keyFsname, dir, io.resolve(dir), ParamPaths.fromEnv(io.env()));
    }

    private static int loadIntoKeyring(KeyConfig c, Options o, Io io) {
        return loadIntoKeyring(c, o, io, null);
    }

    private static int loadIntoKeyring(KeyConfig c, Options o, Io io, String clientUuid) {
        SkKeyring kr;
        try {
            kr = SkKeyring.open(io.err(), o.verbose);
        } catch (LskException e) {
            io.err().print("error: cannot open the kernel keyring: " + e.getMessage() + "\n");
            return -e.errno();
        }
        try {
            // SkKeyring prints the C tool's messages itself; only the rc is left to report.
            kr.load(c, new SkKeyring.LoadOptions(o.suffix,
                    o.timeout == -1 ? SkKeyring.LoadOptions.DEFAULT_FORMER_KEY_TIMEOUT : o.timeout, clientUuid));
            return 0;
        } catch (LskException e) {
            return -e.errno();
        }
    }

    /** sk_remove_keyfile. */
    private int remove(Options o, Io io) {
        PrintStream err = io.err();
        String name = o.remove;
        int rc;
        try {
            KeyFiles.mode(io.resolve(name));
            KeyConfig c = KeyFiles.read(name, io.cwd(), io.in(), err).config();
            Optional<String> bad = KeyValidation.check(c);
            if (bad.isPresent()) {
                err.print(bad.get() + "\n");
                rc = -Errno.EINVAL;
            } else {
                SkKeyring kr;
                try {
                    kr = SkKeyring.open(err, o.verbose);
                } catch (LskException e) {
                    err.print("error: cannot open the kernel keyring: " + e.getMessage() + "\n");
                    throw e;
                }
                // SkKeyring prints "No matching key found to remove" itself when it removes none.
                if (kr.remove(c, SkKeyring.LoadOptions.defaults()) > 0) {
                    return 0;
                }
                rc = -ENOKEY;
            }
        } catch (KeyFileFormatException e) {
            err.print(e.getMessage() + "\n");
            rc = -ENOKEY;
        } catch (IOException e) {
            err.print("stat() failed for file " + name + ": " + KeyFiles.strerror(e) + "\n");
            rc = -errnoOf(e);
        } catch (LskException e) {
            rc = -e.errno();
        }
        err.print("error: removing key failed: rc=" + rc + "\n");
        return 1;
    }

    // ---- helpers ----

    private static int errnoOf(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return Errno.EACCES;
        }
        return Errno.EIO;
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
    private static String cBytes(String arg) {
        return new String(arg.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static void writeLatin1(PrintStream ps, CharSequence s) {
        ps.writeBytes(s.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static void usage(PrintStream ps, String prog) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage ").append(prog).append(" [OPTIONS] {-l|-m|-r|-w} <keyfile>\n");
        sb.append("-l|--load       <keyfile>\tLoad key from file into user's session keyring\n");
        sb.append("-m|--modify     <keyfile>\tModify keyfile's attributes\n");
        sb.append("-r|--read       <keyfile>\tShow keyfile's attributes\n");
        sb.append("-R|--remove     <keyfile>\tRemove key from user's session keyring\n");
        sb.append("-w|--write      <keyfile>\tGenerate keyfile\n\n");
        sb.append("Modify/Write Options:\n");
        sb.append("-a|--ascii      <keyfile>\tOutput key in ASCII-encoded format\n");
        sb.append("-c|--crypt      <num>\tCipher for encryption (Default: AES Counter mode)\n");
        for (String n : List.of("NONE", "ctr(aes)", "AES-256-CTR")) {
            sb.append("                        ").append(n).append('\n');
        }
        sb.append("-i|--hmac       <num>\tHash algorithm for integrity (Default: SHA256)\n");
        for (String n : List.of("NONE", "sha256", "SHA256", "sha512", "SHA512")) {
            sb.append("                        ").append(n).append('\n');
        }
        sb.append("-e|--expire     <num>\tSeconds before contexts from key expire (Default: ")
                .append(DEFAULT_EXPIRE).append(" seconds (7 days))\n");
        sb.append("-f|--fsname     <name>\tFile system name for key\n");
        sb.append("-g|--mgsnids    <nids>\tComma seperated list of MGS NIDs.  Only required when mgssec is used"
                + " (Default: \"\")\n");
        sb.append("-n|--nodemap    <name>\tNodemap name for key (Default: \"default\")\n");
        sb.append("-p|--prime-bits <len>\tPrime length (p) for DHKE in bits (Default: ")
                .append(DEFAULT_PRIME_BITS).append(")\n");
        sb.append("-t|--type       <type>\tKey type (mgs, server, client)\n");
        sb.append("-k|--key-bits   <len>\tShared key length in bits (Default: ").append(DEFAULT_KEYLEN).append(")\n");
        sb.append("-d|--data       <file>\tKey data source for new keys (Default: /dev/random)\n");
        sb.append("                        Not a seed value. This is the actual key value.\n\n");
        sb.append("Other Options:\n");
        sb.append("-s|--suffix\t   When loading a server key, do not replace the key and instead add a"
                + " timestamp-suffix to the key description. This option can only be used with the '-l'"
                + " argument.\n");
        sb.append("-u|--update     <dir>\tOnly when loading a key, mount path to update the key for\n");
        sb.append("-v|--verbose           Increase verbosity for errors\n");
        sb.append("-x|--timeout    <num>  When loading a server key, set a timeout of num seconds on former keys"
                + " with same descriptor. This option can only be used with the '-s' argument; 2 days by"
                + " default.\n");
        sb.append("\nlsk options:\n");
        sb.append("--random-prime         Client keys: generate a fresh random safe prime (g = 2, as the C tool\n"
                + "                        does) instead of the RFC 7919 ffdhe prime of the same size. Sizes\n"
                + "                        2048/3072/4096/6144/8192 use ffdhe by default; others are always random.\n");
        ps.print(sb);
        ps.flush();
    }
}
