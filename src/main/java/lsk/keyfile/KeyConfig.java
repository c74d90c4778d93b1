package lsk.keyfile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import lsk.base.ByteString;
import lsk.base.Secret;
import lsk.lnet.Nid;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;

/**
 * One key file: the fields of {@code struct sk_keyfile_config}, as read from disk.
 *
 * <p>Unsigned C fields are held in wider Java types (u32 in {@code long}, u16 and u8 in
 * {@code int}) so that whatever a file holds, including ids the tools reject, survives a
 * read and a rewrite unchanged. The byte layout lives only in {@link KeyFileCodec}.
 *
 * <p>Immutable apart from {@link #wipe()}: the NID array is copied in and out, the prime is a
 * {@link ByteString}, and the shared key a {@link Secret} this config owns. Whoever made or
 * decoded a config and is done with it calls {@link #wipe()}; one that is handed a config (a
 * {@link KeySource}'s keys) leaves it alone. {@link #toString()} never shows the shared key.
 *
 * @param version     skc_version, must be 1
 * @param hmacAlg     skc_hmac_alg id (see {@link HmacAlg})
 * @param cryptAlg    skc_crypt_alg id (see {@link CryptAlg})
 * @param expire      skc_expire, seconds (u32)
 * @param sharedKeyLenBits skc_shared_keylen, in BITS (u32)
 * @param primeBits   skc_prime_bits (u32)
 * @param type        skc_type bit mask (u8, {@link #TYPE_CLIENT} ...)
 * @param mgsNids     skc_mgsnids, exactly {@link KeyFileCodec#MGS_NID_SLOTS} u64 NIDs,
 *                    unused ones {@link Nid#ANY}
 * @param fsnameField  all {@link KeyFileCodec#FSNAME_FIELD} bytes of skc_fsname, the bytes after
 *                    its NUL included (C leaves the tail of a longer old name there, and the
 *                    file and the keyring payload carry it); {@link #fsname()} is the C string
 * @param nodemapField all {@link KeyFileCodec#NODEMAP_FIELD} bytes of skc_nodemap, likewise;
 *                    {@link #nodemap()} is the C string
 * @param sharedKeyField all {@link KeyFileCodec#SHARED_KEY_FIELD} bytes of skc_shared_key; the
 *                    config takes it over (wiped by {@link #wipe()})
 * @param primeField  all {@link KeyFileCodec#PRIME_FIELD} bytes of skc_p (big-endian, left-aligned)
 */
