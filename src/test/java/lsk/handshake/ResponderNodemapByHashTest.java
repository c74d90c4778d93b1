package lsk.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import lsk.crypto.DhGroups;
import org.junit.jupiter.api.Test;

/** Result.nodemapByHash tells the daemon whether the nodemap came from the lookup by SHA. */
class ResponderNodemapByHashTest {
    final DhGroups groups = new DhGroups();
    final byte[] defaultHash = Side.nodemapHash("default").toByteArray();
    final NodemapResolver resolver = h -> Arrays.equals(h, defaultHash) ? Optional.of("default") : Optional.empty();
    final Responder responder = new Responder(d -> d.equals("lustre:tank:default")
            ? List.of(HandshakeRandomTest.SERVER) : List.of(), resolver, Entropy.secure(), groups);

    Responder.Result accept(String kernelNodemap) throws Exception {
        Initiator ini = Initiator.start(HandshakeRandomTest.CLIENT, HandshakeRandomTest.TARGET, 0x40,
                HandshakeRandomTest.NID, Entropy.secure(), groups);
        Responder.Result r = responder.accept(ini.token(), HandshakeRandomTest.NID, kernelNodemap);
        HandshakeRandomTest.assertPaired(ini.finish(r.responseToken()), r.context());
        return r;
    }

    @Test
    void kernelNodemapMatchesTheToken() throws Exception {
        Responder.Result r = accept("default");
        assertEquals("default", r.nodemap());
        assertFalse(r.nodemapByHash());
    }

    @Test
    void nodemapFoundByHash() throws Exception {
        Responder.Result r = accept("biology");
        assertEquals("default", r.nodemap());
        assertTrue(r.nodemapByHash());
    }

    @Test
    void noKernelNodemapAtAll() throws Exception {
        Responder.Result r = accept(null);
        assertEquals("default", r.nodemap());
        assertTrue(r.nodemapByHash());
    }

    @Test
    void fourArgumentResultIsNotByHash() {
        assertFalse(new Responder.Result(lsk.base.ByteString.copyOf(new byte[1]), null, 0, "x").nodemapByHash());
    }
}
