package lsk.handshake;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import lsk.base.ByteString;
import lsk.base.DecodeException;
import lsk.base.Printable;
import lsk.lnet.Nid;
import lsk.sk.GssException;
import lsk.sk.KeyNames;
import lsk.wire.InitToken;
import lsk.wire.TokenCodec;

/**
 * One SEC_CTX_INIT request as the {@link Responder} sees it once the token's framing, version,
 * target, flags and nodemap hash have passed (checks 1-5 of {@link Responder}): everything the
 * later steps need, so none of them takes more than the request and a key.
 *
 * @param clientNid   the peer NID the kernel reported (u64)
 * @param peer        how messages name the peer
 * @param peerNodemap the nodemap the kernel reported for the peer (may be null)
 * @param wire        the init token as received (the KDF binds all of it)
 * @param token       its decoded fields
 * @param flags       the client's wire flags
 * @param nodemap     the nodemap the client is accepted under
 * @param description the key description to look up
 * @param fsname      the target's fsname; null for an MGC target
 * @param mgcNid      the MGC target's NID; unused for an fsname target
 * @param p           the client's prime
 */
record Request(long clientNid, String peer, String peerNodemap, ByteString wire, InitToken token, int flags,
               String nodemap, String description, String fsname, long mgcNid, BigInteger p) {
    private static final int SHA256_LEN = 32;
    private static final int MAX_TARGET_SHOWN = 80;
    private static final Side SIDE = Side.RESPONDER;

    static Request decode(ByteString wire, long clientNid, String peerNodemap, NodemapResolver nodemaps)
            throws GssException {
        String peer = peerName(clientNid);
        InitToken t;
        try {
            t = TokenCodec.decodeInit(wire.toByteArray());
        } catch (DecodeException e) {
            throw SIDE.fail("token from " + peer + " is not 8 netstrings: " + e.getMessage(),
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (t.versionValue() != TokenCodec.VERSION) {
            throw SIDE.fail("token from " + peer + ": bad version field", GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        ByteString targetWire = t.target();
        int tl = targetWire.size();
        if (tl == 0 || targetWire.byteAt(tl - 1) != 0) {
            throw SIDE.fail("token from " + peer + ": target is not NUL-terminated", GssException.GSS_S_FAILURE);
        }
        String target = new String(targetWire.toByteArray(), 0, tl - 1, StandardCharsets.ISO_8859_1);
        if (target.indexOf('\0') >= 0 || target.isEmpty()) {
            throw SIDE.fail("token from " + peer + ": target is empty or has an inner NUL", GssException.GSS_S_FAILURE);
        }
        if (t.flags().size() != 4) {
            throw SIDE.fail("token from " + peer + ": flags field is " + t.flags().size() + " bytes, not 4",
                    GssException.GSS_S_FAILURE);
        }
        String nodemap = resolveNodemap(t.nodemapHash(), peerNodemap, nodemaps, peer);
        BigInteger p = new BigInteger(1, t.prime().toByteArray());
        // Which keys: fsname before the first '-', or an MGC NID.
        int dash = target.indexOf('-');
        if (dash > 0) {
            String fsname = target.substring(0, dash);
            return new Request(clientNid, peer, peerNodemap, wire, t, t.flagsValue(), nodemap,
                    KeyNames.server(fsname, nodemap), fsname, 0, p);
        }
        if (dash < 0 && target.startsWith("MGC")) {
            long nid = Nid.parseNumeric(target.substring(3));
            if (nid == Nid.ANY) {
                throw SIDE.fail("token from " + peer + ": target '" + shown(target) + "' has no valid MGC NID",
                        GssException.GSS_S_FAILURE);
            }
            return new Request(clientNid, peer, peerNodemap, wire, t, t.flagsValue(), nodemap,
                    KeyNames.mgs(nodemap), null, nid, p);
        }
        throw SIDE.fail("token from " + peer + ": invalid target name '" + shown(target) + "'",
                GssException.GSS_S_FAILURE);
    }

    static String peerName(long clientNid) {
        return "peer NID 0x" + Long.toHexString(clientNid);
    }

    private static String resolveNodemap(ByteString hash, String peerNodemap, NodemapResolver nodemaps, String peer)
            throws GssException {
        if (hash.size() != SHA256_LEN) {
            throw SIDE.fail("token from " + peer + ": nodemap hash is " + hash.size() + " bytes",
                    GssException.GSS_S_DEFECTIVE_TOKEN);
        }
        if (peerNodemap != null && Side.nodemapHash(peerNodemap).equals(hash)) {
            return peerNodemap;
        }
        Optional<String> other = nodemaps.byNameHash(hash.toByteArray());
        if (other.isPresent() && Side.nodemapHash(other.get()).equals(hash)) {
            return other.get();
        }
        throw SIDE.fail("token from " + peer + ": nodemap hash matches neither nodemap '" + peerNodemap
                + "' nor any known nodemap", GssException.GSS_S_BAD_SIG);
    }

    private static String shown(String target) {
        return Printable.escaped(target, MAX_TARGET_SHOWN);
    }

    /** Whether the client asked for privacy (decides the encryption key and the prime floor). */
    boolean privacy() {
        return Side.privacy(flags);
    }

    /** True when the nodemap came from the resolver, not from the kernel's report. */
    boolean nodemapByHash() {
        return !nodemap.equals(peerNodemap);
    }

    /** How messages about key {@link #description} name it. */
    String keyName() {
        return "key " + description + " (" + peer + ")";
    }
}
