package lsk.handshake;

import lsk.base.Errno;
import lsk.sk.Flags;
import lsk.sk.GssException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import lsk.base.Bytes;
import lsk.crypto.Dh;
import lsk.crypto.DhGroup;
import lsk.crypto.DhGroups;
import lsk.crypto.Ffdhe;
import lsk.crypto.Hmacs;
import lsk.kernel.KernelContext;
import lsk.keyfile.KeyConfig;
import lsk.wire.Netstring;
import lsk.wire.ResponseToken;
import lsk.wire.TokenCodec;
import org.junit.jupiter.api.Test;

/**
 * lsk initiator against lsk responder on ffdhe2048 with real randomness, plus forced short-S
 * exchanges (1 and 2 leading zero bytes: the quirk; 3 or more: retries) and random collisions.
 */
class HandshakeRandomTest {
    static final KeyConfig CLIENT = HandshakeVectorsTest.key("keyfiles/h_client_tank_ffdhe2048.key");
    static final KeyConfig SERVER = HandshakeVectorsTest.key("keyfiles/server_tank_default.key");
    static final String TARGET = "tank-MDT0000_UUID";
    static final long NID = 0x00020000c0a80132L;
    static final BigInteger P = Ffdhe.FFDHE2048.p();
    static final BigInteger Q = Ffdhe.FFDHE2048.q();
    static final int N = 256;

    /** Entropy that hands out queued values, then falls back to secure ones. */
    static final class Scripted implements Entropy {
        final Deque<byte[]> randoms = new ArrayDeque<>();
        final Deque<BigInteger> keys = new ArrayDeque<>();
        final Entropy fallback = Entropy.secure();

        @Override
        public byte[] random4() {
            return randoms.isEmpty() ? fallback.random4() : randoms.poll();
        }

        @Override
        public BigInteger privateKey(BigInteger p) {
            return keys.isEmpty() ? fallback.privateKey(p) : keys.poll();
        }
    }

    static void assertPaired(KernelContext client, KernelContext server) {
        assertArrayEquals(client.hmacKey().reveal(), server.hmacKey().reveal());
        assertArrayEquals(client.encryptKey().reveal(), server.encryptKey().reveal());
        assertArrayEquals(client.hostRandom().toByteArray(), server.peerRandom().toByteArray());
        assertArrayEquals(client.peerRandom().toByteArray(), server.hostRandom().toByteArray());
    }

    /** b with A^b = 2^k (mod p) for the client's exponent a: S has exactly ceil((k+1)/8) bytes. */
    static BigInteger exponentForPowerOfTwo(BigInteger a, int k) {
        return BigInteger.valueOf(k).multiply(a.modInverse(Q)).mod(Q);
    }

    @Test
    void thousandsOfRandomExchanges() throws Exception {
        DhGroups groups = new DhGroups();
        Responder responder = new Responder(d -> List.of(SERVER), NodemapResolver.NONE, Entropy.secure(), groups);
        Entropy clientEntropy = Entropy.secure();
        SecureRandom rnd = new SecureRandom();
        int exchanges = 2000;
        int naturalQuirk = 0;
        int retries = 0;
        for (int i = 0; i < exchanges; i++) {
            int flags = (i % 4 != 0 ? Flags.SVC_INTEGRITY : Flags.SVC_PRIVACY) | (i % 8);
            while (true) {
                long nid = NID ^ rnd.nextInt();
                Initiator ini = Initiator.start(CLIENT, TARGET, flags, nid, clientEntropy, groups);
                Responder.Detailed d = responder.acceptDetailed(ini.token(), nid, "default");
                try {
                    Initiator.Outcome o = ini.finishDetailed(d.result().responseToken());
                    assertPaired(o.context(), d.result().context());
                    assertArrayEquals(o.secrets().kdfSecret(), d.secrets().kdfSecret());
                    if (o.secrets().kdfSecret().length < N) {
                        naturalQuirk++;
                    }
                    assertEquals((flags & Flags.SVC_PRIVACY) != 0, o.context().privacy());
                    o.secrets().wipe();
                    break;
                } catch (RetryException e) {
                    retries++;
                } finally {
                    d.secrets().wipe();
                }
            }
        }
        System.out.println("random exchanges: " + exchanges + ", natural short-S (quirk): " + naturalQuirk
                + ", retries: " + retries);
    }

