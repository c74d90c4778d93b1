/**
 * Cryptographic primitives of SK: DH over the key's safe prime and the RFC 7919 groups, safe
 * prime generation, HMAC (also keyed with a {@link lsk.base.Secret} over
 * {@link lsk.base.ByteString} fields), PBKDF2 and the session KDF. Algorithm names come from
 * {@link lsk.sk.HmacAlg}. No protocol logic.
 *
 * <p>May import: lsk.base, lsk.sk.
 */
package lsk.crypto;
