package lsk.mech;

import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import lsk.sk.GssException;
import lsk.sk.HmacAlg;

/**
 * A Java model of the kernel side of the SK mechanism ({@code gss_sk_mech}): what a Lustre
 * kernel does with the context blob lsk hands it. It exists so that tests can prove that a
 * client context and the matching server context really talk to each other, without a Lustre
 * kernel. Entry point: {@link #importContext(byte[], Clock)}.
 *
 * <p>Per-message formats (all integers big-endian):
 * <pre>
 * MIC   = HMAC_h(hmac key, part 1 || part 2 || ...)
 * wrap  = header (16) || ciphertext (padded message) || HMAC_h(hmac key, header || gss header || ciphertext)
 *         header = u64 version (1) || u64 counter
 *         AES-CTR initial counter block = own random (4) || counter (8) || u32 1
 * </pre>
 * The peer decrypts with <em>its</em> peer random, i.e. our own random: that and the disjoint
 * counter ranges (forward contexts count up from 0, reverse contexts from 2^63) keep every
 * (key, counter block) pair unique although both directions share one key.
 *
 * <p>Where lsk is stricter than the kernel (each noted where it happens): a counter that hits
 * its limit stays dead (the kernel fails that one message and carries on into the other
 * range); MIC tokens must be exactly one digest long (the kernel compares a prefix); MAC
 * comparisons are constant time (the kernel uses memcmp); operations on an expired context
 * fail; an HMAC "null" context is refused (userspace never produces one).
 *
 * <p>Immutable except for the message counter (an {@link AtomicLong}), {@link #close()} and
 * the pools of JCA objects: safe to share between threads.
 *
 * <p>Speed: {@code Mac.getInstance}/{@code Cipher.getInstance} (a provider lookup) and a Mac's
 * key set-up cost tens of microseconds, more than the crypto of a small message, so keyed
 * Macs and AES/CTR Ciphers are kept in pools of this context and reused (a Mac resets itself
 * at doFinal; a Cipher is re-initialised with each message's counter block). A pool holds
 * one object per thread that used it at once; {@link #close()} re-keys pooled Macs with
 * zeros so no key state outlives the context in them.
 */
public final class SkMech implements AutoCloseable {
    /** Context blob version understood ({@code SK_INTERFACE_VERSION}). */
    public static final long INTERFACE_VERSION = 1;
    /** Version in every wrap header ({@code SK_MSG_VERSION}). */
    public static final long MSG_VERSION = 1;
    /** The kernel refuses HMAC keys of this many bytes or fewer. */
    public static final int MIN_HMAC_KEY_EXCLUSIVE = 8;
    /** First counter value of a reverse context; forward contexts start at 0. */
    public static final long REVERSE_START = Long.MIN_VALUE; // 2^63 as an unsigned u64
    /** Wrap header: u64 version, u64 counter. */
    public static final int HEADER_LEN = 16;
    public static final int OFF_HDR_VERSION = 0;
    public static final int OFF_HDR_COUNTER = 8;
    /**
     * Block size the kernel pads wrapped messages to: what the Linux crypto API reports for
     * {@code ctr(aes)}. Linux declares CTR a stream mode (the ctr template's cra_blocksize is 1),
     * so {@code gss_wrap_sk} adds no padding ({@code gss_add_padding} with block size 1) and
     * {@code gss_unwrap_sk}'s multiple-of-blocksize check always holds. SK-PROTOCOL.md section 5
     * says "padded to 16 bytes"; the kernel code wins, since interop with real nodes is the point.
     */
    public static final int PAD_BLOCK = 1;
    /** GSS_S_CONTEXT_EXPIRED (RFC 2744). */
    public static final int GSS_S_CONTEXT_EXPIRED = 12 << 16;

    private static final String CTR_ALG_NAME = "ctr(aes)";
    private static final String NULL_ALG_NAME = "null";

    private final HmacAlg hmac;
    private final byte[] hmacKey;
    private final byte[] encryptKey; // empty: integrity only
    private final byte[] hostRandom;
    private final byte[] peerRandom;
    private final Instant expiresAt;
    private final Clock clock;
    private final AtomicLong counter;
    private volatile boolean closed;
    private final ConcurrentLinkedQueue<Mac> macPool = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Cipher> cipherPool = new ConcurrentLinkedQueue<>();

