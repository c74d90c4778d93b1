package lsk.crypto;

import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import lsk.keyfile.HmacAlg;

/**
 * PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA256/512, over JCA Macs. Written out rather than
 * taken from SecretKeyFactory because the SK key derivation needs raw byte passwords and may
 * use an empty salt (a session key of a key file with cipher "null"), which PBEKeySpec refuses.
 * Checked against published vectors in the tests.
 */
public final class Pbkdf2 {
    private Pbkdf2() {
    }

    public static byte[] derive(HmacAlg alg, byte[] password, byte[] salt, int iterations, int length) {
        if (iterations < 1 || length < 0) {
            throw new IllegalArgumentException("bad PBKDF2 parameters");
        }
        Mac prf = Hmacs.mac(alg, password);
        int h = prf.getMacLength();
        byte[] out = new byte[length];
        byte[] u = new byte[h];
        byte[] t = new byte[h];
        try {
            for (int block = 1, off = 0; off < length; block++, off += h) {
                prf.update(salt);
                prf.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8),
                        (byte) block});
                prf.doFinal(u, 0);
                System.arraycopy(u, 0, t, 0, h);
                for (int i = 1; i < iterations; i++) {
                    prf.update(u);
                    prf.doFinal(u, 0);
                    for (int j = 0; j < h; j++) {
                        t[j] ^= u[j];
                    }
                }
                System.arraycopy(t, 0, out, off, Math.min(h, length - off));
            }
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(u, (byte) 0);
            Arrays.fill(t, (byte) 0);
        }
        return out;
    }
}
