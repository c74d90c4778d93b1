/**
 * Cryptographic primitives of SK: DH over the key's safe prime and the RFC 7919 groups, safe
 * prime generation, HMAC, PBKDF2 and the session KDF. No protocol logic.
 *
 * <p>May import: lsk.base, lsk.sk.
 */
package lsk.crypto;