    private SkMech(HmacAlg hmac, byte[] hmacKey, byte[] encryptKey, byte[] hostRandom, byte[] peerRandom,
                   Instant expiresAt, Clock clock, long counterStart) {
        this.hmac = hmac;
        this.hmacKey = hmacKey;
        this.encryptKey = encryptKey;
        this.hostRandom = hostRandom;
        this.peerRandom = peerRandom;
        this.expiresAt = expiresAt;
        this.clock = clock;
        this.counter = new AtomicLong(counterStart);
    }

    /**
     * Imports a serialized context as {@code gss_import_sec_context_sk} does: the blob layout of
     * {@link KernelContextCodec} (trailing bytes ignored), interface version 1, HMAC sha256 or
     * sha512, cipher {@code ctr(aes)} or {@code null}, HMAC key longer than 8 bytes, an AES key
     * size when an encryption key is present. The context expires {@code expire} seconds after
     * now; its counter starts at 0.
     *
     * @throws GssException GSS_S_FAILURE naming the field at fault (never key material)
     */
    public static SkMech importContext(byte[] blob, Clock clock) throws GssException {
        KernelContext c;
        try {
            c = KernelContextCodec.decode(blob);
        } catch (IllegalArgumentException e) {
            throw failure("cannot import sk context: " + e.getMessage());
        }
        if (c.version() != INTERFACE_VERSION) {
            throw failure("cannot import sk context: interface version " + c.version() + ", expected "
                    + INTERFACE_VERSION);
        }
        HmacAlg h = HmacAlg.byName(c.hmacAlg())
                .filter(a -> a.kernelName().equals(c.hmacAlg()))
                .orElseThrow(() -> failure("cannot import sk context: unknown hmac_alg '"
                        + printable(c.hmacAlg()) + "'"));
        if (h == HmacAlg.NONE) {
            throw failure("cannot import sk context: hmac_alg 'null' gives no integrity (not supported)");
        }
        if (!c.cryptAlg().equals(CTR_ALG_NAME) && !c.cryptAlg().equals(NULL_ALG_NAME)) {
            throw failure("cannot import sk context: unknown crypt_alg '" + printable(c.cryptAlg()) + "'");
        }
        byte[] hk = c.hmacKey();
        byte[] ek = c.encryptKey();
        if (hk.length <= MIN_HMAC_KEY_EXCLUSIVE) {
            wipe(hk, ek);
            throw failure("cannot import sk context: hmac key of " + hk.length + " bytes (must be more than "
                    + MIN_HMAC_KEY_EXCLUSIVE + ")");
        }
        if (ek.length > 0) {
            if (!c.cryptAlg().equals(CTR_ALG_NAME)) {
                wipe(hk, ek);
                throw failure("cannot import sk context: encryption key given but crypt_alg is '"
                        + c.cryptAlg() + "'");
            }
            if (ek.length != 16 && ek.length != 24 && ek.length != 32) {
                wipe(hk, ek);
                throw failure("cannot import sk context: encryption key of " + ek.length
                        + " bytes is no AES key size");
            }
        }
        Instant expires = clock.instant().plusSeconds(c.expire());
        return new SkMech(h, hk, ek, c.hostRandom(), c.peerRandom(), expires, clock, 0);
    }

    /**
     * The reverse context ({@code gss_copy_reverse_context_sk}): same keys, randoms and expiry,
     * counter starting at 2^63 so that its counter blocks never meet this context's.
     */
    public SkMech reverse() throws GssException {
        checkUsable();
        return new SkMech(hmac, hmacKey.clone(), encryptKey.clone(), hostRandom.clone(), peerRandom.clone(),
                expiresAt, clock, REVERSE_START);
    }

    /** True when the context carries an encryption key (skpi); wrap/unwrap need one. */
    public boolean privacy() {
        return encryptKey.length > 0;
    }

    public HmacAlg hmacAlg() {
        return hmac;
    }

    /** When the context expires: import time + the blob's expire seconds. */
    public Instant expiresAt() {
        return expiresAt;
    }

    public boolean isExpired() {
        return !clock.instant().isBefore(expiresAt);
    }

    /** The last counter value used (u64 as a signed long); 0 or 2^63 before the first wrap. */
    public long counter() {
        return counter.get();
    }

    /** Length of a MIC and of the wrap trailer: the digest size of the context's HMAC. */
    public int micLength() {
        return hmac.digestLength();
    }

    /** MIC over the concatenation of {@code parts} ({@code gss_get_mic_sk}). */
    public byte[] getMic(byte[]... parts) throws GssException {
        checkUsable();
        return mac(parts);
    }

