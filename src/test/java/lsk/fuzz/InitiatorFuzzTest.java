package lsk.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import lsk.crypto.DhGroups;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.kernel.KernelContext;
import lsk.keyfile.KeyConfig;
import lsk.wire.Netstring;
import lsk.wire.TokenCodec;
import lsk.base.DecodeException;

/**
 * The client side on hostile replies (what lgss_keyring does with the server's bytes). Each
 * input is checked by a fresh {@link Initiator} whose init token is the C vectors' one (fixed
 * random and private key), so the vectors' replies verify. Only {@link GssException} (including
 * its RetryException) may come out, never naming the key. {@link #signedResponse} signs the
 * fuzzed fields to reach the checks after the HMAC (a malicious server that has the key).
 */
class InitiatorFuzzTest {
    private final KeyConfig key = HandshakeKeys.clientKey();
    private final Entropy entropy = Entropy.fixed(HandshakeKeys.CLIENT_RANDOM, HandshakeKeys.clientPrivate());
    private final DhGroups groups = new DhGroups(2);

    @FuzzTest
    void response(byte[] data) {
        finish(data);
    }

    @FuzzTest
    void signedResponse(byte[] data) {
        Netstring.Decoded d;
        try {
            d = Netstring.decode(data, TokenCodec.RESP_FIELDS - 1);
        } catch (DecodeException e) {
            return;
        }
        byte[] shared = key.sharedKey();
        byte[] mac = Netstring.encode(HandshakeKeys.hmacSha256(shared, d.field(0).toByteArray(), d.field(1).toByteArray(),
                d.field(2).toByteArray()));
        byte[] token = new byte[data.length + mac.length];
        System.arraycopy(data, 0, token, 0, d.consumed());
        System.arraycopy(mac, 0, token, d.consumed(), mac.length);
        System.arraycopy(data, d.consumed(), token, d.consumed() + mac.length, data.length - d.consumed());
        finish(token);
    }

    private void finish(byte[] reply) {
        byte[] shared = key.sharedKey();
        Initiator i;
        try {
            i = Initiator.start(key, HandshakeKeys.TARGET, HandshakeKeys.FLAGS, HandshakeKeys.CLIENT_NID, entropy, groups);
        } catch (GssException e) {
            throw new IllegalStateException("the vector client key must start", e);
        }
        try {
            KernelContext c = i.finish(reply);
            Fuzz.assertNoSecret("KernelContext", c.toString(), c.hmacKey().reveal());
        } catch (GssException e) {
            if (e.getMessage().startsWith("internal error")) {
                throw Fuzz.fail("unexpected exception inside the initiator: " + e.getMessage());
            }
            Fuzz.assertNoSecret("rejection message", e.getMessage(), shared, reply);
        }
        Fuzz.assertNoSecret("Initiator.toString", i.toString(), shared);
    }
}
