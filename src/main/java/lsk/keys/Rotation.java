package lsk.keys;

import lsk.keyfile.ClientPrimes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.base.Secret;
import lsk.cmd.Io;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.KeyValidation;
import lsk.keyfile.UpdateLock;
import lsk.keyring.SkKeyring;

/**
 * {@code lsk keys rotate FILE...}: each key file replaced by its next key, made from its own
 * parameters (type, file system, nodemap, MGS NIDs, HMAC and cipher, context expiry, key and
 * prime lengths, ASCII or binary) with a new shared key; files that share a shared key now (a
 * server key and the client key derived from it) share the new one. Client keys get a prime as
 * {@code lgss_sk} makes one: the well-known group of that size, or a fresh safe prime when the
 * key had one of those (the site chose them) or {@code --random-prime} asks.
 *
 * <p>All files are locked and read first and nothing is written unless every one is a valid
 * key. Each file is rewritten atomically under its update lock, keeping its owner and mode.
 * Then each new key is loaded as {@code lgss_sk -s -x TIMEOUT -l} would: server and MGS keys
 * beside the current ones under a dated description, the former ones given TIMEOUT seconds to
 * live, so peers that have not yet the new key still get in; a client key replaces the one it
 * initiates with. Key bytes are never printed; the report says what goes to which nodes.
 */
final class Rotation {
    /**
     * @param formerKeyTimeout seconds the former keys stay loaded ({@code lgss_sk -x})
     * @param load             load the new keys here (else only write them)
     * @param randomPrime      a fresh safe prime for client keys even where a well-known group fits
     * @param data             where new shared keys come from ({@code /dev/random}, as lgss_sk)
     * @param verbose          lgss_sk's verbosity for the keyring messages
     */
    record Options(long formerKeyTimeout, boolean load, boolean randomPrime, String data, int verbose,
            Duration lockTimeout) {
    }

    /** Opens the keyring when the new keys are to be loaded. */
    interface KeyringOpener {
        SkKeyring open(PrintStream log, int verbosity) throws LskException;
    }

    private final Io io;
    private final Options opts;

    Rotation(Io io, Options opts) {
        this.io = io;
        this.opts = opts;
    }

    /** Exit status: 0, or 1 after a message (nothing written if the failure came before writing). */
    int run(List<String> names, KeyringOpener keyring) {
        PrintStream err = io.err();
        List<UpdateLock> locks = new ArrayList<>();
        List<KeyFiles.KeyFile> current = new ArrayList<>();
        List<KeyConfig> next = new ArrayList<>();
        try {
            for (String name : names) {
                UpdateLock lock = UpdateLock.acquire(io.resolve(name), name, opts.lockTimeout());
                locks.add(lock);
                KeyFiles.KeyFile kf = lock.read(err);
                current.add(kf);
                KeyConfig c = kf.config();
                Optional<String> bad = KeyValidation.check(c).or(() -> KeyValidation.tooShort(c, name));
                if (bad.isPresent()) {
                    err.print("keys rotate: " + name + ": " + bad.get() + "\n");
                    return 1;
                }
            }
            makeNext(names, current, next);
            for (int i = 0; i < names.size(); i++) {
                write(names.get(i), locks.get(i), next.get(i), current.get(i).ascii());
            }
        } catch (KeyFileFormatException e) {
            err.print("keys rotate: " + e.getMessage() + "\n");
            return 1;
        } catch (LskException e) {
            err.print("keys rotate: " + e.getMessage() + "\n");
            return 1;
        } finally {
            locks.forEach(UpdateLock::close);
            current.forEach(k -> k.config().wipe());
        }
        try {
            int status = opts.load() ? load(names, next, keyring) : 0;
            Distribution.print(names, next, opts, io.out());
            return status;
        } finally {
            next.forEach(KeyConfig::wipe);
        }
    }

