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

    /**
     * True when p = 7 mod 8 (23 mod 24): 2 is a quadratic residue and generates the subgroup of
     * prime order q, so every honest public key is a residue. False for p = 11 mod 24 (primes
     * made with OpenSSL 1.0): 2 then generates the whole group of order 2q and honest public
     * keys are residues or not, so only the range check applies; the one small subgroup,
     * {1, p-1}, is still excluded by that check, leaving at most one bit of the private key
     * for a peer to learn.
     */
    public boolean generatorInPrimeOrderSubgroup() {
        return (p.intValue() & 7) == 7;
    }

    @Override
    public String toString() {
        return "DhGroup[" + named.map(Ffdhe::name).orElse(bits() + "-bit safe prime") + "]";
    }
}
