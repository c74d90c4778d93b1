package lsk.kernel;

import java.nio.charset.StandardCharsets;
import lsk.base.DecodeException;

/**
 * The words of the sunrpc cache channels (Lustre 2.15.x servers), as lustre/utils/gss/cacheio.c
 * writes them (lustre-release@768c1d65) and the kernel's qword_addhex: a hex word is {@code \x}
 * and two lower-case digits per byte ({@code \x} alone for no bytes); a quoted word is the text
 * with space, tab, newline and backslash written as {@code \} and three octal digits; numbers
 * are {@code %d}/{@code %u}. Each word is followed by one space; a record's last space is its
 * newline. Decoding is strict: only what these writers produce is accepted.
 */
public final class Qwords {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Qwords() {
    }

    /** {@code qword_addhex}: {@code \x<hex> }. */
    public static StringBuilder addHex(StringBuilder b, byte[] bytes) {
        b.append("\\x");
        for (byte x : bytes) {
            b.append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
        }
        return b.append(' ');
    }

    /** {@code qword_add}/{@code qword_print}: the text with {@code ' ' \t \n \\} as octal escapes. */
    public static StringBuilder addQuoted(StringBuilder b, String text) {
        for (byte c : text.getBytes(StandardCharsets.UTF_8)) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
                b.append('\\').append((char) ('0' + ((c >> 6) & 3))).append((char) ('0' + ((c >> 3) & 7)))
                        .append((char) ('0' + (c & 7)));
            } else {
                b.append((char) (c & 0xff));
            }
        }
        return b.append(' ');
    }

    /** {@code qword_addint}/{@code qword_printint} ({@code %d }) and {@code qword_adduint} ({@code %u }). */
    public static StringBuilder addNumber(StringBuilder b, long n) {
        return b.append(n).append(' ');
    }

    /**
     * One hex word (without its separator) decoded: {@code \x} then an even number of lower-case
     * hex digits, {@code min..max} bytes.
     */
    public static byte[] hexWord(String w, String field, int min, int max) throws DecodeException {
        if (!w.startsWith("\\x")) {
            throw new DecodeException(field, "not a hex word (\\x...)");
        }
        int digits = w.length() - 2;
        if (digits % 2 != 0) {
            throw new DecodeException(field, "odd number of hex digits (" + digits + ")");
        }
        int n = digits / 2;
        if (n < min || n > max) {
            throw new DecodeException(field, n + " bytes, expected " + (min == max ? "" + min : min + ".." + max));
        }
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (digit(w.charAt(2 + 2 * i), field) << 4 | digit(w.charAt(3 + 2 * i), field));
        }
        return out;
    }

    /** One quoted word decoded: {@code \ooo} (first digit 0-3) is a byte, any other byte itself. */
    public static byte[] quotedWord(String w, String field) throws DecodeException {
        byte[] in = w.getBytes(StandardCharsets.ISO_8859_1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == ' ' || in[i] == '\n' || in[i] == '\t') {
                throw new DecodeException(field, "unquoted white space at " + i);
            }
            if (in[i] == '\\') {
                if (!oct(in, i + 1, '3') || !oct(in, i + 2, '7') || !oct(in, i + 3, '7')) {
                    throw new DecodeException(field, "backslash not followed by three octal digits at " + i);
                }
                out.write((in[i + 1] - '0') << 6 | (in[i + 2] - '0') << 3 | (in[i + 3] - '0'));
                i += 3;
            } else {
                out.write(in[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean oct(byte[] in, int i, char max) {
        return i < in.length && in[i] >= '0' && in[i] <= max;
    }

    private static int digit(char c, String field) throws DecodeException {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        throw new DecodeException(field, "not a lower-case hex digit: 0x" + Integer.toHexString(c));
    }
}
