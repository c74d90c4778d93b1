/* lsk native shim, keyring part: the kernel key management syscalls
 * (add_key(2), request_key(2), keyctl(2)) as plain functions for JNA.
 *
 * No libkeyutils: each function is one raw syscall. Every function returns
 * the syscall's non-negative result on success and -errno on failure, so Java
 * never has to read errno through JNA. Key serials are int32_t (key_serial_t);
 * the special ids (-1 thread ... -7 request-key auth) pass straight through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

/* Maps a syscall result to the shim's convention. */
static int64_t lsk_ret(long rc)
{
	return rc < 0 ? -(int64_t)errno : (int64_t)rc;
}

/* add_key(2): creates or updates the key (type, desc) in keyring. */
int64_t lsk_add_key(const char *type, const char *desc, const void *payload,
		    uint32_t plen, int32_t keyring)
{
	return lsk_ret(syscall(SYS_add_key, type, desc, payload, (size_t)plen,
			       keyring));
}

/* request_key(2): callout may be NULL (no upcall). */
int64_t lsk_request_key(const char *type, const char *desc,
			const char *callout, int32_t dest_keyring)
{
	return lsk_ret(syscall(SYS_request_key, type, desc, callout,
			       dest_keyring));
}

/* KEYCTL_GET_KEYRING_ID: resolves a special id (@u, @s ...) to a serial. */
int64_t lsk_keyctl_get_keyring_id(int32_t id, int32_t create)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, id, create));
}

int64_t lsk_keyctl_update(int32_t key, const void *payload, uint32_t plen)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_UPDATE, key, payload,
			       (size_t)plen));
}

int64_t lsk_keyctl_revoke(int32_t key)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_REVOKE, key));
}

/* uid/gid of (uint32_t)-1 leave that owner unchanged. */
int64_t lsk_keyctl_chown(int32_t key, uint32_t uid, uint32_t gid)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_CHOWN, key, uid, gid));
}

int64_t lsk_keyctl_setperm(int32_t key, uint32_t perm)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_SETPERM, key, perm));
}

/* KEYCTL_DESCRIBE: writes "type;uid;gid;perm;description" with its NUL into
 * buf (when buflen is large enough); returns the size that needs, NUL
 * included. */
int64_t lsk_keyctl_describe(int32_t key, char *buf, uint32_t buflen)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, buf,
			       (size_t)buflen));
}

int64_t lsk_keyctl_link(int32_t key, int32_t keyring)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_LINK, key, keyring));
}

int64_t lsk_keyctl_unlink(int32_t key, int32_t keyring)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_UNLINK, key, keyring));
}

/* KEYCTL_SEARCH: recursive search of keyring; dest_keyring 0 = link nowhere. */
int64_t lsk_keyctl_search(int32_t keyring, const char *type, const char *desc,
			  int32_t dest_keyring)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_SEARCH, keyring, type, desc,
			       dest_keyring));
}

/* KEYCTL_READ: payload, or for a keyring its key serials (host order);
 * returns the full size, which may exceed buflen (then read again). */
int64_t lsk_keyctl_read(int32_t key, void *buf, uint32_t buflen)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_READ, key, buf,
			       (size_t)buflen));
}

int64_t lsk_keyctl_instantiate(int32_t key, const void *payload,
			       uint32_t plen, int32_t keyring)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_INSTANTIATE, key, payload,
			       (size_t)plen, keyring));
}

int64_t lsk_keyctl_negate(int32_t key, uint32_t timeout, int32_t keyring)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_NEGATE, key, timeout,
			       keyring));
}

/* KEYCTL_REJECT: like negate, but later requests fail with error (errno). */
int64_t lsk_keyctl_reject(int32_t key, uint32_t timeout, uint32_t error,
			  int32_t keyring)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_REJECT, key, timeout, error,
			       keyring));
}

int64_t lsk_keyctl_set_timeout(int32_t key, uint32_t timeout)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, key, timeout));
}

/* KEYCTL_ASSUME_AUTHORITY: 0 drops it; returns the auth key serial. */
int64_t lsk_keyctl_assume_authority(int32_t key)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_ASSUME_AUTHORITY, key));
}

int64_t lsk_keyctl_invalidate(int32_t key)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_INVALIDATE, key));
}

/* KEYCTL_JOIN_SESSION_KEYRING: name NULL makes a fresh anonymous session
 * keyring for the calling thread (threads it creates later inherit it);
 * returns its serial. */
int64_t lsk_keyctl_join_session_keyring(const char *name)
{
	return lsk_ret(syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name));
}
