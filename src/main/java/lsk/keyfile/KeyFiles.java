package lsk.keyfile;

import lsk.base.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import lsk.base.LskException;

/**
 * Key files on disk: reading (binary or ASCII, {@code -} for standard input) with the C tool's
 * messages, and writing that never loses a key (temp file in the same directory, fsync of
 * file and directory, rename; mode 0400). Files are opened relative to their directory without
 * following a link in their own name or blocking on a FIFO ({@link KeyDir}); see
 * {@link KeyWriter} for writes and {@link UpdateLock} for read-modify-write.
 */
public final class KeyFiles {
    /** The reader gives up at this many bytes (twice a binary key, as C). */
    public static final int MAX_READ = 2 * KeyFileCodec.SIZE;
    /** Mode bits outside 0600 make {@code -r} warn. */
    private static final int OWNER_RW = 0600;
    private static final int S_IFREG = 0100000;

    /**
     * A key file as read.
     *
     * @param config the decoded key (not yet validated: see {@link KeyValidation})
     * @param ascii  whether the file was in the ASCII form
     */
    public record KeyFile(KeyConfig config, boolean ascii) {
    }

    private KeyFiles() {
    }

    /**
     * Reads {@code name} (relative to {@code cwd}; {@code -} is {@code stdin}) as {@code sk_read_file}
     * does, printing the insecure-mode warning to {@code err}.
     *
     * @throws KeyFileFormatException with the C tool's message (no trailing newline)
     */
    public static KeyFile read(String name, Path cwd, InputStream stdin, PrintStream err)
            throws KeyFileFormatException {
        byte[] data;
        if (name.equals("-")) {
            try {
                data = readLimited(stdin);
            } catch (IOException e) {
                throw new KeyFileFormatException("read() failed on " + name + ": " + strerror(e));
            }
        } else {
            KeyDir dir;
            int fd;
            try {
                dir = KeyDir.forFile(cwd.resolve(name));
            } catch (IOException | LskException e) {
                throw new KeyFileFormatException("Error opening key file '" + name + "': " + reason(e));
            }
            try (dir) {
                try {
                    fd = dir.openRead(dir.name());
                } catch (IOException e) {
                    throw new KeyFileFormatException("Error opening key file '" + name + "': " + strerror(e));
                }
                try {
                    return readOpen(dir, fd, name, err);
                } finally {
                    dir.closeFile(fd);
                }
            }
        }
        try {
            return decode(name, data);
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    /**
     * Reads the key file open as {@code fd} in {@code dir}, as {@code sk_read_file} does after its
     * open: the insecure-mode warning, then at most {@link #MAX_READ} bytes. A FIFO, device or
     * socket is refused (C would block on a FIFO); a directory fails the read as in C.
     */
    static KeyFile readOpen(KeyDir dir, int fd, String name, PrintStream err) throws KeyFileFormatException {
        byte[] data;
        try {
            KeyDir.Stat st = dir.fstat(fd);
            if (!st.isRegular() && !st.isDirectory()) {
                throw new KeyFileFormatException("Error opening key file '" + name + "': not a regular file");
            }
            if ((st.mode() & ~(S_IFREG | OWNER_RW)) != 0) {
                err.printf("warning: secret key '%s' has insecure file mode 0%o%n", name, st.mode());
            }
            data = dir.read(fd, MAX_READ, name);
        } catch (IOException e) {
            throw new KeyFileFormatException("read() failed on " + name + ": " + strerror(e));
        }
        try {
            return decode(name, data);
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    private static String reason(Exception e) {
        return e instanceof IOException io ? strerror(io) : e.getMessage();
    }

    /** Decodes the bytes of a key file named {@code name} (for messages). */
    public static KeyFile decode(String name, byte[] data) throws KeyFileFormatException {
        if (data.length >= MAX_READ) {
            throw new KeyFileFormatException("File " + name + " too large, exceeds maximum expected size");
        }
        if (KeyFileCodec.isAscii(data)) {
            byte[] image = KeyFileCodec.asciiPayload(data);
            try {
                return new KeyFile(KeyFileCodec.decodeBinary(image), true);
            } finally {
                Arrays.fill(image, (byte) 0);
            }
        }
        if (data.length != KeyFileCodec.SIZE) {
            throw new KeyFileFormatException("File " + name + " does not have a complete key: got "
                    + data.length + " bytes, expected " + KeyFileCodec.SIZE + " bytes");
        }
        return new KeyFile(KeyFileCodec.decodeBinary(data), false);
    }

    /**
     * The warning for a rewrite that left {@code links} hard links elsewhere on the old key
     * (C rewrites in place, so they would see the new one); empty when there are none.
     */
    public static Optional<String> oldLinksWarning(String name, int links) {
        if (links <= 0) {
            return Optional.empty();
        }
        return Optional.of("warning: '" + name + "' had " + links + " hard link" + (links == 1 ? "" : "s")
                + " outside its directory; " + (links == 1 ? "it keeps" : "they keep") + " the old key");
    }

    /** st_mode of {@code path} (type and permission bits), following links as fstat does. */
    public static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode");
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] buf = new byte[MAX_READ];
        int n = 0;
        while (n < MAX_READ) {
            int r = in.read(buf, n, MAX_READ - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        byte[] out = Arrays.copyOf(buf, n);
        Arrays.fill(buf, (byte) 0);
        return out;
    }

    /**
     * Writes {@code config} to {@code target} atomically through {@link KeyWriter}: links in
     * {@code target} are resolved once and the rest happens in that directory, which must not
     * be writable by group or others. A new key is mode 0400 and refuses any existing name (a
     * dangling link included); a rewrite ({@code overwrite}) replaces the file keeping its owner
     * and mode, and its other hard links in the same directory. On any failure the target is
     * untouched and no temp file is left.
     *
     * @param name how the user named the file (for messages)
     * @return hard links of the old file outside its directory, which keep the old key
     * @throws LskException "error: opening '&lt;name&gt;': &lt;reason&gt;" and friends, as C words them
     */
    public static int write(Path target, String name, KeyConfig config, boolean ascii, boolean overwrite)
            throws LskException {
        byte[] bytes = ascii ? KeyFileCodec.encodeAscii(config) : KeyFileCodec.encodeBinary(config);
        try (KeyDir dir = KeyDir.forFile(target)) {
            return KeyWriter.write(dir, name, bytes, overwrite);
        } catch (IOException e) {
            throw new LskException("error: opening '" + name + "': " + strerror(e), Errno.of(e), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Points of {@link #write} where a crash must leave the old or the new key intact. Test
     * support: a JVM started with {@code -D}{@value #CRASH_PROPERTY}{@code =<stage>} halts there
     * (as a power cut or kill -9 would), exit status {@value #CRASH_EXIT}; with
     * {@code -D}{@value #PAUSE_PROPERTY}{@code =<stage>} it prints {@code paused <stage>} on
     * stderr and waits for a byte on stdin (to race it deterministically). Nothing else reads them.
     */
    public enum CrashStage {
        /** Key read (and modified), nothing written yet. */
        WRITE_START,
        /** Temp file created, empty. */
        TEMP_CREATED,
        /** Half the bytes written, not synced. */
        TEMP_PARTIAL,
        /** Temp file complete and fsynced, not yet linked or renamed. */
        TEMP_SYNCED,
        /** Rewrite: the temp file has its {@code .NAME.*.tmp} name, not yet renamed. */
        TEMP_LINKED,
        /** Renamed over the target, directory not yet fsynced. */
        RENAMED
    }

    public static final String CRASH_PROPERTY = "lsk.keyfile.crashAt";
    public static final String PAUSE_PROPERTY = "lsk.keyfile.pauseAt";
    public static final int CRASH_EXIT = 99;

    static void point(CrashStage stage) {
        if (stage.name().equals(System.getProperty(CRASH_PROPERTY))) {
            Runtime.getRuntime().halt(CRASH_EXIT);
        }
        if (stage.name().equals(System.getProperty(PAUSE_PROPERTY))) {
            System.err.println("paused " + stage);
            System.err.flush();
            try {
                System.in.read();
            } catch (IOException e) {
                // go on
            }
        }
    }

    /** How long {@link #lockForUpdate} waits by default for another holder. */
    public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

    /** {@link UpdateLock#acquire} with the default {@link #LOCK_TIMEOUT}. */
    public static UpdateLock lockForUpdate(Path target, String name) throws LskException {
        return UpdateLock.acquire(target, name, LOCK_TIMEOUT);
    }

    /** The strerror() text C would print for this failure. */
    public static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String m = e.getMessage();
        if (m != null && m.equals("Is a directory")) {
            return m;
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
