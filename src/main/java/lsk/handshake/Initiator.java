package lsk.handshake;

import lsk.sk.Flags;
import lsk.sk.GssException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import lsk.base.Errno;
import lsk.base.Bytes;
import lsk.crypto.Dh;
import lsk.crypto.DhException;
import lsk.crypto.DhGroup;
import lsk.crypto.DhGroups;
import lsk.crypto.Hmacs;
import lsk.kernel.KernelContext;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;
import lsk.keyfile.KeyConfig;
import lsk.wire.InitToken;
import lsk.wire.ResponseToken;
import lsk.wire.TokenCodec;
import lsk.wire.WireFormatException;

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
 * errno EINVAL as the C initiator returns (EAGAIN for a retry).
 */
public final class Initiator {
    private static final System.Logger LOG = System.getLogger("lsk.handshake.Initiator");

    private final HmacAlg hmacAlg;
    private final CryptAlg cryptAlg;
    private final long expire;
    private final byte[] sharedKey;
    private final DhGroup group;
    private final int flags;
    private final long clientNid;
    private final String target;
    private final byte[] random;
    private final byte[] token;
    private BigInteger privateKey; // dropped after finish
    private boolean finished;

    /** What {@link #finishDetailed} yields: the context and, for diagnostics, its secrets. */
    public record Outcome(KernelContext context, SessionSecrets secrets) {
    }

    private Initiator(HmacAlg h, CryptAlg c, long expire, byte[] sharedKey, DhGroup group, int flags,
                      long clientNid, String target, byte[] random, BigInteger privateKey, byte[] token) {
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
     * @param key       the client key (must carry a prime)
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
        HmacAlg h = usableHmac(key.hmacAlg()).orElseThrow(() -> fail(
                "client key for " + target + ": unsupported HMAC algorithm id " + key.hmacAlg(), GssException.GSS_S_FAILURE));
        CryptAlg c = CryptAlg.byId(key.cryptAlg()).orElseThrow(() -> fail(
                "client key for " + target + ": unsupported cipher id " + key.cryptAlg(), GssException.GSS_S_FAILURE));
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw fail("target name is empty or contains NUL", GssException.GSS_S_FAILURE);
        }
        if (!key.hasPrime()) {
            throw fail("client key for " + target + " carries no DH prime (not a client key?)",
                    GssException.GSS_S_FAILURE);
        }
        byte[] primeField = key.prime();
        BigInteger p = new BigInteger(1, primeField);
        DhGroup group;
        try {
            group = groups.validate(p);
        } catch (DhException e) {
            throw fail("client key for " + target + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        byte[] random = entropy.random4();
        BigInteger x = entropy.privateKey(p);
        if (random.length != 4 || x == null || x.compareTo(BigInteger.ONE) <= 0 || x.compareTo(group.q()) >= 0) {
            throw fail("entropy gave an unusable random or private key", GssException.GSS_S_FAILURE);
        }
        byte[] pub = Bytes.unsignedPadded(Dh.publicKey(group, x), group.byteLength());
        byte[] targetWire = (target + "\0").getBytes(StandardCharsets.ISO_8859_1);
        byte[] version = TokenCodec.be32(TokenCodec.VERSION);
        byte[] nodemapHash = sha256(key.nodemap().getBytes(StandardCharsets.ISO_8859_1));
        byte[] flagsWire = TokenCodec.be32(flags);
        byte[] shared = key.sharedKey();
        byte[] mac = Hmacs.hmacSha256(shared, version, random, primeField, pub, targetWire, nodemapHash, flagsWire);
        byte[] tok = TokenCodec.encode(new InitToken(version, random, primeField, pub, targetWire, nodemapHash,
                flagsWire, mac));
        return new Initiator(h, c, key.expire(), shared, group, flags, clientNid, target, random, x, tok);
    }

    /** The init token (all 8 netstrings) to send. */
    public byte[] token() {
        return token.clone();
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
        BigInteger x = privateKey;
        privateKey = null;
        try {
            return doFinish(responseToken, x);
        } catch (GssException e) {
            LOG.log(System.Logger.Level.WARNING, "SK reply from " + target + " rejected: " + e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            // Never let a malformed reply escape as anything but a GSS failure.
            throw fail("internal error checking reply from " + target + ": " + e.getClass().getSimpleName(),
                    GssException.GSS_S_FAILURE);
        } finally {
            Bytes.wipe(sharedKey);
        }
    }

    private Outcome doFinish(byte[] wire, BigInteger x) throws GssException {
        ResponseToken r;
        try {
            r = TokenCodec.decodeResponse(wire);
        } catch (WireFormatException e) {
            throw fail("reply from " + target + " is not 4 netstrings: " + e.getMessage(),
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        byte[] expected = Hmacs.hmacSha256(sharedKey, r.signedFields());
        if (!Bytes.constantTimeEquals(expected, r.hmac())) {
            throw fail("reply from " + target + ": HMAC does not verify", GssException.GSS_S_BAD_SIG);
        }
        if (r.versionValue() != TokenCodec.VERSION) {
            throw fail("reply from " + target + ": version field must be 4 bytes holding 1",
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        byte[] peerRandom = r.random();
        if (peerRandom.length != 4) {
            throw fail("reply from " + target + ": server random is " + peerRandom.length + " bytes, not 4",
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (java.util.Arrays.equals(peerRandom, random)) {
            throw new RetryException("server random equals ours (" + target + "): retry the exchange");
        }
        BigInteger b = new BigInteger(1, r.publicKey());
        try {
            Dh.checkPublicKey(group, b);
        } catch (DhException e) {
            throw fail("reply from " + target + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        Optional<byte[]> s = Dh.kdfSecret(Dh.sharedValue(group, b, x), group.byteLength());
        if (s.isEmpty()) {
            throw new RetryException("DH secret with " + target + " more than 2 bytes short: retry the exchange");
        }
        SessionSecrets sec = KeySchedule.derive(hmacAlg, cryptAlg, sharedKey, s.get(), clientNid, token, wire,
                (flags & Flags.SVC_PRIVACY) != 0);
        return new Outcome(KeySchedule.context(hmacAlg, cryptAlg, expire, random, peerRandom, sec), sec);
    }

    static Optional<HmacAlg> usableHmac(int id) {
        return HmacAlg.byId(id).filter(a -> a != HmacAlg.NONE);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GssException fail(String msg, int major) {
        return new GssException(msg, major, 0, Errno.EINVAL);
    }

    @Override
    public String toString() {
        return "Initiator[target=" + target + ", flags=0x" + Integer.toHexString(flags) + ", " + group + "]";
    }
}
