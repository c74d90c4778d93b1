package lsk.keyfile;

import lsk.base.Errno;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import lsk.base.LskException;
import lsk.keyfile.KeyDir.FsError;
import lsk.keyfile.KeyFiles.CrashStage;

/**
 * Writes a key file into its {@link KeyDir} so that it is always the old or the new key,
 * complete, and no other file is ever touched: the bytes go to an unnamed file (O_TMPFILE) in
 * the directory, which is fsynced, given its owner and mode and then linked in: under the name
 * directly for a new key (link(2) refuses an existing name, as O_EXCL), or under
 * {@code .NAME.<hex>.tmp} renamed over the name for a rewrite; then the directory is fsynced.
 * Where the file system has no O_TMPFILE the temp file is created under that name from the
 * start. Temp copies a killed rewrite left ({@code .NAME.*.tmp}, complete keys: they are only
 * named once synced) are removed by the next rewrite, which holds the update lock.
 *
 * <p>A new key is 0400 and ours. A rewrite keeps the old file's owner, group and mode (C
 * rewrites the file in place). C's in-place write also reaches every hard link of the key; a
 * rename cannot, so the other names of the old file in the same directory are replaced by the
 * new file one by one (each atomically), and links elsewhere, which lsk cannot find, keep the
 * old key: {@link #write} returns how many, for the caller's warning.
 */
final class KeyWriter {
    /** Test support: {@code -D}{@value}{@code =true} writes through a named temp file, as without O_TMPFILE. */
    static final String NAMED_TEMP_PROPERTY = "lsk.keyfile.namedTemp";
    private static final int NEW_KEY_MODE = 0400;
    private static final int PERMISSION_BITS = 07777;

    private KeyWriter() {
    }

    /**
     * Writes {@code bytes} as {@code dir.name()}: a rewrite ({@code overwrite}) replaces a regular
     * file there, a new key refuses any existing name.
     *
     * @param display how the user named the file (messages)
     * @return the hard links of the old file outside its directory, which still hold the old key
     */
    static int write(KeyDir dir, String display, byte[] bytes, boolean overwrite) throws IOException, LskException {
        KeyFiles.point(CrashStage.WRITE_START);
        checkPrivate(dir, display);
        String name = dir.name();
        Optional<KeyDir.Stat> now = dir.lstat(name);
        KeyDir.Stat old = null;
        if (overwrite && now.isPresent()) {
            if (!now.get().isRegular()) {
                // Resolved to a regular file when the directory was opened: something swapped it.
                throw new LskException("error: opening '" + display + "': " + name + " in " + dir.path()
                        + " is " + (now.get().isLink() ? "a symbolic link" : "not a regular file")
                        + " now: refusing to replace it", Errno.EPERM);
            }
            old = now.get();
        }
        removeStale(dir, name, old != null ? old.uid() : dir.euid(), overwrite);
        List<String> others = old != null && old.nlink() > 1 ? otherNames(dir, name, old) : List.of();
        Optional<Integer> unnamed = Boolean.getBoolean(NAMED_TEMP_PROPERTY) ? Optional.empty() : dir.tmpfile();
        String tmpName = null;
        int fd;
        if (unnamed.isPresent()) {
            fd = unnamed.get();
        } else {
            tmpName = tempName(name);
            fd = dir.create(tmpName);
        }
        try {
            // The new file is locked before it has a name and until every name is in place: a
            // -m or conversion that opens it meanwhile waits, and so reads it only when done
            // (else it could replace one name while this run still replaces another link).
            dir.tryLock(fd, display);
            KeyFiles.point(CrashStage.TEMP_CREATED);
            dir.write(fd, bytes, 0, bytes.length / 2, display);
            KeyFiles.point(CrashStage.TEMP_PARTIAL);
            dir.write(fd, bytes, bytes.length / 2, bytes.length - bytes.length / 2, display);
            dir.fsync(fd, display);
            KeyFiles.point(CrashStage.TEMP_SYNCED);
            setOwnerAndMode(dir, fd, old, display);
            if (!overwrite) {
                if (tmpName == null) {
                    dir.link(fd, name);
                } else {
                    dir.linkName(tmpName, name);
                    dir.unlink(tmpName);
                    tmpName = null;
                }
            } else {
                if (tmpName == null) {
                    tmpName = linkUnderTempName(dir, fd, name);
                }
                KeyFiles.point(CrashStage.TEMP_LINKED);
                dir.rename(tmpName, name); // replaces the entry itself: never follows a link
                tmpName = null;
            }
            KeyFiles.point(CrashStage.RENAMED);
            int replaced = 0;
            for (String other : others) {
                Optional<KeyDir.Stat> st = dir.lstat(other);
                if (st.isPresent() && st.get().isRegular() && st.get().sameFile(old)) {
                    tmpName = linkUnderTempName(dir, fd, other);
                    dir.rename(tmpName, other);
                    tmpName = null;
                    replaced++;
                }
            }
            dir.syncDirectory();
            return old == null ? 0 : (int) Math.max(0, old.nlink() - 1 - replaced);
        } finally {
            dir.closeFile(fd); // releases the new file's lock
            if (tmpName != null) {
                try {
                    dir.unlink(tmpName);
                } catch (FsError ignored) {
                    // best effort: the key itself is untouched; the next rewrite removes it
                }
            }
        }
    }