public record KeyConfig(
        long version,
        int hmacAlg,
        int cryptAlg,
        long expire,
        long sharedKeyLenBits,
        long primeBits,
        int type,
        long[] mgsNids,
        ByteString fsnameField,
        ByteString nodemapField,
        Secret sharedKeyField,
        ByteString primeField) {

    public static final int TYPE_CLIENT = 0x1;
    public static final int TYPE_SERVER = 0x2;
    public static final int TYPE_MGS = 0x4;
    public KeyConfig {
        if (mgsNids.length != KeyFileCodec.MGS_NID_SLOTS) {
            throw new IllegalArgumentException("mgsNids must have " + KeyFileCodec.MGS_NID_SLOTS + " slots");
        }
        if (sharedKeyField.size() != KeyFileCodec.SHARED_KEY_FIELD) {
            throw new IllegalArgumentException("shared key field must be " + KeyFileCodec.SHARED_KEY_FIELD + " bytes");
        }
        if (primeField.size() != KeyFileCodec.PRIME_FIELD) {
            throw new IllegalArgumentException("prime field must be " + KeyFileCodec.PRIME_FIELD + " bytes");
        }
        if (fsnameField.size() != KeyFileCodec.FSNAME_FIELD) {
            throw new IllegalArgumentException("fsname field must be " + KeyFileCodec.FSNAME_FIELD + " bytes");
        }
        if (nodemapField.size() != KeyFileCodec.NODEMAP_FIELD) {
            throw new IllegalArgumentException("nodemap field must be " + KeyFileCodec.NODEMAP_FIELD + " bytes");
        }
        mgsNids = mgsNids.clone();
    }

    /** skc_fsname as C reads it: up to its first NUL (the whole field if it has none). */
    public String fsname() {
        return cString(fsnameField);
    }

    /** skc_nodemap as C reads it: up to its first NUL (the whole field if it has none). */
    public String nodemap() {
        return cString(nodemapField);
    }

    private static String cString(ByteString field) {
        int n = 0;
        while (n < field.size() && field.byteAt(n) != 0) {
            n++;
        }
        return new String(field.toByteArray(), 0, n, StandardCharsets.ISO_8859_1);
    }

    @Override
    public long[] mgsNids() {
        return mgsNids.clone();
    }

    /** All 128 bytes of skc_shared_key, a new secret the caller wipes (this config keeps its own). */
    @Override
    public Secret sharedKeyField() {
        byte[] f = sharedKeyField.reveal();
        return Secret.adopt(f);
    }

    /** The shared key proper (the first shared_keylen/8 bytes), a new secret the caller wipes. */
    public Secret sharedKeySecret() {
        byte[] f = sharedKeyField.reveal();
        try {
            return Secret.copyOf(f, 0, sharedKeyBytes());
        } finally {
            Arrays.fill(f, (byte) 0);
        }
    }

    /** {@link #sharedKeySecret()} as bytes: wipe them when done. Prefer the secret. */
    public byte[] sharedKey() {
        byte[] f = sharedKeyField.reveal();
        try {
            return Arrays.copyOf(f, sharedKeyBytes());
        } finally {
            Arrays.fill(f, (byte) 0);
        }
    }

    private int sharedKeyBytes() {
        return (int) Math.min(sharedKeyLenBits / 8, KeyFileCodec.SHARED_KEY_FIELD);
    }

    /** The prime as it goes on the wire: the first prime_bits/8 bytes of skc_p. */
    public ByteString primeWire() {
        int n = (int) Math.min(primeBits / 8, KeyFileCodec.PRIME_FIELD);
        return ByteString.copyOf(primeField.toByteArray(), 0, n);
    }

    /** {@link #primeWire()} as a fresh array. */
    public byte[] prime() {
        return primeWire().toByteArray();
    }

    /** True when skc_p has any non-zero byte (server and mgs keys carry none). */
    public boolean hasPrime() {
        for (int i = 0; i < primeField.size(); i++) {
            if (primeField.byteAt(i) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Zeroes the shared key this config owns; it must not be used afterwards. */
    public void wipe() {
        sharedKeyField.wipe();
    }

    public boolean isClient() {
        return (type & TYPE_CLIENT) != 0;
    }

    public boolean isServer() {
        return (type & TYPE_SERVER) != 0;
    }

    public boolean isMgs() {
        return (type & TYPE_MGS) != 0;
    }

    /** The MGS NIDs that are set (not {@link Nid#ANY}), in slot order. */
    public long[] usedMgsNids() {
        return Arrays.stream(mgsNids).filter(n -> n != Nid.ANY).toArray();
    }

    /** Constant-time equality of the shared keys (length and bytes), for key removal and rotation. */
    public boolean sameSharedKey(KeyConfig other) {
        try (Secret a = sharedKeySecret(); Secret b = other.sharedKeySecret()) {
            return a.equalsConstantTime(b);
        }
    }

    /** A builder seeded with this config's values, for -m style edits. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyConfig k
                && version == k.version && hmacAlg == k.hmacAlg && cryptAlg == k.cryptAlg
                && expire == k.expire && sharedKeyLenBits == k.sharedKeyLenBits
                && primeBits == k.primeBits && type == k.type
                && Arrays.equals(mgsNids, k.mgsNids) && fsnameField.equals(k.fsnameField)
                && nodemapField.equals(k.nodemapField)
                && sharedKeyField.equalsConstantTime(k.sharedKeyField)
                && primeField.equals(k.primeField);
    }

    @Override
    public int hashCode() {
        // The shared key is left out on purpose: hashes must not depend on secrets.
        return Objects.hash(version, hmacAlg, cryptAlg, expire, sharedKeyLenBits, primeBits,
                type, Arrays.hashCode(mgsNids), fsnameField, nodemapField, primeField);
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "KeyConfig[version=" + version + ", hmacAlg=" + hmacAlg + ", cryptAlg=" + cryptAlg
                + ", expire=" + expire + ", sharedKeyLenBits=" + sharedKeyLenBits
                + ", primeBits=" + primeBits + ", type=0x" + Integer.toHexString(type)
                + ", fsname=" + fsname() + ", nodemap=" + nodemap() + ", sharedKey=<redacted>]";
    }

    /** Mutable helper to assemble a {@link KeyConfig}; defaults are those of {@code lgss_sk -w}. */
    public static final class Builder {
        private long version = 1;
        private int hmacAlg = HmacAlg.SHA256.id();
        private int cryptAlg = CryptAlg.AES256_CTR.id();
        private long expire = 604800;
        private long sharedKeyLenBits = 256;
        private long primeBits = 2048;
        private int type = 0;
        private long[] mgsNids = filledNids();
        private byte[] fsnameField = new byte[KeyFileCodec.FSNAME_FIELD];
        private byte[] nodemapField = field("default", KeyFileCodec.NODEMAP_FIELD, "nodemap");
        private byte[] sharedKeyField = new byte[KeyFileCodec.SHARED_KEY_FIELD];
        private byte[] primeField = new byte[KeyFileCodec.PRIME_FIELD];

        private Builder() {
        }

        private Builder(KeyConfig c) {
            version = c.version;
            hmacAlg = c.hmacAlg;
            cryptAlg = c.cryptAlg;
            expire = c.expire;
            sharedKeyLenBits = c.sharedKeyLenBits;
            primeBits = c.primeBits;
            type = c.type;
            mgsNids = c.mgsNids.clone();
            fsnameField = c.fsnameField.toByteArray();
            nodemapField = c.nodemapField.toByteArray();
            sharedKeyField = c.sharedKeyField.reveal();
            primeField = c.primeField.toByteArray();
        }

        private static long[] filledNids() {
            long[] n = new long[KeyFileCodec.MGS_NID_SLOTS];
            Arrays.fill(n, Nid.ANY);
            return n;
        }

        public Builder version(long v) { version = v; return this; }
        public Builder hmacAlg(int v) { hmacAlg = v; return this; }
        public Builder cryptAlg(int v) { cryptAlg = v; return this; }
        public Builder expire(long v) { expire = v; return this; }
        public Builder sharedKeyLenBits(long v) { sharedKeyLenBits = v; return this; }
        public Builder primeBits(long v) { primeBits = v; return this; }
        public Builder type(int v) { type = v; return this; }
        /** The whole field: {@code v}, then zeros. */
        public Builder fsname(String v) { fsnameField = field(v, KeyFileCodec.FSNAME_FIELD, "fsname"); return this; }
        /** The whole field: {@code v}, then zeros. */
        public Builder nodemap(String v) { nodemapField = field(v, KeyFileCodec.NODEMAP_FIELD, "nodemap"); return this; }

        /** As C's {@code -f}: {@code v} and its NUL over the start of the field, the bytes after kept. */
        public Builder overwriteFsname(String v) { overwrite(fsnameField, v, "fsname"); return this; }
        /** As C's {@code -n}: {@code v} and its NUL over the start of the field, the bytes after kept. */
        public Builder overwriteNodemap(String v) { overwrite(nodemapField, v, "nodemap"); return this; }

        /** All {@link KeyFileCodec#FSNAME_FIELD} bytes of skc_fsname, as they are. */
        public Builder fsnameField(byte[] v) { fsnameField = exact(v, KeyFileCodec.FSNAME_FIELD, "fsname"); return this; }
        /** All {@link KeyFileCodec#NODEMAP_FIELD} bytes of skc_nodemap, as they are. */
        public Builder nodemapField(byte[] v) { nodemapField = exact(v, KeyFileCodec.NODEMAP_FIELD, "nodemap"); return this; }

        private static byte[] field(String v, int len, String what) {
            byte[] f = new byte[len];
            overwrite(f, v, what);
            return f;
        }

        /** Names are Latin-1 bytes, as in C; one that leaves no room for its NUL is refused. */
        private static void overwrite(byte[] f, String v, String what) {
            byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
            if (b.length >= f.length) {
                throw new IllegalArgumentException(what + " longer than " + (f.length - 1) + " characters");
            }
            System.arraycopy(b, 0, f, 0, b.length);
            f[b.length] = 0;
        }

        private static byte[] exact(byte[] v, int len, String what) {
            if (v.length != len) {
                throw new IllegalArgumentException(what + " field must be " + len + " bytes");
            }
            return v.clone();
        }

        /** Sets the NID slots: the given NIDs first, the rest {@link Nid#ANY}. */
        public Builder mgsNids(long... nids) {
            if (nids.length > KeyFileCodec.MGS_NID_SLOTS) {
                throw new IllegalArgumentException("at most " + KeyFileCodec.MGS_NID_SLOTS + " NID slots");
            }
            long[] n = filledNids();
            System.arraycopy(nids, 0, n, 0, nids.length);
            mgsNids = n;
            return this;
        }

        /** Copies key bytes into the start of the 128-byte field; the rest becomes zero. */
        public Builder sharedKey(byte[] key) {
            byte[] f = new byte[KeyFileCodec.SHARED_KEY_FIELD];
            System.arraycopy(key, 0, f, 0, Math.min(key.length, f.length));
            Arrays.fill(sharedKeyField, (byte) 0);
            sharedKeyField = f;
            return this;
        }

        /** Copies a big-endian prime into the start of the 2048-byte field; the rest becomes zero. */
        public Builder prime(byte[] p) {
            byte[] f = new byte[KeyFileCodec.PRIME_FIELD];
            System.arraycopy(p, 0, f, 0, Math.min(p.length, f.length));
            primeField = f;
            return this;
        }

        /** A config with its own copy of the key; the builder keeps its bytes until {@link #clear()}. */
        public KeyConfig build() {
            return new KeyConfig(version, hmacAlg, cryptAlg, expire, sharedKeyLenBits, primeBits, type,
                    mgsNids, ByteString.copyOf(fsnameField), ByteString.copyOf(nodemapField),
                    Secret.copyOf(sharedKeyField), ByteString.copyOf(primeField));
        }

        /** Zeroes the key bytes the builder holds (call when done building). */
        public void clear() {
            Arrays.fill(sharedKeyField, (byte) 0);
        }
    }
}
