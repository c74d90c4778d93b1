package lsk.crypto;

import java.math.BigInteger;

/**
 * The Jacobi symbol (a/n) for odd n > 0 by the binary algorithm, on two word arrays changed in
 * place. The daemon checks every peer's public value with it; the BigInteger form made a new
 * number at each of its steps (about a megabyte of garbage per check, a quarter of all the
 * daemon allocated), which a small heap pays for in collections. Subtract and shift only:
 * (2/n) = -1 exactly when n is 3 or 5 mod 8; for odd x < y, (x/y) = (y/x) unless both are 3 mod 4
 * (reciprocity); for x >= y, (x/y) = ((x-y)/y).
 */
final class Jacobi {
    private Jacobi() {
    }

    static int symbol(BigInteger a, BigInteger n) {
        if (n.signum() <= 0 || !n.testBit(0)) {
            throw new IllegalArgumentException("Jacobi symbol needs an odd positive modulus");
        }
        int len = (n.bitLength() + 31) >>> 5;
        int[] x = words(a.mod(n), len);
        int[] y = words(n, len);
        int xl = used(x, len);
        int yl = used(y, len);
        int t = 1;
        while (xl > 0) {
            int z = trailingZeros(x);
            if (z > 0) {
                shiftRight(x, xl, z);
                xl = used(x, xl);
                int r = y[0] & 7;
                if ((z & 1) == 1 && (r == 3 || r == 5)) {
                    t = -t;
                }
            }
            if (compare(x, xl, y, yl) < 0) {
                int[] s = x;
                x = y;
                y = s;
                int sl = xl;
                xl = yl;
                yl = sl;
                if ((x[0] & 3) == 3 && (y[0] & 3) == 3) {
                    t = -t;
                }
            }
            subtract(x, xl, y, yl);
            xl = used(x, xl);
        }
        return yl == 1 && y[0] == 1 ? t : 0;
    }

    /** Little-endian 32-bit words of a non-negative value, {@code len} of them. */
    private static int[] words(BigInteger v, int len) {
        int[] w = new int[len];
        for (int i = 0; i < len; i++) {
            w[i] = v.shiftRight(32 * i).intValue();
        }
        return w;
    }

    /** Significant words among the first {@code upTo}. */
    private static int used(int[] w, int upTo) {
        int l = upTo;
        while (l > 0 && w[l - 1] == 0) {
            l--;
        }
        return l;
    }

    /** Trailing zero bits of a non-zero value. */
    private static int trailingZeros(int[] w) {
        int i = 0;
        while (w[i] == 0) {
            i++;
        }
        return 32 * i + Integer.numberOfTrailingZeros(w[i]);
    }

    private static void shiftRight(int[] w, int l, int bits) {
        int words = bits >>> 5;
        int b = bits & 31;
        int n = l - words;
        for (int i = 0; i < n; i++) {
            long lo = w[i + words] & 0xffffffffL;
            long hi = i + words + 1 < l ? w[i + words + 1] & 0xffffffffL : 0;
            w[i] = b == 0 ? (int) lo : (int) ((lo >>> b) | (hi << (32 - b)));
        }
        for (int i = Math.max(n, 0); i < l; i++) {
            w[i] = 0;
        }
    }

    private static int compare(int[] x, int xl, int[] y, int yl) {
        if (xl != yl) {
            return xl < yl ? -1 : 1;
        }
        for (int i = xl - 1; i >= 0; i--) {
            if (x[i] != y[i]) {
                return Integer.compareUnsigned(x[i], y[i]);
            }
        }
        return 0;
    }

    /** x -= y, for x >= y. */
    private static void subtract(int[] x, int xl, int[] y, int yl) {
        long borrow = 0;
        for (int i = 0; i < xl; i++) {
            long d = (x[i] & 0xffffffffL) - (i < yl ? y[i] & 0xffffffffL : 0) - borrow;
            x[i] = (int) d;
            borrow = (d >>> 63);
        }
    }
}
