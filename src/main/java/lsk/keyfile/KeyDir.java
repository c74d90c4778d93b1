package lsk.keyfile;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.LskException;

/**
 * The directory of a key file, opened once: every later operation is relative to that
 * descriptor and never follows a symbolic link in the file's own name, never blocks on a FIFO
 * or device (O_NONBLOCK), and so cannot be redirected by a link swapped in meanwhile.
 * Links in the path given by the admin are resolved once, when the directory is opened
 * ({@link #forFile}). Failures are {@link FsError}s carrying the errno and C's strerror text.
 * Close to release the descriptor.
 */
final class KeyDir implements AutoCloseable {
    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;

    /** fstat results lsk looks at. */
    record Stat(int mode, long uid, long gid, long dev, long ino, long nlink, long size) {
        boolean isRegular() {
            return (mode & S_IFMT) == S_IFREG;
        }

        boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        boolean isLink() {
            return (mode & S_IFMT) == S_IFLNK;
        }

        boolean sameFile(Stat o) {
            return dev == o.dev && ino == o.ino;
        }
    }

    private final FsafeNative lib;
    private final int fd;
    private final Path path;
    private final String name;

    private KeyDir(FsafeNative lib, int fd, Path path, String name) {
        this.lib = lib;
        this.fd = fd;
        this.path = path;
        this.name = name;
    }

    /**
     * Opens the directory holding {@code file}, after resolving every link in {@code file}
     * (so a key path that is a link to the real key works, as in C). A name that does not exist
     * yet stays in the (resolved) directory given.
     */
    static KeyDir forFile(Path file) throws IOException, LskException {
        Path abs = file.toAbsolutePath();
        Path real;
        try {
            real = abs.toRealPath();
        } catch (NoSuchFileException e) {
            if (abs.getParent() == null || abs.getFileName() == null) {
                throw e;
            }
            real = abs.getParent().toRealPath().resolve(abs.getFileName().toString());
        }
        if (real.getParent() == null || real.getFileName() == null) {
            throw new FsError(file.toString(), 21, "Is a directory"); // "/"
        }
        FsafeNative lib = FsafeNative.load();
        int dfd = (int) check(lib, real.getParent().toString(), lib.lsk_fsafe_open_dir(cstr(real.getParent().toString())));
        return new KeyDir(lib, dfd, real.getParent(), real.getFileName().toString());
    }

    /** The directory, as resolved. */
    Path path() {
        return path;
    }

    /** The key file's own name in the directory. */
    String name() {
        return name;
    }

    Stat stat() throws FsError {
        return fstat(fd);
    }

    Stat fstat(int file) throws FsError {
        long[] st = new long[7];
        check(path.toString(), lib.lsk_fsafe_fstat(file, st));
        return new Stat((int) st[0], st[1], st[2], st[3], st[4], st[5], st[6]);
    }

    /** The entry {@code entry} itself (a link is not followed); empty if there is none. */
    Optional<Stat> lstat(String entry) throws FsError {
        long[] st = new long[7];
        long rc = lib.lsk_fsafe_lstatat(fd, cstr(entry), st);
        if (rc == -Errno.ENOENT) {
            return Optional.empty();
        }
        check(entry, rc);
        return Optional.of(new Stat((int) st[0], st[1], st[2], st[3], st[4], st[5], st[6]));
    }

    /**
     * Opens {@code entry} for reading, without following a link or blocking; returns the
     * descriptor and its stat. The caller checks the type (a directory is allowed through so
     * that reading it fails as in C) and closes it.
     */
    int openRead(String entry) throws FsError {
        return (int) check(entry, lib.lsk_fsafe_openat(fd, cstr(entry), FsafeNative.READ, 0));
    }

    /** An unnamed file in the directory, mode 0600 (O_TMPFILE); empty if the file system cannot. */
    Optional<Integer> tmpfile() throws FsError {
        long rc = lib.lsk_fsafe_openat(fd, cstr("."), FsafeNative.WRITE | FsafeNative.TMPFILE, 0600);
        if (rc == -95 || rc == -21 || rc == -22) { // EOPNOTSUPP, EISDIR, EINVAL: no O_TMPFILE here
            return Optional.empty();
        }
        return Optional.of((int) check(path.toString(), rc));
    }

