package lsk.fuzz;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import lsk.keyfile.KeySource;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.keyfile.KeyFileFormatException;
import lsk.testutil.Vectors;

/**
 * The keys and fixed randomness of the C tools' crafted handshake cases
 * (handshake/responder_cases.json, initiator_cases.json), so that the fuzzers start from
 * tokens whose HMACs verify.
 */
final class HandshakeKeys {
    static final long CLIENT_NID = 0x00020000c0a80132L;
    static final String SERVER_NODEMAP = "default";
    static final String TARGET = "tank-MDT0000_UUID";
    static final int FLAGS = 0x40;
    static final byte[] CLIENT_RANDOM = {0x11, 0x22, 0x33, 0x44};
    static final byte[] SERVER_RANDOM = {0x55, 0x66, 0x77, (byte) 0x88};

    private HandshakeKeys() {
    }

    static KeyConfig key(String file) {
        try {
            byte[] b = Vectors.bytes(file);
            return KeyFileCodec.decodeBinary(KeyFileCodec.isAscii(b) ? KeyFileCodec.asciiPayload(b) : b);
        } catch (KeyFileFormatException e) {
            throw new IllegalStateException(file, e);
        }
    }

    /** lustre:tank:default has the case key and a second one (rotation: both are tried). */
    static KeySource serverKeys() {
        Map<String, List<KeyConfig>> m = Map.of("lustre:tank:default", List.of(
                key("keyfiles/server_tank_default_altkey.key"), key("keyfiles/server_tank_default.key")),
                "lustre:MGS:biology", List.of(key("keyfiles/mgs_server_tank_biology.key")));
        return d -> m.getOrDefault(d, List.of());
    }

    static KeyConfig clientKey() {
        return key("keyfiles/h_client_tank_ffdhe2048.key");
    }

    static BigInteger serverPrivate() {
        return caseValue("handshake/responder_cases.json", "server_dh_priv_hex");
    }

    static BigInteger clientPrivate() {
        return caseValue("handshake/initiator_cases.json", "client_dh_priv_hex");
    }

    private static BigInteger caseValue(String file, String field) {
        return new BigInteger(Vectors.json(file).getAsJsonObject().getAsJsonArray("cases").get(0)
                .getAsJsonObject().get(field).getAsString(), 16);
    }

    /** HMAC-SHA256 by the JDK (independent of lsk.crypto), as the tokens carry it. */
    static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                m.update(p);
            }
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
