/* lsk native shim, client negotiation part: struct lgssd_ioctl_param in the two
 * layouts Lustre kernels take on sptlrpc/gss/init_channel (x86_64), and the one
 * write that hands it over. The caller names the layout (chosen by Lustre
 * version): a kernel refuses any other size with EINVAL.
 *
 *  - 80 bytes (2.16.58 and earlier): status is a value at 64, reply_length at
 *    72; the kernel copies the whole struct back over the buffer written, so
 *    the caller reads both from that buffer after write() returns.
 *  - 72 bytes (2.16.59 and later): status is a pointer at 64; init_channel is
 *    a sysfs file whose store handler gets a kernel copy of the buffer, so the
 *    kernel writes the status through the pointer instead.
 *
 * Layout ids are the struct sizes (as KernelAbi.IoctlParam names them).
 * Every function returns >= 0 on success or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define LSK_GSSD_INTERFACE_VERSION 2
#define LSK_IOCTL_P80 80
#define LSK_IOCTL_P72 72

struct lsk_ioctl_param_p80 {
	uint32_t version;
	uint32_t secid;
	const char *uuid;         /* client OBD device name */
	uint32_t lustre_svc;
	uint32_t uid;             /* __kernel_uid_t */
	uint32_t gid;             /* __kernel_gid_t */
	uint64_t send_token_size;
	const void *send_token;
	uint64_t reply_buf_size;
	void *reply_buf;
	int64_t status;           /* out: negative errno or 0 */
	uint64_t reply_length;    /* out */
};
_Static_assert(offsetof(struct lsk_ioctl_param_p80, version) == 0, "p80 version");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, secid) == 4, "p80 secid");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, uuid) == 8, "p80 uuid");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, lustre_svc) == 16, "p80 svc");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, uid) == 20, "p80 uid");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, gid) == 24, "p80 gid");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, send_token_size) == 32, "p80 tsize");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, send_token) == 40, "p80 token");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, reply_buf_size) == 48, "p80 rsize");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, reply_buf) == 56, "p80 reply");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, status) == 64, "p80 status");
_Static_assert(offsetof(struct lsk_ioctl_param_p80, reply_length) == 72, "p80 rlen");
_Static_assert(sizeof(struct lsk_ioctl_param_p80) == LSK_IOCTL_P80, "p80 size");

struct lsk_ioctl_param_p72 {
	uint32_t version;
	uint32_t secid;
	const char *uuid;
	uint32_t lustre_svc;
	uint32_t uid;
	uint32_t gid;
	uint64_t send_token_size;
	const void *send_token;
	uint64_t reply_buf_size;
	void *reply_buf;
	int64_t *status;          /* out, through the pointer */
};
_Static_assert(offsetof(struct lsk_ioctl_param_p72, version) == 0, "p72 version");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, secid) == 4, "p72 secid");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, uuid) == 8, "p72 uuid");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, lustre_svc) == 16, "p72 svc");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, uid) == 20, "p72 uid");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, gid) == 24, "p72 gid");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, send_token_size) == 32, "p72 tsize");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, send_token) == 40, "p72 token");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, reply_buf_size) == 48, "p72 rsize");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, reply_buf) == 56, "p72 reply");
_Static_assert(offsetof(struct lsk_ioctl_param_p72, status) == 64, "p72 status");
_Static_assert(sizeof(struct lsk_ioctl_param_p72) == LSK_IOCTL_P72, "p72 size");

/* The fields both layouts share, in the same places. */
#define LSK_PARAM_HEAD(p) do {						\
	(p)->version = LSK_GSSD_INTERFACE_VERSION;			\
	(p)->secid = secid;						\
	(p)->uuid = uuid;						\
	(p)->lustre_svc = lustre_svc;					\
	(p)->uid = uid;							\
	(p)->gid = gid;							\
	(p)->send_token_size = token_len;				\
	(p)->send_token = token;					\
	(p)->reply_buf_size = reply_size;				\
	(p)->reply_buf = reply;						\
} while (0)

/* Fills the layout's struct into out (any alignment); its size, or -EINVAL for
 * an unknown layout, -ENOBUFS when out is too small. status is used by the
 * 72-byte layout only; the 80-byte one starts with status and length 0. */
int64_t lsk_init_param_fill(void *out, uint64_t outlen, uint32_t layout,
			    uint32_t secid, const char *uuid, uint32_t lustre_svc,
			    uint32_t uid, uint32_t gid, const void *token,
			    uint64_t token_len, void *reply, uint64_t reply_size,
			    int64_t *status)
{
	struct lsk_ioctl_param_p80 p80;
	struct lsk_ioctl_param_p72 p72;

	switch (layout) {
	case LSK_IOCTL_P80:
		if (outlen < sizeof(p80))
			return -ENOBUFS;
		memset(&p80, 0, sizeof(p80));
		LSK_PARAM_HEAD(&p80);
		memcpy(out, &p80, sizeof(p80));
		return sizeof(p80);
	case LSK_IOCTL_P72:
		if (outlen < sizeof(p72))
			return -ENOBUFS;
		memset(&p72, 0, sizeof(p72));
		LSK_PARAM_HEAD(&p72);
		p72.status = status;
		memcpy(out, &p72, sizeof(p72));
		return sizeof(p72);
	default:
		return -EINVAL;
	}
}

/* The negotiation: fills param (the caller's buffer, at least the layout's
 * size) and writes exactly that many bytes from it to path, in one write. The
 * kernel sends SEC_CTX_INIT with the token and fills reply before the write
 * returns; the status is then in param (80 bytes) or in *status (72 bytes).
 * 0, or -errno of the open or write (-EIO for a short write). */
int64_t lsk_init_channel(const char *path, void *param, uint64_t param_len,
			 uint32_t layout, uint32_t secid, const char *uuid,
			 uint32_t lustre_svc, uint32_t uid, uint32_t gid,
			 const void *token, uint64_t token_len, void *reply,
			 uint64_t reply_size, int64_t *status)
{
	int64_t size, rc = 0;
	ssize_t n;
	int fd;

	size = lsk_init_param_fill(param, param_len, layout, secid, uuid,
				   lustre_svc, uid, gid, token, token_len,
				   reply, reply_size, status);
	if (size < 0)
		return size;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, param, (size_t)size);
	if (n < 0)
		rc = -errno;
	else if (n != size)
		rc = -EIO;
	close(fd);
	return rc;
}