    @Test
    void forcedShortSecretsOneAndTwoZeroBytes() throws Exception {
        DhGroups groups = new DhGroups();
        SecureRandom rnd = new SecureRandom();
        DhGroup g = groups.validate(P);
        int forced = 0;
        // One leading zero byte: search server exponents (1 in 256 hits), as real traffic would.
        for (int c = 0; c < 6; c++) {
            BigInteger a = Dh.randomPrivateKey(P, rnd);
            BigInteger ga = Dh.publicKey(g, a);
            BigInteger b;
            int bits;
            do {
                b = Dh.randomPrivateKey(P, rnd);
                bits = Dh.sharedValue(g, ga, b).bitLength();
                // Exactly one leading zero byte: a second one (1 in 256 of these) is the case below
                // and would make the expected length wrong (a 2% flake over 6 searches).
            } while (bits > 8 * (N - 1) || bits <= 8 * (N - 2));
            forced += exchangeWith(groups, a, b, N - 1);
        }
        // Two leading zero bytes (1 in 65536 by search): constructed so that S = 2^k.
        for (int k : new int[] {8 * (N - 2) - 1, 8 * (N - 3), 8 * (N - 3) + 5}) {
            BigInteger a = Dh.randomPrivateKey(P, rnd);
            forced += exchangeWith(groups, a, exponentForPowerOfTwo(a, k), N - 2);
        }
        System.out.println("forced short-S exchanges: " + forced);
        assertEquals(9, forced);
    }

    private static int exchangeWith(DhGroups groups, BigInteger a, BigInteger b, int expectedLen) throws Exception {
        Scripted ce = new Scripted();
        ce.keys.add(a);
        Scripted se = new Scripted();
        se.keys.add(b);
        Initiator ini = Initiator.start(CLIENT, TARGET, Flags.SVC_PRIVACY, NID, ce, groups);
        Responder r = new Responder(d -> List.of(SERVER), NodemapResolver.NONE, se, groups);
        Responder.Detailed d = r.acceptDetailed(ini.token(), NID, "default");
        Initiator.Outcome o = ini.finishDetailed(d.result().responseToken());
        assertEquals(expectedLen, o.secrets().kdfSecret().length);
        assertArrayEquals(o.secrets().kdfSecret(), d.secrets().kdfSecret());
        // The quirk: leading zeros, then S with its last n-L bytes dropped.
        byte[] full = Bytes.unsignedPadded(Dh.sharedValue(groups.validate(P), Dh.publicKey(groups.validate(P), b), a), N);
        assertArrayEquals(Arrays.copyOf(full, expectedLen), o.secrets().kdfSecret());
        assertPaired(o.context(), d.result().context());
        return 1;
    }

    @Test
    void responderRegeneratesKeyPairAtMostTwice() throws Exception {
        DhGroups groups = new DhGroups();
        BigInteger a = Dh.randomPrivateKey(P, new SecureRandom());
        int tooShort = 8 * (N - 3) - 1; // L = n-3
        Scripted ce = new Scripted();
        ce.keys.add(a);
        Initiator ini = Initiator.start(CLIENT, TARGET, Flags.SVC_INTEGRITY, NID, ce, groups);
        byte[] tok = ini.token();

        Scripted se = new Scripted();
        se.keys.add(exponentForPowerOfTwo(a, tooShort));
        se.keys.add(exponentForPowerOfTwo(a, tooShort - 100));
        BigInteger good = Dh.randomPrivateKey(P, new SecureRandom());
        se.keys.add(good);
        Responder.Result res = new Responder(d -> List.of(SERVER), NodemapResolver.NONE, se, groups)
                .accept(tok, NID, "default");
        ResponseToken rt = TokenCodec.decodeResponse(res.responseToken());
        assertEquals(Dh.publicKey(groups.validate(P), good), new BigInteger(1, rt.publicKey().toByteArray()), "third key pair used");
        assertPaired(ini.finish(res.responseToken()), res.context());

        Scripted bad = new Scripted();
        for (int i = 0; i < 3; i++) {
            bad.keys.add(exponentForPowerOfTwo(a, tooShort - i));
        }
        GssException e = assertThrows(GssException.class,
                () -> new Responder(d -> List.of(SERVER), NodemapResolver.NONE, bad, groups).accept(tok, NID, "default"));
        assertEquals(GssException.GSS_S_BAD_QOP, e.major());
    }

