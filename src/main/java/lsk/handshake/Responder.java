package lsk.handshake;

import lsk.sk.KeyNames;
import lsk.keyfile.KeySource;
import lsk.sk.Flags;
import lsk.sk.GssException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import lsk.base.LskException;
import lsk.base.Errno;
import lsk.base.Bytes;
import lsk.crypto.Dh;
import lsk.crypto.DhBusyException;
import lsk.crypto.DhException;
import lsk.crypto.DhGroup;
import lsk.crypto.DhGroups;
import lsk.crypto.Hmacs;
import lsk.kernel.KernelContext;
import lsk.sk.CryptAlg;
import lsk.sk.HmacAlg;
import lsk.keyfile.KeyConfig;
import lsk.lnet.Nid;
import lsk.wire.InitToken;
import lsk.wire.ResponseToken;
import lsk.wire.TokenCodec;
import lsk.wire.WireFormatException;

/**
 * Server side of SEC_CTX_INIT (the SK part of lsvcgssd). Thread-safe: one instance serves
 * all requests; it owns the cache of validated DH primes.
 *
 * <p>Checks, in order, with the GSS major status of each failure (C's where it sets one):
 * <ol>
 * <li>8 netstrings (DEFECTIVE_TOKEN); version field at least 4 bytes, first 4 = 1 (DEFECTIVE_TOKEN)</li>
 * <li>target non-empty and NUL-terminated, no other NUL (FAILURE; C crashes on an empty one)</li>
 * <li>flags exactly 4 bytes (FAILURE)</li>
 * <li>nodemap hash: 32 bytes (DEFECTIVE_TOKEN); equal to SHA-256 of the nodemap the kernel
 *     reported, else the {@link NodemapResolver} names the nodemap with that hash, else BAD_SIG</li>
 * <li>target: {@code <fsname>-...} selects {@code lustre:<fsname>:<nodemap>}; a target without
 *     {@code -} must be {@code MGC<nid>} and selects {@code lustre:MGS:<nodemap>}</li>
 * <li>each key with that description in turn (rotation), the first that passes wins: the key's
 *     fsname matches (fsname targets) or it lists the NID (MGC targets); usable HMAC/cipher ids;
 *     in privacy mode the REAL bit length of p at least the key's prime_bits (the C code compares
 *     field byte lengths, so a zero-padded small prime passes there); p at most
 *     {@link PrimePolicy#maxBits()} bits, or the key's prime_bits if larger (FAILURE; lsk only);
 *     client random exactly 4 bytes; HMAC-SHA256 verifies in constant time (BAD_SIG). No key
 *     passing: the last key's failure; no key at all: FAILURE (C: major 0, see {@link GssException})</li>
 * <li>p a safe prime with g = 2 suitable, checked once per distinct p (FAILURE); an uncached p
 *     is refused unchecked (FAILURE, errno EAGAIN) when the cache is already running its
 *     concurrent checks or the peer NID had its {@link PrimePolicy#newPrimesPerPeer()} checks in
 *     the window; the peer may retry</li>
 * <li>1 < A < p-1, A in the prime-order subgroup (FAILURE)</li>
 * <li>S at most 2 bytes short of len(p): else a new key pair, at most twice more (BAD_QOP)</li>
 * </ol>
 * Any other fault in processing a token is reported as FAILURE, never thrown as anything else.
 * Refusals a peer can repeat at will to spend server CPU (prime too large, prime checks over
 * their bounds) are logged at most once per {@value #REFUSAL_LOG_SECONDS} s, with a count.
 */
public final class Responder {
    private static final System.Logger LOG = System.getLogger("lsk.handshake.Responder");
    /** Key pairs tried per request when S comes out short (the C responder: 1 + 2 retries). */
    static final int KEYGEN_ATTEMPTS = 3;
    private static final int SHA256_LEN = 32;
    static final int REFUSAL_LOG_SECONDS = 10;

    private final KeySource keys;
    private final NodemapResolver nodemaps;
    private final Entropy entropy;
    private final DhGroups groups;
    private final PrimePolicy primes;
    private final PeerPrimeBudget budget;
    private final RateLimitedLog refusals;

    /** A refusal that costs the peer nothing to repeat: logged through {@link #refusals}. */
    private static final class Refused extends GssException {
        Refused(String message, int errno) {
            super(message, GSS_S_FAILURE, 0, errno);
        }
    }

