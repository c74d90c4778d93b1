package lsk.lgsssk;

import java.util.Optional;
import java.util.OptionalInt;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;

/**
 * What one {@code lgss_sk} run was asked to do, decided from argv by {@link RequestParser}:
 * exactly one of read, write, modify, load and remove, with only the options that operation
 * uses. Immutable; nothing here touches a file.
 */
sealed interface Request permits Request.Read, Request.Write, Request.Modify, Request.Load, Request.Remove {

    /** {@code -r FILE}: print the key file's attributes. */
    record Read(String file) implements Request {
    }

    /**
     * {@code -w FILE}: a new key from the {@code -w} defaults and {@code changes}, its shared key
     * read from {@code datafile} ({@code -d}, /dev/random when not given).
     */
    record Write(String file, Changes changes, String datafile, boolean ascii, boolean randomPrime)
            implements Request {
    }

    /** {@code -m FILE}: the key file rewritten with {@code changes} (its shared key kept). */
    record Modify(String file, Changes changes, boolean ascii, boolean randomPrime) implements Request {
    }

    /**
     * {@code -l FILE|DIR}: load the key (every regular file of a directory) into the keyring.
     *
     * @param asClient         {@code -t client} given: a server key is turned into a client key first
     * @param formerKeyTimeout {@code -x}: seconds older keys of a rotated description stay valid
     * @param updatePath       {@code -u DIR}, or null
     */
    record Load(String path, boolean asClient, boolean randomPrime, int verbose, boolean suffix,
            long formerKeyTimeout, String updatePath) implements Request {
    }

    /** {@code -R FILE}: remove the keyring keys this key file would have loaded. */
    record Remove(String file, int verbose) implements Request {
    }

    /**
     * The key attributes {@code -w} and {@code -m} set; empty means "keep" (the {@code -w}
     * default or the old key's value). As in C, {@code -c NONE} and {@code -i NONE} mean
     * "keep" too, and {@code -e -1} / {@code -k -1} mean "not given".
     *
     * @param type          {@code -t}: a mask of {@code KeyConfig.TYPE_*}
     * @param expire        {@code -e}, read by C {@code atoi} (so other negatives wrap to u32)
     * @param sharedKeyBits {@code -k}, likewise
     * @param primeBits     {@code -p}, positive
     * @param fsname        {@code -f}, one char per UTF-8 byte (as KeyConfig stores names)
     * @param nodemap       {@code -n}, likewise
     * @param mgsNids       {@code -g}, the comma-separated list as given (parsed by {@link KeyEdit})
     */
    record Changes(OptionalInt type, Optional<CryptAlg> crypt, Optional<HmacAlg> hmac, OptionalInt expire,
            OptionalInt sharedKeyBits, OptionalInt primeBits, Optional<String> fsname, Optional<String> nodemap,
            Optional<String> mgsNids) {
    }
}
