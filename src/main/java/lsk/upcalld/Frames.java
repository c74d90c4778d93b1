package lsk.upcalld;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lsk.base.DecodeException;

/**
 * The messages between the native upcall and the service, parsed and written without any
 * socket (the framing; {@link UpcallHandler} does the handling). Every message is at most
 * {@link #MAX_MESSAGE} bytes:
 * <ul>
 * <li>upcall: {@code REQ <argc>\n} then argc netstrings {@code <len>:<bytes>,} (the upcall's argv
 *     as request-key passed it; decimal lengths without sign or leading zeros, argc at most
 *     {@link #MAX_ARGC}, no NUL in an argument: argv strings cannot hold one);</li>
 * <li>service: {@code INST <perm 0x-hex> <dest> <link> <plen>\n} or
 *     {@code REFUSE <reject seconds> <errno>\n};</li>
 * <li>upcall: {@code DONE <0 or -errno>\n}; service: {@code OK\n}.</li>
 * </ul>
 * A parser returns empty while the bytes so far are a proper prefix of a message, and throws
 * {@link DecodeException} as soon as they cannot be one, so that a peer cannot make the service
 * wait for more than the limit allows.
 */
final class Frames {
    static final int MAX_MESSAGE = 8192;
    static final int MAX_ARGC = 16;
    static final String FIELD = "upcall message";
    static final byte[] OK = ascii("OK\n");
    /** Longest decimal read: argc, lengths and errnos are far shorter. */
    private static final int MAX_DIGITS = 5;

    private Frames() {
    }

    /** The argv of a complete REQ in {@code buf[0, len)}, or empty while it is incomplete. */
    static Optional<List<String>> request(byte[] buf, int len) throws DecodeException {
        Cursor c = new Cursor(buf, len);
        if (!c.literal("REQ ")) {
            return Optional.empty();
        }
        Optional<Integer> argc = c.decimal('\n');
        if (argc.isEmpty()) {
            return Optional.empty();
        }
        if (argc.get() > MAX_ARGC) {
            throw bad("argc " + argc.get() + " (at most " + MAX_ARGC + ")");
        }
        List<String> argv = new ArrayList<>(argc.get());
        for (int i = 0; i < argc.get(); i++) {
            Optional<Integer> n = c.decimal(':');
            if (n.isEmpty()) {
                return Optional.empty();
            }
            if (c.remaining() < n.get() + 1) {
                if (c.pos + n.get() + 1 > MAX_MESSAGE) {
                    throw bad("argument " + i + " of " + n.get() + " bytes goes past " + MAX_MESSAGE);
                }
                return Optional.empty();
            }
            for (int k = c.pos; k < c.pos + n.get(); k++) {
                if (buf[k] == 0) {
                    throw bad("argument " + i + " has a NUL byte");
                }
            }
            argv.add(new String(buf, c.pos, n.get(), StandardCharsets.ISO_8859_1));
            c.pos += n.get();
            if (buf[c.pos++] != ',') {
                throw bad("argument " + i + " is not followed by ','");
            }
        }
        if (c.remaining() > 0) {
            throw bad(c.remaining() + " bytes after the request");
        }
        return Optional.of(List.copyOf(argv));
    }

    /** The rc of a complete {@code DONE} line (0 or -errno), or empty while it is incomplete. */
    static Optional<Integer> done(byte[] buf, int len) throws DecodeException {
        Cursor c = new Cursor(buf, len);
        if (!c.literal("DONE ")) {
            return Optional.empty();
        }
        boolean negative = c.remaining() > 0 && buf[c.pos] == '-';
        if (negative) {
            c.pos++;
        }
        Optional<Integer> v = c.decimal('\n');
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (negative == (v.get() == 0)) {
            throw bad("DONE " + (negative ? "-" : "") + v.get() + " (0 or -errno)");
        }
        if (c.remaining() > 0) {
            throw bad(c.remaining() + " bytes after DONE");
        }
        return Optional.of(negative ? -v.get() : 0);
    }

    static byte[] inst(int perm, int dest, int link, int plen) {
        return ascii("INST 0x" + Integer.toHexString(perm) + " " + dest + " " + link + " " + plen + "\n");
    }

    static byte[] refuse(int rejectSeconds, int errno) {
        return ascii("REFUSE " + rejectSeconds + " " + errno + "\n");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static DecodeException bad(String why) {
        return new DecodeException(FIELD, why);
    }

    /** A read position in the bytes received so far. */
    private static final class Cursor {
        private final byte[] buf;
        private final int len;
        private int pos;

        Cursor(byte[] buf, int len) {
            this.buf = buf;
            this.len = len;
        }

        int remaining() {
            return len - pos;
        }

        /** True once {@code s} is there; false while the bytes so far are a prefix of it. */
        boolean literal(String s) throws DecodeException {
            for (int i = 0; i < s.length(); i++) {
                if (pos + i >= len) {
                    return false;
                }
                if (buf[pos + i] != s.charAt(i)) {
                    throw bad("expected '" + s.trim() + "'");
                }
            }
            pos += s.length();
            return true;
        }

        /** A decimal (no sign, no leading zero but "0") ended by {@code end}, consumed. */
        Optional<Integer> decimal(char end) throws DecodeException {
            int i = pos;
            while (i < len && buf[i] >= '0' && buf[i] <= '9') {
                if (i - pos >= MAX_DIGITS) {
                    throw bad("number longer than " + MAX_DIGITS + " digits");
                }
                i++;
            }
            if (i == len) {
                return Optional.empty();
            }
            if (i == pos || buf[i] != end) {
                throw bad("expected a decimal number ended by " + (end == '\n' ? "a newline" : "'" + end + "'"));
            }
            if (buf[pos] == '0' && i - pos > 1) {
                throw bad("number with a leading zero");
            }
            int v = Integer.parseInt(new String(buf, pos, i - pos, StandardCharsets.US_ASCII));
            pos = i + 1;
            return Optional.of(v);
        }
    }
}
