package lsk.keyring;

import lsk.base.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import lsk.base.LskException;
import lsk.keyfile.KeySource;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyValidation;

/**
 * SSK keys as the responder and initiator find them in the kernel: every {@code user} key in
 * the user keyring whose description is the one asked for, or extends it with {@code :}
 * (the dated keys {@code lgss_sk -s} adds during a rotation), in keyring order — the set and
 * order in which the C code tries keys. Keys whose payload is not a 2407-byte image are
 * skipped, as are keys that vanish while being read.
 */
public final class KeyringKeySource implements KeySource {
    private static final System.Logger LOG = System.getLogger(KeyringKeySource.class.getName());
    private final Keyring keyring;
    private final int keyringId;

    /** Looks in the user keyring (@u). */
    public KeyringKeySource(Keyring keyring) {
        this(keyring, Keyring.USER);
    }

    public KeyringKeySource(Keyring keyring, int keyringId) {
        this.keyring = Objects.requireNonNull(keyring);
        this.keyringId = keyringId;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A key whose shared key is under {@link KeyValidation#MIN_SHARED_KEY_BITS} is never
     * used (C's tools load {@code -k 0} keys; tokens signed with one are forgeable). When such
     * keys were all there is, the failure says so (the daemon logs it); when other keys remain,
     * one warning is logged.
     */
    @Override
    public List<KeyConfig> keys(String description) throws LskException {
        List<KeyConfig> out = new ArrayList<>();
        String weak = null;
        for (int serial : serials(description)) {
            byte[] p;
            try {
                p = keyring.read(serial);
            } catch (KeyringException e) {
                continue;
            }
            try {
                if (p.length == KeyFileCodec.SIZE) {
                    KeyConfig c = KeyFileCodec.decodeBinary(p);
                    Optional<String> refused = KeyValidation.tooShort(c, description);
                    if (refused.isPresent()) {
                        weak = "key " + serial + ": " + refused.get().replaceFirst("^error: ", "") + ": not used";
                        c.wipe(); // made here and handed to no one
                    } else {
                        out.add(c);
                    }
                }
            } catch (KeyFileFormatException e) {
                // not an SSK image: skip, like a key of the wrong size
            } finally {
                Arrays.fill(p, (byte) 0);
            }
        }
        if (weak != null && out.isEmpty()) {
            throw new LskException(weak, Errno.ENOKEY);
        }
        if (weak != null) {
            LOG.log(System.Logger.Level.WARNING, weak);
        }
        return out;
    }

    /** The serials {@link #keys} reads, in the same order. */
    public List<Integer> serials(String description) throws KeyringException {
        return keyring.find(keyringId,
                d -> SkKeyring.KEY_TYPE.equals(d.type()) && d.matchesBase(description));
    }
}
