package lsk.mech;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import lsk.base.Bytes;
import lsk.kernel.KernelContextCodec;
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
 * the pooled JCA objects of {@link KeyedPrimitives}: safe to share between threads. The
 * import checks are {@link ContextImport}'s.
 */
public final class SkMech implements AutoCloseable {
    /** Context blob version understood ({@code SK_INTERFACE_VERSION}). */
    public static final long INTERFACE_VERSION = ContextImport.INTERFACE_VERSION;
    /** Version in every wrap header ({@code SK_MSG_VERSION}). */
    public static final long MSG_VERSION = 1;
    /** The kernel refuses HMAC keys of this many bytes or fewer. */
    public static final int MIN_HMAC_KEY_EXCLUSIVE = ContextImport.MIN_HMAC_KEY_EXCLUSIVE;
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

    private final HmacAlg hmac;
    private final KeyedPrimitives keys;
    private final byte[] hostRandom;
    private final byte[] peerRandom;
    private final Instant expiresAt;
    private final Clock clock;
    private final AtomicLong counter;

    SkMech(HmacAlg hmac, KeyedPrimitives keys, byte[] hostRandom, byte[] peerRandom, Instant expiresAt, Clock clock,
           long counterStart) {
        this.hmac = hmac;
        this.keys = keys;
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
        return ContextImport.importContext(blob, clock);
    }

    /**
     * The reverse context ({@code gss_copy_reverse_context_sk}): same keys, randoms and expiry,
     * counter starting at 2^63 so that its counter blocks never meet this context's.
     */
    public SkMech reverse() throws GssException {
        checkUsable();
        return new SkMech(hmac, keys.copy(), hostRandom.clone(), peerRandom.clone(), expiresAt, clock, REVERSE_START);
    }

    /** True when the context carries an encryption key (skpi); wrap/unwrap need one. */
    public boolean privacy() {
        return keys.privacy();
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
            Cipher aes = keys.ctr(Cipher.ENCRYPT_MODE, hostRandom, ctr);
            int n = aes.doFinal(plain, 0, plain.length, token, HEADER_LEN);
            keys.giveCipher(aes);
            if (n != plain.length) {
                throw failure("sk wrap: cipher produced " + n + " of " + plain.length + " bytes");
            }
            Mac m = keys.takeMac();
            m.update(token, 0, HEADER_LEN);
            m.update(gssHeader);
            m.update(token, HEADER_LEN, plain.length);
            m.doFinal(token, HEADER_LEN + plain.length);
            keys.giveMac(m);
            return token;
        } catch (GeneralSecurityException e) {
            throw failure("sk wrap: " + e.getClass().getSimpleName());
        } finally {
            Bytes.wipe(plain);
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
            Mac m = keys.takeMac();
            m.update(token, 0, HEADER_LEN);
            m.update(gssHeader);
            m.update(token, HEADER_LEN, cipherLen);
            byte[] expected = m.doFinal();
            keys.giveMac(m);
            byte[] got = Arrays.copyOfRange(token, HEADER_LEN + cipherLen, token.length);
            if (!MessageDigest.isEqual(expected, got)) {
                throw new GssException("sk wrap token HMAC does not verify", GssException.GSS_S_BAD_SIG);
            }
            Cipher aes = keys.ctr(Cipher.DECRYPT_MODE, peerRandom, ctr);
            byte[] plain = aes.doFinal(token, HEADER_LEN, cipherLen);
            keys.giveCipher(aes);
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
        keys.close();
    }

    @Override
    public String toString() {
        return "SkMech[hmac=" + hmac.kernelName() + ", privacy=" + privacy() + ", expiresAt=" + expiresAt
                + ", counter=" + Long.toUnsignedString(counter.get()) + (keys.closed() ? ", closed" : "") + "]";
    }

    /** For tests: a copy of this context whose counter was last at {@code last} (u64). */
    SkMech withCounter(long last) {
        return new SkMech(hmac, keys.copy(), hostRandom.clone(), peerRandom.clone(), expiresAt, clock, last);
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

    private byte[] mac(byte[][] parts) throws GssException {
        try {
            return keys.mac(parts);
        } catch (GeneralSecurityException e) {
            throw failure("sk MIC: " + e.getClass().getSimpleName());
        }
    }

    private void checkUsable() throws GssException {
        if (keys.closed()) {
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
}
