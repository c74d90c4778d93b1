package lsk.handshake;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import lsk.base.ByteString;
import lsk.base.Bytes;
import lsk.base.Errno;
import lsk.base.LskException;
import lsk.base.Secret;
import lsk.crypto.Dh;
import lsk.crypto.DhBusyException;
import lsk.crypto.DhException;
import lsk.crypto.DhGroup;
import lsk.crypto.DhGroups;
import lsk.crypto.Hmacs;
import lsk.kernel.KernelContext;
import lsk.keyfile.KeyConfig;
import lsk.keyfile.KeySource;
import lsk.sk.CryptAlg;
import lsk.sk.GssException;
import lsk.sk.HmacAlg;
import lsk.wire.ResponseToken;
import lsk.wire.TokenCodec;

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
 * Checks 1-5 build the {@link Request}; the checks the initiator makes too live in {@link Side}.
 * Any other fault in processing a token is reported as FAILURE, never thrown as anything else.
 * Every refusal is a {@link Rejected} naming its reason (the daemon counts them by it).
 * Refusals a peer can repeat at will to spend server CPU (prime too large, prime checks over
 * their bounds) are logged at most once per {@value #REFUSAL_LOG_SECONDS} s, with a count.
 */
public final class Responder {
    private static final System.Logger LOG = System.getLogger(Responder.class.getName());
    private static final Side SIDE = Side.RESPONDER;
    /** Key pairs tried per request when S comes out short (the C responder: 1 + 2 retries). */
    static final int KEYGEN_ATTEMPTS = 3;
    static final int REFUSAL_LOG_SECONDS = 10;

    private final KeySource keys;
    private final NodemapResolver nodemaps;
    private final Entropy entropy;
    private final DhGroups groups;
    private final PrimePolicy primes;
    private final PeerPrimeBudget budget;
    private final RateLimitedLog refusals;
    /** Expensive prime checks this responder ran, and those that failed (the daemon's counters). */
    private final LongAdder primeChecks = new LongAdder();
    private final LongAdder primeChecksFailed = new LongAdder();

    /** A refusal that costs the peer nothing to repeat: logged through {@link #refusals}. */
    private static final class Refused extends Rejected {
        Refused(Rejected.Reason reason, String message, int errno) {
            super(reason, message, GSS_S_FAILURE, errno);
        }
    }

    /** The key that accepted a request, its algorithms, and its shared key (the responder wipes it). */
    private record Chosen(KeyConfig key, HmacAlg hmac, CryptAlg crypt, Secret shared) {
    }

    /**
     * What a successful accept yields.
     *
     * @param token         the 4-netstring reply to send
     * @param context       the server's kernel context
     * @param flags         the client's wire flags (root bits and service)
     * @param nodemap       the nodemap the client was accepted under
     * @param nodemapByHash true when {@code nodemap} came from the {@link NodemapResolver} (its hash
     *                      did not match the nodemap the kernel reported): Lustre 2.17.51-2.17.53
     *                      put the name in the rsc only then ({@code KernelAbi.NodemapName})
     */
    public record Result(ByteString token, KernelContext context, int flags, String nodemap,
                         boolean nodemapByHash) {
        public Result(ByteString token, KernelContext context, int flags, String nodemap) {
            this(token, context, flags, nodemap, false);
        }

        /** {@link #token()} as a fresh array (for callers written before ByteString). */
        public byte[] responseToken() {
            return token.toByteArray();
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
        String peer = Request.peerName(clientNid);
        try {
            Request req;
            try {
                req = Request.decode(ByteString.copyOf(initToken), clientNid, peerNodemap, nodemaps);
            } catch (GssException e) {
                // Request's checks: only the nodemap hash fails with BAD_SIG there.
                throw Rejected.of(e.major() == GssException.GSS_S_BAD_SIG ? Rejected.Reason.BAD_NODEMAP_HASH
                        : Rejected.Reason.DECODE_ERROR, e);
            }
            return doAccept(req);
        } catch (GssException e) {
            String line = "SK init from " + peer + " rejected (major 0x" + Integer.toHexString(e.major()) + "): "
                    + e.getMessage();
            if (e instanceof Refused) {
                refusals.log(System.Logger.Level.WARNING, line);
            } else {
                LOG.log(System.Logger.Level.WARNING, line);
            }
            throw e instanceof Rejected r ? r : Rejected.of(Rejected.Reason.INTERNAL, e); // all above have one
        } catch (RuntimeException e) {
            GssException g = rejected(Rejected.Reason.INTERNAL, "internal error on token from " + peer + ": "
                    + e.getClass().getSimpleName(), GssException.GSS_S_FAILURE);
            LOG.log(System.Logger.Level.ERROR, g.getMessage());
            throw g;
        }
    }

    private Detailed doAccept(Request req) throws GssException {
        List<KeyConfig> candidates;
        try {
            candidates = keys.keys(req.description());
        } catch (LskException e) {
            throw rejected(Rejected.Reason.NO_KEY, "no key for " + req.description() + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        if (candidates == null || candidates.isEmpty()) {
            throw rejected(Rejected.Reason.NO_KEY, "no key " + req.description() + " for " + req.peer(), GssException.GSS_S_FAILURE);
        }
        GssException last = null;
        for (KeyConfig k : candidates) {
            Chosen chosen;
            try {
                chosen = tryKey(req, k);
            } catch (GssException e) {
                last = e;
                LOG.log(System.Logger.Level.DEBUG, e.getMessage());
                continue;
            }
            try {
                return respond(req, chosen);
            } finally {
                chosen.shared().wipe();
            }
        }
        throw last;
    }

    /** The key's algorithms and shared key when {@code k} accepts the request, else the reason. */
    private Chosen tryKey(Request req, KeyConfig k) throws GssException {
        String which = req.keyName();
        BigInteger p = req.p();
        if (req.fsname() != null && !req.fsname().equals(k.fsname())) {
            throw rejected(Rejected.Reason.KEY_MISMATCH, which + ": key fsname '" + k.fsname() + "' differs from the target's",
                    GssException.GSS_S_FAILURE);
        }
        if (req.fsname() == null && Arrays.stream(k.usedMgsNids()).noneMatch(n -> n == req.mgcNid())) {
            throw rejected(Rejected.Reason.KEY_MISMATCH, which + ": key does not list MGS NID 0x" + Long.toHexString(req.mgcNid()),
                    GssException.GSS_S_FAILURE);
        }
        Optional<HmacAlg> h = Side.usableHmac(k.hmacAlg());
        Optional<CryptAlg> c = CryptAlg.byId(k.cryptAlg());
        if (h.isEmpty() || c.isEmpty()) {
            throw rejected(Rejected.Reason.KEY_MISMATCH, which + ": key has an unusable HMAC or cipher id", GssException.GSS_S_FAILURE);
        }
        if (req.privacy() && p.bitLength() < k.primeBits()) {
            throw rejected(Rejected.Reason.PRIME_POLICY, which + ": privacy needs a prime of at least " + k.primeBits() + " bits, peer's has "
                    + p.bitLength(), GssException.GSS_S_FAILURE);
        }
        if (p.bitLength() > primes.maxBitsFor(k)) {
            throw new Refused(Rejected.Reason.PRIME_POLICY, which + ": peer's prime has " + p.bitLength() + " bits, above the limit of "
                    + primes.maxBitsFor(k), Errno.EACCES);
        }
        if (req.token().random().size() != 4) {
            throw rejected(Rejected.Reason.DECODE_ERROR, which + ": client random is " + req.token().random().size() + " bytes, not 4",
                    GssException.GSS_S_FAILURE);
        }
        Secret shared = k.sharedKeySecret();
        try {
            SIDE.verifyMac(shared, req.token().hmac(), which + ": HMAC verification failed",
                    req.token().signedFields());
        } catch (GssException e) {
            shared.wipe();
            throw Rejected.of(Rejected.Reason.BAD_MAC, e);
        }
        return new Chosen(k, h.get(), c.get(), shared);
    }

    private Detailed respond(Request req, Chosen chosen) throws GssException {
        String from = "token from " + req.peer();
        DhGroup group;
        boolean[] checked = {false}; // this request ran the check (others may wait for its verdict)
        try {
            group = groups.validatePeer(req.p(), () -> {
                budget.charge(req.clientNid());
                checked[0] = true;
                primeChecks.increment();
            });
        } catch (DhBusyException e) {
            throw new Refused(Rejected.Reason.PRIME_BUSY, from + ": new DH prime not checked: " + e.getMessage() + "; the peer may retry",
                    Errno.EAGAIN);
        } catch (DhException e) {
            if (checked[0]) {
                primeChecksFailed.increment();
            }
            throw rejected(Rejected.Reason.PRIME_CHECK_FAILED, from + ": " + e.getMessage(), GssException.GSS_S_FAILURE);
        }
        BigInteger a;
        try {
            a = SIDE.peerPublicKey(group, req.token().publicKey(), from);
        } catch (GssException e) {
            throw Rejected.of(Rejected.Reason.BAD_PUBLIC_VALUE, e);
        }
        int n = group.byteLength();
        for (int attempt = 0; attempt < KEYGEN_ATTEMPTS; attempt++) {
            Side.KeyPair own;
            try {
                own = SIDE.keyPair(entropy, group);
            } catch (GssException e) {
                throw Rejected.of(Rejected.Reason.INTERNAL, e);
            }
            Optional<byte[]> s = Dh.kdfSecret(Dh.sharedValue(group, a, own.x()), n);
            if (s.isEmpty()) {
                continue; // S too short: new key pair, as the C responder does
            }
            ByteString version = ByteString.copyOf(TokenCodec.be32(TokenCodec.VERSION));
            ByteString pub = ByteString.copyOf(Bytes.unsignedPadded(Dh.publicKey(group, own.x()), n));
            ByteString mac = ByteString.copyOf(Hmacs.hmacSha256(chosen.shared(), version, own.random(), pub));
            ByteString resp = ByteString.copyOf(TokenCodec.encode(new ResponseToken(version, own.random(), pub, mac)));
            SessionSecrets sec = KeySchedule.derive(chosen.hmac(), chosen.crypt(), chosen.shared(), s.get(),
                    req.clientNid(), req.wire(), resp, req.privacy());
            KernelContext ctx = KeySchedule.context(chosen.hmac(), chosen.crypt(), chosen.key().expire(),
                    own.random(), req.token().random(), sec);
            return new Detailed(new Result(resp, ctx, req.flags(), req.nodemap(), req.nodemapByHash()), sec);
        }
        throw rejected(Rejected.Reason.SHORT_SECRET, from + ": DH secret short " + KEYGEN_ATTEMPTS + " times", GssException.GSS_S_BAD_QOP);
    }

    private static Rejected rejected(Rejected.Reason reason, String message, int major) {
        return Rejected.of(reason, SIDE.fail(message, major));
    }

    /** Expensive checks of new DH primes run so far (the daemon's counters). */
    public long primeChecks() {
        return primeChecks.sum();
    }

    /** Those of {@link #primeChecks()} that found no usable safe prime. */
    public long primeChecksFailed() {
        return primeChecksFailed.sum();
    }

    @Override
    public String toString() {
        return "Responder[primes cached=" + groups.size() + "]";
    }
}
