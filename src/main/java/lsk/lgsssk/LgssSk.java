package lsk.lgsssk;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import lsk.cmd.Command;
import lsk.cmd.Io;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.KeyValidation;

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
 * <li>{@code -u DIR} opens DIR as a directory and never through a symbolic link (C follows
 *     one); its fsname-mismatch and client-UUID messages are lsk's (lsk.obd.LustreMount).</li>
 * <li>Shared keys under 128 bits are refused by {@code -w}, {@code -m} and {@code -l} (C takes
 *     {@code -k 0}, a key anyone can forge tokens with); under 256 bits they draw a warning.
 *     {@code -r} and {@code -R} still take them, so a weak key C loaded can be found and removed.</li>
 * <li>{@code -l} gives loaded keys permission {@link lsk.sk.KeyPerm#POSSESSOR_OWNER} (0x3f3f0000),
 *     not C's {@link lsk.sk.KeyPerm#ALL} (0x3f3f3f3f), which lets every local user read, update and
 *     revoke the shared key: visible in
 *     {@code /proc/keys} and {@code keyctl describe} (lsk.keyring.SkKeyring says why no reader
 *     needs more).</li>
 * </ul>
 * Quirks kept because the output must be byte-identical: {@code -p N -m} on a client key
 * whose prime already has N bits zeroes the prime without making a new one (as C does; run
 * {@code -p} with another size, or {@code -t client}, to regenerate); exactly 16 MGS NIDs are
 * refused as "more than 16"; {@code -k -1}, {@code -e -1} and {@code -x -1} mean "not given".
 */
public final class LgssSk implements Command {
    private LgssSk() {
    }

    public static Command command() {
        return new LgssSk();
    }

    @Override
    public List<String> options() {
        return RequestParser.options();
    }

    @Override
    public int run(List<String> args, Io io) {
        lsk.kernel.ChannelNative.noCoreDumps(); // shared keys pass through this process
        if (io.out() != System.out || isTty(Path.of("/proc/self/fd/1"))) {
            return dispatch(args, io);
        }
        // C's stdout is fully buffered when it is no terminal and written at exit, while stderr
        // is not buffered: with both on one file, the hex dumps come first. Do the same.
        StdioBuffer buf = new StdioBuffer(System.out);
        try {
            return dispatch(args, new Io(io.in(), new PrintStream(buf, false), io.err(), io.cwd(), io.env(),
                    io.entry()));
        } finally {
            buf.drain();
        }
    }

    private static int dispatch(List<String> args, Io io) {
        String prog = io.env().getOrDefault("LSK_ARGV0", "lgss_sk");
        RequestParser.Parsed parsed = RequestParser.parse(prog, args, io.env().containsKey("POSIXLY_CORRECT"));
        for (RequestParser.Note n : parsed.notes()) {
            PrintStream ps = n.toOut() ? io.out() : io.err();
            ps.print(n.text());
            ps.flush();
        }
        if (parsed.request().isEmpty()) {
            return 1;
        }
        Request req = parsed.request().get();
        if (req instanceof Request.Read r) {
            return read(r, io);
        } else if (req instanceof Request.Write w) {
            return WriteOrModify.write(w, io);
        } else if (req instanceof Request.Modify m) {
            return WriteOrModify.modify(m, io);
        } else if (req instanceof Request.Load l) {
            return Loader.load(l, io);
        } else {
            return Loader.remove((Request.Remove) req, io);
        }
    }

    /** True unless fd (a /proc/self/fd link) is known not to be a terminal. */
    private static boolean isTty(Path fd) {
        try {
            String t = Files.readSymbolicLink(fd).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true;
        }
    }

    /** A stdio buffer of BUFSIZ bytes: written when full and at exit, never on flush(). */
    private static final class StdioBuffer extends OutputStream {
        private static final int BUFSIZ = 4096;
        private final PrintStream to;
        private final byte[] buf = new byte[BUFSIZ];
        private int n;

        StdioBuffer(PrintStream to) {
            this.to = to;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                int k = Math.min(len, BUFSIZ - n);
                System.arraycopy(b, off, buf, n, k);
                n += k;
                off += k;
                len -= k;
                if (n == BUFSIZ) {
                    drain();
                }
            }
        }

        void drain() {
            to.write(buf, 0, n);
            to.flush();
            n = 0;
        }
    }

    /** {@code -r}: the attributes on stdout, the shared key and prime dumps on stderr (as C). */
    private static int read(Request.Read r, Io io) {
        PrintStream out = io.out();
        PrintStream err = io.err();
        KeyConfig c;
        try {
            c = KeyFiles.read(r.file(), io.cwd(), io.in(), err).config();
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
        writeLatin1(out, Printer.attributes(c));
        out.flush();
        byte[] key = c.sharedKey();
        try {
            writeLatin1(err, Printer.hexDump(key));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        if (c.hasPrime()) {
            writeLatin1(out, "Prime (p):\n");
            writeLatin1(err, Printer.hexDump(c.prime()));
        }
        out.flush();
        err.flush();
        return 0;
    }

    /** Names are one char per byte (see RequestParser.cBytes): written back as those bytes. */
    private static void writeLatin1(PrintStream ps, String s) {
        ps.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
