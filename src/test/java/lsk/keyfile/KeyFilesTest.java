package lsk.keyfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import lsk.base.LskException;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and atomic writing of key files. */
class KeyFilesTest {
    static final byte[] BASE = Vectors.bytes("keyfiles/cases/base.key");

    @TempDir
    Path tmp;

    KeyConfig base() throws Exception {
        return KeyFiles.decode("base.key", BASE).config();
    }

    List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesMode0400WithoutLeftovers() throws Exception {
        KeyFiles.write(tmp.resolve("k.key"), "k.key", base(), false, false);
        assertArrayEquals(BASE, Files.readAllBytes(tmp.resolve("k.key")));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("k.key"))));
        assertEquals(List.of("k.key"), names());
    }

    @Test
    void newFileRefusesAnyExistingName() throws Exception {
        Files.writeString(tmp.resolve("k.key"), "keep");
        Files.createSymbolicLink(tmp.resolve("dangling.key"), tmp.resolve("nowhere"));
        LskException e = assertThrows(LskException.class,
                () -> KeyFiles.write(tmp.resolve("k.key"), "k.key", base(), false, false));
        assertEquals("error: opening 'k.key': File exists", e.getMessage());
        assertThrows(LskException.class,
                () -> KeyFiles.write(tmp.resolve("dangling.key"), "dangling.key", base(), false, false));
        assertEquals("keep", Files.readString(tmp.resolve("k.key")));
        assertFalse(Files.exists(tmp.resolve("nowhere")));
        assertEquals(List.of("dangling.key", "k.key"), names());
    }

    @Test
    void overwriteGoesThroughSymlinksAndSwapsWholeFiles() throws Exception {
        Files.createDirectory(tmp.resolve("real"));
        Files.write(tmp.resolve("real/k.key"), new byte[5000]);
        Files.createSymbolicLink(tmp.resolve("link.key"), tmp.resolve("real/k.key"));
        KeyFiles.write(tmp.resolve("link.key"), "link.key", base(), true, true);
        assertTrue(Files.isSymbolicLink(tmp.resolve("link.key")));
        byte[] now = Files.readAllBytes(tmp.resolve("real/k.key"));
        assertArrayEquals(KeyFileCodec.encodeAscii(base()), now);
        try (Stream<Path> s = Files.list(tmp.resolve("real"))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void missingDirectoryIsReportedLikeC() {
        LskException e = assertThrows(LskException.class,
                () -> KeyFiles.write(tmp.resolve("no/k.key"), "no/k.key", base(), false, false));
        assertEquals("error: opening 'no/k.key': No such file or directory", e.getMessage());
    }

    @Test
    void readsStdinAndWarnsOnlyForFiles() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        KeyFiles.KeyFile kf = KeyFiles.read("-", tmp, new ByteArrayInputStream(KeyFileCodec.encodeAscii(base())),
                new PrintStream(err, true));
        assertTrue(kf.ascii());
        assertEquals(base(), kf.config());
        assertEquals(0, err.size());
        Files.write(tmp.resolve("g.key"), BASE);
        Files.setPosixFilePermissions(tmp.resolve("g.key"), PosixFilePermissions.fromString("rw-rw----"));
        KeyFiles.read("g.key", tmp, InputStreamNone.INSTANCE, new PrintStream(err, true));
        assertEquals("warning: secret key 'g.key' has insecure file mode 0100660\n", err.toString());
    }

    /** An stdin that must not be touched. */
    static final class InputStreamNone extends java.io.InputStream {
        static final InputStreamNone INSTANCE = new InputStreamNone();

        @Override
        public int read() {
            throw new AssertionError("stdin read");
        }
    }
}
