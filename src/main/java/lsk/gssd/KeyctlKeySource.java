package lsk.gssd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lsk.LskException;
import lsk.handshake.KeySource;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.upcall.Keyctl;

/**
 * Server keys from the user keyring (where {@code lgss_sk -l} puts them): every {@code user}
 * key whose description is exactly the one asked for, in keyring order (rotation).
 * Interim: to be replaced by {@code lsk.keyring.KeyringKeySource} once that lands on main.
 */
final class KeyctlKeySource implements KeySource {
    private final Keyctl kc;

    KeyctlKeySource(Keyctl kc) {
        this.kc = kc;
    }

    @Override
    public List<KeyConfig> keys(String description) throws LskException {
        List<KeyConfig> out = new ArrayList<>();
        for (int id : kc.list(kc.resolve(Keyctl.USER))) {
            String d;
            try {
                d = kc.describe(id);
            } catch (LskException e) {
                continue; // revoked or not ours
            }
            String[] f = d.split(";", 5);
            if (f.length == 5 && f[0].equals("user") && f[4].equals(description)) {
                byte[] payload = kc.read(id);
                try {
                    out.add(KeyFileCodec.decodeBinary(payload));
                } catch (LskException e) {
                    // not a valid key image: skip it, as the C daemon does
                } finally {
                    Arrays.fill(payload, (byte) 0);
                }
            }
        }
        return out;
    }
}
