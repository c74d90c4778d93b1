package lsk.crypto;

import java.math.BigInteger;
import java.util.Optional;

/**
 * A validated DH group with generator 2: p a safe prime (p and q = (p-1)/2 prime) and 2 in the
 * subgroup of prime order q. Only {@link DhGroups} makes these.
 *
 * @param p     the prime
 * @param q     (p-1)/2
 * @param named the RFC 7919 group when p is one
 */
public record DhGroup(BigInteger p, BigInteger q, Optional<Ffdhe> named) {
    public static final BigInteger G = BigInteger.TWO;

    /** Byte length of p without leading zeros (OpenSSL's DH_size): the width of public keys and S. */
    public int byteLength() {
        return (p.bitLength() + 7) / 8;
    }

    public int bits() {
        return p.bitLength();
    }

    @Override
    public String toString() {
        return "DhGroup[" + named.map(Ffdhe::name).orElse(bits() + "-bit safe prime") + "]";
    }
}
