package lsk.gssd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import lsk.handshake.Entropy;
import lsk.sk.GssException;
import lsk.handshake.Initiator;
import lsk.keyfile.KeySource;
import lsk.handshake.NodemapResolver;
import lsk.handshake.Responder;
import lsk.kernel.ChannelNative;
import lsk.kernel.Downcalls;
import lsk.kernel.KernelChannel;
import lsk.kernel.KernelContext;
import lsk.kernel.KernelContextCodec;
import lsk.cmd.Log;
import lsk.kernel.ReplyBuffer;
import lsk.kernel.sim.SimKernel;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeyFiles;
import lsk.testutil.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client/daemon flow over the simulated kernel at the highest verbosity (daemon log level
 * MAX, java.util.logging ALL, kernel log), successful and failing: no log line, exception
 * message or toString shows a secret (shared key, DH private keys, S, session, HMAC and
 * encryption keys), in hex or base64.
 */
class SecretHygieneTest {
    private static final long CLIENT_NID = 0x00020000c0a80132L;

    @TempDir
    Path tmp;

    /** Entropy.secure() that remembers the private keys it hands out, so the test can look for them. */
    private static Entropy recording(List<byte[]> secrets) {
        Entropy e = Entropy.secure();
        return new Entropy() {
            @Override public byte[] random4() { return e.random4(); }
            @Override public BigInteger privateKey(BigInteger p) {
                BigInteger x = e.privateKey(p);
                secrets.add(stripSign(x.toByteArray()));
                return x;
            }
        };
    }

