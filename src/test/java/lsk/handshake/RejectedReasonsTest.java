package lsk.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import lsk.crypto.Ffdhe;
import lsk.keyfile.KeyConfig;
import lsk.sk.Flags;
import lsk.sk.GssException;
import org.junit.jupiter.api.Test;

/**
 * Each way the responder refuses a request names its reason (what the daemon counts) and keeps
 * the GSS major status of its check as {@link Responder}'s list gives it (bad token format
 * DEFECTIVE_TOKEN, HMAC or nodemap hash BAD_SIG, the rest FAILURE): the reason is added, the
 * status the kernel gets is unchanged.
 */
class RejectedReasonsTest {
    static final long NID = 0x00020000c0a80132L;
    static final byte[] SHARED = new byte[32];
    static final KeyConfig CLIENT = KeyConfig.builder().type(KeyConfig.TYPE_CLIENT).fsname("tank").sharedKey(SHARED)
            .prime(Ffdhe.FFDHE2048.primeBytes()).build();
    static final KeyConfig SERVER = CLIENT.toBuilder().type(KeyConfig.TYPE_SERVER).build();

    static Responder responder(List<KeyConfig> keys, PrimePolicy policy) {
        return new Responder(d -> d.equals("lustre:tank:default") ? keys : List.of(), NodemapResolver.NONE,
                Entropy.secure(), new lsk.crypto.DhGroups(), policy);
    }

    static byte[] token(KeyConfig client) throws Exception {
        return Initiator.start(client, "tank-MDT0000_UUID", Flags.SVC_INTEGRITY, NID, Entropy.secure()).token();
    }

    static void refused(Rejected.Reason reason, int major, Responder r, byte[] token, String nodemap) {
        Rejected e = assertThrows(Rejected.class, () -> r.accept(token, NID, nodemap));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(major, e.major(), e.getMessage());
    }

    @Test
    void eachRefusalHasItsReason() throws Exception {
        Responder ok = responder(List.of(SERVER), PrimePolicy.DEFAULT);
        ok.accept(token(CLIENT), NID, "default"); // the baseline passes
        refused(Rejected.Reason.DECODE_ERROR, GssException.GSS_S_DEFECTIVE_TOKEN, ok, "junk".getBytes(), "default");
        refused(Rejected.Reason.BAD_NODEMAP_HASH, GssException.GSS_S_BAD_SIG, ok, token(CLIENT), "other");
        byte[] wrong = SHARED.clone();
        wrong[0] ^= 1;
        refused(Rejected.Reason.BAD_MAC, GssException.GSS_S_BAD_SIG, ok, token(CLIENT.toBuilder().sharedKey(wrong).build()),
                "default");
        refused(Rejected.Reason.NO_KEY, GssException.GSS_S_FAILURE, responder(List.of(), PrimePolicy.DEFAULT),
                token(CLIENT), "default");
        refused(Rejected.Reason.KEY_MISMATCH, GssException.GSS_S_FAILURE,
                responder(List.of(SERVER.toBuilder().fsname("other").build()), PrimePolicy.DEFAULT), token(CLIENT),
                "default");
        refused(Rejected.Reason.PRIME_POLICY, GssException.GSS_S_FAILURE,
                responder(List.of(SERVER.toBuilder().primeBits(1024).build()), PrimePolicy.DEFAULT.withMaxBits(1024)),
                token(CLIENT), "default");
        assertEquals(0, ok.primeChecks(), "an RFC 7919 prime needs no check");
    }
}
