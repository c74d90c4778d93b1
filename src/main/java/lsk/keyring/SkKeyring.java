package lsk.keyring;

import lsk.sk.KeyNames;
import lsk.sk.KeyPerm;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import lsk.base.LskException;
import lsk.base.Errno;
import lsk.base.Secret;
import lsk.keyfile.KeyConfig;
import lsk.lnet.Nid;
import lsk.keyfile.KeyFileCodec;

/**
 * Lustre SSK keys in the Linux kernel keyring (SK-PROTOCOL.md section 2): what
 * {@code lgss_sk -l} and {@code -R} do once a key file has been read and validated.
 *
 * <p>Keys are {@code user} keys in the user keyring (@u) holding the 2407-byte big-endian
 * file image. @u is linked into the session keyring first so this process possesses what it
 * loads. Messages follow the C tool's {@code printerr} levels: a message of level n is printed
 * when {@code verbosity >= n}.
 *
 * <p><b>Permissions deliberately differ from C.</b> The C tool sets 0x3f3f3f3f, so every local
 * user can read the shared key (and sign init tokens as any node, root flag included), update it
 * or revoke it. lsk sets {@link lsk.sk.KeyPerm#POSSESSOR_OWNER} (0x3f3f0000). That is all the
 * readers need: the server daemon reads the keys of root's @u as root, the owner, with or
 * without possessing them (a systemd service has a session keyring of its own). The client
 * upcall runs as root (request-key starts it so) and looks the key up before any identity
 * switch, for a non-root user's context too: C's lgss_keyring searches root's @u, lsk's the
 * request's session keyring, then root's @u; it reads as the owner, or as possessor of a key
 * found through the requester's keyrings. No reader relies on the group or other bits.
 * Tighter owner bits would buy nothing: the owner may always setperm its key.
 */
public final class SkKeyring {
    /** Key type of SSK keys. */
    public static final String KEY_TYPE = "user";

    /**
     * @param suffix          {@code -s}: keep existing keys of the same description, add a dated one
     * @param formerKeyTimeout {@code -x}: seconds the former keys live on in suffix mode (negative: default)
     * @param clientUuid      client UUID of a mount ({@code -u DIR}), or null
     * @param randomize       client keys only: add {@code lustre:<fs>:<4 hex>} and the legacy
     *                        {@code lustre:<fs>} (what {@code mount.lustre skpath=} does; lgss_sk does not)
     */
    public record LoadOptions(boolean suffix, long formerKeyTimeout, String clientUuid, boolean randomize) {
        public static final long DEFAULT_FORMER_KEY_TIMEOUT = 172800;

        public LoadOptions(boolean suffix, long formerKeyTimeout, String clientUuid) {
            this(suffix, formerKeyTimeout, clientUuid, false);
        }

        public static LoadOptions defaults() {
            return new LoadOptions(false, DEFAULT_FORMER_KEY_TIMEOUT, null, false);
        }
    }

    private final Keyring keyring;
    private final PrintStream log;
    private final int verbosity;
    private final Clock clock;
    private final RandomGenerator random;

    /**
     * @param clock  gives the local time of suffixes ({@code :yyyymmdd_HHMMSS_usecs}, clock's zone)
     * @param random source of the 4 hex digits of randomized client descriptions
     */
    public SkKeyring(Keyring keyring, PrintStream log, int verbosity, Clock clock, RandomGenerator random) {
        this.keyring = Objects.requireNonNull(keyring);
        this.log = Objects.requireNonNull(log);
        this.verbosity = verbosity;
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
    }

    /**
     * Binds to the kernel keyring through the native shim.
     *
     * @param log        where verbose messages go (stderr in lgss_sk)
     * @param verbosity  C-style printerr level: messages with level &lt;= verbosity are shown
     */
    public static SkKeyring open(PrintStream log, int verbosity) throws LskException {
        return new SkKeyring(Keyring.open(), log, verbosity, Clock.systemDefaultZone(), new SecureRandom());
    }

    /** The keyring this instance works on (for callers that need lower-level operations). */
    public Keyring keyring() {
        return keyring;
    }

    // ---- descriptions (one place for the naming rules)

