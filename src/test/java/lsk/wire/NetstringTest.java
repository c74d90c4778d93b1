package lsk.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import lsk.base.DecodeException;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Decisions of the C sk_decode_netstring, from netstring_cases.json, for 8- and 4-field decodes. */
class NetstringTest {

    static Stream<JsonObject> cases() {
        JsonArray a = Vectors.json("netstring/netstring_cases.json").getAsJsonObject().getAsJsonArray("cases");
        List<JsonObject> l = new ArrayList<>();
        a.forEach(e -> l.add(e.getAsJsonObject()));
        return l.stream();
    }

    @Test
    void allCasesPresent() {
        assertEquals(21, cases().count());
    }

    @ParameterizedTest(name = "{index} {0}")
    @MethodSource("cases")
    void matchesC(JsonObject c) {
        byte[] in = Vectors.hex(c.get("input_hex").getAsString());
        assertEquals(c.get("input_len").getAsInt(), in.length);
        check(c.getAsJsonObject("decode_8"), in, 8, c.get("name").getAsString());
        check(c.getAsJsonObject("decode_4"), in, 4, c.get("name").getAsString());
    }

    private static void check(JsonObject expect, byte[] in, int n, String name) {
        String outcome = expect.get("outcome").getAsString();
        if (outcome.equals("accepted")) {
            Netstring.Decoded d = assertDoesNotThrowW(() -> Netstring.decode(in, n));
            assertEquals(n, d.count(), name);
            JsonArray fields = expect.getAsJsonArray("fields_hex");
            for (int i = 0; i < n; i++) {
                assertEquals(fields.get(i).getAsString(), Vectors.hex(d.field(i).toByteArray()), name + " field " + i);
            }
            if (expect.has("bytes_consumed")) {
                assertEquals(expect.get("bytes_consumed").getAsInt(), d.consumed(), name);
            }
        } else {
            // "rejected" cleanly, or "crash" in C: lsk rejects.
            assertThrows(DecodeException.class, () -> Netstring.decode(in, n), name + " decode " + n);
        }
    }

    interface Dec {
        Netstring.Decoded run() throws DecodeException;
    }

    private static Netstring.Decoded assertDoesNotThrowW(Dec d) {
        try {
            return d.run();
        } catch (DecodeException e) {
            throw new AssertionError("rejected: " + e.getMessage(), e);
        }
    }

    @Test
    void negativeFiveEngineeredIsRejected() {
        // The C decoder wraps -5 to 4294967291 and crashes; see README section 4.
        byte[] in = "-5:xxx,xxx:4:abcd,".getBytes(StandardCharsets.US_ASCII);
        assertThrows(DecodeException.class, () -> Netstring.decode(in, 1));
    }

    @Test
    void tenDigitLengthRejected() {
        byte[] in = "1000000000:x,".getBytes(StandardCharsets.US_ASCII);
        assertThrows(DecodeException.class, () -> Netstring.decode(in, 1));
    }

    @Test
    void roundTrip() throws Exception {
        Random r = new Random(7);
        for (int t = 0; t < 200; t++) {
            byte[][] f = new byte[1 + r.nextInt(9)][];
            for (int i = 0; i < f.length; i++) {
                f[i] = new byte[r.nextInt(300)];
                r.nextBytes(f[i]);
            }
            byte[] enc = Netstring.encode(f);
            Netstring.Decoded d = Netstring.decode(enc, f.length);
            assertEquals(enc.length, d.consumed());
            for (int i = 0; i < f.length; i++) {
                assertArrayEquals(f[i], d.field(i).toByteArray());
            }
        }
    }

    @Test
    void mutatedInputsOnlyEverRejectCleanly() {
        Random r = new Random(11);
        byte[] base = Netstring.encode(new byte[4], new byte[4], new byte[256], new byte[256], "tank-MDT0000_UUID\0"
                .getBytes(StandardCharsets.US_ASCII), new byte[32], new byte[4], new byte[32]);
        int accepted = 0;
        for (int t = 0; t < 20000; t++) {
            byte[] m = base.clone();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int pos = r.nextInt(Math.min(m.length, 40 + r.nextInt(m.length)));
                m[pos] = (byte) (r.nextBoolean() ? r.nextInt(256) : "0123456789:,-+ ".charAt(r.nextInt(15)));
            }
            if (r.nextInt(4) == 0) {
                m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 1));
            }
            try {
                Netstring.decode(m, 8);
                accepted++;
            } catch (DecodeException ok) {
                // fine
            }
        }
        assertTrue(accepted > 0);
    }

    @Test
    void tokenCodecsRoundTrip() throws Exception {
        InitToken t = InitToken.of(TokenCodec.be32(1), new byte[] {1, 2, 3, 4}, new byte[] {5}, new byte[] {6},
                "x-y\0".getBytes(StandardCharsets.US_ASCII), new byte[32], TokenCodec.be32(0x40), new byte[32]);
        assertEquals(t, TokenCodec.decodeInit(TokenCodec.encode(t)));
        assertEquals(0x40, t.flagsValue());
        ResponseToken r = ResponseToken.of(TokenCodec.be32(1), new byte[4], new byte[3], new byte[32]);
        assertEquals(r, TokenCodec.decodeResponse(TokenCodec.encode(r)));
        assertThrows(DecodeException.class, () -> TokenCodec.decodeInit(TokenCodec.encode(r)));
    }

    @SuppressWarnings("unused")
    private static JsonElement unused;
}
