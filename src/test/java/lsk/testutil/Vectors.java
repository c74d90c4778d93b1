package lsk.testutil;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The reference vectors made by the real C tools ({@code ../shared/vectors}). Missing vectors
 * fail the test run loudly: a vector test that silently skips could never fail.
 */
public final class Vectors {
    private Vectors() {
    }

    public static Path dir() {
        String prop = System.getProperty("lsk.vectors");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared", "vectors");
        if (!Files.isDirectory(p.resolve("keyfiles"))) {
            throw new IllegalStateException("reference vectors not found at " + p.toAbsolutePath()
                    + " (set -Dlsk.vectors=DIR; CI has shared/ beside the clone)");
        }
        return p;
    }

    public static Path path(String relative) {
        return dir().resolve(relative);
    }

    public static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonElement json(String relative) {
        return JsonParser.parseString(text(relative));
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
