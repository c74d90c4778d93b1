package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import lsk.wire.Netstring;
import lsk.wire.TokenCodec;
import lsk.base.DecodeException;

/**
 * The netstring decoder and the token codec on any bytes (they read what a peer sends before
 * anything is authenticated). {@link DecodeException} is the only rejection; what decodes
 * re-encodes to exactly the bytes it consumed.
 */
class NetstringFuzzTest {
    @FuzzTest
    void decode(byte[] data) {
        for (int count : new int[] {1, TokenCodec.RESP_FIELDS, TokenCodec.INIT_FIELDS}) {
            Netstring.Decoded d;
            try {
                d = Netstring.decode(data, count);
            } catch (DecodeException e) {
                continue;
            }
            if (d.count() != count || d.consumed() < 0 || d.consumed() > data.length) {
                throw Fuzz.fail("decoded " + d.count() + " fields, consumed " + d.consumed());
            }
            byte[][] f = new byte[count][];
            for (int i = 0; i < count; i++) {
                f[i] = d.field(i).toByteArray();
            }
            if (!Arrays.equals(Netstring.encode(f), Arrays.copyOf(data, d.consumed()))) {
                throw Fuzz.fail("decode/encode is not the identity on the consumed bytes");
            }
        }
        try {
            TokenCodec.decodeInit(data);
        } catch (DecodeException e) {
            // expected rejection
        }
        try {
            TokenCodec.decodeResponse(data);
        } catch (DecodeException e) {
            // expected rejection
        }
    }
}
