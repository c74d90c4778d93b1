package lsk.keyfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import lsk.LskException;

/**
 * Key files on disk: reading (binary or ASCII, {@code -} for standard input) with the C tool's
 * messages, and writing that never loses a key (temp file in the same directory, fsync of
 * file and directory, rename; mode 0400).
 */
public final class KeyFiles {
    /** The reader gives up at this many bytes (twice a binary key, as C). */
    public static final int MAX_READ = 2 * KeyFileCodec.SIZE;
    /** Mode bits outside 0600 make {@code -r} warn. */
    private static final int OWNER_RW = 0600;
    private static final int S_IFMT = 0170000;
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
            Path path = cwd.resolve(name);
            try (InputStream in = Files.newInputStream(path)) {
                int mode = mode(path);
                if ((mode & ~(S_IFREG | OWNER_RW)) != 0) {
                    err.printf("warning: secret key '%s' has insecure file mode 0%o%n", name, mode);
                }
                try {
                    data = readLimited(in);
                } catch (IOException e) {
                    throw new KeyFileFormatException("read() failed on " + name + ": " + strerror(e));
                }
            } catch (IOException e) {
                throw new KeyFileFormatException("Error opening key file '" + name + "': " + strerror(e));
            }
        }
        try {
            return decode(name, data);
        } finally {
            Arrays.fill(data, (byte) 0);
        }
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
     * Writes {@code config} to {@code target} atomically, mode 0400: the bytes go to a temp file
     * in the same directory, which is fsynced and then renamed over the target (or, when
     * {@code overwrite} is false, hard-linked to it, which fails if the target exists), and
     * the directory is fsynced. On any failure the target is untouched and the temp file gone.
     *
     * @param name how the user named the file (for messages)
     * @throws LskException "error: opening '&lt;name&gt;': &lt;reason&gt;" and friends, as C words them
     */
    public static void write(Path target, String name, KeyConfig config, boolean ascii, boolean overwrite)
            throws LskException {
        byte[] bytes = ascii ? KeyFileCodec.encodeAscii(config) : KeyFileCodec.encodeBinary(config);
        Path tmp = null;
        try {
            Path real = target;
            if (overwrite) {
                try {
                    real = target.toRealPath(); // rewrite the file a symlink points to, not the link
                } catch (NoSuchFileException e) {
                    real = target.toAbsolutePath();
                }
            } else {
                real = target.toAbsolutePath();
                if (Files.exists(real, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileAlreadyExistsException(name);
                }
            }
            Path dir = real.getParent();
            Set<PosixFilePermission> rw = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            tmp = Files.createTempFile(dir, "." + real.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(rw));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer bb = ByteBuffer.wrap(bytes);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, EnumSet.of(PosixFilePermission.OWNER_READ));
            if (overwrite) {
                Files.move(tmp, real, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                // link(2) refuses an existing target atomically, like O_EXCL.
                Files.createLink(real, tmp);
                Files.delete(tmp);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new LskException("error: opening '" + name + "': " + strerror(e), errno(e), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the target itself is untouched
                }
            }
        }
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
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

    private static int errno(IOException e) {
        if (e instanceof NoSuchFileException) {
            return LskException.Errno.ENOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return LskException.Errno.EEXIST;
        }
        if (e instanceof AccessDeniedException) {
            return LskException.Errno.EACCES;
        }
        return LskException.Errno.EIO;
    }
}
