package lsk.keyfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.stream.Stream;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeyFileCodecTest {

    static Stream<JsonObject> manifest() {
        return Vectors.json("keyfiles/manifest.json").getAsJsonArray().asList().stream()
                .map(JsonElement::getAsJsonObject);
    }

    /** Every key file of the real tools decodes to its recorded fields and re-encodes to the same bytes. */
    @ParameterizedTest
    @MethodSource("manifest")
    void decodesAndReencodesEveryManifestFile(JsonObject e) throws Exception {
        byte[] file = Vectors.bytes(e.get("file").getAsString());
        JsonObject f = e.getAsJsonObject("fields");
        byte[] image = KeyFileCodec.isAscii(file) ? KeyFileCodec.asciiPayload(file) : file;
        assertEquals(f.get("binary_struct_hex").getAsString(), Vectors.hex(image));
        KeyConfig c = KeyFileCodec.decodeBinary(image);
        assertEquals(f.get("skc_version").getAsLong(), c.version());
        assertEquals(f.get("skc_hmac_alg").getAsInt(), c.hmacAlg());
        assertEquals(f.get("skc_crypt_alg").getAsInt(), c.cryptAlg());
        assertEquals(f.get("skc_expire").getAsLong(), c.expire());
        assertEquals(f.get("skc_shared_keylen").getAsLong(), c.sharedKeyLenBits());
        assertEquals(f.get("skc_prime_bits").getAsLong(), c.primeBits());
        assertEquals(f.get("skc_type").getAsInt(), c.type());
        assertEquals(f.get("skc_fsname").getAsString(), c.fsname());
        assertEquals(f.get("skc_nodemap").getAsString(), c.nodemap());
        assertEquals(f.get("shared_key_hex").getAsString(), Vectors.hex(c.sharedKey()));
        assertArrayEquals(image, KeyFileCodec.encodeBinary(c));
        if (KeyFileCodec.isAscii(file)) {
            assertArrayEquals(file, KeyFileCodec.encodeAscii(c));
        }
    }

    @Test
    void wrongSizeIsRejected() {
        assertThrows(KeyFileFormatException.class, () -> KeyFileCodec.decodeBinary(new byte[2408]));
        assertThrows(KeyFileFormatException.class, () -> KeyFileCodec.decodeBinary(new byte[2406]));
    }

    @Test
    void base64UrlRejectsPaddingStdAlphabetAndLeftoverBits() {
        assertNull(Base64Url.decode("AA==".getBytes()));
        assertNull(Base64Url.decode("+/8".getBytes()));
        assertNull(Base64Url.decode("AB".getBytes()));   // leftover bits 0b0001
        assertArrayEquals(new byte[] {0}, Base64Url.decode("AA".getBytes()));
        // RFC 4648 section 10 test vectors, minus padding.
        assertArrayEquals("foobar".getBytes(), Base64Url.decode("Zm9vYmFy".getBytes()));
        assertArrayEquals("fooba".getBytes(), Base64Url.decode("Zm9vYmE".getBytes()));
        assertArrayEquals("Zm9vYg".getBytes(), Base64Url.encode("foob".getBytes()));
    }
}
