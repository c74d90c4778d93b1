package lsk.kernel;

import lsk.base.DecodeException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Regression tests for faults the fuzzers found in {@link KernelContextCodec}. */
class KernelContextCodecHardeningTest {
    static Stream<Path> transcripts() throws Exception {
        try (Stream<Path> s = Files.list(Vectors.path("handshake"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("hs")).sorted().toList().stream();
        }
    }

    /** The real contexts still decode, field for field, and re-encode to the same bytes. */
    @ParameterizedTest
    @MethodSource("transcripts")
    void realContextsRoundTrip(Path file) throws Exception {
        JsonObject o = Vectors.json("handshake/" + file.getFileName()).getAsJsonObject()
                .getAsJsonObject("outputs");
        for (String side : new String[] {"client", "server"}) {
            byte[] blob = Vectors.hex(o.get(side + "_kctx_hex").getAsString());
            KernelContext c = KernelContextCodec.decode(blob);
            JsonObject parsed = o.getAsJsonObject(side + "_kctx_parsed");
            assertEquals(parsed.get("skc_hmac_alg_128").getAsString(), c.hmacAlg());
            assertEquals(parsed.get("skc_crypt_alg_128").getAsString(), c.cryptAlg());
            assertEquals(parsed.get("hmac_key_hex").getAsString(), Vectors.hex(c.hmacKey().reveal()));
            assertEquals(Vectors.hex(blob), Vectors.hex(KernelContextCodec.encode(c)));
        }
    }

    /**
     * Found by KernelContextFuzzTest: a non-ASCII byte in an algorithm name was decoded as
     * U+FFFD and written back as '?', so a blob did not survive decode/encode. Refused now.
     */
    @Test
    void nonAsciiAlgorithmNameRefused() throws Exception {
        byte[] blob = Files.readAllBytes(Path.of(getClass().getResource(
                "/lsk/fuzz/KernelContextFuzzTestInputs/decode/non_ascii_alg_name").toURI()));
        DecodeException e = assertThrows(DecodeException.class,
                () -> KernelContextCodec.decode(blob));
        assertTrue(e.getMessage().contains("hmac_alg"), e.getMessage());

        byte[] hs01 = Vectors.hex(Vectors.json("handshake/hs01_ski_sha256_rand2048.json").getAsJsonObject()
                .getAsJsonObject("outputs").get("client_kctx_hex").getAsString());
        hs01[KernelContextCodec.OFF_CRYPT_ALG + 1] = (byte) 0xe9; // "c\u00e9r(aes)"
        e = assertThrows(DecodeException.class, () -> KernelContextCodec.decode(hs01));
        assertTrue(e.getMessage().contains("crypt_alg"), e.getMessage());
    }
}
