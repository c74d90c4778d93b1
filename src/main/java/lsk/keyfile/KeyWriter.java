package lsk.keyfile;

import lsk.base.Errno;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import lsk.base.LskException;
import lsk.keyfile.KeyDir.FsError;
import lsk.keyfile.KeyFiles.CrashStage;

/**
 * Writes a key file into its {@link KeyDir} so that it is always the old or the new key,
 * complete, and no other file is ever touched: the bytes go to an unnamed file (O_TMPFILE) in
 * the directory, which is fsynced, set to 0400 and then linked in: under the name directly for
 * a new key (link(2) refuses an existing name, as O_EXCL), or under {@code .NAME.<hex>.tmp}
 * renamed over the name for a rewrite; then the directory is fsynced. Where the file system
 * has no O_TMPFILE the temp file is created under that name from the start. Temp copies a
 * killed rewrite left ({@code .NAME.*.tmp}, regular files of ours) are removed by the next
 * rewrite, which holds the update lock.
 */
final class KeyWriter {
    /** Test support: {@code -D}{@value}{@code =true} writes through a named temp file, as without O_TMPFILE. */
    static final String NAMED_TEMP_PROPERTY = "lsk.keyfile.namedTemp";

    private KeyWriter() {
    }

    /**
     * Writes {@code bytes} as {@code dir.name()}: a rewrite ({@code overwrite}) replaces a regular
     * file there, a new key refuses any existing name.
     *
     * @param display how the user named the file (messages)
     */
    static void write(KeyDir dir, String display, byte[] bytes, boolean overwrite) throws IOException, LskException {
        KeyFiles.point(CrashStage.WRITE_START);
        checkPrivate(dir, display);
        String name = dir.name();
        if (overwrite) {
            removeStaleTemps(dir, name);
            Optional<KeyDir.Stat> now = dir.lstat(name);
            if (now.isPresent() && !now.get().isRegular()) {
                // Resolved to a regular file when the directory was opened: something swapped it.
                throw new LskException("error: opening '" + display + "': " + name + " in " + dir.path()
                        + " is " + (now.get().isLink() ? "a symbolic link" : "not a regular file")
                        + " now: refusing to replace it", Errno.EPERM);
            }
        }
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
            KeyFiles.point(CrashStage.TEMP_CREATED);
            dir.write(fd, bytes, 0, bytes.length / 2, display);
            KeyFiles.point(CrashStage.TEMP_PARTIAL);
            dir.write(fd, bytes, bytes.length / 2, bytes.length - bytes.length / 2, display);
            dir.fsync(fd, display);
            KeyFiles.point(CrashStage.TEMP_SYNCED);
            dir.chmod(fd, 0400, display);
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
            dir.syncDirectory();
        } finally {
            dir.closeFile(fd);
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
     * Removes {@code .NAME.<alnum>.tmp} regular files of ours, what a killed rewrite leaves, and
     * the empty {@code .NAME.lock} files earlier lsk versions kept beside keys (they break
     * {@code mount.lustre skpath=DIR}).
     */
    static void removeStaleTemps(KeyDir dir, String name) throws IOException {
        Pattern stale = Pattern.compile("\\." + Pattern.quote(name) + "\\.[0-9A-Za-z]+\\.tmp");
        String oldLock = "." + name + ".lock";
        long euid = dir.euid();
        for (String e : dir.list()) {
            boolean lock = e.equals(oldLock);
            if (!lock && !stale.matcher(e).matches()) {
                continue;
            }
            Optional<KeyDir.Stat> st = dir.lstat(e);
            if (st.isPresent() && st.get().isRegular() && st.get().uid() == euid && (!lock || st.get().size() == 0)) {
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
