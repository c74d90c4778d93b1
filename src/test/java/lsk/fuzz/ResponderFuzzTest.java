package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import lsk.crypto.DhGroups;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.NodemapResolver;
import lsk.handshake.PrimePolicy;
import lsk.handshake.Responder;
import lsk.keyfile.KeyConfig;
import lsk.wire.Netstring;
import lsk.wire.TokenCodec;
import lsk.base.DecodeException;

/**
 * The server side on hostile init tokens: what lsvcgssd does with bytes from any peer.
 * The only allowed outcome besides success is a {@link GssException} that names a check (an
 * "internal error" means a RuntimeException escaped a check: a bug). No message may show the
 * shared key. {@link #signedInitToken} signs the fuzzed fields with the real key, so the
 * checks after the HMAC (prime, public key, S, KDF) are fuzzed as an authenticated but
 * malicious client would drive them.
 */
class ResponderFuzzTest {
    private final KeyConfig key = HandshakeKeys.key("keyfiles/server_tank_default.key");
    private final Responder responder = new Responder(HandshakeKeys.serverKeys(), NodemapResolver.NONE,
            Entropy.fixed(HandshakeKeys.SERVER_RANDOM, HandshakeKeys.serverPrivate()), new DhGroups(8),
            // The daemon's per-peer budget would stop the fuzzer at the prime check after two new
            // primes a minute: here every prime of any accepted size reaches it.
            new PrimePolicy(DhGroups.MAX_BITS, Integer.MAX_VALUE, Duration.ofMinutes(1), 4096));

    @FuzzTest
    void initToken(byte[] data) {
        accept(data);
    }

    @FuzzTest
    void signedInitToken(byte[] data) {
        Netstring.Decoded d;
        try {
            d = Netstring.decode(data, TokenCodec.INIT_FIELDS - 1);
        } catch (DecodeException e) {
            return;
        }
        byte[][] fields = new byte[TokenCodec.INIT_FIELDS - 1][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = d.field(i).toByteArray();
        }
        byte[] shared = key.sharedKey();
        byte[] mac = Netstring.encode(HandshakeKeys.hmacSha256(shared, fields));
        byte[] token = new byte[data.length + mac.length];
        System.arraycopy(data, 0, token, 0, d.consumed());
        System.arraycopy(mac, 0, token, d.consumed(), mac.length);
        System.arraycopy(data, d.consumed(), token, d.consumed() + mac.length, data.length - d.consumed());
        accept(token);
    }

    private void accept(byte[] token) {
        byte[] shared = key.sharedKey();
        try {
            Responder.Result r = responder.accept(token, HandshakeKeys.CLIENT_NID, HandshakeKeys.SERVER_NODEMAP);
            Fuzz.assertNoSecret("Responder.Result", r.toString(), shared);
            Fuzz.assertNoSecret("KernelContext", r.context().toString(), r.context().hmacKey().reveal());
        } catch (GssException e) {
            if (e.getMessage().startsWith("internal error")) {
                throw Fuzz.fail("unexpected exception inside the responder: " + e.getMessage());
            }
            if (e.major() == GssException.GSS_S_COMPLETE) {
                throw Fuzz.fail("rejection with major status 0: " + e.getMessage());
            }
            Fuzz.assertNoSecret("rejection message", e.getMessage(), shared, token);
        }
    }
}