    /**
     * A new key: 0400, ours. A rewrite: the old file's owner, group and mode, chown first (it
     * clears set-id bits). Failing to keep the owner fails the write: the key is left as it was.
     */
    private static void setOwnerAndMode(KeyDir dir, int fd, KeyDir.Stat old, String display)
            throws IOException, LskException {
        if (old == null) {
            dir.chmod(fd, NEW_KEY_MODE, display);
            return;
        }
        KeyDir.Stat mine = dir.fstat(fd);
        if (mine.uid() != old.uid() || mine.gid() != old.gid()) {
            try {
                dir.chown(fd, old.uid(), old.gid(), display);
            } catch (FsError e) {
                throw new LskException("error: opening '" + display + "': cannot keep its owner (uid " + old.uid()
                        + ", gid " + old.gid() + "): " + e.getReason(), e.errno(), e);
            }
        }
        dir.chmod(fd, old.mode() & PERMISSION_BITS, display);
    }

    /** The other names of {@code old} in the directory: regular files that are the same inode. */
    private static List<String> otherNames(KeyDir dir, String name, KeyDir.Stat old) throws IOException {
        List<String> out = new ArrayList<>();
        for (String e : dir.list()) {
            if (e.equals(name)) {
                continue;
            }
            Optional<KeyDir.Stat> st = dir.lstat(e);
            if (st.isPresent() && st.get().isRegular() && st.get().sameFile(old)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Refuses a directory others may change (they could swap the key for a link or a FIFO, or
     * read a temp copy): group/other write, or an owner other than root and us.
     */
    static void checkPrivate(KeyDir dir, String display) throws IOException, LskException {
        KeyDir.Stat st = dir.stat();
        if ((st.mode() & 0022) != 0) {
            throw new LskException("error: opening '" + display + "': key directory " + dir.path()
                    + " is writable by group or others (mode 0" + Integer.toOctalString(st.mode() & 07777)
                    + "): refusing to write a key there", Errno.EACCES);
        }
        if (st.uid() != 0 && st.uid() != dir.euid()) {
            throw new LskException("error: opening '" + display + "': key directory " + dir.path()
                    + " is owned by uid " + st.uid() + ", neither root nor this user: refusing to write a key there",
                    Errno.EACCES);
        }
    }

    /**
     * Removes what earlier runs left beside the key (anything there breaks
     * {@code mount.lustre skpath=DIR}, which loads every regular file): the empty
     * {@code .NAME.lock} files earlier lsk versions kept, owned by the key's owner, and, on a
     * rewrite (which holds the update lock, so no other rewrite is between link and rename),
     * the {@code .NAME.<alnum>.tmp} copies of a killed rewrite, ours or the key owner's. Links
     * and anything else are left alone, never followed.
     */
    static void removeStale(KeyDir dir, String name, long owner, boolean rewrite) throws IOException {
        Pattern temp = Pattern.compile("\\." + Pattern.quote(name) + "\\.[0-9A-Za-z]+\\.tmp");
        String oldLock = "." + name + ".lock";
        long euid = dir.euid();
        for (String e : dir.list()) {
            boolean lock = e.equals(oldLock);
            if (!lock && !(rewrite && temp.matcher(e).matches())) {
                continue;
            }
            Optional<KeyDir.Stat> st = dir.lstat(e);
            if (st.isEmpty() || !st.get().isRegular()) {
                continue;
            }
            KeyDir.Stat s = st.get();
            boolean stale = lock ? s.uid() == owner && s.size() == 0 : s.uid() == euid || s.uid() == owner;
            if (stale) {
                try {
                    dir.unlink(e);
                } catch (FsError ignored) {
                    // gone meanwhile
                }
            }
        }
    }

    private static String linkUnderTempName(KeyDir dir, int fd, String name) throws FsError {
        for (int attempt = 0; ; attempt++) {
            String t = tempName(name);
            try {
                dir.link(fd, t);
                return t;
            } catch (FsError e) {
                if (e.errno() != Errno.EEXIST || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private static String tempName(String name) {
        return "." + name + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".tmp";
    }
}