    /** A new file {@code entry}, mode 0600, that must not exist yet (not even as a link). */
    int create(String entry) throws FsError {
        return (int) check(entry, lib.lsk_fsafe_openat(fd, cstr(entry), FsafeNative.WRITE | FsafeNative.CREATE, 0600));
    }

    /** Reads at most {@code max} bytes from the start of {@code file}; wipes its native buffer. */
    byte[] read(int file, int max, String what) throws FsError {
        byte[] out = new byte[max];
        int n = 0;
        try (Memory m = new Memory(max)) {
            try {
                while (n < max) {
                    long r = check(what, lib.lsk_fsafe_pread(file, m.share(n), max - n, n));
                    if (r == 0) {
                        break;
                    }
                    n += (int) r;
                }
                m.read(0, out, 0, n);
            } finally {
                m.clear();
            }
        }
        byte[] exact = Arrays.copyOf(out, n);
        Arrays.fill(out, (byte) 0);
        return exact;
    }

    /** Writes all of {@code b[off, off + len)} to {@code file}; wipes its native copy. */
    void write(int file, byte[] b, int off, int len, String what) throws FsError {
        if (len == 0) {
            return;
        }
        try (Memory m = new Memory(len)) {
            try {
                m.write(0, b, off, len);
                int done = 0;
                while (done < len) {
                    done += (int) check(what, lib.lsk_fsafe_write(file, m.share(done), len - done));
                }
            } finally {
                m.clear();
            }
        }
    }

    void fsync(int file, String what) throws FsError {
        check(what, lib.lsk_fsafe_fsync(file));
    }

    void syncDirectory() throws FsError {
        check(path.toString(), lib.lsk_fsafe_fsync(fd));
    }

    void chmod(int file, int mode, String what) throws FsError {
        check(what, lib.lsk_fsafe_fchmod(file, mode));
    }

    void chown(int file, long uid, long gid, String what) throws FsError {
        check(what, lib.lsk_fsafe_fchown(file, (int) uid, (int) gid));
    }

    /** Exclusive flock without waiting: false if another open file holds it. */
    boolean tryLock(int file, String what) throws FsError {
        long rc = lib.lsk_fsafe_flock(file, 1);
        if (rc == -Errno.EAGAIN) {
            return false;
        }
        check(what, rc);
        return true;
    }

    /** Names the unnamed file {@code file} {@code entry} (EEXIST if taken). */
    void link(int file, String entry) throws FsError {
        check(entry, lib.lsk_fsafe_link_fd(file, fd, cstr(entry)));
    }

    void linkName(String from, String to) throws FsError {
        check(to, lib.lsk_fsafe_linkat(fd, cstr(from), cstr(to)));
    }

    void rename(String from, String to) throws FsError {
        check(to, lib.lsk_fsafe_renameat(fd, cstr(from), cstr(to)));
    }

    void unlink(String entry) throws FsError {
        check(entry, lib.lsk_fsafe_unlinkat(fd, cstr(entry)));
    }

    /** Closes a file descriptor this directory handed out (errors ignored: nothing to report). */
    void closeFile(int file) {
        lib.lsk_fsafe_close(file);
    }

    long euid() {
        return lib.lsk_fsafe_geteuid();
    }

    /** The names in the directory (as listed through the descriptor, not the path). */
    java.util.List<String> list() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd/" + fd))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public void close() {
        lib.lsk_fsafe_close(fd);
    }

    private long check(String what, long rc) throws FsError {
        return check(lib, what, rc);
    }

    private static long check(FsafeNative lib, String what, long rc) throws FsError {
        if (rc < 0) {
            int errno = (int) -rc;
            byte[] buf = new byte[256];
            lib.lsk_fsafe_strerror(errno, buf, buf.length);
            int end = 0;
            while (end < buf.length && buf[end] != 0) {
                end++;
            }
            throw new FsError(what, errno, new String(buf, 0, end, StandardCharsets.UTF_8));
        }
        return rc;
    }

    static byte[] cstr(String s) throws FsError {
        if (s.indexOf('\0') >= 0) {
            throw new FsError(s, Errno.EINVAL, "Invalid argument");
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    /** A failed file system call: the errno and the C library's text for it. */
    static final class FsError extends java.nio.file.FileSystemException implements Errno.HasErrno {
        private final int errno;

        FsError(String file, int errno, String reason) {
            super(file, null, reason);
            this.errno = errno;
        }

        @Override
        public int errno() {
            return errno;
        }
    }
}
