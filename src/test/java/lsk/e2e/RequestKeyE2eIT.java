package lsk.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import lsk.sk.GssException;
import lsk.kernel.Downcalls;
import lsk.kernel.sim.SimKernel;
import lsk.mech.SkMech;
import lsk.sk.HmacAlg;
import lsk.keyring.SkKeyring;
import lsk.upcall.KeyPayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import lsk.testutil.LocalUser;

/**
 * The whole client/server path on this machine: request_key(2) makes the real
 * {@code /sbin/request-key} run {@code scripts/lgss_keyring} (a separate JVM, detached for the
 * negotiation), which negotiates through the simulated kernel with the running lsvcgssd using
 * SSK keys from the real keyring. The requested key must end up holding the client context,
 * the daemon's rsc downcall the server context, and the kernel-side model ({@link SkMech})
 * must find the two interoperable in both directions — or reject a tampered message. The
 * simulated server kernel runs the built l_getauth per request and reads the daemon's downcalls
 * in the layout of the version it plays (2.15.x: the daemon answers on the cache channels): ski
 * and skpi run for each of {@link E2eRig#VERSIONS}.
 */
class RequestKeyE2eIT {
    static final Duration NEGOTIATION = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    static java.util.List<String> versions() {
        return E2eRig.VERSIONS;
    }

