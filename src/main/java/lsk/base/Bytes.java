package lsk.base;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;

/** Small byte helpers for secrets: constant-time comparison, wiping, fixed-width encoding. */
public final class Bytes {
    private Bytes() {
    }

    /** Constant-time (in the contents) equality; for MACs and keys. */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Zeroes each array (null-safe). */
    public static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }

    /** Concatenation of the parts. */
    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /** The shortest big-endian unsigned encoding of {@code v >= 0} (zero is empty). */
    public static byte[] unsignedMinimal(BigInteger v) {
        byte[] b = v.toByteArray();
        if (b[0] == 0) {
            byte[] t = Arrays.copyOfRange(b, 1, b.length);
            Arrays.fill(b, (byte) 0);
            return t;
        }
        return b;
    }

    /** Big-endian unsigned {@code v}, left-padded with zeros to {@code len} bytes. */
    public static byte[] unsignedPadded(BigInteger v, int len) {
        byte[] m = unsignedMinimal(v);
        if (m.length > len) {
            Arrays.fill(m, (byte) 0);
            throw new IllegalArgumentException("value longer than " + len + " bytes");
        }
        byte[] out = new byte[len];
        System.arraycopy(m, 0, out, len - m.length, m.length);
        Arrays.fill(m, (byte) 0);
        return out;
    }

    /** The u64 in x86_64 host order (little-endian), as the C code feeds a NID to the KDF. */
    public static byte[] u64HostOrder(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
