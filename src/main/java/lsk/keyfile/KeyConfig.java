package lsk.keyfile;

import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;
import java.util.Arrays;

/**
 * One key file: the fields of {@code struct sk_keyfile_config}, as read from disk.
 *
 * <p>Unsigned C fields are held in wider Java types (u32 in {@code long}, u16 and u8 in
 * {@code int}) so that whatever a file holds, including ids the tools reject, survives a
 * read and a rewrite unchanged. The byte layout lives only in {@link KeyFileCodec}.
 *
 * <p>Arrays are copied in and out: a record here is immutable. {@link #toString()} never
 * shows the shared key. Call {@link #wipe()}-style helpers on copies you obtain, not here.
 *
 * @param version     skc_version, must be 1
 * @param hmacAlg     skc_hmac_alg id (see {@link HmacAlg})
 * @param cryptAlg    skc_crypt_alg id (see {@link CryptAlg})
 * @param expire      skc_expire, seconds (u32)
 * @param sharedKeyLenBits skc_shared_keylen, in BITS (u32)
 * @param primeBits   skc_prime_bits (u32)
 * @param type        skc_type bit mask (u8, {@link #TYPE_CLIENT} ...)
 * @param mgsNids     skc_mgsnids, exactly {@link KeyFileCodec#MGS_NID_SLOTS} u64 NIDs,
 *                    unused ones {@link #NID_ANY}
 * @param fsname      skc_fsname up to its NUL
 * @param nodemap     skc_nodemap up to its NUL
 * @param sharedKeyField all {@link KeyFileCodec#SHARED_KEY_FIELD} bytes of skc_shared_key
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
        String fsname,
        String nodemap,
        byte[] sharedKeyField,
        byte[] primeField) {

    public static final int TYPE_CLIENT = 0x1;
    public static final int TYPE_SERVER = 0x2;
    public static final int TYPE_MGS = 0x4;
    /** LNET_NID_ANY: an unused MGS NID slot. */
    public static final long NID_ANY = -1L;

    public KeyConfig {
        if (mgsNids.length != KeyFileCodec.MGS_NID_SLOTS) {
            throw new IllegalArgumentException("mgsNids must have " + KeyFileCodec.MGS_NID_SLOTS + " slots");
        }
        if (sharedKeyField.length != KeyFileCodec.SHARED_KEY_FIELD) {
            throw new IllegalArgumentException("shared key field must be " + KeyFileCodec.SHARED_KEY_FIELD + " bytes");
        }
        if (primeField.length != KeyFileCodec.PRIME_FIELD) {
            throw new IllegalArgumentException("prime field must be " + KeyFileCodec.PRIME_FIELD + " bytes");
        }
        mgsNids = mgsNids.clone();
        sharedKeyField = sharedKeyField.clone();
        primeField = primeField.clone();
    }

    @Override
    public long[] mgsNids() {
        return mgsNids.clone();
    }

    /** A copy of the whole 128-byte shared key field. Wipe it when done. */
    @Override
    public byte[] sharedKeyField() {
        return sharedKeyField.clone();
    }

    @Override
    public byte[] primeField() {
        return primeField.clone();
    }

    /** The shared key proper: the first shared_keylen/8 bytes. Wipe it when done. */
    public byte[] sharedKey() {
        int n = (int) Math.min(sharedKeyLenBits / 8, KeyFileCodec.SHARED_KEY_FIELD);
        return Arrays.copyOf(sharedKeyField, n);
    }

    /** The prime as it goes on the wire: the first prime_bits/8 bytes of skc_p. */
    public byte[] prime() {
        int n = (int) Math.min(primeBits / 8, KeyFileCodec.PRIME_FIELD);
        return Arrays.copyOf(primeField, n);
    }

    /** True when skc_p has any non-zero byte (server and mgs keys carry none). */
    public boolean hasPrime() {
        for (byte b : primeField) {
            if (b != 0) {
                return true;
            }
        }
        return false;
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

    /** The MGS NIDs that are set (not {@link #NID_ANY}), in slot order. */
    public long[] usedMgsNids() {
        return Arrays.stream(mgsNids).filter(n -> n != NID_ANY).toArray();
    }

    /** Constant-time equality of the shared keys (length and bytes), for key removal and rotation. */
    public boolean sameSharedKey(KeyConfig other) {
        byte[] a = sharedKey();
        byte[] b = other.sharedKey();
        try {
            return java.security.MessageDigest.isEqual(a, b);
        } finally {
            Arrays.fill(a, (byte) 0);
            Arrays.fill(b, (byte) 0);
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
                && Arrays.equals(mgsNids, k.mgsNids) && fsname.equals(k.fsname)
                && nodemap.equals(k.nodemap)
                && java.security.MessageDigest.isEqual(sharedKeyField, k.sharedKeyField)
                && Arrays.equals(primeField, k.primeField);
    }

    @Override
    public int hashCode() {
        // The shared key is left out on purpose: hashes must not depend on secrets.
        return java.util.Objects.hash(version, hmacAlg, cryptAlg, expire, sharedKeyLenBits, primeBits,
                type, Arrays.hashCode(mgsNids), fsname, nodemap, Arrays.hashCode(primeField));
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "KeyConfig[version=" + version + ", hmacAlg=" + hmacAlg + ", cryptAlg=" + cryptAlg
                + ", expire=" + expire + ", sharedKeyLenBits=" + sharedKeyLenBits
                + ", primeBits=" + primeBits + ", type=0x" + Integer.toHexString(type)
                + ", fsname=" + fsname + ", nodemap=" + nodemap + ", sharedKey=<redacted>]";
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
        private String fsname = "";
        private String nodemap = "default";
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
            fsname = c.fsname;
            nodemap = c.nodemap;
            sharedKeyField = c.sharedKeyField.clone();
            primeField = c.primeField.clone();
        }

        private static long[] filledNids() {
            long[] n = new long[KeyFileCodec.MGS_NID_SLOTS];
            Arrays.fill(n, NID_ANY);
            return n;
        }

        public Builder version(long v) { version = v; return this; }
        public Builder hmacAlg(int v) { hmacAlg = v; return this; }
        public Builder cryptAlg(int v) { cryptAlg = v; return this; }
        public Builder expire(long v) { expire = v; return this; }
        public Builder sharedKeyLenBits(long v) { sharedKeyLenBits = v; return this; }
        public Builder primeBits(long v) { primeBits = v; return this; }
        public Builder type(int v) { type = v; return this; }
        public Builder fsname(String v) { fsname = v; return this; }
        public Builder nodemap(String v) { nodemap = v; return this; }

        /** Sets the NID slots: the given NIDs first, the rest {@link #NID_ANY}. */
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

        public KeyConfig build() {
            return new KeyConfig(version, hmacAlg, cryptAlg, expire, sharedKeyLenBits, primeBits, type,
                    mgsNids, fsname, nodemap, sharedKeyField, primeField);
        }
    }
}
