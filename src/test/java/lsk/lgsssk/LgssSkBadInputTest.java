package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import lsk.keyfile.Base64Url;
import lsk.keyfile.KeyFileCodec;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad key files and bad options: the C message, exit 1, and nothing written. */
class LgssSkBadInputTest {
    static final byte[] BASE = Vectors.bytes("keyfiles/cases/base.key");
    static final byte[] ASCII = Vectors.bytes("keyfiles/server_tank_biology_sha512_ascii.key");

    @TempDir
    Path tmp;

    @BeforeEach
    void data() throws Exception {
        Run.copyTree(Vectors.path("keyfiles/data"), tmp.resolve("data"));
    }

    Path put(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--------"));
        return p;
    }

    void readFails(byte[] file, String stderr) throws Exception {
        put("k.key", file);
        Run r = Run.lgssSk(tmp, "-r", "k.key");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals(stderr, r.err());
        // -m must fail the same way and leave the file as it was.
        Run m = Run.lgssSk(tmp, "-g", "1.2.3.4@tcp", "-m", "k.key");
        assertEquals(1, m.exit());
        assertArrayEquals(file, Files.readAllBytes(tmp.resolve("k.key")));
        assertEquals(List.of("data", "k.key"), Run.listing(tmp));
    }

    static byte[] edit(byte[] b, UnaryOperator<ByteBuffer> f) {
        byte[] c = Arrays.copyOf(b, b.length);
        f.apply(ByteBuffer.wrap(c));
        return c;
    }

    static byte[] ascii(String payload) {
        return ("Lustre SSK v1.0\n" + payload).getBytes(StandardCharsets.ISO_8859_1);
    }

    static String b64(byte[] image) {
        return new String(Base64Url.encode(image), StandardCharsets.US_ASCII);
    }

    @Test
    void truncatedAndOversized() throws Exception {
        readFails(Arrays.copyOf(BASE, 2406), "File k.key does not have a complete key: got 2406 bytes, expected 2407 bytes\n");
        readFails(new byte[0], "File k.key does not have a complete key: got 0 bytes, expected 2407 bytes\n");
        readFails(new byte[4814], "File k.key too large, exceeds maximum expected size\n");
        readFails(new byte[100000], "File k.key too large, exceeds maximum expected size\n");
    }

    @Test
    void badFields() throws Exception {
        readFails(edit(BASE, b -> b.putInt(0, 0)), "Invalid version\nerror: key configuration failed validation\n");
        readFails(edit(BASE, b -> b.putShort(6, (short) 0xffff)),
                "Invalid crypt algorithm\nerror: key configuration failed validation\n");
        readFails(edit(BASE, b -> b.putInt(8, 0x80000000)),
                "Invalid expiration time should be between 60 and 2147483647\nerror: key configuration failed validation\n");
        readFails(edit(BASE, b -> b.putInt(16, 16392)), "Invalid session key length must be a multiple of 8 and less"
                + " then 16384 bits\nerror: key configuration failed validation\n");
        readFails(edit(BASE, b -> b.put(KeyFileCodec.OFF_FSNAME, new byte[65]).put(KeyFileCodec.OFF_FSNAME,
                "x".repeat(65).getBytes())),
                "File system name not null terminated\nerror: key configuration failed validation\n");
        readFails(edit(BASE, b -> b.put(KeyFileCodec.OFF_NODEMAP, "y".repeat(17).getBytes())),
                "Nodemap name not null terminated\nerror: key configuration failed validation\n");
    }

    @Test
    void unknownIdsPrintAsNull() throws Exception {
        put("k.key", edit(BASE, b -> b.putShort(4, (short) 3).putShort(6, (short) 7).put(20, (byte) 0x80)));
        Run r = Run.lgssSk(tmp, "-r", "k.key");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Type:          \nHMAC alg:       (null)\nCrypto alg:     (null)\n"), r.out());
    }

