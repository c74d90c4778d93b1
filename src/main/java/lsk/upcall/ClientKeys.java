package lsk.upcall;

import lsk.base.DecodeException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import lsk.base.Bytes;
import lsk.base.LskException;
import lsk.cmd.Log;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyring.Keyring;
import lsk.sk.KeyNames;

/** The search for the client key a callout needs, in the keyrings {@code lgss_sk -l} loads into. */
final class ClientKeys {
    /** Where a client key may be: the session keyring (root's), then the user's. */
    private static final int[] RINGS = {Keyring.SESSION, Keyring.USER};

    private ClientKeys() {
    }

    /**
     * Client key descriptions tried for a target, most specific first. The target is the client
     * OBD device name (callout field 8): {@code <fsname>-<target>-<type>-<instance>} such as
     * {@code tank-MDT0000-mdc-ffff8881a2b4c000} or {@code tank-OST0001-osc-ffff...} selects
     * {@code lustre:<fsname>} (everything before the first {@code -}, as the C tool takes it);
     * a name without {@code -} must be {@code MGC<nid>} and selects {@code lustre:MGC<nid>}.
     * Anything else names no key. For a file system target, a client uuid (12th field, if not
     * empty) is tried first: {@code lustre:<fsname>:<client uuid>}.
     */
    static List<String> descriptions(CalloutInfo co) {
        String t = co.targetUuid();
        int dash = t.indexOf('-');
        if (dash < 0) {
            return t.startsWith("MGC") && t.length() > 3 ? List.of(KeyNames.target(t)) : List.of();
        }
        if (dash == 0) {
            return List.of();
        }
        String fs = t.substring(0, dash);
        String cl = co.clientUuid();
        return cl == null || cl.isEmpty() ? List.of(KeyNames.client(fs, null))
                : List.of(KeyNames.client(fs, cl), KeyNames.client(fs, null));
    }

    /** The first usable client key (one with a prime) for the callout; the others are logged. */
    static Optional<KeyConfig> find(CalloutInfo co, Keyring kc, Log log) {
        for (String d : descriptions(co)) {
            for (int ring : RINGS) {
                byte[] payload = null;
                try {
                    OptionalInt key = kc.search(ring, "user", d);
                    if (key.isEmpty()) {
                        continue;
                    }
                    payload = kc.read(key.getAsInt());
                    KeyConfig cfg = KeyFileCodec.decodeBinary(payload);
                    if (cfg.hasPrime()) {
                        return Optional.of(cfg);
                    }
                    log.log(Log.ERR, "key '" + d + "' has no prime: not a client key");
                } catch (LskException | DecodeException e) {
                    log.log(Log.DEBUG, "no usable key '" + d + "': " + e.getMessage());
                } finally {
                    if (payload != null) {
                        Bytes.wipe(payload);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