    @Test
    void noSecretInAnyLogMessageOrToString() throws Exception {
        List<String> texts = new CopyOnWriteArrayList<>();
        List<byte[]> secrets = new CopyOnWriteArrayList<>();
        Handler jul = new Handler() {
            @Override public void publish(LogRecord r) { texts.add(new SimpleFormatter().format(r)); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        jul.setLevel(Level.ALL);
        Logger lsk = Logger.getLogger("lsk");
        Level before = lsk.getLevel();
        lsk.setLevel(Level.ALL);
        lsk.addHandler(jul);
        try {
            run(texts, secrets);
        } finally {
            lsk.removeHandler(jul);
            lsk.setLevel(before);
        }
        assertTrue(texts.size() > 10, "the flow logged too little to prove anything: " + texts);
        assertTrue(secrets.size() >= 8, "too few secrets collected");
        for (String t : texts) {
            for (byte[] s : secrets) {
                assertNoSecret(t, s);
            }
        }
    }

    private void run(List<String> texts, List<byte[]> secrets) throws Exception {
        KeyConfig server = KeyFiles.decode("s", Vectors.bytes("keyfiles/server_tank_default.key")).config();
        KeyConfig client = KeyFiles.decode("c", Vectors.bytes("keyfiles/h_client_tank_ffdhe2048.key")).config();
        secrets.add(server.sharedKey());
        KeySource keys = d -> Map.of("lustre:tank:default", List.of(server)).getOrDefault(d, List.of());
        Responder responder = new Responder(keys, NodemapResolver.NONE, recording(secrets));
        Path sock = tmp.resolve("svcgssd.socket");
        Log log = (level, m) -> texts.add("daemon[" + level + "]: " + m);
        try (SimKernel k = SimKernel.start(new SimKernel.Config(tmp.resolve("root"), SimKernel.NEWEST, sock, CLIENT_NID, "default",
                Duration.ofSeconds(20)), m -> texts.add("kernel: " + m))) {
            Svcgssd d = Svcgssd.start(new Svcgssd.Options(sock, k.kernel(), true, Duration.ofSeconds(2), 2),
                    responder, ChannelNative.load(), log);
            try (d) {
                KernelChannel ch = KernelChannel.open(k.kernel());
                // 1. A good privacy negotiation.
                Initiator i = Initiator.start(client, "tank-MDT0000_UUID", 0x80, CLIENT_NID, recording(secrets));
                ReplyBuffer r = ch.negotiate(new KernelChannel.InitRequest(1, "tank-MDT0000_UUID", 0x20001, 0, 0,
                        i.token()));
                texts.add(r.toString());
                texts.add(i.toString());
                texts.add(responder.toString());
                assertEquals(0, r.major(), r.toString());
                Initiator.Outcome o = i.finishDetailed(r.token().toByteArray());
                texts.add(o.context().toString());
                texts.add(o.secrets().toString());
                secrets.add(o.secrets().kdfSecret());
                secrets.add(o.secrets().sessionKey());
                secrets.add(o.secrets().hmacKey());
                secrets.add(o.secrets().encryptKey());
                Downcalls.Rsc rsc = k.serverContext(r.handle().toByteArray()).orElseThrow();
                texts.add(rsc.toString());
                KernelContext sc = KernelContextCodec.decode(rsc.context().reveal());
                texts.add(sc.toString());
                assertEquals(HexFormat.of().formatHex(o.secrets().hmacKey()), HexFormat.of().formatHex(sc.hmacKey().reveal()));

                // 2. Forged: the right format signed with a wrong shared key.
                byte[] wrong = client.sharedKey();
                wrong[0] ^= 1;
                KeyConfig forged = client.toBuilder().sharedKey(wrong).build();
                Initiator f = Initiator.start(forged, "tank-MDT0000_UUID", 0x40, CLIENT_NID, recording(secrets));
                ReplyBuffer fr = ch.negotiate(new KernelChannel.InitRequest(2, "tank-MDT0000_UUID", 0x20001, 0, 0,
                        f.token()));
                texts.add(fr.toString());
                assertTrue(fr.major() != 0);

                // 3. Truncated token, and a good token's reply tampered on the client side.
                byte[] t = Initiator.start(client, "tank-MDT0000_UUID", 0x40, CLIENT_NID, recording(secrets)).token();
                ReplyBuffer tr = ch.negotiate(new KernelChannel.InitRequest(3, "tank-MDT0000_UUID", 0x20001, 0, 0,
                        java.util.Arrays.copyOf(t, t.length / 2)));
                texts.add(tr.toString());
                Initiator g = Initiator.start(client, "tank-MDT0000_UUID", 0x40, CLIENT_NID, recording(secrets));
                ReplyBuffer gr = ch.negotiate(new KernelChannel.InitRequest(4, "tank-MDT0000_UUID", 0x20001, 0, 0,
                        g.token()));
                byte[] bad = gr.token().toByteArray();
                bad[bad.length - 3] ^= 1;
                GssException e = assertThrows(GssException.class, () -> g.finish(bad));
                texts.add(e.getMessage());
                texts.add(e.toString());
            }
        }
        assertFalse(texts.isEmpty());
    }

    static void assertNoSecret(String text, byte[] secret) {
        byte[] s = secret;
        if (s.length < 8) {
            return;
        }
        String hex = HexFormat.of().formatHex(s);
        String lower = text.toLowerCase(Locale.ROOT);
        for (int off = 0; off + 8 <= s.length; off += 4) {
            assertFalse(lower.contains(hex.substring(2 * off, 2 * off + 16)), () -> "secret in hex in: " + text);
        }
        for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            String b = enc.withoutPadding().encodeToString(s);
            assertFalse(text.contains(b.substring(0, 11)), () -> "secret in base64 in: " + text);
        }
        String dec = new BigInteger(1, s).toString();
        if (dec.length() >= 20) {
            assertFalse(text.contains(dec.substring(0, 20)), () -> "secret in decimal in: " + text);
        }
    }

    private static byte[] stripSign(byte[] b) {
        return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    /** The checker itself must catch a leak. */
    @Test
    void checkerCatchesLeaks() {
        byte[] k = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        assertThrows(AssertionError.class, () -> assertNoSecret("key=00112233445566778899AABBCCDDEEFF", k));
        assertThrows(AssertionError.class, () -> assertNoSecret("k " + Base64.getEncoder().encodeToString(k), k));
        assertNoSecret("nothing here", k);
    }
}