    @Test
    void badBase64() throws Exception {
        String good = b64(BASE);
        String msg = "Failed to decode base64url data or incorrect size: got -1 bytes, expected 2407 bytes\n";
        readFails(ascii(good + "=\n"), msg);
        readFails(ascii(good + "\r\n"), msg);
        readFails(ascii(good.replace('-', '+').replace('_', '/') + "\n"), good.contains("-") || good.contains("_")
                ? msg : "");
        // Wrapped at 76 columns: the first line decodes to 57 bytes.
        readFails(ascii(good.substring(0, 76) + "\n" + good.substring(76) + "\n"),
                "Failed to decode base64url data or incorrect size: got 57 bytes, expected 2407 bytes\n");
        // 2407 bytes leave 2 bits over in the last character: they must be zero.
        char last = good.charAt(good.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char bumped = alphabet.charAt(alphabet.indexOf(last) + 1);
        readFails(ascii(good.substring(0, good.length() - 1) + bumped + "\n"), msg);
        readFails(ascii(good.substring(0, good.length() - 4) + "\n"),
                "Failed to decode base64url data or incorrect size: got 2404 bytes, expected 2407 bytes\n");
        readFails(ascii("\n"), "No encoded data found after header string\n");
        readFails(ascii(good + "\ngarbage\n"),
                "unexpected data after the base64url key at byte 3227 (only whitespace may follow it)\n");
    }

    @Test
    void asciiWhitespaceIsSkipped() throws Exception {
        put("k.key", ascii(" \t\r\n" + b64(BASE) + " \n\n"));
        assertEquals(0, Run.lgssSk(tmp, "-r", "k.key").exit());
    }

    @Test
    void stdinAndMissingFile() throws Exception {
        Run r = Run.lgssSk(tmp, BASE, "-r", "-");
        assertEquals(0, r.exit());
        assertEquals(Vectors.text("keyfiles/server_tank_default.key.read.txt"), r.out());
        Run missing = Run.lgssSk(tmp, "-r", "nope.key");
        assertEquals(1, missing.exit());
        assertEquals("Error opening key file 'nope.key': No such file or directory\n", missing.err());
    }

    @Test
    void insecureModeWarnsOnRead() throws Exception {
        Path p = put("k.key", BASE);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        Run r = Run.lgssSk(tmp, "-r", "k.key");
        assertEquals(0, r.exit());
        assertTrue(r.err().startsWith("warning: secret key 'k.key' has insecure file mode 0100644\n"), r.err());
    }

    @Test
    void loadRefusesInsecureModes() throws Exception {
        Path p = put("k.key", BASE);
        for (String mode : List.of("rw-r-----", "rw--w----", "rw-----w-", "rw------x")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
            Run r = Run.lgssSk(tmp, "-l", "k.key");
            assertEquals(1, r.exit());
            assertTrue(r.err().endsWith("Shared key files must be readable/writeable only by owner\n"
                    + "error: loading keyfile failed: rc=-13\n"), r.err());
        }
        Run missing = Run.lgssSk(tmp, "-l", "nope.key");
        assertEquals("stat() failed for file nope.key: No such file or directory\n"
                + "error: loading keyfile failed: rc=-2\n", missing.err());
        put("bad.key", Arrays.copyOf(BASE, 10));
        Run bad = Run.lgssSk(tmp, "-R", "bad.key");
        assertEquals("File bad.key does not have a complete key: got 10 bytes, expected 2407 bytes\n"
                + "error: removing key failed: rc=-126\n", bad.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-e -5|warning: using a 4294967291s key expiration may cause issues during key renegotiation\\n"
                + "Invalid expiration time should be between 60 and 2147483647\\nerror: key configuration failed validation\\n",
        "-k 1032|Invalid shared key max length must be a multiple of 8 and less then 1024 bits\\n"
                + "error: key configuration failed validation\\n",
        "-p 256|error: prime length must be at least 512\\n",
        "-p 1001|Invalid session key length must be a multiple of 8 and less then 16384 bits\\n"
                + "error: key configuration failed validation\\n",
        "-p x|error: invalid prime length: 'x'\\n",
        "-t client,|error: invalid type 'client,', must be mgs, server, or client\\n",
        "-g 1.2.3.4@tcp,,5.6.7.8@tcp|error: invalid MGS NID: \\n",
        "-g 1.2.3@tcp|error: invalid MGS NID: 1.2.3@tcp\\n",
        "-f " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                + "|error: file system name longer than 64 characters\\n",
        "-d data/missing.bin|error: opening 'data/missing.bin': No such file or directory\\n"
                + "error: failure getting key data from 'data/missing.bin'\\n",
        "-z|lgss_sk: invalid option -- 'z'\\nerror: unknown option: '?'\\n",
        "--fsname|lgss_sk: option '--fsname' requires an argument\\nerror: unknown option: '?'\\n",
    })
    void badOptionValues(String extra, String stderr) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-t", "server", "-f", "tank", "-d", "data/seq128.bin"));
        args.addAll(List.of(extra.split(" ")));
        args.addAll(List.of("-w", "new.key"));
        if (extra.equals("--fsname")) {
            args = new java.util.ArrayList<>(List.of("-t", "server", "-w", "new.key", "--fsname"));
        }
        Run r = Run.lgssSk(tmp, args.toArray(String[]::new));
        assertEquals(1, r.exit());
        assertEquals(stderr.replace("\\n", "\n"), r.err().replace("Reading random data for shared key from"
                + " 'data/missing.bin'\n", ""));
        assertEquals(List.of("data"), Run.listing(tmp));
    }

    @Test
    void sixteenNidsAreRefused() throws Exception {
        StringBuilder nids = new StringBuilder();
        for (int i = 1; i <= 16; i++) {
            nids.append(i > 1 ? "," : "").append("10.0.0.").append(i).append("@tcp");
        }
        Run r = Run.lgssSk(tmp, "-t", "mgs", "-g", nids.toString(), "-d", "data/seq128.bin", "-w", "n.key");
        assertEquals(1, r.exit());
        assertEquals("error: more than 16 MGS NIDs provided\n", r.err());
        assertEquals(List.of("data"), Run.listing(tmp));
    }

