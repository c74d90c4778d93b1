package lsk.kernel.sim;

import lsk.base.Errno;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The kernel's side of the sunrpc cache channels' word format, written from Linux
 * {@code net/sunrpc/cache.c} ({@code qword_addhex}, {@code qword_get}),
 * {@code include/linux/sunrpc/cache.h} ({@code get_int}, {@code get_time}) and
 * {@code lib/kstrtox.c}; never from lsk's own encoder. Words are separated by spaces; a word
 * starting {@code \x} is hex, any other is text with {@code \nnn} octal escapes; a line ends
 * at {@code '\n'} or NUL, after which every further word reads as empty.
 */
final class SimCacheWords {
    /** get_int/get_time decode into {@code char buf[50]}. */
    static final int INT_BUF = 50;

    private SimCacheWords() {
    }

    /**
     * {@code qword_addhex}: {@code \x}, two lowercase hex digits per byte (hex_byte_pack), one
     * space. {@code rsi_request} then turns the line's last space into {@code '\n'}.
     */
    static void addHex(StringBuilder b, byte[] data) {
        b.append("\\x");
        for (byte x : data) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        b.append(' ');
    }

    /** A position in one written message, as {@code char *mesg} walks it. */
    static final class Cursor {
        private final byte[] m;
        private int p;

        /** The message as the kernel sees it: a C string (it NUL-terminates the copy). */
        Cursor(byte[] message) {
            this.m = message;
        }

        private int at(int i) {
            return i < m.length ? m[i] & 0xff : 0;
        }

        /**
         * {@code qword_get(&mesg, buf, bufsize)}: the word's bytes, or null for the kernel's -1
         * (a word not followed by space, newline or NUL: odd or non-hex digits, a word too long
         * for {@code bufsize}).
         */
        byte[] word(int bufsize) {
            int bp = p;
            while (at(bp) == ' ') {
                bp++;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (at(bp) == '\\' && at(bp + 1) == 'x') {
                bp += 2;
                while (out.size() < bufsize && hex(at(bp)) >= 0 && hex(at(bp + 1)) >= 0) {
                    out.write(hex(at(bp)) << 4 | hex(at(bp + 1)));
                    bp += 2;
                }
            } else {
                while (at(bp) != ' ' && at(bp) != '\n' && at(bp) != 0 && out.size() < bufsize - 1) {
                    if (at(bp) == '\\' && at(bp + 1) >= '0' && at(bp + 1) <= '3' && octal(at(bp + 2))
                            && octal(at(bp + 3))) {
                        out.write((at(bp + 1) - '0') << 6 | (at(bp + 2) - '0') << 3 | (at(bp + 3) - '0'));
                        bp += 4;
                    } else {
                        out.write(at(bp++));
                    }
                }
            }
            if (at(bp) != ' ' && at(bp) != '\n' && at(bp) != 0) {
                return null;
            }
            while (at(bp) == ' ') {
                bp++;
            }
            p = bp;
            return out.toByteArray();
        }

        /**
         * {@code get_int}: 0 and the value, or -EINVAL (bad word, or text after the number) or
         * -ENOENT (empty word: the line has ended). The number is read by {@code simple_strtol}
         * with base 0, so it wraps instead of failing on overflow and takes a lone "-" as 0.
         */
        long[] integer() {
            byte[] w = word(INT_BUF);
            if (w == null) {
                return new long[] {-Errno.EINVAL, 0};
            }
            if (w.length == 0) {
                return new long[] {-Errno.ENOENT, 0};
            }
            return simpleStrtoint(cString(w));
        }

        /** {@code get_time}: as {@link #integer} with a 64-bit value. */
        long[] time() {
            byte[] w = word(INT_BUF);
            if (w == null) {
                return new long[] {-Errno.EINVAL, 0};
            }
            if (w.length == 0) {
                return new long[] {-Errno.ENOENT, 0};
            }
            long[] v = kstrtoll(cString(w), 0);
            return v[0] == 0 ? v : new long[] {-Errno.EINVAL, 0};
        }
    }

    private static int hex(int c) {
        return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
    }

    private static boolean octal(int c) {
        return c >= '0' && c <= '7';
    }

    /** The word as the C code reads its buffer: up to the first NUL. */
    static String cString(byte[] w) {
        int n = 0;
        while (n < w.length && w[n] != 0) {
            n++;
        }
        return new String(Arrays.copyOf(w, n), StandardCharsets.ISO_8859_1);
    }

    /** {@code kstrtoint(s, base, &v)}: {0, v} or {-errno, 0} (-ERANGE past an int). */
    static long[] kstrtoint(String s, int base) {
        long[] v = kstrtoll(s, base);
        if (v[0] == 0 && v[1] != (int) v[1]) {
            return new long[] {-Errno.ERANGE, 0};
        }
        return v;
    }

    /**
     * {@code int rv = simple_strtol(buf, &ep, 0); if (*ep) return -EINVAL;}: an optional '-',
     * digits of the base found as {@code _parse_integer_fixup_radix} does, nothing after them
     * (no '+', no newline); the value wraps to 64 bits, then to the int it is stored in.
     */
    static long[] simpleStrtoint(String s) {
        boolean neg = s.startsWith("-");
        String u = neg ? s.substring(1) : s;
        int base = radix(u, 0);
        int i = base == 16 && u.length() > 1 && Character.toLowerCase(u.charAt(1)) == 'x' ? 2 : 0;
        long v = 0;
        for (; i < u.length(); i++) {
            int d = hex(u.charAt(i));
            if (d < 0 || d >= base) {
                return new long[] {-Errno.EINVAL, 0};
            }
            v = v * base + d;
        }
        return new long[] {0, (int) (neg ? -v : v)};
    }

    private static int radix(String s, int base) {
        if (base != 0) {
            return base;
        }
        if (!s.startsWith("0")) {
            return 10;
        }
        return s.length() > 2 && Character.toLowerCase(s.charAt(1)) == 'x' && hex(s.charAt(2)) >= 0 ? 16 : 8;
    }

    /** {@code kstrtoll}: an optional '-' (or '+'), digits of the base, one optional trailing '\n'. */
    static long[] kstrtoll(String s, int base) {
        boolean neg = s.startsWith("-");
        String u = neg ? s.substring(1) : s.startsWith("+") ? s.substring(1) : s;
        long[] r = kstrtoull(u, base);
        if (r[0] != 0) {
            return r;
        }
        if (neg ? -r[1] > 0 : r[1] < 0) {
            return new long[] {-Errno.ERANGE, 0};
        }
        return new long[] {0, neg ? -r[1] : r[1]};
    }

    /** {@code _kstrtoull} with {@code _parse_integer_fixup_radix}: base 0 takes 0x (hex) and 0 (octal). */
    static long[] kstrtoull(String s, int base) {
        int i = 0;
        base = radix(s, base);
        if (base == 16 && s.length() > 1 && s.charAt(0) == '0' && Character.toLowerCase(s.charAt(1)) == 'x') {
            i = 2;
        }
        long v = 0;
        boolean overflow = false;
        int start = i;
        for (; i < s.length(); i++) {
            int d = hex(s.charAt(i));
            if (d < 0 || d >= base) {
                break;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, base)) > 0) {
                overflow = true;
            }
            v = v * base + d;
        }
        if (overflow) {
            return new long[] {-Errno.ERANGE, 0};
        }
        if (i == start) {
            return new long[] {-Errno.EINVAL, 0};
        }
        if (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        return i == s.length() ? new long[] {0, v} : new long[] {-Errno.EINVAL, 0};
    }
}
