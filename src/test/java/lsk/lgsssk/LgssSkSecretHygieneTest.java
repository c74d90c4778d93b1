package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lgss_sk} never prints the shared key, except {@code -r}'s hex dump on stderr (the C
 * tool's contract): -w, -m, -l, -R, -r's stdout and every error path are searched for the key
 * in hex and base64.
 */
class LgssSkSecretHygieneTest {
    /** The hex dump lines of -r ("  0000: 0001 0203 ... ascii"), shown on purpose. */
    private static final Pattern HEX_DUMP = Pattern.compile("^  [0-9a-f]{4}: .*$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    @Test
    void keyNeverPrintedOutsideReadHexDump() throws Exception {
        byte[] data = Vectors.bytes("keyfiles/data/alt128.bin");
        Files.write(tmp.resolve("key.bin"), data);
        byte[] key = Arrays.copyOf(data, 64); // -k 512 reads 64 bytes
        String fs = "hyg" + ProcessHandle.current().pid();
        List<Run> runs = new ArrayList<>();
        runs.add(Run.lgssSk(tmp, "-t", "server", "-f", fs, "-k", "512", "-d", "key.bin", "-w", "s.key"));
        runs.add(Run.lgssSk(tmp, "-t", "server", "-f", fs, "-k", "512", "-d", "key.bin", "-a", "-w", "a.key"));
        runs.add(Run.lgssSk(tmp, "-t", "server", "-f", fs, "-d", "key.bin", "-w", "s.key")); // exists
        runs.add(Run.lgssSk(tmp, "-e", "3600", "-n", "biology", "-m", "s.key"));
        runs.add(Run.lgssSk(tmp, "-e", "10", "-m", "a.key"));                                 // invalid
        runs.add(Run.lgssSk(tmp, "-r", "s.key"));
        runs.add(Run.lgssSk(tmp, "-r", "a.key"));
        runs.add(Run.lgssSk(tmp, Files.readAllBytes(tmp.resolve("s.key")), "-r", "-"));
        byte[] cut = Arrays.copyOf(Files.readAllBytes(tmp.resolve("s.key")), 2000);
        Files.write(tmp.resolve("cut.key"), cut);
        runs.add(Run.lgssSk(tmp, "-r", "cut.key"));
        byte[] ascii = Files.readAllBytes(tmp.resolve("a.key"));
        ascii[100] = '=';
        Files.write(tmp.resolve("bad.key"), ascii);
        runs.add(Run.lgssSk(tmp, "-r", "bad.key"));
        runs.add(Run.lgssSk(tmp, "-m", "bad.key", "-e", "3600"));
        runs.add(Run.lgssSk(tmp, "-l", "s.key"));
        runs.add(Run.lgssSk(tmp, "-R", "s.key"));
        runs.add(Run.lgssSk(tmp, "-R", "s.key")); // nothing left to remove
        runs.add(Run.lgssSk(tmp, "-r", "missing.key"));

        assertEquals(0, runs.get(0).exit(), runs.get(0).err());
        assertEquals(0, runs.get(3).exit(), runs.get(3).err());
        assertTrue(runs.get(5).err().contains("  0000: "), "-r shows its hex dump on stderr: " + runs.get(5).err());
        // The checker would catch the dump itself (so a dump on any other path would fail).
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> check("raw", runs.get(5).err(), key));
        for (Run r : runs) {
            check("stdout", r.out(), key);
            check("stderr", HEX_DUMP.matcher(r.err()).replaceAll("<hex dump>"), key);
        }
    }

    private static void check(String where, String text, byte[] key) {
        // Without whitespace, so grouped dumps ("0001 0203 ...") are caught too.
        String lower = text.toLowerCase(Locale.ROOT).replaceAll("\\s", "");
        String hex = HexFormat.of().formatHex(key);
        for (int off = 0; off + 8 <= key.length; off += 4) {
            String w = hex.substring(2 * off, 2 * off + 16);
            assertFalse(lower.contains(w), () -> where + " shows key bytes in hex: " + text);
        }
        for (Base64.Encoder e : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            String b = e.withoutPadding().encodeToString(key);
            for (int off = 0; off + 12 <= b.length(); off += 4) {
                String w = b.substring(off, off + 12);
                assertFalse(text.contains(w), () -> where + " shows key bytes in base64: " + text);
            }
        }
    }
}