    @Test
    void initiatorRetriesOnShortSecretAndRandomCollision() throws Exception {
        DhGroups groups = new DhGroups();
        BigInteger a = Dh.randomPrivateKey(P, new SecureRandom());
        byte[] myRandom = {1, 2, 3, 4};
        byte[] shared = CLIENT.sharedKey();
        // Short S: a reply whose B makes S = 2^k with L = n-3.
        Initiator ini = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.fixed(myRandom, a), groups);
        BigInteger b = exponentForPowerOfTwo(a, 8 * (N - 3) - 1);
        byte[] reply = reply(shared, new byte[] {9, 9, 9, 9}, Dh.publicKey(groups.validate(P), b));
        RetryException e = assertThrows(RetryException.class, () -> ini.finish(reply));
        assertEquals(lsk.base.Errno.EAGAIN, e.errno());

        // Collision: the server picked our random; then a fresh attempt goes through.
        Scripted se = new Scripted();
        se.randoms.add(myRandom.clone());
        Responder r = new Responder(d -> List.of(SERVER), NodemapResolver.NONE, se, groups);
        Initiator first = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.fixed(myRandom, a), groups);
        byte[] resp1 = r.accept(first.token(), NID, "default").responseToken();
        assertThrows(RetryException.class, () -> first.finish(resp1));
        Initiator second = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups);
        Responder.Result ok = r.accept(second.token(), NID, "default");
        assertPaired(second.finish(ok.responseToken()), ok.context());
    }

    static byte[] reply(byte[] shared, byte[] random, BigInteger pub) {
        byte[] v = TokenCodec.be32(1);
        byte[] b = Bytes.unsignedPadded(pub, N);
        return Netstring.encode(v, random, b, Hmacs.hmacSha256(shared, v, random, b));
    }

    @Test
    void clientNidIsBoundIntoTheKeys() throws Exception {
        DhGroups groups = new DhGroups();
        Responder r = new Responder(d -> List.of(SERVER), NodemapResolver.NONE, Entropy.secure(), groups);
        Initiator ini = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups);
        Responder.Result res = r.accept(ini.token(), NID + 1, "default");
        KernelContext c = ini.finish(res.responseToken());
        assertTrue(!Arrays.equals(c.hmacKey().reveal(), res.context().hmacKey().reveal()));
    }

    @Test
    void keyRotationNodemapLookupAndMgc() throws Exception {
        DhGroups groups = new DhGroups();
        KeyConfig old = HandshakeVectorsTest.key("keyfiles/server_tank_default_altkey.key");
        // Rotation: the first key of the description has another shared key, the second matches.
        Responder r = new Responder(d -> d.equals("lustre:tank:default") ? List.of(old, SERVER) : List.of(),
                NodemapResolver.NONE, Entropy.secure(), groups);
        Initiator ini = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups);
        Responder.Result res = r.accept(ini.token(), NID, "default");
        assertPaired(ini.finish(res.responseToken()), res.context());
        // Only the old key: HMAC fails, BAD_SIG.
        Responder onlyOld = new Responder(d -> List.of(old), NodemapResolver.NONE, Entropy.secure(), groups);
        byte[] tok = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups).token();
        assertEquals(GssException.GSS_S_BAD_SIG,
                assertThrows(GssException.class, () -> onlyOld.accept(tok, NID, "default")).major());

        // Nodemap: kernel says "biology", the client's key hashes "default"; the resolver knows it.
        byte[] defaultHash = Side.nodemapHash("default").toByteArray();
        NodemapResolver resolver = h -> Arrays.equals(h, defaultHash) ? Optional.of("default") : Optional.empty();
        Responder withLookup = new Responder(d -> d.equals("lustre:tank:default") ? List.of(SERVER) : List.of(),
                resolver, Entropy.secure(), groups);
        Initiator ini2 = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups);
        Responder.Result r2 = withLookup.accept(ini2.token(), NID, "biology");
        assertEquals("default", r2.nodemap());
        assertPaired(ini2.finish(r2.responseToken()), r2.context());

        // MGC target: the key must list the NID.
        KeyConfig mgcClient = HandshakeVectorsTest.key("keyfiles/h_client_mgc_ffdhe3072.key");
        KeyConfig mgs = HandshakeVectorsTest.key("keyfiles/mgs_server_tank_biology.key");
        Responder mgsR = new Responder(d -> d.equals("lustre:MGS:biology") ? List.of(mgs) : List.of(),
                NodemapResolver.NONE, Entropy.secure(), groups);
        Initiator m1 = Initiator.start(mgcClient, "MGC10.10.0.101@o2ib", 0x40, NID, Entropy.secure(), groups);
        Responder.Result mr = mgsR.accept(m1.token(), NID, "biology");
        assertPaired(m1.finish(mr.responseToken()), mr.context());
        byte[] unlisted = Initiator.start(mgcClient, "MGC10.10.0.102@o2ib", 0x40, NID, Entropy.secure(), groups).token();
        assertThrows(GssException.class, () -> mgsR.accept(unlisted, NID, "biology"));
        byte[] garbageNid = Initiator.start(mgcClient, "MGCnot-a-nid", 0x40, NID, Entropy.secure(), groups).token();
        assertThrows(GssException.class, () -> mgsR.accept(garbageNid, NID, "biology"));
    }

    @Test
    void malformedTokensNeverCrash() throws Exception {
        DhGroups groups = new DhGroups();
        Responder r = new Responder(d -> List.of(SERVER), NodemapResolver.NONE, Entropy.secure(), groups);
        byte[] shared = CLIENT.sharedKey();
        byte[] v = TokenCodec.be32(1);
        byte[] p = CLIENT.prime();
        byte[] pub = Bytes.unsignedPadded(BigInteger.valueOf(4), N);
        byte[] nm = Side.nodemapHash("default").toByteArray();
        // Signed but hostile field values: empty target (C segfaults), empty random, p = 0, p = 1, A = 0.
        byte[][][] hostile = {
            {v, new byte[4], p, pub, new byte[0], nm, TokenCodec.be32(0x40)},
            {v, new byte[0], p, pub, "tank-x\0".getBytes(StandardCharsets.US_ASCII), nm, TokenCodec.be32(0x40)},
            {v, new byte[4], new byte[0], pub, "tank-x\0".getBytes(StandardCharsets.US_ASCII), nm, TokenCodec.be32(0x40)},
            {v, new byte[4], new byte[] {1}, pub, "tank-x\0".getBytes(StandardCharsets.US_ASCII), nm, TokenCodec.be32(0x40)},
            {v, new byte[4], p, new byte[0], "tank-x\0".getBytes(StandardCharsets.US_ASCII), nm, TokenCodec.be32(0x40)},
            {v, new byte[4], p, pub, "-x\0".getBytes(StandardCharsets.US_ASCII), nm, TokenCodec.be32(0x40)},
            {v, new byte[4], p, pub, "ta\0nk-x\0".getBytes(StandardCharsets.US_ASCII), nm, TokenCodec.be32(0x40)},
        };
        for (byte[][] f : hostile) {
            byte[] mac = Hmacs.hmacSha256(shared, f);
            byte[][] all = Arrays.copyOf(f, 8);
            all[7] = mac;
            assertThrows(GssException.class, () -> r.accept(Netstring.encode(all), NID, "default"));
        }
        // Random mutations of a valid token.
        byte[] good = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups).token();
        Random rnd = new Random(5);
        for (int i = 0; i < 1500; i++) {
            byte[] m = good.clone();
            m[rnd.nextInt(m.length)] ^= (byte) (1 + rnd.nextInt(255));
            if (rnd.nextBoolean()) {
                m = Arrays.copyOf(m, rnd.nextInt(m.length));
            }
            byte[] fm = m;
            try {
                r.accept(fm, NID, "default");
            } catch (GssException expected) {
                // the only acceptable failure
            }
        }
        // The initiator on garbage replies.
        for (int i = 0; i < 300; i++) {
            Initiator ini = Initiator.start(CLIENT, TARGET, 0x40, NID, Entropy.secure(), groups);
            byte[] junk = new byte[rnd.nextInt(400)];
            rnd.nextBytes(junk);
            assertThrows(GssException.class, () -> ini.finish(junk));
        }
        assertTrue(true);
    }
}