    /**
     * What a successful accept yields.
     *
     * @param responseToken the 4-netstring reply to send
     * @param context       the server's kernel context
     * @param flags         the client's wire flags (root bits and service)
     * @param nodemap       the nodemap the client was accepted under
     * @param nodemapByHash true when {@code nodemap} came from the {@link NodemapResolver} (its hash
     *                      did not match the nodemap the kernel reported): Lustre 2.17.51-2.17.53
     *                      put the name in the rsc only then ({@code KernelAbi.NodemapName})
     */
    public record Result(byte[] responseToken, KernelContext context, int flags, String nodemap,
                         boolean nodemapByHash) {
        public Result {
            responseToken = responseToken.clone();
        }

        public Result(byte[] responseToken, KernelContext context, int flags, String nodemap) {
            this(responseToken, context, flags, nodemap, false);
        }

        Result byHash() {
            return new Result(responseToken, context, flags, nodemap, true);
        }

        @Override
        public byte[] responseToken() {
            return responseToken.clone();
        }
    }

    /** {@link Result} plus the secrets behind it, for diagnostic tools and tests: wipe them. */
    public record Detailed(Result result, SessionSecrets secrets) {
    }

    public Responder(KeySource keys, NodemapResolver nodemaps, Entropy entropy) {
        this(keys, nodemaps, entropy, new DhGroups());
    }

    /** With a given prime-check cache (e.g. shared with other responders, or sized differently). */
    public Responder(KeySource keys, NodemapResolver nodemaps, Entropy entropy, DhGroups groups) {
        this(keys, nodemaps, entropy, groups, PrimePolicy.DEFAULT);
    }

    /** With a given prime-check cache and policy on the primes peers send. */
    public Responder(KeySource keys, NodemapResolver nodemaps, Entropy entropy, DhGroups groups, PrimePolicy primes) {
        this.keys = keys;
        this.nodemaps = nodemaps;
        this.entropy = entropy;
        this.groups = groups;
        this.primes = primes;
        this.budget = new PeerPrimeBudget(primes, System::nanoTime);
        this.refusals = new RateLimitedLog(LOG, REFUSAL_LOG_SECONDS, TimeUnit.SECONDS, System::nanoTime);
    }

    /**
     * @param initToken    the client's token, as received
     * @param clientNid    the peer NID the kernel reported (u64)
     * @param peerNodemap  the nodemap name the kernel reported for the peer
     */
    public Result accept(byte[] initToken, long clientNid, String peerNodemap) throws GssException {
        Detailed d = acceptDetailed(initToken, clientNid, peerNodemap);
        d.secrets().wipe();
        return d.result();
    }

    /** As {@link #accept}, also returning the secrets (diagnostic tools, tests): wipe them. */
    public Detailed acceptDetailed(byte[] initToken, long clientNid, String peerNodemap) throws GssException {
        String peer = "peer NID 0x" + Long.toHexString(clientNid);
        try {
            return doAccept(initToken.clone(), clientNid, peerNodemap, peer);
        } catch (GssException e) {
            String line = "SK init from " + peer + " rejected (major 0x" + Integer.toHexString(e.major()) + "): "
                    + e.getMessage();
            if (e instanceof Refused) {
                refusals.log(System.Logger.Level.WARNING, line);
            } else {
                LOG.log(System.Logger.Level.WARNING, line);
            }
            throw e;
        } catch (RuntimeException e) {
            GssException g = fail("internal error on token from " + peer + ": " + e.getClass().getSimpleName(),
                    GssException.GSS_S_FAILURE);
            LOG.log(System.Logger.Level.ERROR, g.getMessage());
            throw g;
        }
    }

