package lsk.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.DecodeException;
import lsk.base.Secret;
import lsk.crypto.Dh;
import lsk.crypto.DhException;
import lsk.crypto.DhGroup;
import lsk.crypto.DhGroups;
import lsk.crypto.Hmacs;
import lsk.kernel.KernelContext;
import lsk.keyfile.KeyConfig;
import lsk.sk.CryptAlg;
import lsk.sk.Flags;
import lsk.sk.GssException;
import lsk.sk.HmacAlg;
import lsk.wire.InitToken;
import lsk.wire.ResponseToken;
import lsk.wire.TokenCodec;

/**
 * Client side of SEC_CTX_INIT (what lgss_keyring runs). One instance per attempt:
 * {@link #start} builds the init token; {@link #finish} checks the server's reply and derives
 * the client context. A {@link RetryException} from either means: start a new attempt.
 *
 * <p>Checks on the reply, in order: 4 netstrings; HMAC-SHA256 (constant time); version field
 * exactly 4 bytes and 1; server random exactly 4 bytes (the C code crashes on an empty one and
 * reads past a 3-byte one: lsk rejects both); server random different from ours (else retry);
 * 1 < B < p-1 and B in the prime-order subgroup; S not more than 2 bytes short (else retry).
 * Failures carry GSS_S_DEFECTIVE_TOKEN (framing), GSS_S_BAD_SIG (HMAC) or GSS_S_FAILURE, with
 * errno EINVAL as the C initiator returns (EAGAIN for a retry). The shared key and the private
 * exponent are held as {@link Secret}s and wiped when {@link #finish} returns.
 */
public final class Initiator {
    private static final System.Logger LOG = System.getLogger(Initiator.class.getName());
    private static final Side SIDE = Side.INITIATOR;

    private final HmacAlg hmacAlg;
    private final CryptAlg cryptAlg;
    private final long expire;
    private final Secret sharedKey;
    private final DhGroup group;
    private final int flags;
    private final long clientNid;
    private final String target;
    private final ByteString random;
    private final Secret privateKey;
    private final ByteString token;
    private boolean finished;

    /** What {@link #finishDetailed} yields: the context and, for diagnostics, its secrets. */
    public record Outcome(KernelContext context, SessionSecrets secrets) {
    }

    private Initiator(HmacAlg h, CryptAlg c, long expire, Secret sharedKey, DhGroup group, int flags,
                      long clientNid, String target, ByteString random, Secret privateKey, ByteString token) {
        this.hmacAlg = h;
        this.cryptAlg = c;
        this.expire = expire;
        this.sharedKey = sharedKey;
        this.group = group;
        this.flags = flags;
        this.clientNid = clientNid;
        this.target = target;
        this.random = random;
        this.privateKey = privateKey;
        this.token = token;
    }

    /**
     * @param key       the client key (must carry a prime); read, not kept
     * @param target    target UUID without trailing NUL, e.g. {@code tank-MDT0000_UUID}
     * @param flags     wire flags (root bits | service bit, see {@link Flags})
     * @param clientNid this node's NID (u64), bound into the session key
     */
    public static Initiator start(KeyConfig key, String target, int flags, long clientNid, Entropy entropy)
            throws GssException {
        return start(key, target, flags, clientNid, entropy, new DhGroups(1));
    }

