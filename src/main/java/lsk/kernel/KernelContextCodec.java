package lsk.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.DecodeException;
import lsk.base.Secret;

/**
 * The context blob handed to the kernel ({@code sk_serialize_kctx}), in HOST byte order:
 * little-endian, since x86_64 is the only platform whose kernel formats lsk targets.
 *
 * <pre>
 * off   size  field
 *   0      4  u32 version (1)
 *   4    128  char hmac_alg[]   NUL-padded kernel crypto name (CRYPTO_MAX_NAME * 2)
 * 132    128  char crypt_alg[]  NUL-padded
 * 260      4  u32 expire (seconds)
 * 264      4  host random (raw)
 * 268      4  peer random (raw)
 * 272      4  u32 hmac key length, then the key
 *   .      4  u32 encryption key length, then the key
 * </pre>
 * Only these defined bytes are produced; the C tool's trailing uninitialised heap bytes are not.
 */
public final class KernelContextCodec {
    public static final ByteOrder HOST_ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int OFF_VERSION = 0;
    public static final int OFF_HMAC_ALG = 4;
    public static final int ALG_NAME_FIELD = 128;
    public static final int OFF_CRYPT_ALG = OFF_HMAC_ALG + ALG_NAME_FIELD;
    public static final int OFF_EXPIRE = OFF_CRYPT_ALG + ALG_NAME_FIELD;
    public static final int OFF_HOST_RANDOM = OFF_EXPIRE + 4;
    public static final int OFF_PEER_RANDOM = OFF_HOST_RANDOM + 4;
    public static final int OFF_HMAC_KEY_LEN = OFF_PEER_RANDOM + 4;
    /** Keys longer than this are refused on import (the kernel allocates what the blob says). */
    public static final int MAX_KEY_LEN = 1024;

    private KernelContextCodec() {
    }

    public static byte[] encode(KernelContext c) {
        byte[] hk = c.hmacKey().reveal();
        byte[] ek = c.encryptKey().reveal();
        try {
            ByteBuffer b = ByteBuffer.allocate(OFF_HMAC_KEY_LEN + 4 + hk.length + 4 + ek.length).order(HOST_ORDER);
            b.putInt(OFF_VERSION, (int) c.version());
            putName(b, OFF_HMAC_ALG, c.hmacAlg());
            putName(b, OFF_CRYPT_ALG, c.cryptAlg());
            b.putInt(OFF_EXPIRE, (int) c.expire());
            b.put(OFF_HOST_RANDOM, c.hostRandom().toByteArray());
            b.put(OFF_PEER_RANDOM, c.peerRandom().toByteArray());
            b.position(OFF_HMAC_KEY_LEN);
            b.putInt(hk.length).put(hk).putInt(ek.length).put(ek);
            return b.array();
        } finally {
            Bytes.wipe(hk, ek);
        }
    }

    /**
     * Parses a blob as the kernel would; bytes after the defined fields are ignored, as there.
     *
     * @throws DecodeException naming the field at fault (never key bytes)
     */
    public static KernelContext decode(byte[] blob) throws DecodeException {
        ByteBuffer b = ByteBuffer.wrap(blob).order(HOST_ORDER);
        if (blob.length < OFF_HMAC_KEY_LEN + 8) {
            throw new DecodeException("context blob", "too short: " + blob.length + " bytes");
        }
        long version = Integer.toUnsignedLong(b.getInt(OFF_VERSION));
        String hmac = getName(blob, OFF_HMAC_ALG, "hmac_alg");
        String crypt = getName(blob, OFF_CRYPT_ALG, "crypt_alg");
        long expire = Integer.toUnsignedLong(b.getInt(OFF_EXPIRE));
        ByteString host = ByteString.copyOf(blob, OFF_HOST_RANDOM, 4);
        ByteString peer = ByteString.copyOf(blob, OFF_PEER_RANDOM, 4);
        b.position(OFF_HMAC_KEY_LEN);
        Secret hk = getKey(b, "hmac key");
        Secret ek;
        try {
            ek = getKey(b, "encryption key");
        } catch (DecodeException e) {
            hk.wipe();
            throw e;
        }
        return new KernelContext(version, hmac, crypt, expire, host, peer, hk, ek);
    }

    private static Secret getKey(ByteBuffer b, String what) throws DecodeException {
        if (b.remaining() < 4) {
            throw new DecodeException("context blob", "truncated before " + what + " length");
        }
        int n = b.getInt();
        if (n < 0 || n > MAX_KEY_LEN || n > b.remaining()) {
            throw new DecodeException("context " + what, "length " + Integer.toUnsignedString(n)
                    + " invalid (" + b.remaining() + " bytes left)");
        }
        Secret k = Secret.copyOf(b.array(), b.arrayOffset() + b.position(), n);
        b.position(b.position() + n);
        return k;
    }

    private static void putName(ByteBuffer b, int off, String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length >= ALG_NAME_FIELD) {
            throw new IllegalArgumentException("algorithm name too long: " + name);
        }
        b.put(off, n);
    }

    private static String getName(byte[] blob, int off, String field) throws DecodeException {
        int n = 0;
        while (n < ALG_NAME_FIELD && blob[off + n] != 0) {
            n++;
        }
        if (n == ALG_NAME_FIELD) {
            throw new DecodeException("context " + field, "not NUL-terminated");
        }
        // Kernel crypto names are printable ASCII. Anything else would be decoded as U+FFFD and
        // silently become '?' on re-encoding (found by KernelContextFuzzTest): refuse it here.
        for (int i = 0; i < n; i++) {
            if (blob[off + i] < 0x20 || blob[off + i] > 0x7e) {
                throw new DecodeException("context " + field, "has a non-printable byte at offset " + i);
            }
        }
        return new String(blob, off, n, StandardCharsets.US_ASCII);
    }
}
