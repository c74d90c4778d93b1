package lsk.keyring;

import java.io.PrintStream;
import java.util.List;
import lsk.LskException;
import lsk.keyfile.KeyConfig;

/**
 * Lustre SSK keys in the Linux kernel keyring (SK-PROTOCOL.md section 2): what
 * {@code lgss_sk -l} and {@code -R} do once a key file has been read and validated.
 * (Stub: the key-file issue's keyring part implements it.)
 */
public final class SkKeyring {

    /**
     * @param suffix          {@code -s}: keep existing keys of the same description, add a dated one
     * @param formerKeyTimeout {@code -x}: seconds the former keys live on in suffix mode
     * @param clientUuid      client UUID of a mount ({@code -u DIR}), or null
     */
    public record LoadOptions(boolean suffix, long formerKeyTimeout, String clientUuid) {
        public static final long DEFAULT_FORMER_KEY_TIMEOUT = 172800;

        public static LoadOptions defaults() {
            return new LoadOptions(false, DEFAULT_FORMER_KEY_TIMEOUT, null);
        }
    }

    /**
     * Binds to the kernel keyring through the native shim.
     *
     * @param log        where verbose messages go (stderr in lgss_sk)
     * @param verbosity  C-style printerr level: messages with level &lt;= verbosity are shown
     */
    public static SkKeyring open(PrintStream log, int verbosity) throws LskException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Loads {@code cfg} (already validated, client keys with their prime) under every description it needs.
     *  @return the descriptions added */
    public List<String> load(KeyConfig cfg, LoadOptions options) throws LskException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Revokes and unlinks every matching key whose payload carries the same shared key.
     *  @return how many keys were removed */
    public int remove(KeyConfig cfg, LoadOptions options) throws LskException {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
