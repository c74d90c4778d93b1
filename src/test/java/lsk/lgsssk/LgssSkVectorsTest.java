package lsk.lgsssk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import lsk.crypto.Ffdhe;
import lsk.crypto.SafePrimeGenerator;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFiles;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** lgss_sk against everything the real tool produced (shared/vectors/keyfiles). */
class LgssSkVectorsTest {
    @TempDir
    Path tmp;

    static Stream<String> vectorKeyFiles() throws Exception {
        try (Stream<Path> s = Files.list(Vectors.path("keyfiles"))) {
            List<String> l = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".key")).sorted().toList();
            assertEquals(14, l.size(), "vector key files");
            return l.stream();
        }
    }

    static Stream<JsonObject> cases() {
        return Vectors.json("keyfiles/lgss_sk_cases.json").getAsJsonObject().getAsJsonArray("cases").asList()
                .stream().map(JsonElement::getAsJsonObject);
    }

    static Stream<JsonObject> lgssSkManifest() {
        return Vectors.json("keyfiles/manifest.json").getAsJsonArray().asList().stream()
                .map(JsonElement::getAsJsonObject)
                .filter(e -> e.get("generator").getAsString().startsWith("lgss_sk"));
    }

    /** -r of every vector key file: stdout, stderr (hex dumps) and exit code byte-identical. */
    @ParameterizedTest
    @MethodSource("vectorKeyFiles")
    void readIsByteIdentical(String name) throws Exception {
        Path key = tmp.resolve(name);
        Files.copy(Vectors.path("keyfiles/" + name), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
        Run r = Run.lgssSk(tmp, "-r", name);
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(Vectors.bytes("keyfiles/" + name + ".read.txt"), r.outBytes());
        assertArrayEquals(Vectors.bytes("keyfiles/" + name + ".read.stderr.txt"), r.errBytes());
    }

    /** Every edge/error case of the real tool: exit code, stdout, stderr, created files. */
    @ParameterizedTest
    @MethodSource("cases")
    void caseMatches(JsonObject c) throws Exception {
        Run.copyTree(Vectors.path("keyfiles/cases"), tmp);
        if (c.has("created_files")) {
            // The checkout holds the outputs too; the real run started without them.
            for (JsonElement f : c.getAsJsonArray("created_files")) {
                Files.delete(tmp.resolve(Path.of(f.getAsJsonObject().get("file").getAsString()).getFileName().toString()));
            }
        }
        List<String> before = Run.listing(tmp);
        List<String> args = c.getAsJsonArray("command_args").asList().stream().map(JsonElement::getAsString).toList();
        Run r = Run.lgssSk(tmp, args.subList(1, args.size()).toArray(String[]::new));
        assertEquals(c.get("stdout").getAsString(), r.out());
        assertEquals(c.get("stderr").getAsString(), r.err());
        assertEquals(c.get("exit_code").getAsInt(), r.exit());
        if (c.has("created_files")) {
            for (JsonElement f : c.getAsJsonArray("created_files")) {
                JsonObject fo = f.getAsJsonObject();
                Path p = tmp.resolve(Path.of(fo.get("file").getAsString()).getFileName().toString());
                assertEquals(fo.get("sha256").getAsString(), sha256(Files.readAllBytes(p)));
                assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                Run read = Run.lgssSk(tmp, "-r", p.getFileName().toString());
                assertEquals(fo.get("read_stdout").getAsString(), read.out());
                assertEquals(fo.get("read_exit_code").getAsInt(), read.exit());
            }
        } else if (r.exit() != 0) {
            assertEquals(before, Run.listing(tmp), "a failed command must not leave files behind");
        }
    }

    /** -w with -d and -m on a copy of the base file: the same bytes (a client key's prime may differ). */
    @ParameterizedTest
    @MethodSource("lgssSkManifest")
    void writeAndModifyAreByteIdentical(JsonObject e) throws Exception {
        Run.copyTree(Vectors.path("keyfiles/data"), tmp.resolve("data"));
        String target = Path.of(e.get("file").getAsString()).getFileName().toString();
        if (e.has("modified_from")) {
            Path base = Vectors.path(e.get("modified_from").getAsString());
            Files.copy(base, tmp.resolve(target));
            Files.setPosixFilePermissions(tmp.resolve(target), PosixFilePermissions.fromString("r--------"));
        }
        List<String> args = e.getAsJsonArray("command_args").asList().stream().map(JsonElement::getAsString).toList();
        Run r = Run.lgssSk(tmp, args.subList(1, args.size()).toArray(String[]::new));
        assertEquals(e.get("exit_code").getAsInt(), r.exit(), r.err());
        assertEquals(e.get("stdout").getAsString(), r.out());
        assertEquals(e.get("stderr").getAsString(), r.err());
        byte[] want = Vectors.bytes(e.get("file").getAsString());
        byte[] got = Files.readAllBytes(tmp.resolve(target));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(target))));
        KeyConfig wantC = KeyFiles.decode(target, want).config();
        KeyConfig gotC = KeyFiles.decode(target, got).config();
        if (wantC.isClient() && wantC.hasPrime()) {
            // Same everything but the prime, which must be a safe prime of the requested size.
            BigInteger p = new BigInteger(1, gotC.prime());
            assertEquals(gotC.primeBits(), p.bitLength());
            assertTrue(Ffdhe.of(p).isPresent() || SafePrimeGenerator.isSafePrime(p), "safe prime");
            assertEquals(0, BigInteger.TWO.modPow(p.shiftRight(1), p).compareTo(BigInteger.ONE), "g = 2 order q");
            assertEquals(wantC.toBuilder().prime(new byte[0]).build(), gotC.toBuilder().prime(new byte[0]).build());
            assertEquals(KeyFileCodec.isAscii(want), KeyFileCodec.isAscii(got));
        } else {
            assertArrayEquals(want, got);
        }
    }

    static String sha256(byte[] b) throws Exception {
        return Vectors.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] copy(byte[] b) {
        return Arrays.copyOf(b, b.length);
    }
}
