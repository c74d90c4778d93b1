package lsk.mech;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import lsk.base.Bytes;
import lsk.sk.HmacAlg;

/**
 * The keyed JCA objects of one {@link SkMech} context: its HMAC and AES/CTR under the context's
 * keys, kept in pools. {@code Mac.getInstance}/{@code Cipher.getInstance} (a provider lookup)
 * and a Mac's key set-up cost tens of microseconds, more than the crypto of a small message, so
 * they are reused: a Mac resets itself at doFinal, a Cipher is re-initialised with each
 * message's counter block. A pool holds one object per thread that used it at once; an
 * object whose operation failed is dropped, not returned. {@link #close} wipes the keys and
 * re-keys pooled Macs with zeros, so no key state outlives the context in them.
 */
final class KeyedPrimitives implements AutoCloseable {
    private final HmacAlg hmac;
    private final byte[] hmacKey;
    private final byte[] encryptKey; // empty: integrity only
    private final ConcurrentLinkedQueue<Mac> macPool = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Cipher> cipherPool = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** Takes the key arrays over (the caller keeps no reference). */
    KeyedPrimitives(HmacAlg hmac, byte[] hmacKey, byte[] encryptKey) {
        this.hmac = hmac;
        this.hmacKey = hmacKey;
        this.encryptKey = encryptKey;
    }

    /** The same keys in fresh pools (a reverse context, or a test's copy). */
    KeyedPrimitives copy() {
        return new KeyedPrimitives(hmac, hmacKey.clone(), encryptKey.clone());
    }

    boolean privacy() {
        return encryptKey.length > 0;
    }

    boolean closed() {
        return closed;
    }

    /** HMAC over the concatenation of {@code parts}. */
    byte[] mac(byte[]... parts) throws GeneralSecurityException {
        Mac m = takeMac();
        for (byte[] p : parts) {
            m.update(p);
        }
        byte[] out = m.doFinal();
        giveMac(m);
        return out;
    }

    Mac takeMac() throws GeneralSecurityException {
        Mac m = macPool.poll();
        return m != null ? m : hmac(hmac, hmacKey);
    }

    /** Back to the pool after a complete doFinal. */
    void giveMac(Mac m) {
        if (!closed) {
            macPool.offer(m);
        }
    }

    /** An AES/CTR Cipher from the pool (or new), initialised for one message. */
    Cipher ctr(int mode, byte[] nonce, long ctr) throws GeneralSecurityException {
        Cipher c = cipherPool.poll();
        if (c == null) {
            return aesCtr(mode, encryptKey, counterBlock(nonce, ctr));
        }
        c.init(mode, new SecretKeySpec(encryptKey, "AES"), new IvParameterSpec(counterBlock(nonce, ctr)));
        return c;
    }

    /** Back to the pool after a complete doFinal. */
    void giveCipher(Cipher c) {
        if (!closed) {
            cipherPool.offer(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        Bytes.wipe(hmacKey, encryptKey);
        byte[] zero = new byte[Math.max(1, hmacKey.length)];
        for (Mac m; (m = macPool.poll()) != null; ) {
            try {
                m.init(new SecretKeySpec(zero, m.getAlgorithm()));
            } catch (GeneralSecurityException e) {
                // dropped all the same
            }
        }
        cipherPool.clear();
    }

    /** The initial AES-CTR counter block: nonce (4 raw bytes) || counter (u64 BE) || u32 BE 1. */
    static byte[] counterBlock(byte[] nonce, long ctr) {
        byte[] iv = new byte[16];
        System.arraycopy(nonce, 0, iv, 0, 4);
        ByteBuffer.wrap(iv).order(ByteOrder.BIG_ENDIAN).putLong(4, ctr).putInt(12, 1);
        return iv;
    }

    /**
     * AES in counter mode, the whole 16-byte block counting up big-endian (as the kernel's
     * {@code ctr(aes)}; JCA's AES/CTR does the same). Package-private so tests can hold it
     * against NIST SP 800-38A.
     */
    static Cipher aesCtr(int mode, byte[] key, byte[] iv) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c;
    }

    /** A keyed HMAC of the given algorithm (package-private for the RFC 4231 tests). */
    static Mac hmac(HmacAlg alg, byte[] key) throws GeneralSecurityException {
        Mac m = Mac.getInstance(alg.jcaName());
        m.init(new SecretKeySpec(key, alg.jcaName()));
        return m;
    }
}