    @Test
    void writeRefusesExistingFileAndKeepsIt() throws Exception {
        put("k.key", ASCII);
        Run r = Run.lgssSk(tmp, "-t", "server", "-f", "x", "-d", "data/seq128.bin", "-w", "k.key");
        assertEquals(1, r.exit());
        assertEquals("error: opening 'k.key': File exists\n", r.err());
        assertArrayEquals(ASCII, Files.readAllBytes(tmp.resolve("k.key")));
        assertEquals(List.of("data", "k.key"), Run.listing(tmp));
    }

    @Test
    void failedModifyKeepsTheOldFile() throws Exception {
        put("k.key", ASCII);
        Run r = Run.lgssSk(tmp, "-e", "10", "-m", "k.key");
        assertEquals(1, r.exit());
        assertArrayEquals(ASCII, Files.readAllBytes(tmp.resolve("k.key")));
        Run d = Run.lgssSk(tmp, "-d", "data/seq128.bin", "-m", "k.key");
        assertEquals("error: data file option not valid in key modify\n", d.err());
        assertEquals(List.of("data", "k.key"), Run.listing(tmp));
    }

    @Test
    void modifyKeepsAsciiAndMode() throws Exception {
        Path p = put("k.key", ASCII);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        Run r = Run.lgssSk(tmp, "-e", "7200", "-m", "k.key");
        assertEquals(0, r.exit(), r.err());
        byte[] now = Files.readAllBytes(p);
        assertTrue(KeyFileCodec.isAscii(now));
        assertEquals(ASCII.length, now.length);
        // As C (parity case m13_mode_0600): -m keeps the key's mode.
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        assertTrue(Run.lgssSk(tmp, "-r", "k.key").out().contains("Ctx Expiration: 7200 seconds\n"));
        assertEquals(List.of("data", "k.key"), Run.listing(tmp));
    }

    @Test
    void samePrimeBitsOnClientZeroesThePrimeLikeC() throws Exception {
        put("c.key", Vectors.bytes("keyfiles/h_client_tank_ffdhe2048.key"));
        Run r = Run.lgssSk(tmp, "-p", "2048", "-m", "c.key");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertTrue(!Run.lgssSk(tmp, "-r", "c.key").out().contains("Prime (p):"));
    }

    @Test
    void clientKeysDefaultToFfdheAndRandomOnRequest() throws Exception {
        Run r = Run.lgssSk(tmp, "-t", "client", "-f", "t", "-p", "3072", "-d", "data/seq128.bin", "-w", "c.key");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Reading random data for shared key from 'data/seq128.bin'\n"
                + "Generating DH parameters, this can take a while...\n", r.out());
        byte[] c = Files.readAllBytes(tmp.resolve("c.key"));
        assertArrayEquals(lsk.crypto.Ffdhe.FFDHE3072.primeBytes(),
                Arrays.copyOfRange(c, KeyFileCodec.OFF_PRIME, KeyFileCodec.OFF_PRIME + 384));
        Run rnd = Run.lgssSk(tmp, "-t", "client", "-f", "t", "-p", "512", "--random-prime", "-d", "data/seq128.bin",
                "-w", "r.key");
        assertEquals(0, rnd.exit(), rnd.err());
        java.math.BigInteger p = new java.math.BigInteger(1, Arrays.copyOfRange(Files.readAllBytes(tmp.resolve("r.key")),
                KeyFileCodec.OFF_PRIME, KeyFileCodec.OFF_PRIME + 64));
        assertEquals(512, p.bitLength());
        assertTrue(lsk.crypto.SafePrimeGenerator.isSafePrime(p));
    }

    @Test
    void usageAndExtraneous() throws Exception {
        Run h = Run.lgssSk(tmp, "-h");
        assertEquals(1, h.exit());
        assertTrue(h.out().startsWith("Usage lgss_sk [OPTIONS] {-l|-m|-r|-w} <keyfile>\n-l|--load       <keyfile>\t"));
        assertTrue(h.out().contains("--random-prime"));
        Run none = Run.lgssSk(tmp);
        assertEquals(1, none.exit());
        assertEquals(h.out(), none.err());
        Run both = Run.lgssSk(tmp, "-R", "a", "-r", "b");
        assertTrue(both.err().startsWith("error: remove option cannot be combined with other operations\nUsage "));
        Run s = Run.lgssSk(tmp, "-s", "-r", "b");
        assertEquals(h.out(), s.err());
    }

    @Test
    void updatePathWithoutLustre() throws Exception {
        put("c.key", Vectors.bytes("keyfiles/h_client_tank_ffdhe2048.key"));
        // What liblustreapi and the C tool print when the directory cannot be opened.
        Run r = Run.lgssSk(tmp, "-l", "c.key", "-u", "/mnt/no-such-lustre");
        assertEquals(1, r.exit());
        assertEquals("lgss_sk: cannot open '/mnt/no-such-lustre': No such file or directory (2)\n"
                + "Cannot get Lustre fsname for /mnt/no-such-lustre: rc=-2\n"
                + "error: loading keyfile failed: rc=-2\n", r.err());
    }
}
