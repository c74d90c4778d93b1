package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lsk.sk.GssException;
import lsk.cmd.Log;
import lsk.mech.SkMech;
import lsk.sk.HmacAlg;
import lsk.keyring.Keyring;
import lsk.keyring.SkKeyring;
import lsk.upcall.KeyPayload;
import lsk.upcall.LgssKeyring;
import lsk.upcall.UpcallArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lgss_keyring's negotiation step in this JVM (no request-key, no extra process): real keyring
 * keys, the simulated kernel and lsvcgssd. The key gets the context on success and the error
 * payload when the server has no key, and the daemon keeps serving.
 */
class InProcessNegotiationTest {
    @TempDir
    Path tmp;

    @Test
    void negotiationUpdatesTheKeyOrStoresTheError() throws Exception {
        try (E2eRig rig = new E2eRig(tmp).start(false)) {
            byte[] shared = rig.newSharedKey();
            rig.load(rig.clientKey(shared, HmacAlg.SHA512), SkKeyring.LoadOptions.defaults());
            List<String> log = new CopyOnWriteArrayList<>();
            Log l = (lvl, m) -> log.add(m);

            // No server key yet: the daemon refuses, the key holds the error payload.
            int bad = rig.placeholderKey("nokey");
            assertEquals(1, LgssKeyring.negotiate(args(rig, bad, 'p'), rig.kernel().kernel(), rig.keyring, l));
            KeyPayload.Failure f = KeyPayload.asFailure(rig.keyring.read(bad)).orElseThrow(
                    () -> new AssertionError("no error payload; " + log));
            assertTrue(f.gssError() != GssException.GSS_S_COMPLETE, f.toString());

            rig.load(rig.serverKey(shared, HmacAlg.SHA512), SkKeyring.LoadOptions.defaults());
            int key = rig.placeholderKey("ok");
            assertEquals(0, LgssKeyring.negotiate(args(rig, key, 'p'), rig.kernel().kernel(), rig.keyring, l),
                    log.toString());
            KeyPayload.Success s = KeyPayload.parseSuccess(rig.keyring.read(key));
            byte[] sctx = rig.serverContext(s.handle().toByteArray()).orElseThrow().context().reveal();
            SkMech client = SkMech.importContext(s.context().reveal(), Clock.systemUTC());
            SkMech server = SkMech.importContext(sctx, Clock.systemUTC());
            byte[] hdr = E2eRig.ascii("h"), msg = E2eRig.ascii("in-process");
            assertArrayEquals(SkMech.padded(msg), server.unwrap(hdr, client.wrap(hdr, msg)));
            assertArrayEquals(SkMech.padded(msg), client.unwrap(hdr, server.reverse().wrap(hdr, msg)));
            assertEquals(1, rig.daemon().completed());
            assertEquals(1, rig.daemon().failed());
        }
    }

    private static UpcallArgs args(E2eRig rig, int key, char svc) throws Exception {
        return UpcallArgs.parse(List.of("create", Integer.toString(key), "user", "lskit-" + rig.fs + ":x",
                rig.callout(svc, null), "0", "0", "0", "0", Integer.toString(rig.keyring.resolve(Keyring.SESSION,
                        false))));
    }
}
