package lsk.keyfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import lsk.base.Errno;

/**
 * The checks Lustre's {@code sk_load_keyfile} makes before a key goes into the keyring, in its
 * order and with its messages: stat, read (the insecure-mode warning), owner-only mode, the
 * key's validity, then the short-key warning. Both loaders ({@code lgss_sk -l} and
 * {@code lsk keys load}) start here; what they do with a ready key differs.
 */
public final class LoadChecks {
    private LoadChecks() {
    }

    /** A key ready to load, or the -errno C returns after printing its message. */
    public sealed interface Outcome permits Ready, Refused {
    }

    /** Passed every check; the caller owns (and wipes) the config. */
    public record Ready(KeyFiles.KeyFile file) implements Outcome {
        public KeyConfig config() {
            return file.config();
        }
    }

    /** Refused: {@code rc} is -errno, the message already printed. */
    public record Refused(int rc) implements Outcome {
    }

    /**
     * @param name      the key file as named on the command line ({@code -} is stdin)
     * @param path      it, resolved
     * @param warnShort whether to print the short-key warning (not again after a conversion)
     */
    public static Outcome check(String name, Path path, Path cwd, InputStream stdin, PrintStream err,
                                boolean warnShort) {
        int mode;
        try {
            mode = KeyFiles.mode(path);
        } catch (IOException e) {
            err.print("stat() failed for file " + name + ": " + KeyFiles.strerror(e) + "\n");
            return new Refused(-Errno.of(e));
        }
        KeyFiles.KeyFile kf;
        try {
            kf = KeyFiles.read(name, cwd, stdin, err);
        } catch (KeyFileFormatException e) {
            err.print(e.getMessage() + "\n");
            return new Refused(-Errno.ENOKEY);
        }
        KeyConfig c = kf.config();
        // Like ssh: refuse a key others may read or change (group rw, other wx), as C.
        if ((mode & 0073) != 0) {
            err.print("Shared key files must be readable/writeable only by owner\n");
            c.wipe();
            return new Refused(-Errno.EACCES);
        }
        Optional<String> refused = KeyValidation.check(c).or(() -> KeyValidation.tooShort(c, name));
        if (refused.isPresent()) {
            err.print(refused.get() + "\n");
            c.wipe();
            return new Refused(-Errno.ENOKEY);
        }
        if (warnShort) {
            KeyValidation.shortWarning(c, name).ifPresent(w -> err.print(w + "\n"));
        }
        return new Ready(kf);
    }
}
