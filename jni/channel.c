/* lsk native shim, kernel channel part: the structs the Lustre kernel reads
 * (init_channel negotiation write, rsi/rsc downcalls) are laid out here and
 * only here, with the compiler doing the alignment. Field layouts follow
 * lustre's uapi lgss.h (x86_64); offsets are pinned with static asserts so a
 * layout slip fails the build, and tests compare against the C tools' output.
 * Every function returns >= 0 on success or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* struct lgssd_ioctl_param, interface version 2 (written to init_channel). */
struct lsk_lgssd_ioctl_param {
	uint32_t version;
	uint32_t secid;
	const char *uuid;
	uint32_t lustre_svc;
	uint32_t uid;             /* __kernel_uid_t */
	uint32_t gid;             /* __kernel_gid_t */
	uint64_t send_token_size;
	const void *send_token;
	uint64_t reply_buf_size;
	void *reply_buf;
	int64_t *status;
};
_Static_assert(offsetof(struct lsk_lgssd_ioctl_param, uuid) == 8, "uuid");
_Static_assert(offsetof(struct lsk_lgssd_ioctl_param, lustre_svc) == 16, "svc");
_Static_assert(offsetof(struct lsk_lgssd_ioctl_param, send_token_size) == 32, "tsize");
_Static_assert(offsetof(struct lsk_lgssd_ioctl_param, reply_buf) == 56, "reply");
_Static_assert(sizeof(struct lsk_lgssd_ioctl_param) == 72, "param size");

#define LSK_GSSD_INTERFACE_VERSION 2

/* One open, one write of the whole blob, close: a kernel parameter file
 * takes a downcall only as a single write. */
int64_t lsk_downcall_write(const char *path, const void *blob, uint64_t len)
{
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, blob, len);
	if (n < 0)
		rc = -errno;
	else if ((uint64_t)n != len)
		rc = -EIO;
	close(fd);
	return rc;
}

/* Fills a struct lgssd_ioctl_param (for tests of the layout). */
int64_t lsk_init_param_fill(void *out, uint64_t outlen, uint32_t secid,
			    const char *uuid, uint32_t lustre_svc, uint32_t uid,
			    uint32_t gid, const void *token, uint64_t token_len,
			    void *reply, uint64_t reply_size, int64_t *status)
{
	struct lsk_lgssd_ioctl_param *p = out;

	if (outlen < sizeof(*p))
		return -ENOBUFS;
	memset(p, 0, sizeof(*p));
	p->version = LSK_GSSD_INTERFACE_VERSION;
	p->secid = secid;
	p->uuid = uuid;
	p->lustre_svc = lustre_svc;
	p->uid = uid;
	p->gid = gid;
	p->send_token_size = token_len;
	p->send_token = token;
	p->reply_buf_size = reply_size;
	p->reply_buf = reply;
	p->status = status;
	return sizeof(*p);
}

/* The negotiation "ioctl": the kernel sends SEC_CTX_INIT with the token and
 * fills reply and *status before the write returns. */
int64_t lsk_init_channel(const char *path, uint32_t secid, const char *uuid,
			 uint32_t lustre_svc, uint32_t uid, uint32_t gid,
			 const void *token, uint64_t token_len, void *reply,
			 uint64_t reply_size, int64_t *status)
{
	struct lsk_lgssd_ioctl_param param;

	lsk_init_param_fill(&param, sizeof(param), secid, uuid, lustre_svc, uid,
			    gid, token, token_len, reply, reply_size, status);
	return lsk_downcall_write(path, &param, sizeof(param));
}

int64_t lsk_mkfifo(const char *path, uint32_t mode)
{
	return mkfifo(path, mode) ? -errno : 0;
}
