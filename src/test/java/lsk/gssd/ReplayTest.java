package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import lsk.handshake.Entropy;
import lsk.handshake.Initiator;
import lsk.keyfile.KeySource;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.handshake.RetryException;
import lsk.kernel.KernelContext;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;

/**
 * What a replayed init token gets (issue 10, item 12; SECURITY.md "Replay"): the daemon keeps
 * no record of tokens it has answered, so a captured token is accepted again, but answered with
 * a fresh server random and DH key pair: the replayed exchange yields a server context whose
 * keys differ from the original one and that nobody can use without the client's DH private key.
 */
class ReplayTest {
    @Test
    void replayedTokenIsAnsweredAfreshWithKeysOnlyTheServerHas() throws Exception {
        KeyConfig server = KeyFiles.decode("s", Vectors.bytes("keyfiles/server_tank_default.key")).config();
        KeyConfig client = KeyFiles.decode("c", Vectors.bytes("keyfiles/h_client_tank_ffdhe2048.key")).config();
        KeySource keys = d -> Map.of("lustre:tank:default", List.of(server)).getOrDefault(d, List.of());
        Responder responder = new Responder(keys, NodemapResolver.NONE, Entropy.secure());
        long nid = 0x00020000c0a80132L;
        for (int attempt = 0; ; attempt++) {
            Initiator i = Initiator.start(client, "tank-MDT0000_UUID", 0x40, nid, Entropy.secure());
            byte[] token = i.token();
            Responder.Result original = responder.accept(token, nid, "default");
            Responder.Result replayed = responder.accept(token.clone(), nid, "default");
            assertFalse(Arrays.equals(original.responseToken(), replayed.responseToken()),
                    "a replay got the same answer");
            KernelContext c;
            try {
                c = i.finish(original.responseToken());
            } catch (RetryException e) {
                if (attempt < 3) {
                    continue; // short S: a new exchange, as lgss_keyring does
                }
                throw e;
            }
            assertArrayEquals(original.context().hmacKey().reveal(), c.hmacKey().reveal());
            assertFalse(Arrays.equals(replayed.context().hmacKey().reveal(), c.hmacKey().reveal()),
                    "the replayed context shares the client's keys");
            return;
        }
    }
}