    /** The one description {@code -R} works from: mgs wins over server over client, as in C. */
    public static String removeDescription(KeyConfig cfg) throws LskException {
        if (cfg.isMgs()) {
            return KeyNames.mgs(cfg.nodemap());
        } else if (cfg.isServer()) {
            return KeyNames.server(cfg.fsname(), cfg.nodemap());
        } else if (cfg.isClient()) {
            return KeyNames.client(cfg.fsname(), null);
        }
        throw new LskException("Invalid key type", Errno.EINVAL);
    }

    // ---- load

    /** Loads {@code cfg} (already validated, client keys with their prime) under every description it needs.
     *  @return the descriptions added, in order */
    public List<String> load(KeyConfig cfg, LoadOptions options) throws LskException {
        linkUserIntoSession();
        long timeout = options.formerKeyTimeout() < 0
                ? LoadOptions.DEFAULT_FORMER_KEY_TIMEOUT : options.formerKeyTimeout();
        List<String> added = new ArrayList<>();
        byte[] payload = KeyFileCodec.encodeBinary(cfg);
        try {
            if (cfg.isMgs()) {
                added.add(loadKey(payload, KeyNames.mgs(cfg.nodemap()), options.suffix(), timeout));
            }
            if (cfg.isServer()) {
                if (cfg.fsname().isEmpty()) {
                    printerr(0, "Key configuration has no file system attribute.  Can't load as server type\n");
                    throw new LskException("key has no file system name: cannot load it as a server key",
                            Errno.ENOKEY);
                }
                added.add(loadKey(payload, KeyNames.server(cfg.fsname(), cfg.nodemap()), options.suffix(),
                        timeout));
            }
            if (cfg.isClient()) {
                if (!cfg.fsname().isEmpty()) {
                    String extra = options.randomize() ? randomTag() : options.clientUuid();
                    added.add(loadKey(payload, KeyNames.client(cfg.fsname(), extra), false, timeout));
                    if (options.randomize()) {
                        // the legacy description too, for peers that look only for it; best effort as in C
                        try {
                            added.add(loadKey(payload, KeyNames.client(cfg.fsname(), null), false, timeout));
                        } catch (LskException e) {
                            // already reported by loadKey
                        }
                    }
                }
                for (long nid : cfg.usedMgsNids()) {
                    added.add(loadKey(payload, KeyNames.mgc(nid), false, timeout));
                }
            }
            return added;
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    /** One key: replace, or in suffix mode add a dated one and set a timeout on the former ones. */
    private String loadKey(byte[] payload, String description, boolean suffix, long timeout) throws LskException {
        String desc = description;
        List<Integer> former = List.of();
        OptionalInt existing = searchQuietly(description);
        if (existing.isPresent()) {
            if (suffix) {
                try {
                    former = keyring.find(Keyring.USER, d -> d.matchesBase(description));
                } catch (KeyringException e) {
                    printerr(0, "Cannot find any key in user keyring\n");
                    printerr(0, "Failed to build keys array: rc=%d\n", -Errno.ENOENT);
                    throw new LskException("cannot list the user keyring to find former keys of " + description,
                            Errno.ENOKEY, e);
                }
                desc = description + ":" + timestamp();
                printerr(2, "Key %d found in user keyring, inserting new key with desc %s\n",
                        existing.getAsInt(), desc);
            } else {
                printerr(2, "Key %d found in user keyring, replacing\n", existing.getAsInt());
            }
        }
        int key;
        try {
            key = keyring.addKey(KEY_TYPE, desc, payload, Keyring.USER);
        } catch (KeyringException e) {
            printerr(0, "Failed to add key with %s\n", desc);
            throw new LskException("cannot add key " + desc + " to the user keyring: "
                    + KeyringException.strerror(e.errno()), Errno.ENOKEY, e);
        }
        try {
            keyring.setPerm(key, KeyPerm.POSSESSOR_OWNER);
        } catch (KeyringException e) {
            printerr(2, "Failed to set perm 0x%x on key %d\n", KeyPerm.POSSESSOR_OWNER, key);
        }
        printerr(2, "Added key %d with description %s\n", key, desc);
        for (int f : former) {
            try {
                keyring.setTimeout(f, (int) Math.min(timeout, Integer.MAX_VALUE));
                printerr(2, "Setting timeout %ds on former key %d\n", timeout, f);
            } catch (KeyringException e) {
                printerr(2, "Failed to set timeout %ds on key %d\n", timeout, f);
            }
        }
        return desc;
    }

    // ---- remove

    /**
     * Revokes and unlinks every matching key whose payload carries the same shared key.
     * When none is removed, the C tool's "No matching key found to remove" has been printed
     * and 0 is returned (the C tool then fails with -ENOKEY).
     *
     * @return how many keys were removed
     */
    public int remove(KeyConfig cfg, LoadOptions options) throws LskException {
        String description = removeDescription(cfg);
        linkUserIntoSession();
        List<Integer> keys;
        try {
            keys = keyring.find(Keyring.USER, d -> d.matchesBase(description));
        } catch (KeyringException e) {
            printerr(0, "Cannot find any key in user keyring\n");
            throw new LskException("cannot list the user keyring", Errno.ENOENT, e);
        }
        int removed = 0;
        try (Secret fileKey = cfg.sharedKeySecret()) {
            for (int k : keys) {
                if (!sameSharedKey(k, cfg.sharedKeyLenBits(), fileKey)) {
                    continue;
                }
                try {
                    keyring.revoke(k);
                } catch (KeyringException e) {
                    printerr(0, "failed to revoke key %d: %s\n", k, KeyringException.strerror(e.errno()));
                    continue;
                }
                try {
                    keyring.unlink(k, Keyring.USER);
                } catch (KeyringException e) {
                    printerr(0, "failed to unlink key %d: %s\n", k, KeyringException.strerror(e.errno()));
                    continue;
                }
                printerr(2, "Key %d revoked and removed from keyring\n", k);
                removed++;
            }
        }
        if (removed > 0) {
            printerr(1, "Removed %d key(s) from keyring\n", removed);
        } else {
            printerr(0, "No matching key found to remove\n");
        }
        return removed;
    }

    /** The C checks before removal: payload size, shared key length, shared key bytes. */
    private boolean sameSharedKey(int key, long keyLenBits, Secret fileKey) {
        byte[] p;
        try {
            p = keyring.read(key);
        } catch (KeyringException e) {
            printerr(0, "failed to read key %d - skipping\n", key);
            return false;
        }
        try {
            if (p.length != KeyFileCodec.SIZE) {
                printerr(0, "key %d has unexpected size %d - skipping\n", key, p.length);
                return false;
            }
            long len = Integer.toUnsignedLong(ByteBuffer.wrap(p).getInt(KeyFileCodec.OFF_SHARED_KEYLEN));
            if (len != keyLenBits) {
                printerr(1, "key %d has different shared key length - skipping\n", key);
                return false;
            }
            byte[] ringKey = Arrays.copyOfRange(p, KeyFileCodec.OFF_SHARED_KEY,
                    KeyFileCodec.OFF_SHARED_KEY + fileKey.size());
            try {
                if (!fileKey.equalsConstantTime(ringKey)) {
                    printerr(1, "key %d has different shared key - skipping\n", key);
                    return false;
                }
            } finally {
                Arrays.fill(ringKey, (byte) 0);
            }
            return true;
        } finally {
            Arrays.fill(p, (byte) 0);
        }
    }

    // ---- helpers

    /** keyctl link @u @s, so that this process possesses the keys; failure is not fatal. */
    private void linkUserIntoSession() {
        try {
            keyring.link(Keyring.USER, Keyring.SESSION);
        } catch (KeyringException e) {
            printerr(1, "Failed to link user keyring into session keyring: %s\n",
                    KeyringException.strerror(e.errno()));
        }
    }

    private OptionalInt searchQuietly(String description) {
        try {
            return keyring.search(Keyring.USER, KEY_TYPE, description);
        } catch (KeyringException e) {
            return OptionalInt.empty(); // as in C: any search failure means "no such key yet"
        }
    }

    /** {@code yyyymmdd_HHMMSS_usecs} in local time. */
    private String timestamp() {
        ZonedDateTime t = ZonedDateTime.now(clock);
        return String.format("%04d%02d%02d_%02d%02d%02d_%06d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000);
    }

    /** 4 upper-case hex digits, as the C tool's formatting of random() leaves. */
    private String randomTag() {
        return HexFormat.of().withUpperCase().toHexDigits((short) random.nextInt(0x10000));
    }

    private void printerr(int level, String fmt, Object... args) {
        if (level <= verbosity) {
            log.print(String.format(fmt, args));
            log.flush();
        }
    }
}
