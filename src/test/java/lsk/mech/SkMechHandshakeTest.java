package lsk.mech;

import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import lsk.handshake.Entropy;
import lsk.sk.Flags;
import lsk.handshake.Initiator;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFileCodec;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;

/**
 * Fresh exchanges (secure randoms and DH keys) between lsk's initiator and responder give
 * contexts that the kernel model accepts and that talk to each other in both directions.
 */
class SkMechHandshakeTest {
    @Test
    void freshSkpiExchangeGivesContextsThatInteroperate() throws Exception {
        KeyConfig client = KeyFileCodec.decodeBinary(Vectors.bytes("keyfiles/h_client_tank_biology_sha512_ffdhe2048.key"));
        byte[] serverFile = Vectors.bytes("keyfiles/server_tank_biology_sha512_ascii.key");
        KeyConfig server = KeyFileCodec.decodeBinary(KeyFileCodec.asciiPayload(serverFile));
        long nid = 0x000500000a0a0032L;
        for (int i = 0; i < 3; i++) {
            Initiator init = Initiator.start(client, "tank-OST0001_UUID", Flags.SVC_PRIVACY | Flags.ROOT, nid,
                    Entropy.secure());
            Responder.Result r = new Responder(d -> d.equals("lustre:tank:biology") ? java.util.List.of(server)
                    : java.util.List.of(), NodemapResolver.NONE, Entropy.secure())
                    .accept(init.token(), nid, "biology");
            KernelContext cctx = init.finish(r.responseToken());
            SkMech c = SkMech.importContext(KernelContextCodec.encode(cctx), Clock.systemUTC());
            SkMech s = SkMech.importContext(KernelContextCodec.encode(r.context()), Clock.systemUTC());
            byte[] hdr = "hdr".getBytes(StandardCharsets.US_ASCII);
            byte[] msg = ("message " + i).getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(SkMech.padded(msg), s.unwrap(hdr, c.wrap(hdr, msg)));
            assertArrayEquals(SkMech.padded(msg), c.unwrap(hdr, s.reverse().wrap(hdr, msg)));
            s.verifyMic(c.getMic(msg), msg);
            c.verifyMic(s.getMic(msg), msg);
            assertEquals(64, c.micLength());
        }
    }
}
