package lsk.keyring;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * JNA binding of the keyring functions of the native shim ({@code jni/keyctl.c}).
 *
 * <p>Each function is one raw syscall and returns its non-negative result, or {@code -errno}.
 * Strings are passed as NUL-terminated byte arrays so that no JNA charset setting can change
 * the bytes the kernel sees. Payloads go through {@link com.sun.jna.Memory} so that secret
 * bytes can be wiped from native memory (a Java {@code byte[]} argument would leave a copy).
 * Only {@link Keyring} uses this interface.
 */
interface KeyctlNative extends Library {
    String LIBRARY = "lskshim";

    long lsk_add_key(byte[] type, byte[] desc, Pointer payload, int plen, int keyring);

    long lsk_request_key(byte[] type, byte[] desc, byte[] callout, int destKeyring);

    long lsk_keyctl_get_keyring_id(int id, int create);

    long lsk_keyctl_update(int key, Pointer payload, int plen);

    long lsk_keyctl_revoke(int key);

    long lsk_keyctl_chown(int key, int uid, int gid);

    long lsk_keyctl_setperm(int key, int perm);

    long lsk_keyctl_describe(int key, Pointer buf, int buflen);

    long lsk_keyctl_link(int key, int keyring);

    long lsk_keyctl_unlink(int key, int keyring);

    long lsk_keyctl_search(int keyring, byte[] type, byte[] desc, int destKeyring);

    long lsk_keyctl_read(int key, Pointer buf, int buflen);

    long lsk_keyctl_instantiate(int key, Pointer payload, int plen, int keyring);

    long lsk_keyctl_negate(int key, int timeout, int keyring);

    long lsk_keyctl_reject(int key, int timeout, int error, int keyring);

    long lsk_keyctl_set_timeout(int key, int timeout);

    long lsk_keyctl_assume_authority(int key);

    long lsk_keyctl_invalidate(int key);

    long lsk_keyctl_join_session_keyring(byte[] name);
}
