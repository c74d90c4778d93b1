package lsk.kernel;

import lsk.sk.Mech;
import java.nio.charset.StandardCharsets;
import lsk.base.ByteString;
import lsk.base.DecodeException;
import lsk.keyfile.Base64Url;

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
public record UpcallLine(long hash, long lustreSvc, long nid, long handleSeq, String nodemap, ByteString inHandle,
                         ByteString inToken) {
    /** Longest line accepted, newline included: the kernel's own bound (MAX_ARG_STRLEN). */
    public static final int MAX_LINE = 32 * 4096;
    public static final long SVC_MASK = 0xFFFFL;
    public static final int MAX_NODEMAP = 16;
    /** In-handle of a CONTINUE_INIT (a context id); SK never sends one, INIT sends none. */
    public static final int CONTINUE_HANDLE_LEN = 8;
    private static final int MAX_NUMBER_CHARS = 23; // the C reader's char buf[24]

    /** From byte arrays (copied). */
    public UpcallLine(long hash, long lustreSvc, long nid, long handleSeq, String nodemap, byte[] inHandle,
                      byte[] inToken) {
        this(hash, lustreSvc, nid, handleSeq, nodemap, ByteString.copyOf(inHandle), ByteString.copyOf(inToken));
    }

    /** The GSS mechanism number (high 16 bits of the 32-bit svc). */
    public int mech() {
        return (int) ((lustreSvc & Mech.MASK) >>> Mech.SHIFT);
    }

    /** The Lustre service: 0 MGS, 1 MDS, 2 OSS. */
    public int service() {
        return (int) (lustreSvc & SVC_MASK);
    }

    /**
     * A malformed request line: names the field at fault, never echoes token bytes. A
     * {@link DecodeException} ("malformed request line: ..."); the daemon answers it.
     */
    public static final class Malformed extends DecodeException {
        public Malformed(String message) {
            super("malformed request line", message);
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
                .append(encode(inHandle.toByteArray())).append(' ')
                .append(encode(inToken.toByteArray())).append('\n');
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** {@link lsk.base.CNumbers#strtoull}, within the C reader's buffer size. */
    public static long strtoull(String s, String field) throws Malformed {
        if (s.length() > MAX_NUMBER_CHARS) {
            throw new Malformed(field + " longer than " + MAX_NUMBER_CHARS + " characters");
        }
        try {
            return lsk.base.CNumbers.strtoull(s);
        } catch (NumberFormatException e) {
            throw new Malformed(field + " " + e.getMessage());
        }
    }

    /**
     * Unpadded base64url ({@link Base64Url}); {@code 0} alone means empty (as the kernel writes it).
     * On failure, says which rule the text breaks.
     */
    public static byte[] base64url(String s, String field) throws Malformed {
        if (s.equals("0")) {
            return new byte[0];
        }
        byte[] in = s.getBytes(StandardCharsets.ISO_8859_1); // chars past 0xff become '?': refused
        byte[] out = Base64Url.decode(in);
        if (out != null) {
            return out;
        }
        if (s.length() % 4 == 1) {
            throw new Malformed(field + " base64url length " + s.length() + " is impossible");
        }
        for (int i = 0; i < in.length; i++) {
            if (!Base64Url.inAlphabet(in[i])) {
                throw new Malformed(field + " has a non-base64url character at position " + i);
            }
        }
        throw new Malformed(field + " base64url has non-zero leftover bits");
    }

    /** Unpadded base64url; empty is written {@code 0}. */
    public static String encode(byte[] b) {
        return b.length == 0 ? "0" : new String(Base64Url.encode(b), StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "UpcallLine[hash=" + Long.toUnsignedString(hash) + ", svc=0x" + Long.toHexString(lustreSvc)
                + ", nid=0x" + Long.toHexString(nid) + ", seq=0x" + Long.toHexString(handleSeq) + ", nodemap="
                + nodemap + ", inHandle=" + inHandle.size() + "B, inToken=" + inToken.size() + "B]";
    }
}