    private Detailed doAccept(byte[] wire, long clientNid, String peerNodemap, String peer) throws GssException {
        InitToken t;
        try {
            t = TokenCodec.decodeInit(wire);
        } catch (WireFormatException e) {
            throw fail("token from " + peer + " is not 8 netstrings: " + e.getMessage(),
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (t.versionLength() < 4 || t.versionValue() != TokenCodec.VERSION) {
            throw fail("token from " + peer + ": bad version field", GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        byte[] targetWire = t.target();
        int tl = targetWire.length;
        if (tl == 0 || targetWire[tl - 1] != 0) {
            throw fail("token from " + peer + ": target is not NUL-terminated", GssException.GSS_S_FAILURE);
        }
        String target = new String(targetWire, 0, tl - 1, StandardCharsets.ISO_8859_1);
        if (target.indexOf('\0') >= 0 || target.isEmpty()) {
            throw fail("token from " + peer + ": target is empty or has an inner NUL", GssException.GSS_S_FAILURE);
        }
        if (t.flagsLength() != 4) {
            throw fail("token from " + peer + ": flags field is " + t.flagsLength() + " bytes, not 4",
                    GssException.GSS_S_FAILURE);
        }
        int flags = t.flagsValue();
        String nodemap = resolveNodemap(t.nodemapHash(), peerNodemap, peer);

        // Which keys: fsname before the first '-', or an MGC NID.
        String description;
        String fsname = null;
        long mgcNid = 0;
        int dash = target.indexOf('-');
        if (dash > 0) {
            fsname = target.substring(0, dash);
            description = KeyNames.server(fsname, nodemap);
        } else if (dash < 0 && target.startsWith("MGC")) {
            long nid = Nid.parseNumeric(target.substring(3));
            if (nid == Nid.ANY) {
                throw fail("token from " + peer + ": target '" + printable(target) + "' has no valid MGC NID",
                        GssException.GSS_S_FAILURE);
            }
            mgcNid = nid;
            description = KeyNames.mgs(nodemap);
        } else {
            throw fail("token from " + peer + ": invalid target name '" + printable(target) + "'",
                    GssException.GSS_S_FAILURE);
        }
        List<KeyConfig> candidates;
        try {
            candidates = keys.keys(description);
        } catch (LskException e) {
            throw fail("no key for " + description + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        if (candidates == null || candidates.isEmpty()) {
            throw fail("no key " + description + " for " + peer, GssException.GSS_S_FAILURE);
        }

        BigInteger p = new BigInteger(1, t.prime());
        byte[] clientRandom = t.random();
        byte[] signed = Bytes.concat(t.signedFields());
        GssException last = null;
        KeyConfig key = null;
        byte[] shared = null;
        for (KeyConfig k : candidates) {
            try {
                shared = tryKey(k, t, signed, p, flags, fsname, mgcNid, description, peer);
                key = k;
                break;
            } catch (GssException e) {
                last = e;
                LOG.log(System.Logger.Level.DEBUG, e.getMessage());
            }
        }
        if (key == null) {
            throw last;
        }
        try {
            Detailed d = respond(key, shared, t, wire, p, clientRandom, flags, clientNid, nodemap, peer);
            return nodemap.equals(peerNodemap) ? d : new Detailed(d.result().byHash(), d.secrets());
        } finally {
            Bytes.wipe(shared);
        }
    }

    private String resolveNodemap(byte[] hash, String peerNodemap, String peer) throws GssException {
        if (hash.length != SHA256_LEN) {
            throw fail("token from " + peer + ": nodemap hash is " + hash.length + " bytes",
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (peerNodemap != null
                && Arrays.equals(Initiator.sha256(peerNodemap.getBytes(StandardCharsets.ISO_8859_1)), hash)) {
            return peerNodemap;
        }
        Optional<String> other = nodemaps.byNameHash(hash.clone());
        if (other.isPresent()
                && Arrays.equals(Initiator.sha256(other.get().getBytes(StandardCharsets.ISO_8859_1)), hash)) {
            return other.get();
        }
        throw fail("token from " + peer + ": nodemap hash matches neither nodemap '" + peerNodemap
                + "' nor any known nodemap", GssException.GSS_S_BAD_SIG);
    }

    /** The key's shared key when {@code k} accepts the token, else the reason. */
    private byte[] tryKey(KeyConfig k, InitToken t, byte[] signed, BigInteger p, int flags, String fsname,
                          long mgcNid, String description, String peer) throws GssException {
        String which = "key " + description + " (" + peer + ")";
        if (fsname != null && !fsname.equals(k.fsname())) {
            throw fail(which + ": key fsname '" + k.fsname() + "' differs from the target's", GssException.GSS_S_FAILURE);
        }
        if (fsname == null && Arrays.stream(k.usedMgsNids()).noneMatch(n -> n == mgcNid)) {
            throw fail(which + ": key does not list MGS NID 0x" + Long.toHexString(mgcNid), GssException.GSS_S_FAILURE);
        }
        if (Initiator.usableHmac(k.hmacAlg()).isEmpty() || CryptAlg.byId(k.cryptAlg()).isEmpty()) {
            throw fail(which + ": key has an unusable HMAC or cipher id", GssException.GSS_S_FAILURE);
        }
        if ((flags & Flags.SVC_PRIVACY) != 0 && p.bitLength() < k.primeBits()) {
            throw fail(which + ": privacy needs a prime of at least " + k.primeBits() + " bits, peer's has "
                    + p.bitLength(), GssException.GSS_S_FAILURE);
        }
        if (p.bitLength() > primes.maxBitsFor(k)) {
            throw new Refused(which + ": peer's prime has " + p.bitLength() + " bits, above the limit of "
                    + primes.maxBitsFor(k), Errno.EACCES);
        }
        if (t.randomLength() != 4) {
            throw fail(which + ": client random is " + t.randomLength() + " bytes, not 4", GssException.GSS_S_FAILURE);
        }
        byte[] shared = k.sharedKey();
        byte[] mac = Hmacs.hmacSha256(shared, signed);
        if (!Bytes.constantTimeEquals(mac, t.hmac())) {
            Bytes.wipe(shared);
            throw fail(which + ": HMAC verification failed", GssException.GSS_S_BAD_SIG);
        }
        return shared;
    }

    private Detailed respond(KeyConfig key, byte[] shared, InitToken t, byte[] wire, BigInteger p,
                             byte[] clientRandom, int flags, long clientNid, String nodemap, String peer)
            throws GssException {
        DhGroup group;
        try {
            group = groups.validatePeer(p, () -> budget.charge(clientNid));
        } catch (DhBusyException e) {
            throw new Refused("token from " + peer + ": new DH prime not checked: " + e.getMessage()
                    + "; the peer may retry", Errno.EAGAIN);
        } catch (DhException e) {
            throw fail("token from " + peer + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        BigInteger a = new BigInteger(1, t.publicKey());
        try {
            Dh.checkPublicKey(group, a);
        } catch (DhException e) {
            throw fail("token from " + peer + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        int n = group.byteLength();
        for (int attempt = 0; attempt < KEYGEN_ATTEMPTS; attempt++) {
            byte[] serverRandom = entropy.random4();
            BigInteger x = entropy.privateKey(p);
            if (serverRandom == null || serverRandom.length != 4 || x == null
                    || x.compareTo(BigInteger.ONE) <= 0 || x.compareTo(group.q()) >= 0) {
                throw fail("entropy gave an unusable random or private key", GssException.GSS_S_FAILURE);
            }
            Optional<byte[]> s = Dh.kdfSecret(Dh.sharedValue(group, a, x), n);
            if (s.isEmpty()) {
                continue; // S too short: new key pair, as the C responder does
            }
            byte[] version = TokenCodec.be32(TokenCodec.VERSION);
            byte[] pub = Bytes.unsignedPadded(Dh.publicKey(group, x), n);
            byte[] mac = Hmacs.hmacSha256(shared, version, serverRandom, pub);
            byte[] resp = TokenCodec.encode(new ResponseToken(version, serverRandom, pub, mac));
            HmacAlg h = Initiator.usableHmac(key.hmacAlg()).orElseThrow();
            CryptAlg c = CryptAlg.byId(key.cryptAlg()).orElseThrow();
            SessionSecrets sec = KeySchedule.derive(h, c, shared, s.get(), clientNid, wire, resp,
                    (flags & Flags.SVC_PRIVACY) != 0);
            KernelContext ctx = KeySchedule.context(h, c, key.expire(), serverRandom, clientRandom, sec);
            return new Detailed(new Result(resp, ctx, flags, nodemap), sec);
        }
        throw fail("token from " + peer + ": DH secret short " + KEYGEN_ATTEMPTS + " times", GssException.GSS_S_BAD_QOP);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char ch = s.charAt(i);
            if (ch >= 0x20 && ch < 0x7f) {
                b.append(ch);
            } else {
                b.append("\\x").append(HexFormat.of().toHexDigits((byte) ch));
            }
        }
        return b.toString();
    }

    private static GssException fail(String msg, int major) {
        return new GssException(msg, major, 0, Errno.EACCES);
    }

    @Override
    public String toString() {
        return "Responder[primes cached=" + groups.size() + "]";
    }
}