    @ParameterizedTest(name = "Lustre {0}")
    @MethodSource("versions")
    void skiRequestGivesInteroperableClientAndServerContexts(String version) throws Exception {
        try (E2eRig rig = new E2eRig(tmp, version).start()) {
            byte[] shared = rig.newSharedKey();
            rig.load(rig.serverKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            rig.load(rig.clientKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            Contexts c = negotiate(rig, "ski", rig.callout('i', null));
            assertEquals(32, c.client.micLength());
            assertTrue(!c.client.privacy() && !c.server.privacy(), "ski contexts carry no encryption key");
            checkMics(c);
        }
    }

    @ParameterizedTest(name = "Lustre {0}")
    @MethodSource("versions")
    void skpiRequestGivesInteroperableClientAndServerContexts(String version) throws Exception {
        try (E2eRig rig = new E2eRig(tmp, version).start()) {
            byte[] shared = rig.newSharedKey();
            rig.load(rig.serverKey(shared, HmacAlg.SHA512), SkKeyring.LoadOptions.defaults());
            rig.load(rig.clientKey(shared, HmacAlg.SHA512), SkKeyring.LoadOptions.defaults());
            Contexts c = negotiate(rig, "skpi", rig.callout('p', null));
            assertEquals(64, c.client.micLength());
            assertTrue(c.client.privacy() && c.server.privacy(), "skpi contexts carry an encryption key");
            checkMics(c);
            checkWrap(c);
        }
    }

    /**
     * Key rotation: the server holds the old key and, loaded in suffix mode, the new one; a client
     * still on the old key and a client already on the new key both get a working context.
     */
    @Test
    void rotationAcceptsOldAndNewClientKeysDuringTheOverlap() throws Exception {
        try (E2eRig rig = new E2eRig(tmp).start()) {
            byte[] oldKey = rig.newSharedKey();
            byte[] newKey = rig.newSharedKey();
            rig.load(rig.serverKey(oldKey, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            java.util.List<String> added = rig.sk.load(rig.serverKey(newKey, HmacAlg.SHA256),
                    new SkKeyring.LoadOptions(true, 600, null));
            assertTrue(added.size() == 1 && added.get(0).startsWith("lustre:" + rig.fs + ":default:"),
                    "new server key loaded with a suffix: " + added);
            rig.load(rig.clientKey(oldKey, HmacAlg.SHA256), new SkKeyring.LoadOptions(false, -1, "cl-old"));
            rig.load(rig.clientKey(newKey, HmacAlg.SHA256), new SkKeyring.LoadOptions(false, -1, "cl-new"));
            Contexts before = negotiate(rig, "old", rig.callout('p', "cl-old"));
            Contexts after = negotiate(rig, "new", rig.callout('p', "cl-new"));
            checkWrap(before);
            checkWrap(after);
            checkMics(after);
            // Contexts of different sessions must not talk to each other.
            byte[] hdr = E2eRig.ascii("hdr");
            assertThrows(GssException.class, () -> after.server.unwrap(hdr, before.client.wrap(hdr,
                    E2eRig.ascii("cross"))));
        }
    }

    /**
     * A local user asks, through the rig's entry, for root's context (flags r, callout uid 0, as
     * the kernel writes it for root): request-key runs lgss_keyring as root with %u the user's
     * uid; it refuses in one log line and rejects the key, and nothing is negotiated. Without the
     * check the key would be instantiated and then hold root's session keys.
     */
    @Test
    void aLocalUserCannotHaveRootsContext() throws Exception {
        assumeTrue(LocalUser.available(), "needs root, useradd and setpriv");
        try (E2eRig rig = new E2eRig(tmp).start(); LocalUser u = LocalUser.create()) {
            byte[] shared = rig.newSharedKey();
            rig.load(rig.serverKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            rig.load(rig.clientKey(shared, HmacAlg.SHA256), SkKeyring.LoadOptions.defaults());
            int contexts = rig.kernel().serverContextCount();
            LocalUser.Result r = u.exec("keyctl", "session", "-", "keyctl", "request2", "user",
                    rig.description("evil"), rig.callout('i', null), "@s");
            assertTrue(r.exit() != 0 && r.output().contains("Key was rejected by service"), r.exit() + ": " + r.output());
            String log = java.nio.file.Files.readString(rig.upcallLog());
            assertTrue(log.contains("refused: a root context (callout flags 'r', uid 0) for requester uid " + u.uid()
                    + "; key rejected"), log);
            assertEquals(1, log.lines().filter(l -> l.contains("refused")).count(), log);
            Thread.sleep(500);
            assertEquals(contexts, rig.kernel().serverContextCount(), "a negotiation reached the daemon");
        }
    }

    record Contexts(SkMech client, SkMech server, Downcalls.Rsc rsc) {
    }

    private static Contexts negotiate(E2eRig rig, String name, String callout) throws Exception {
        int key = rig.request(name, callout);
        KeyPayload.Success p = KeyPayload.parseSuccess(rig.awaitPayload(key, NEGOTIATION));
        assertEquals(SimKernel.SEQ_WINDOW, p.seqWindow(), "sequence window in the key payload");
        assertEquals(8, p.handle().size(), "server handle length");
        Downcalls.Rsc rsc = rig.serverContext(p.handle().toByteArray()).orElseThrow(() -> new AssertionError(
                "no rsc downcall for handle " + E2eRig.hex(p.handle().toByteArray()) + "; " + rig.diagnostics()));
        assertEquals("sk", rsc.mech());
        assertTrue(rig.rscNodemapFits(rsc.nodemap()), "nodemap name '" + rsc.nodemap() + "' in this version's rsc layout");
        assertEquals(Downcalls.RSC_FLAG_ROOT, rsc.flags(), "rsc flags of an 'r' credential");
        byte[] sctx = rsc.context().reveal();
        SkMech client = SkMech.importContext(p.context().reveal(), Clock.systemUTC());
        SkMech server = SkMech.importContext(sctx, Clock.systemUTC());
        E2eRig.wipe(sctx);
        p.context().wipe();
        return new Contexts(client, server, rsc);
    }

    private static void checkMics(Contexts c) throws GssException {
        byte[] msg = E2eRig.ascii("an RPC body, client to server");
        c.server.verifyMic(c.client.getMic(msg), msg);
        byte[] back = E2eRig.ascii("an RPC reply, server to client");
        c.client.verifyMic(c.server.reverse().getMic(back), back);
        byte[] mic = c.client.getMic(msg);
        byte[] tampered = msg.clone();
        tampered[0] ^= 1;
        GssException e = assertThrows(GssException.class, () -> c.server.verifyMic(mic, tampered));
        assertEquals(GssException.GSS_S_BAD_SIG, e.major());
    }

    private static void checkWrap(Contexts c) throws GssException {
        byte[] hdr = E2eRig.ascii("gss header");
        byte[] msg = E2eRig.ascii("a private RPC body, client to server");
        assertArrayEquals(SkMech.padded(msg), c.server.unwrap(hdr, c.client.wrap(hdr, msg)));
        byte[] back = E2eRig.ascii("a private reply");
        assertArrayEquals(SkMech.padded(back), c.client.unwrap(hdr, c.server.reverse().wrap(hdr, back)));
        byte[] tok = c.client.wrap(hdr, msg);
        tok[SkMech.HEADER_LEN] ^= 1;
        assertThrows(GssException.class, () -> c.server.unwrap(hdr, tok));
    }
}
