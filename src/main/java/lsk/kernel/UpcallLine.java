package lsk.kernel;

import java.nio.charset.StandardCharsets;
import lsk.LskException;

/**
 * The request line the kernel's rsi upcall sends to lsvcgssd's socket (one per connection):
 * {@code hash lustre_svc nid handle_seq nodemap in_handle in_token\n}, space-separated; numbers
 * as C {@code strtoull(s, NULL, 0)} reads them (the kernel writes hash and svc in decimal, nid
 * and handle sequence as {@code 0x} hex), handle and token in unpadded base64url, and any empty
 * string or buffer as the single digit {@code 0}.
 *
 * <p>Parsing is stricter than the C daemon: exactly seven single-space-separated fields, one
 * terminating newline, no sign, no overflow, nodemap 1..16 printable characters, base64url
 * with zero leftover bits, the in-handle empty or 8 bytes.
 *
 * @param hash      kernel cache key, echoed in the rsi downcall
 * @param lustreSvc the full field: {@code (mech << 16) | service}
 */
public record UpcallLine(long hash, long lustreSvc, long nid, long handleSeq, String nodemap, byte[] inHandle,
                         byte[] inToken) {
    /** Longest line accepted, newline included: the kernel's own bound (MAX_ARG_STRLEN). */
    public static final int MAX_LINE = 32 * 4096;
    public static final int MECH_SHIFT = 16;
    public static final long SVC_MASK = 0xFFFFL;
    public static final long MECH_MASK = 0xFFFF0000L;
    public static final int MECH_KRB5 = 0;
    public static final int MECH_NULL = 1;
    public static final int MECH_SK = 2;
    public static final int MAX_NODEMAP = 16;
    /** In-handle of a CONTINUE_INIT (a context id); SK never sends one, INIT sends none. */
    public static final int CONTINUE_HANDLE_LEN = 8;
    private static final int MAX_NUMBER_CHARS = 23; // the C reader's char buf[24]

    public UpcallLine {
        inHandle = inHandle.clone();
        inToken = inToken.clone();
    }

    @Override public byte[] inHandle() { return inHandle.clone(); }
    @Override public byte[] inToken() { return inToken.clone(); }

    /** The GSS mechanism number (high 16 bits of the 32-bit svc). */
    public int mech() {
        return (int) ((lustreSvc & MECH_MASK) >>> MECH_SHIFT);
    }

    /** The Lustre service: 0 MGS, 1 MDS, 2 OSS. */
    public int service() {
        return (int) (lustreSvc & SVC_MASK);
    }

    /** A malformed request line: names the field at fault, never echoes token bytes. */
    public static final class Malformed extends LskException {
        public Malformed(String message) {
            super("malformed request line: " + message, Errno.EINVAL);
        }
    }

    public static UpcallLine parse(byte[] raw) throws Malformed {
        if (raw.length == 0) {
            throw new Malformed("empty");
        }
        if (raw.length > MAX_LINE) {
            throw new Malformed("longer than " + MAX_LINE + " bytes");
        }
        if (raw[raw.length - 1] != '\n') {
            throw new Malformed("not terminated by a newline");
        }
        for (int i = 0; i < raw.length - 1; i++) {
            int c = raw[i] & 0xff;
            if (c < 0x21 && c != ' ' || c > 0x7e) {
                throw new Malformed("control or non-ASCII byte 0x" + Integer.toHexString(c) + " at offset " + i);
            }
        }
        String s = new String(raw, 0, raw.length - 1, StandardCharsets.US_ASCII);
        String[] f = s.split(" ", -1);
        String[] names = {"hash", "lustre svc", "peer nid", "handle seq", "nodemap", "in handle", "in token"};
        if (f.length != names.length) {
            throw new Malformed("expected " + names.length + " space-separated fields, got " + f.length);
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].isEmpty()) {
                throw new Malformed(names[i] + " is empty (an empty value is written as 0)");
            }
        }
        long hash = strtoull(f[0], names[0]);
        long svc = strtoull(f[1], names[1]);
        if (svc >>> 32 != 0) {
            throw new Malformed("lustre svc " + f[1] + " does not fit 32 bits");
        }
        long nid = strtoull(f[2], names[2]);
        long seq = strtoull(f[3], names[3]);
        String nm = f[4];
        if (nm.equals("0")) {
            throw new Malformed("nodemap name is empty");
        }
        if (nm.length() > MAX_NODEMAP) {
            throw new Malformed("nodemap name longer than " + MAX_NODEMAP + " characters");
        }
        byte[] handle = base64url(f[5], names[5]);
        if (handle.length != 0 && handle.length != CONTINUE_HANDLE_LEN) {
            throw new Malformed("in handle has " + handle.length + " bytes (0 or " + CONTINUE_HANDLE_LEN + " expected)");
        }
        byte[] token = base64url(f[6], names[6]);
        return new UpcallLine(hash, svc, nid, seq, nm, handle, token);
    }

    /** The line as the kernel writes it ({@code rsi_do_upcall}). */
    public byte[] format() {
        StringBuilder b = new StringBuilder();
        b.append(Long.toUnsignedString(hash)).append(' ')
                .append(Long.toUnsignedString(lustreSvc)).append(' ')
                .append("0x").append(Long.toHexString(nid)).append(' ')
                .append("0x").append(Long.toHexString(handleSeq)).append(' ')
                .append(nodemap.isEmpty() ? "0" : nodemap).append(' ')
                .append(encode(inHandle)).append(' ')
                .append(encode(inToken)).append('\n');
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code strtoull(s, &end, 0)} with {@code *end == 0} required, minus its laxities: no
     * whitespace, no sign, no overflow. Base 16 after {@code 0x}/{@code 0X}, 8 after a leading
     * {@code 0}, else 10.
     */
    public static long strtoull(String s, String field) throws Malformed {
        if (s.length() > MAX_NUMBER_CHARS) {
            throw new Malformed(field + " longer than " + MAX_NUMBER_CHARS + " characters");
        }
        int radix = 10;
        String digits = s;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            digits = s.substring(2);
        } else if (s.length() > 1 && s.charAt(0) == '0') {
            radix = 8;
            digits = s.substring(1);
        }
        if (digits.isEmpty()) {
            throw new Malformed(field + " '" + s + "' is not a number");
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                throw new Malformed(field + " '" + printable(s) + "' is not a base-" + radix + " number");
            }
        }
        try {
            return Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new Malformed(field + " '" + s + "' overflows 64 bits");
        }
    }

    private static String printable(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }

    private static final String B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /** Unpadded base64url; {@code 0} alone means empty (as the kernel writes it). */
    public static byte[] base64url(String s, String field) throws Malformed {
        if (s.equals("0")) {
            return new byte[0];
        }
        if (s.length() % 4 == 1) {
            throw new Malformed(field + " base64url length " + s.length() + " is impossible");
        }
        byte[] out = new byte[s.length() * 3 / 4];
        int acc = 0, bits = 0, n = 0;
        for (int i = 0; i < s.length(); i++) {
            int v = B64URL.indexOf(s.charAt(i));
            if (v < 0) {
                throw new Malformed(field + " has a non-base64url character at position " + i);
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >>> bits);
            }
        }
        if ((acc & ((1 << bits) - 1)) != 0) {
            throw new Malformed(field + " base64url has non-zero leftover bits");
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    public static String encode(byte[] b) {
        if (b.length == 0) {
            return "0";
        }
        StringBuilder s = new StringBuilder((b.length * 4 + 2) / 3);
        int acc = 0, bits = 0;
        for (byte x : b) {
            acc = (acc << 8) | (x & 0xff);
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                s.append(B64URL.charAt((acc >>> bits) & 0x3f));
            }
        }
        if (bits > 0) {
            s.append(B64URL.charAt((acc << (6 - bits)) & 0x3f));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "UpcallLine[hash=" + Long.toUnsignedString(hash) + ", svc=0x" + Long.toHexString(lustreSvc)
                + ", nid=0x" + Long.toHexString(nid) + ", seq=0x" + Long.toHexString(handleSeq) + ", nodemap="
                + nodemap + ", inHandle=" + inHandle.length + "B, inToken=" + inToken.length + "B]";
    }
}
