package lsk.lgsssk;

import lsk.Main;
import lsk.cmd.Io;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs lsk commands in-process with captured streams. */
record Run(int exit, String out, String err, byte[] outBytes, byte[] errBytes) {

    static Run lgssSk(Path cwd, String... args) {
        return lgssSk(cwd, new byte[0], args);
    }

    static Run lgssSk(Path cwd, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] argv = new String[args.length + 1];
        argv[0] = "lgss_sk";
        System.arraycopy(args, 0, argv, 1, args.length);
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = Main.run(Arrays.asList(argv), new Io(new ByteArrayInputStream(stdin), o, e, cwd, Map.of()));
        }
        return new Run(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1),
                out.toByteArray(), err.toByteArray());
    }

    /** Copies a directory tree (files become 0400 if they end in .key, else 0644). */
    static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(
                            p.getFileName().toString().endsWith(".key") ? "r--------" : "rw-r--r--"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory's files (all of them: -m leaves no lock or temp file beside the keys). */
    static List<String> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