    /** The next key of each file; files sharing a shared key now share the new one. */
    private void makeNext(List<String> names, List<KeyFiles.KeyFile> current, List<KeyConfig> next)
            throws LskException {
        List<byte[]> newKeys = new ArrayList<>();
        try (InputStream data = Files.newInputStream(io.resolve(opts.data()))) {
            for (int i = 0; i < current.size(); i++) {
                KeyConfig c = current.get(i).config();
                byte[] key = null;
                for (int j = 0; j < i; j++) {
                    if (current.get(j).config().sameSharedKey(c)) {
                        key = newKeys.get(j);
                        break;
                    }
                }
                if (key == null) {
                    key = read(data, (int) ((c.sharedKeyLenBits() + 7) / 8));
                    newKeys.add(key);
                    try (Secret now = c.sharedKeySecret()) {
                        if (now.equalsConstantTime(key)) { // a data source that repeats itself
                            throw new LskException("the new shared key of " + names.get(i) + " is its current one:"
                                    + " '" + opts.data() + "' does not give random data", Errno.EINVAL);
                        }
                    }
                } else {
                    newKeys.add(key);
                }
                KeyConfig.Builder b = c.toBuilder().sharedKey(key);
                if (c.isClient()) {
                    boolean random = opts.randomPrime() || !ClientPrimes.isWellKnown(c);
                    if (random) {
                        io.out().print("Generating DH parameters for " + names.get(i) + ", this can take a while...\n");
                        io.out().flush();
                    }
                    b.prime(ClientPrimes.make((int) c.primeBits(), random));
                }
                next.add(b.build());
                b.clear();
            }
        } catch (IOException e) {
            throw new LskException("reading random data for shared keys from '" + opts.data() + "': "
                    + KeyFiles.strerror(e), Errno.of(e), e);
        } finally {
            newKeys.forEach(k -> Arrays.fill(k, (byte) 0));
        }
    }

    private byte[] read(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) {
                Arrays.fill(b, (byte) 0);
                throw new IOException("short read: " + got + " of " + n + " bytes");
            }
            got += r;
        }
        return b;
    }

    /** Atomic rewrite under the lock; the file keeps the owner and mode it had. */
    private void write(String name, UpdateLock lock, KeyConfig c, boolean ascii) throws LskException {
        Path path = io.resolve(name);
        PosixFileAttributes before;
        try {
            before = Files.readAttributes(path, PosixFileAttributes.class);
        } catch (IOException e) {
            throw new LskException("error: opening '" + name + "': " + KeyFiles.strerror(e), Errno.of(e), e);
        }
        lock.write(c, ascii);
        try {
            PosixFileAttributes after = Files.readAttributes(path, PosixFileAttributes.class);
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
            if (!after.permissions().equals(before.permissions())) {
                view.setPermissions(before.permissions());
            }
            if (!after.owner().equals(before.owner()) || !after.group().equals(before.group())) {
                view.setOwner(before.owner());
                view.setGroup(before.group());
            }
        } catch (IOException e) {
            // The new key is in place; only its mode or owner could not be restored: say so.
            io.err().print("keys rotate: warning: " + name + ": could not restore its owner and mode: "
                    + KeyFiles.strerror(e) + "\n");
        }
        io.out().print("wrote " + name + ": next " + LoadedKeys.types(c) + " key of file system '" + c.fsname()
                + "', nodemap '" + c.nodemap() + "'\n");
    }

    /** lgss_sk -s -x TIMEOUT -l for each new key; 1 if any failed to load (SkKeyring printed why). */
    private int load(List<String> names, List<KeyConfig> next, KeyringOpener opener) {
        SkKeyring kr;
        try {
            kr = opener.open(io.err(), opts.verbose());
        } catch (LskException e) {
            io.err().print("keys rotate: cannot open the kernel keyring: " + e.getMessage() + "\n");
            return 1;
        }
        int status = 0;
        for (int i = 0; i < names.size(); i++) {
            try {
                for (String d : kr.load(next.get(i),
                        new SkKeyring.LoadOptions(true, opts.formerKeyTimeout(), null))) {
                    io.out().print("loaded " + d + "\n");
                }
            } catch (LskException e) {
                io.err().print("keys rotate: loading " + names.get(i) + " failed: " + e.getMessage() + "\n");
                status = 1;
            }
        }
        return status;
    }
}
