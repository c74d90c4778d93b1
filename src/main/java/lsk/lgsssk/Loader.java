package lsk.lgsssk;

import lsk.keyfile.ClientPrimes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.cmd.Io;
import lsk.kernel.ParamPaths;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.KeyValidation;
import lsk.keyfile.LoadChecks;
import lsk.keyfile.UpdateLock;
import lsk.keyring.SkKeyring;
import lsk.obd.LustreMount;
import lsk.obd.ObdNative;

/**
 * {@code -l} and {@code -R}: key files into and out of the kernel keyring (C: sk_load_keyfile,
 * sk_remove_keyfile). Failures inside are -errno as in C; only the command's exit code is 0/1.
 */
final class Loader {
    private Loader() {
    }

    /**
     * {@code -l}: one key file. A directory is refused as C refuses it (its read fails, rc=-126);
     * loading a whole key directory as mount.lustre skpath=DIR does is another command's job.
     */
    static int load(Request.Load req, Io io) {
        int rc = loadOne(req.path(), req, io);
        if (rc < 0) {
            io.err().print("error: loading keyfile failed: rc=" + rc + "\n");
            return 1;
        }
        return 0;
    }

    /** sk_load_keyfile: 0 or -errno (messages printed). */
    private static int loadOne(String name, Request.Load req, Io io) {
        PrintStream err = io.err();
        Path path = io.resolve(name);
        boolean converted = false;
        while (true) {
            LoadChecks.Outcome checked = LoadChecks.check(name, path, io.cwd(), io.in(), err, !converted);
            if (checked instanceof LoadChecks.Refused r) {
                return r.rc();
            }
            KeyFiles.KeyFile kf = ((LoadChecks.Ready) checked).file();
            KeyConfig c = kf.config();
            if (c.isServer() && req.asClient() && !converted) {
                int rc = convertToClient(name, path, kf, req, io);
                if (rc < 0) {
                    return rc;
                }
                converted = true;
                continue;
            }
            String clientUuid = null;
            if (req.updatePath() != null && c.isClient() && !c.fsname().isEmpty()) {
                try {
                    clientUuid = mountClientUuid(c.fsname(), req.updatePath(), io);
                } catch (LustreMount.Failure f) {
                    err.print(f.text());
                    return f.rc();
                }
            }
            return loadIntoKeyring(c, req, io, clientUuid);
        }
    }

    /**
     * A client mounting with a server key: its mgs part loaded as it is, then the file made a
     * client key on disk (the caller loads that). Read-modify-write like {@code -m}: under the
     * file's update lock, from the file as it is now (a concurrent {@code -m} may have changed it).
     */
    private static int convertToClient(String name, Path path, KeyFiles.KeyFile kf, Request.Load req, Io io) {
        KeyConfig c = kf.config();
        if (c.isMgs()) {
            int rc = loadIntoKeyring(c.toBuilder().type(KeyConfig.TYPE_MGS).build(), req, io, null);
            if (rc < 0) {
                return rc;
            }
        }
        io.out().print("Generating DH parameters to turn " + name + " into a client key, this can take a while...\n");
        io.out().flush();
        UpdateLock lock = null;
        try {
            KeyConfig base = c;
            // C writes the client key binary whatever the server key's format was (l31).
            boolean ascii = false;
            if (!name.equals("-")) {
                lock = UpdateLock.acquire(path, name, WriteOrModify.lockTimeout(io.env()));
                KeyFiles.KeyFile now = lock.read(new PrintStream(OutputStream.nullOutputStream()));
                base = now.config();
            }
            if (base.isServer()) { // else converted meanwhile: just load what is there
                KeyConfig client = base.toBuilder().type(KeyConfig.TYPE_CLIENT)
                        .prime(ClientPrimes.make((int) base.primeBits(), req.randomPrime())).build();
                int oldLinks = lock != null ? lock.write(client, ascii) : KeyFiles.write(path, name, client, ascii, true);
                KeyFiles.oldLinksWarning(name, oldLinks).ifPresent(w -> io.err().print(w + "\n"));
            }
            return 0;
        } catch (KeyFileFormatException e) { // a decode error: EINVAL, as C
            io.err().print(e.getMessage() + "\n");
            return -Errno.EINVAL;
        } catch (LskException e) {
            io.err().print(e.getMessage() + "\n");
            return -e.errno();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** {@code -u DIR}: the mount's client UUID, by the ioctls liblustreapi uses (lsk.obd.LustreMount). */
    private static String mountClientUuid(String keyFsname, String dir, Io io) throws LustreMount.Failure {
        String prog = Path.of(io.env().getOrDefault("LSK_ARGV0", "lgss_sk")).getFileName().toString();
        ObdNative shim;
        try {
            shim = ObdNative.load();
        } catch (LskException e) {
            throw new LustreMount.Failure("Cannot get Lustre fsname for " + dir + ": rc=-" + e.errno() + " ("
                    + e.getMessage() + ")\n", -e.errno());
        }
        return new LustreMount(shim, prog).clientUuidFor(keyFsname, dir, io.resolve(dir), ParamPaths.fromEnv(io.env()));
    }

    /** 0 or -errno; SkKeyring prints the C tool's messages itself. */
    private static int loadIntoKeyring(KeyConfig c, Request.Load req, Io io, String clientUuid) {
        try {
            SkKeyring kr = open(io.err(), req.verbose());
            kr.load(c, new SkKeyring.LoadOptions(req.suffix(), req.formerKeyTimeout(), clientUuid));
            return 0;
        } catch (LskException e) {
            return -e.errno();
        }
    }

    /** sk_remove_keyfile: exit 1 always but for a removed key (C's quirk of reporting rc either way). */
    static int remove(Request.Remove req, Io io) {
        PrintStream err = io.err();
        String name = req.file();
        int rc;
        try {
            KeyFiles.mode(io.resolve(name));
            KeyConfig c = KeyFiles.read(name, io.cwd(), io.in(), err).config();
            Optional<String> bad = KeyValidation.check(c);
            if (bad.isPresent()) {
                err.print(bad.get() + "\n");
                rc = -Errno.EINVAL;
            } else if (open(err, req.verbose()).remove(c, SkKeyring.LoadOptions.defaults()) > 0) {
                return 0;
            } else {
                // SkKeyring printed "No matching key found to remove".
                rc = -Errno.ENOKEY;
            }
        } catch (KeyFileFormatException e) {
            err.print(e.getMessage() + "\n");
            rc = -Errno.ENOKEY;
        } catch (IOException e) {
            err.print("stat() failed for file " + name + ": " + KeyFiles.strerror(e) + "\n");
            rc = -Errno.of(e);
        } catch (LskException e) {
            rc = -e.errno();
        }
        err.print("error: removing key failed: rc=" + rc + "\n");
        return 1;
    }

    private static SkKeyring open(PrintStream err, int verbose) throws LskException {
        try {
            return SkKeyring.open(err, verbose);
        } catch (LskException e) {
            err.print("error: cannot open the kernel keyring: " + e.getMessage() + "\n");
            throw e;
        }
    }
}