    /**
     * Checks a MIC ({@code gss_verify_mic_sk}).
     *
     * @throws GssException GSS_S_DEFECTIVE_TOKEN when it is not one digest long, GSS_S_BAD_SIG
     *                      when it does not match
     */
    public void verifyMic(byte[] mic, byte[]... parts) throws GssException {
        checkUsable();
        if (mic.length != micLength()) {
            throw new GssException("sk MIC is " + mic.length + " bytes, expected " + micLength(),
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (!MessageDigest.isEqual(mac(parts), mic)) {
            throw new GssException("sk MIC does not verify", GssException.GSS_S_BAD_SIG);
        }
    }

    /**
     * Encrypts and signs one message ({@code gss_wrap_sk}). The counter is incremented first;
     * the message is padded to {@link #PAD_BLOCK} (see {@link #padded}).
     *
     * @param gssHeader the GSS header the HMAC also covers (not part of the token)
     * @throws GssException GSS_S_FAILURE when the context has no encryption key or its counter
     *                      is exhausted
     */
    public byte[] wrap(byte[] gssHeader, byte[] message) throws GssException {
        checkUsable();
        checkPrivacy();
        long ctr = nextCounter();
        byte[] plain = padded(message);
        int digest = micLength();
        byte[] token = new byte[HEADER_LEN + plain.length + digest];
        ByteBuffer hdr = ByteBuffer.wrap(token, 0, HEADER_LEN).order(ByteOrder.BIG_ENDIAN);
        hdr.putLong(OFF_HDR_VERSION, MSG_VERSION);
        hdr.putLong(OFF_HDR_COUNTER, ctr);
        try {
            Cipher aes = ctr(Cipher.ENCRYPT_MODE, hostRandom, ctr);
            int n = aes.doFinal(plain, 0, plain.length, token, HEADER_LEN);
            giveCipher(aes);
            if (n != plain.length) {
                throw failure("sk wrap: cipher produced " + n + " of " + plain.length + " bytes");
            }
            Mac m = takeMac();
            m.update(token, 0, HEADER_LEN);
            m.update(gssHeader);
            m.update(token, HEADER_LEN, plain.length);
            m.doFinal(token, HEADER_LEN + plain.length);
            giveMac(m);
            return token;
        } catch (GeneralSecurityException e) {
            throw failure("sk wrap: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /**
     * Checks and decrypts a wrap token from the peer ({@code gss_unwrap_sk}): length, block
     * multiple, header version, then the HMAC (constant time) before anything is decrypted,
     * with the peer's random as nonce. Returns the plaintext <em>with</em> its padding, as the
     * kernel does: the caller's own framing knows the message length.
     *
     * @throws GssException GSS_S_DEFECTIVE_TOKEN for a malformed token, GSS_S_BAD_SIG when the
     *                      HMAC does not match
     */
    public byte[] unwrap(byte[] gssHeader, byte[] token) throws GssException {
        checkUsable();
        checkPrivacy();
        int digest = micLength();
        if (token.length < HEADER_LEN + digest) {
            throw new GssException("sk wrap token of " + token.length + " bytes is shorter than header + HMAC ("
                    + (HEADER_LEN + digest) + ")", GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        int cipherLen = token.length - HEADER_LEN - digest;
        if (cipherLen % PAD_BLOCK != 0) {
            throw new GssException("sk wrap ciphertext of " + cipherLen + " bytes is not a multiple of "
                    + PAD_BLOCK, GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        ByteBuffer hdr = ByteBuffer.wrap(token, 0, HEADER_LEN).order(ByteOrder.BIG_ENDIAN);
        long version = hdr.getLong(OFF_HDR_VERSION);
        if (version != MSG_VERSION) {
            throw new GssException("sk wrap header version " + Long.toUnsignedString(version) + ", expected "
                    + MSG_VERSION, GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        long ctr = hdr.getLong(OFF_HDR_COUNTER);
        try {
            Mac m = takeMac();
            m.update(token, 0, HEADER_LEN);
            m.update(gssHeader);
            m.update(token, HEADER_LEN, cipherLen);
            byte[] expected = m.doFinal();
            giveMac(m);
            byte[] got = Arrays.copyOfRange(token, HEADER_LEN + cipherLen, token.length);
            if (!MessageDigest.isEqual(expected, got)) {
                throw new GssException("sk wrap token HMAC does not verify", GssException.GSS_S_BAD_SIG);
            }
            Cipher aes = ctr(Cipher.DECRYPT_MODE, peerRandom, ctr);
            byte[] plain = aes.doFinal(token, HEADER_LEN, cipherLen);
            giveCipher(aes);
            return plain;
        } catch (GeneralSecurityException e) {
            throw failure("sk unwrap: " + e.getClass().getSimpleName());
        }
    }

    /** The message as wrap encrypts it: {@link #addPadding} to {@link #PAD_BLOCK}. */
    public static byte[] padded(byte[] message) {
        return addPadding(message, PAD_BLOCK);
    }

    /**
     * The kernel's {@code gss_add_padding}: pads to a multiple of {@code blockSize} (a power of
     * two) with n bytes of value n; nothing is added when already aligned.
     */
    public static byte[] addPadding(byte[] message, int blockSize) {
        int pad = (blockSize - (message.length & (blockSize - 1))) & (blockSize - 1);
        byte[] out = Arrays.copyOf(message, message.length + pad);
        Arrays.fill(out, message.length, out.length, (byte) pad);
        return out;
    }

    /** Wipes this context's keys; every later operation fails with GSS_S_NO_CONTEXT. */
    @Override
    public void close() {
        closed = true;
        wipe(hmacKey, encryptKey);
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

    @Override
    public String toString() {
        return "SkMech[hmac=" + hmac.kernelName() + ", privacy=" + privacy() + ", expiresAt=" + expiresAt
                + ", counter=" + Long.toUnsignedString(counter.get()) + (closed ? ", closed" : "") + "]";
    }

    /** For tests: a copy of this context whose counter was last at {@code last} (u64). */
    SkMech withCounter(long last) {
        return new SkMech(hmac, hmacKey.clone(), encryptKey.clone(), hostRandom.clone(), peerRandom.clone(),
                expiresAt, clock, last);
    }

    /**
     * Increments the counter and returns the new value; reaching 0 (forward range exhausted
     * after wrapping around) or 2^63 (forward range ran into the reverse range) is an error.
     * The kernel steps past the bad value on the next call; here the counter stays put so the
     * context remains dead, since any later value would reuse counter blocks of the other range.
     */
    private long nextCounter() throws GssException {
        while (true) {
            long last = counter.get();
            long next = last + 1;
            if (next == 0 || next == REVERSE_START) {
                throw failure("sk counter exhausted at " + Long.toUnsignedString(last)
                        + ": the context must be renegotiated");
            }
            if (counter.compareAndSet(last, next)) {
                return next;
            }
        }
    }

    /** An AES/CTR Cipher from the pool (or new), initialised for this message. */
    private Cipher ctr(int mode, byte[] nonce, long ctr) throws GeneralSecurityException {
        Cipher c = cipherPool.poll();
        if (c == null) {
            return aesCtr(mode, encryptKey, counterBlock(nonce, ctr));
        }
        c.init(mode, new SecretKeySpec(encryptKey, "AES"), new IvParameterSpec(counterBlock(nonce, ctr)));
        return c;
    }

    /** Back to the pool after a complete doFinal (a failed operation drops its object). */
    private void giveCipher(Cipher c) {
        if (!closed) {
            cipherPool.offer(c);
        }
    }

    private Mac takeMac() throws GeneralSecurityException {
        Mac m = macPool.poll();
        return m != null ? m : newMac();
    }

    private void giveMac(Mac m) {
        if (!closed) {
            macPool.offer(m);
        }
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

    private Mac newMac() throws GeneralSecurityException {
        return hmac(hmac, hmacKey);
    }

    private byte[] mac(byte[][] parts) throws GssException {
        try {
            Mac m = takeMac();
            for (byte[] p : parts) {
                m.update(p);
            }
            byte[] out = m.doFinal();
            giveMac(m);
            return out;
        } catch (GeneralSecurityException e) {
            throw failure("sk MIC: " + e.getClass().getSimpleName());
        }
    }

    private void checkUsable() throws GssException {
        if (closed) {
            throw new GssException("sk context was closed", GssException.GSS_S_NO_CONTEXT);
        }
        if (isExpired()) {
            throw new GssException("sk context expired at " + expiresAt, GSS_S_CONTEXT_EXPIRED);
        }
    }

    private void checkPrivacy() throws GssException {
        if (!privacy()) {
            throw failure("sk context has no encryption key (integrity only): cannot wrap/unwrap");
        }
    }

    private static GssException failure(String msg) {
        return new GssException(msg, GssException.GSS_S_FAILURE);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            b.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return b.toString();
    }

    private static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            Arrays.fill(a, (byte) 0);
        }
    }
}
