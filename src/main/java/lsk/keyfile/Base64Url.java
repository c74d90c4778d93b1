package lsk.keyfile;

/**
 * Strict RFC 4648 section 5 base64url without padding: the form the ASCII key file uses.
 * Hand-written because the JDK decoder accepts '=' padding and non-zero leftover bits,
 * both of which the key file reader must refuse.
 */
public final class Base64Url {
    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII);
    private static final int[] VALUE = new int[256];

    static {
        java.util.Arrays.fill(VALUE, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUE[ALPHABET[i]] = i;
        }
    }

    private Base64Url() {
    }

    /** True when {@code c} is one of the 64 base64url characters. */
    public static boolean inAlphabet(byte c) {
        return VALUE[c & 0xff] >= 0;
    }

    public static byte[] encode(byte[] in) {
        int full = in.length / 3;
        int rem = in.length % 3;
        byte[] out = new byte[full * 4 + (rem == 0 ? 0 : rem + 1)];
        int o = 0;
        int i = 0;
        for (int k = 0; k < full; k++, i += 3) {
            int v = (in[i] & 0xff) << 16 | (in[i + 1] & 0xff) << 8 | (in[i + 2] & 0xff);
            out[o++] = ALPHABET[v >>> 18];
            out[o++] = ALPHABET[(v >>> 12) & 63];
            out[o++] = ALPHABET[(v >>> 6) & 63];
            out[o++] = ALPHABET[v & 63];
        }
        if (rem == 1) {
            int v = (in[i] & 0xff) << 4;
            out[o++] = ALPHABET[v >>> 6];
            out[o] = ALPHABET[v & 63];
        } else if (rem == 2) {
            int v = (in[i] & 0xff) << 10 | (in[i + 1] & 0xff) << 2;
            out[o++] = ALPHABET[v >>> 12];
            out[o++] = ALPHABET[(v >>> 6) & 63];
            out[o] = ALPHABET[v & 63];
        }
        return out;
    }

    /** Decodes {@code len} characters at {@code off}; null if any is outside the alphabet,
     *  the length is impossible (len % 4 == 1) or the leftover bits are not zero. */
    public static byte[] decode(byte[] in, int off, int len) {
        if (len % 4 == 1) {
            return null;
        }
        byte[] out = new byte[len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1)];
        int acc = 0;
        int bits = 0;
        int o = 0;
        for (int k = off; k < off + len; k++) {
            int v = VALUE[in[k] & 0xff];
            if (v < 0) {
                java.util.Arrays.fill(out, (byte) 0);
                return null;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (byte) (acc >>> bits);
                acc &= (1 << bits) - 1;
            }
        }
        if (acc != 0) {
            java.util.Arrays.fill(out, (byte) 0);
            return null;
        }
        return out;
    }

    public static byte[] decode(byte[] in) {
        return decode(in, 0, in.length);
    }
}
