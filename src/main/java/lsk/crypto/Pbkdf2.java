package lsk.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import lsk.sk.HmacAlg;

/**
 * PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA256/512. Written out rather than taken from
 * SecretKeyFactory because the SK key derivation needs raw byte passwords and may use an empty
 * salt (a session key of a key file with cipher "null"), which PBEKeySpec refuses. Checked
 * against published vectors in the tests.
 *
 * <p>Speed (each side of every handshake runs 10000 iterations, once or twice): HMAC(K, m) =
 * H((K^opad) || H((K^ipad) || m)), and K never changes within a derivation, so the digest
 * states after the ipad and opad blocks are computed once and copied ({@code clone}) for each
 * iteration: two SHA compressions per iteration instead of the four a JCA Mac does (it re-hashes
 * the pad blocks on every reset). The JDK's SHA-2 keeps its CPU intrinsics; measured with
 * {@code lsk bench}: 10000 iterations of HMAC-SHA256 take about 60% of the plain JCA Mac loop.
 */
public final class Pbkdf2 {
    private Pbkdf2() {
    }

    public static byte[] derive(HmacAlg alg, byte[] password, byte[] salt, int iterations, int length) {
        if (iterations < 1 || length < 0) {
            throw new IllegalArgumentException("bad PBKDF2 parameters");
        }
        int h = alg.digestLength();
        MessageDigest inner = digest(alg);
        MessageDigest outer = digest(alg);
        keyPads(alg, password, inner, outer);
        byte[] out = new byte[length];
        byte[] u = new byte[h];
        byte[] t = new byte[h];
        try {
            for (int block = 1, off = 0; off < length; block++, off += h) {
                MessageDigest md = copy(inner);
                md.update(salt);
                md.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8),
                        (byte) block});
                md.digest(u, 0, h);
                md = copy(outer);
                md.update(u);
                md.digest(u, 0, h);
                System.arraycopy(u, 0, t, 0, h);
                for (int i = 1; i < iterations; i++) {
                    md = copy(inner);
                    md.update(u);
                    md.digest(u, 0, h);
                    md = copy(outer);
                    md.update(u);
                    md.digest(u, 0, h);
                    for (int j = 0; j < h; j++) {
                        t[j] ^= u[j];
                    }
                }
                System.arraycopy(t, 0, out, off, Math.min(h, length - off));
            }
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(u, (byte) 0);
            Arrays.fill(t, (byte) 0);
            // The pad states hold the key: drop them (a digest has no wipe; reset clears its state).
            inner.reset();
            outer.reset();
        }
        return out;
    }

    /** Feeds K^ipad to inner and K^opad to outer (RFC 2104; a key longer than a block is hashed). */
    private static void keyPads(HmacAlg alg, byte[] key, MessageDigest inner, MessageDigest outer) {
        int b = blockLength(alg);
        byte[] k = key.length > b ? digest(alg).digest(key) : key;
        byte[] pad = new byte[b];
        try {
            for (int i = 0; i < b; i++) {
                pad[i] = (byte) ((i < k.length ? k[i] : 0) ^ 0x36);
            }
            inner.update(pad);
            for (int i = 0; i < b; i++) {
                pad[i] = (byte) ((i < k.length ? k[i] : 0) ^ 0x5c);
            }
            outer.update(pad);
        } finally {
            Arrays.fill(pad, (byte) 0);
            if (k != key) {
                Arrays.fill(k, (byte) 0);
            }
        }
    }

    /** The hash function's block size: 64 bytes for SHA-256, 128 for SHA-512. */
    private static int blockLength(HmacAlg alg) {
        return switch (alg) {
            case SHA256 -> 64;
            case SHA512 -> 128;
            case NONE -> throw new IllegalArgumentException("no HMAC for NONE");
        };
    }

    private static MessageDigest digest(HmacAlg alg) {
        String name = switch (alg) {
            case SHA256 -> "SHA-256";
            case SHA512 -> "SHA-512";
            case NONE -> throw new IllegalArgumentException("no HMAC for NONE");
        };
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JCA lacks " + name, e);
        }
    }

    private static MessageDigest copy(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            // The JDK's SHA-2 digests are cloneable; a provider whose are not is a setup error.
            throw new IllegalStateException("digest " + md.getAlgorithm() + " is not cloneable", e);
        }
    }
}