    /** As {@link #start(KeyConfig, String, int, long, Entropy)}, sharing a prime-check cache. */
    public static Initiator start(KeyConfig key, String target, int flags, long clientNid, Entropy entropy,
                                  DhGroups groups) throws GssException {
        HmacAlg h = Side.usableHmac(key.hmacAlg()).orElseThrow(() -> SIDE.fail(
                "client key for " + target + ": unsupported HMAC algorithm id " + key.hmacAlg(), GssException.GSS_S_FAILURE));
        CryptAlg c = CryptAlg.byId(key.cryptAlg()).orElseThrow(() -> SIDE.fail(
                "client key for " + target + ": unsupported cipher id " + key.cryptAlg(), GssException.GSS_S_FAILURE));
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw SIDE.fail("target name is empty or contains NUL", GssException.GSS_S_FAILURE);
        }
        if (!key.hasPrime()) {
            throw SIDE.fail("client key for " + target + " carries no DH prime (not a client key?)",
                    GssException.GSS_S_FAILURE);
        }
        ByteString primeField = key.primeWire();
        DhGroup group;
        try {
            group = groups.validate(new BigInteger(1, primeField.toByteArray()));
        } catch (DhException e) {
            throw SIDE.fail("client key for " + target + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        Side.KeyPair own = SIDE.keyPair(entropy, group);
        ByteString pub = ByteString.copyOf(Bytes.unsignedPadded(Dh.publicKey(group, own.x()), group.byteLength()));
        ByteString targetWire = ByteString.copyOf((target + "\0").getBytes(StandardCharsets.ISO_8859_1));
        ByteString version = ByteString.copyOf(TokenCodec.be32(TokenCodec.VERSION));
        ByteString flagsWire = ByteString.copyOf(TokenCodec.be32(flags));
        InitToken unsigned = new InitToken(version, own.random(), primeField, pub, targetWire,
                Side.nodemapHash(key.nodemap()), flagsWire, ByteString.empty());
        Secret shared = key.sharedKeySecret();
        ByteString mac = ByteString.copyOf(Hmacs.hmacSha256(shared, unsigned.signedFields()));
        ByteString tok = ByteString.copyOf(TokenCodec.encode(unsigned.withHmac(mac)));
        return new Initiator(h, c, key.expire(), shared, group, flags, clientNid, target, own.random(),
                Secret.adopt(own.x().toByteArray()), tok);
    }

    /** The init token (all 8 netstrings) to send, as a fresh array. */
    public byte[] token() {
        return token.toByteArray();
    }

    /**
     * Checks the responder's token and derives the client's context.
     *
     * @throws RetryException when the whole exchange must be redone (random collision, short S)
     */
    public KernelContext finish(byte[] responseToken) throws GssException {
        Outcome o = finishDetailed(responseToken);
        o.secrets().wipe();
        return o.context();
    }

    /** As {@link #finish}, also returning the secrets (diagnostic tools, tests): wipe them. */
    public synchronized Outcome finishDetailed(byte[] responseToken) throws GssException {
        if (finished) {
            throw new IllegalStateException("an Initiator finishes once; start a new attempt");
        }
        finished = true;
        try {
            return doFinish(ByteString.copyOf(responseToken));
        } catch (GssException e) {
            LOG.log(System.Logger.Level.WARNING, "SK reply from " + target + " rejected: " + e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            // Never let a malformed reply escape as anything but a GSS failure.
            throw SIDE.fail("internal error checking reply from " + target + ": " + e.getClass().getSimpleName(),
                    GssException.GSS_S_FAILURE);
        } finally {
            sharedKey.wipe();
            privateKey.wipe();
        }
    }

    private Outcome doFinish(ByteString wire) throws GssException {
        ResponseToken r;
        try {
            r = TokenCodec.decodeResponse(wire.toByteArray());
        } catch (DecodeException e) {
            throw SIDE.fail("reply from " + target + " is not 4 netstrings: " + e.getMessage(),
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        SIDE.verifyMac(sharedKey, r.hmac(), "reply from " + target + ": HMAC does not verify", r.signedFields());
        if (r.versionValue() != TokenCodec.VERSION) {
            throw SIDE.fail("reply from " + target + ": version field must be 4 bytes holding 1",
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        ByteString peerRandom = r.random();
        if (peerRandom.size() != 4) {
            throw SIDE.fail("reply from " + target + ": server random is " + peerRandom.size() + " bytes, not 4",
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (peerRandom.equals(random)) {
            throw new RetryException("server random equals ours (" + target + "): retry the exchange");
        }
        BigInteger b = SIDE.peerPublicKey(group, r.publicKey(), "reply from " + target);
        byte[] x = privateKey.reveal();
        Optional<byte[]> s;
        try {
            s = Dh.kdfSecret(Dh.sharedValue(group, b, new BigInteger(1, x)), group.byteLength());
        } finally {
            Bytes.wipe(x);
        }
        if (s.isEmpty()) {
            throw new RetryException("DH secret with " + target + " more than 2 bytes short: retry the exchange");
        }
        SessionSecrets sec = KeySchedule.derive(hmacAlg, cryptAlg, sharedKey, s.get(), clientNid, token, wire,
                Side.privacy(flags));
        return new Outcome(KeySchedule.context(hmacAlg, cryptAlg, expire, random, peerRandom, sec), sec);
    }

    @Override
    public String toString() {
        return "Initiator[target=" + target + ", flags=0x" + Integer.toHexString(flags) + ", " + group + "]";
    }
}
