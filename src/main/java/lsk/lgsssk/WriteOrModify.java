package lsk.lgsssk;

import lsk.keyfile.ClientPrimes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import lsk.base.LskException;
import lsk.cmd.Io;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileFormatException;
import lsk.keyfile.KeyFiles;
import lsk.keyfile.UpdateLock;

/**
 * {@code -w} and {@code -m}: read the old key (under its update lock), let {@link KeyEdit}
 * decide the new one, add the shared key data and the prime it asks for, write atomically.
 * Every failure is a message on stderr and exit 1, as in C.
 */
final class WriteOrModify {
    private WriteOrModify() {
    }

    static int write(Request.Write w, Io io) {
        return finish(KeyEdit.create(w.changes(), w.file()), w.file(), w.datafile(), w.ascii(), w.randomPrime(),
                null, false, io);
    }

    /**
     * {@code -m} is read-modify-write: the file's update lock is held until the new key is in
     * place, so concurrent {@code -m} runs on one file apply one after the other and none is lost.
     * Read and write then go through the directory the lock opened (a link swapped in later
     * cannot redirect them). Anything but a regular file is left to the reader, for its message.
     * The new key keeps the old file's owner, mode and hard links in its directory, as C's
     * in-place write; links elsewhere keep the old key, with a warning (README, compatibility).
     */
    static int modify(Request.Modify m, Io io) {
        PrintStream err = io.err();
        String name = m.file();
        UpdateLock lock = null;
        if (!name.equals("-") && Files.isRegularFile(io.resolve(name))) {
            try {
                lock = UpdateLock.acquire(io.resolve(name), name, lockTimeout(io.env()));
            } catch (LskException e) {
                err.print(e.getMessage() + "\n");
                return 1;
            }
        }
        try {
            KeyFiles.KeyFile kf;
            try {
                kf = lock != null ? lock.read(err) : KeyFiles.read(name, io.cwd(), io.in(), err);
            } catch (KeyFileFormatException e) {
                err.print(e.getMessage() + "\n");
                return 1;
            }
            // As C, which checks the format by opening the name: stdin never counts as ASCII.
            boolean ascii = m.ascii() || (kf.ascii() && !name.equals("-"));
            return finish(KeyEdit.modify(kf.config(), m.changes(), name), name, null, ascii, m.randomPrime(),
                    lock, true, io);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    /** How long -m and key conversion wait for another holder of a key file's update lock. */
    static Duration lockTimeout(Map<String, String> env) {
        String s = env.get("LSK_LOCK_TIMEOUT");
        if (s != null && s.matches("[0-9]{1,6}")) {
            return Duration.ofSeconds(Long.parseLong(s));
        }
        return KeyFiles.LOCK_TIMEOUT;
    }

    /** The edited key completed with key data ({@code datafile}, if any) and prime, then written. */
    private static int finish(KeyEdit.Outcome outcome, String target, String datafile, boolean ascii,
            boolean randomPrime, UpdateLock lock, boolean overwrite, Io io) {
        PrintStream out = io.out();
        PrintStream err = io.err();
        if (outcome instanceof KeyEdit.Refused refused) {
            refused.messages().forEach(msg -> err.print(msg + "\n"));
            return 1;
        }
        KeyEdit.Edited edited = (KeyEdit.Edited) outcome;
        edited.warnings().forEach(w -> err.print(w + "\n"));
        KeyConfig c = edited.config();
        if (datafile != null) {
            byte[] key = readKeyData(datafile, c.sharedKeyLenBits(), io);
            if (key == null) {
                err.print("error: failure getting key data from '" + datafile + "'\n");
                return 1;
            }
            c = c.toBuilder().sharedKey(key).build();
            Arrays.fill(key, (byte) 0);
        }
        Path targetPath = io.resolve(target);
        if (edited.needsPrime()) {
            out.print("Generating DH parameters, this can take a while...\n");
            out.flush();
            if (!overwrite && randomPrime && Files.exists(targetPath)) {
                // Spare the user a long prime search whose result could not be written.
                err.print("error: opening '" + target + "': File exists\n");
                return 1;
            }
            try {
                c = c.toBuilder().prime(ClientPrimes.make((int) c.primeBits(), randomPrime)).build();
            } catch (LskException e) {
                err.print(e.getMessage() + "\n");
                return 1;
            }
        }
        try {
            int oldLinks = lock != null ? lock.write(c, ascii) : KeyFiles.write(targetPath, target, c, ascii, overwrite);
            KeyFiles.oldLinksWarning(target, oldLinks).ifPresent(w -> err.print(w + "\n"));
        } catch (LskException e) {
            err.print(e.getMessage() + "\n");
            return 1;
        }
        out.flush();
        return 0;
    }

    /** get_key_data: exactly ceil(bits/8) bytes of the source; null (after a message) if it fails. */
    private static byte[] readKeyData(String src, long bits, Io io) {
        io.out().print("Reading random data for shared key from '" + src + "'\n");
        int n = (int) ((bits + 7) / 8);
        byte[] key = new byte[n];
        try (InputStream in = Files.newInputStream(io.resolve(src))) {
            int got = 0;
            while (got < n) {
                int r;
                try {
                    r = in.read(key, got, n - got);
                } catch (IOException e) {
                    io.err().print("error: reading from '" + src + "': " + KeyFiles.strerror(e) + "\n");
                    Arrays.fill(key, (byte) 0);
                    return null;
                }
                if (r < 0) {
                    io.err().print("error: key source too short for " + bits + "-bit key\n");
                    Arrays.fill(key, (byte) 0);
                    return null;
                }
                got += r;
            }
            return key;
        } catch (IOException e) {
            io.err().print("error: opening '" + src + "': " + KeyFiles.strerror(e) + "\n");
            Arrays.fill(key, (byte) 0);
            return null;
        }
    }
}
