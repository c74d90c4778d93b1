package lsk.lgsssk;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyValidation;
import lsk.lnet.Nid;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;

/**
 * The key-editing policy of {@code -w} and {@code -m}: old key (or the {@code -w} defaults) plus
 * {@link Request.Changes} gives the new key, or the messages that refuse it. Pure: no file, no
 * randomness; the caller reads the shared key data and makes the prime the result asks for.
 */
final class KeyEdit {
    static final long DEFAULT_EXPIRE = 604800;
    static final int DEFAULT_KEYLEN = 256;
    static final int DEFAULT_PRIME_BITS = 2048;
    static final int MIN_PRIME_BITS = 512; // OpenSSL's DH minimum, enforced by the C tool

    /** What an edit gives: a new key, or the error lines (in order) that end the run with exit 1. */
    sealed interface Outcome permits Edited, Refused {
    }

    /**
     * @param config    the new key; its prime is cleared or kept, never made here
     * @param needsPrime a fresh prime of {@code config.primeBits()} bits must be made
     * @param warnings  lines to print before going on
     */
    record Edited(KeyConfig config, boolean needsPrime, List<String> warnings) implements Outcome {
        Edited {
            warnings = List.copyOf(warnings);
        }
    }

    record Refused(List<String> messages) implements Outcome {
        Refused {
            messages = List.copyOf(messages);
        }

        Refused(String... messages) {
            this(List.of(messages));
        }
    }

    private KeyEdit() {
    }

    /** {@code -w}: a new key named {@code name} (for messages). */
    static Outcome create(Request.Changes ch, String name) {
        if (ch.fsname().isEmpty() && ch.mgsNids().isEmpty()) {
            return new Refused("error: missing --fsname or --mgsnids");
        }
        KeyConfig.Builder b = KeyConfig.builder().version(1).expire(DEFAULT_EXPIRE).sharedKeyLenBits(DEFAULT_KEYLEN)
                .primeBits(DEFAULT_PRIME_BITS).cryptAlg(CryptAlg.AES256_CTR.id()).hmacAlg(HmacAlg.SHA256.id())
                .nodemap("default");
        if (ch.type().isEmpty()) {
            return new Refused("error: no type specified for key");
        }
        int type = ch.type().getAsInt();
        b.type(type);
        return finish(b, ch, name, (type & KeyConfig.TYPE_CLIENT) != 0);
    }

    /**
     * {@code -m}: {@code old} changed. A key that becomes a client key gets a new prime; one that
     * stops being a client key loses its prime. As C, {@code -p N} clears the prime and makes a
     * new one only when N differs from the old size (the quirk LgssSk's class doc describes).
     */
    static Outcome modify(KeyConfig old, Request.Changes ch, String name) {
        KeyConfig.Builder b = old.toBuilder();
        int type = old.type();
        boolean needsPrime = false;
        if (ch.type().isPresent()) {
            int t = ch.type().getAsInt();
            if ((old.type() & KeyConfig.TYPE_CLIENT) == 0 && (t & KeyConfig.TYPE_CLIENT) != 0) {
                needsPrime = true;
            } else if ((t & KeyConfig.TYPE_CLIENT) == 0) {
                b.prime(new byte[0]);
            }
            b.type(t);
            type = t;
        }
        if (ch.primeBits().isPresent()) {
            b.prime(new byte[0]);
            if (old.primeBits() != ch.primeBits().getAsInt() && (type & KeyConfig.TYPE_CLIENT) != 0) {
                needsPrime = true;
            }
        }
        return finish(b, ch, name, needsPrime);
    }

    /** The changes both operations share, in the C order (which decides the first message). */
    private static Outcome finish(KeyConfig.Builder b, Request.Changes ch, String name, boolean needsPrime) {
        ch.crypt().ifPresent(a -> b.cryptAlg(a.id()));
        ch.hmac().ifPresent(a -> b.hmacAlg(a.id()));
        ch.expire().ifPresent(e -> b.expire(Integer.toUnsignedLong(e)));
        ch.sharedKeyBits().ifPresent(k -> b.sharedKeyLenBits(Integer.toUnsignedLong(k)));
        if (ch.primeBits().isPresent()) {
            int p = ch.primeBits().getAsInt();
            if (p < MIN_PRIME_BITS) {
                return new Refused("error: prime length must be at least " + MIN_PRIME_BITS);
            }
            b.primeBits(p);
        }
        // As C: the name and its NUL over the field, so a shorter name keeps the old one's tail
        // ("-n c0" over "default" is "c0\0ault"): files and keyring payloads are C's bytes.
        ch.fsname().ifPresent(b::overwriteFsname);
        ch.nodemap().ifPresent(b::overwriteNodemap);
        if (ch.mgsNids().isPresent()) {
            String list = ch.mgsNids().get();
            Optional<String> bad = badMgsNids(list);
            if (bad.isPresent()) {
                return new Refused(bad.get());
            }
            b.mgsNids(mgsNids(list));
        }
        KeyConfig c = b.build();
        Optional<String> invalid = KeyValidation.check(c);
        if (invalid.isPresent()) {
            return new Refused(invalid.get(), "error: key configuration failed validation");
        }
        Optional<String> refused = KeyValidation.tooShort(c, name);
        if (refused.isPresent()) {
            return new Refused(refused.get());
        }
        return new Edited(c, needsPrime, KeyValidation.shortWarning(c, name).stream().toList());
    }

    /**
     * parse_mgsnids' refusal of {@code list}, if any: a NID that does not parse, or a 16th NID
     * (the C loop stops at 16 and then calls that "more than 16").
     */
    static Optional<String> badMgsNids(String list) {
        int count = 0;
        for (String one : firstNids(list)) {
            if (Nid.parse(one) == Nid.ANY) {
                return Optional.of("error: invalid MGS NID: " + one);
            }
            count++;
        }
        if (count == KeyFileCodec.MGS_NID_SLOTS) {
            return Optional.of("error: more than " + KeyFileCodec.MGS_NID_SLOTS + " MGS NIDs provided");
        }
        return Optional.empty();
    }

    /** The NIDs of a list {@link #badMgsNids} accepts. */
    static long[] mgsNids(String list) {
        return firstNids(list).stream().mapToLong(Nid::parse).toArray();
    }

    /** The comma-separated elements C's loop looks at: at most {@link KeyFileCodec#MGS_NID_SLOTS}. */
    private static List<String> firstNids(String list) {
        List<String> out = new ArrayList<>();
        int pos = 0;
        while (pos < list.length() && out.size() < KeyFileCodec.MGS_NID_SLOTS) {
            int comma = list.indexOf(',', pos);
            String one = comma < 0 ? list.substring(pos) : list.substring(pos, comma);
            out.add(one);
            pos += one.length() + 1;
        }
        return out;
    }
}
