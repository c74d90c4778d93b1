package lsk.keys;

import lsk.keyfile.ClientPrimes;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Io;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.LoadChecks;
import lsk.keyfile.UpdateLock;
import lsk.keyring.SkKeyring;

/**
 * One key file into the keyring as Lustre's {@code sk_load_keyfile(path, client)} does for
 * {@code mount.lustre skpath=}: stat, read (the insecure-mode warning), the owner-only check,
 * validation, then the keyring through {@link SkKeyring} (lsk's {@code lgss_sk -l} loader, with
 * its permissions). On a client mount a server key is first made a client key on disk, as C
 * does: its MGS part loaded as it is, a prime added, the file rewritten binary, then loaded.
 * Returns 0 or -errno, as C; messages are C's.
 */
final class KeyFileLoad {
    private final Io io;
    private final SkKeyring keyring;
    private final boolean client;
    private final Duration lockTimeout;

    /**
     * @param client   a client mount ({@code mount.lustre} with a {@code nid:/fsname} source):
     *                 server keys become client keys, client keys get randomized descriptions
     */
    KeyFileLoad(Io io, SkKeyring keyring, boolean client, Duration lockTimeout) {
        this.io = io;
        this.keyring = keyring;
        this.client = client;
        this.lockTimeout = lockTimeout;
    }

    /** sk_load_keyfile: 0, or -errno after the C message. */
    int load(String name) {
        PrintStream err = io.err();
        Path path = io.resolve(name);
        boolean converted = false;
        while (true) {
            LoadChecks.Outcome checked = LoadChecks.check(name, path, io.cwd(), io.in(), err, !converted);
            if (checked instanceof LoadChecks.Refused r) {
                return r.rc();
            }
            KeyConfig c = ((LoadChecks.Ready) checked).config();
            try {
                if (client && c.isServer() && !converted) {
                    int rc = convertToClient(name, path, c);
                    if (rc < 0) {
                        return rc;
                    }
                    converted = true;
                    continue;
                }
                keyring.load(c, new SkKeyring.LoadOptions(false, -1, null, client));
                return 0;
            } catch (LskException e) {
                return -e.errno(); // SkKeyring printed C's message
            } finally {
                c.wipe();
            }
        }
    }

    /**
     * C: the MGS part loaded, then type := client, a prime, the file rewritten binary (C's
     * write_config_file), and read again. Under the file's update lock, from the file as it is
     * then, like {@code lgss_sk -m}.
     */
    private int convertToClient(String name, Path path, KeyConfig c) throws LskException {
        if (c.isMgs()) {
            KeyConfig.Builder b = c.toBuilder().type(KeyConfig.TYPE_MGS);
            KeyConfig mgs = b.build();
            b.clear();
            try {
                keyring.load(mgs, new SkKeyring.LoadOptions(false, -1, null, false));
            } finally {
                mgs.wipe();
            }
        }
        io.out().print("Generating DH parameters to turn " + name + " into a client key, this can take a while...\n");
        io.out().flush();
        try (UpdateLock lock = UpdateLock.acquire(path, name, lockTimeout)) {
            KeyConfig now = lock.read(new PrintStream(OutputStream.nullOutputStream())).config();
            try {
                if (now.isServer()) { // else converted meanwhile: load what is there
                    KeyConfig.Builder b = now.toBuilder().type(KeyConfig.TYPE_CLIENT)
                            .prime(ClientPrimes.make((int) now.primeBits(), false));
                    KeyConfig next = b.build();
                    b.clear();
                    try {
                        lock.write(next, false);
                    } finally {
                        next.wipe();
                    }
                }
            } finally {
                now.wipe();
            }
            return 0;
        } catch (KeyFileFormatException e) {
            io.err().print(e.getMessage() + "\n");
            return -Errno.EINVAL;
        } catch (LskException e) {
            io.err().print(e.getMessage() + "\n");
            return -e.errno();
        }
    }
}
