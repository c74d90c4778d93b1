package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import lsk.sk.GssException;
import lsk.mech.SkMech;
import lsk.testutil.Vectors;

/**
 * The kernel-side model on hostile input: context import (the blob a downcall carries) and
 * per-message unwrap/verify of a peer's tokens under a real (hs02, privacy) context. Only
 * {@link GssException} may come out; no message shows a key.
 */
class SkMechFuzzTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final byte[] privCtx = Vectors.hex(Vectors.json("handshake/hs02_skpi_sha512_ffdhe2048_root.json")
            .getAsJsonObject().getAsJsonObject("outputs").get("server_kctx_hex").getAsString());

    @FuzzTest
    void importContext(byte[] data) {
        try (SkMech m = SkMech.importContext(data, clock)) {
            Fuzz.assertNoSecret("SkMech.toString", m.toString(), data.length > 280 ? Arrays.copyOfRange(data, 276, 280 + 8) : null, data);
            m.getMic(data);
        } catch (GssException e) {
            if (e.major() == GssException.GSS_S_COMPLETE) {
                throw Fuzz.fail("rejection with major status 0: " + e.getMessage());
            }
        }
    }

    @FuzzTest
    void unwrap(byte[] data) {
        int n = data.length == 0 ? 0 : Math.min(data[0] & 0x3f, data.length - 1);
        byte[] header = Arrays.copyOfRange(data, data.length == 0 ? 0 : 1, data.length == 0 ? 0 : 1 + n);
        byte[] token = Arrays.copyOfRange(data, data.length == 0 ? 0 : 1 + n, data.length);
        try (SkMech m = SkMech.importContext(privCtx, clock)) {
            try {
                m.unwrap(header, token);
            } catch (GssException e) {
                // expected rejection of a forged token
            }
            try {
                m.verifyMic(token, header);
            } catch (GssException e) {
                // expected rejection of a forged MIC
            }
        } catch (GssException e) {
            throw new IllegalStateException("the hs02 context must import", e);
        }
    }
}
