/* lsk native shim, kernel channel part: the structs the Lustre kernel reads
 * (rsi/rsc downcalls; the init_channel write is in initchannel.c) are laid
 * out here and only here, with the compiler doing the alignment. Field
 * layouts follow lustre's uapi lgss.h (x86_64); offsets are pinned with
 * static asserts so a layout slip fails the build, and tests compare against
 * the C tools' output. Every function returns >= 0 on success or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* struct rsi_downcall_data: header, then in_handle, in_token, out_handle,
 * out_token, each as u32 length + bytes (gss_buffer_write, unpadded). */
#define LSK_RSI_DOWNCALL_MAGIC 0x6d6dd63a
struct lsk_rsi_downcall_data {
	uint32_t sid_magic;
	uint32_t sid_err;
	uint32_t sid_unused;
	uint32_t sid_maj_stat;
	uint32_t sid_min_stat;
	uint32_t sid_len;
	int64_t sid_offset;
	uint64_t sid_hash;
	char sid_val[];
};
_Static_assert(offsetof(struct lsk_rsi_downcall_data, sid_hash) == 32, "sid_hash");
_Static_assert(offsetof(struct lsk_rsi_downcall_data, sid_val) == 40, "sid_val");

/* struct rsc_downcall_data as the reference lsvcgssd writes it (with the
 * nodemap name, LUSTRE_NODEMAP_NAME_LENGTH + 1 bytes): 72-byte header, then
 * handle and context as u32 length + bytes. */
#define LSK_RSC_DOWNCALL_MAGIC 0x6d6dd62b
#define LSK_NODEMAP_NAME_FIELD 17
struct lsk_rsc_downcall_data {
	uint32_t scd_magic;
	uint32_t scd_err;
	uint32_t scd_flags;
	uint32_t scd_mapped_uid;
	uint32_t scd_uid;
	uint32_t scd_gid;
	char scd_mechname[8];
	char scd_nmname[LSK_NODEMAP_NAME_FIELD];
	int64_t scd_offset;
	uint32_t scd_len;
	uint32_t scd_padding;
	char scd_val[];
};
_Static_assert(offsetof(struct lsk_rsc_downcall_data, scd_nmname) == 32, "nmname");
_Static_assert(offsetof(struct lsk_rsc_downcall_data, scd_offset) == 56, "offset");
_Static_assert(offsetof(struct lsk_rsc_downcall_data, scd_val) == 72, "scd_val");

static char *put_buffer(char *p, const void *src, uint32_t len)
{
	memcpy(p, &len, sizeof(len));
	p += sizeof(len);
	if (len) {
		memcpy(p, src, len);
		p += len;
	}
	return p;
}

int64_t lsk_rsi_downcall_build(void *out, uint64_t outlen, uint64_t hash,
			       int32_t err, uint32_t maj, uint32_t min,
			       const void *in_handle, uint32_t in_handle_len,
			       const void *in_token, uint32_t in_token_len,
			       const void *out_handle, uint32_t out_handle_len,
			       const void *out_token, uint32_t out_token_len)
{
	uint64_t val = 16ULL + in_handle_len + in_token_len + out_handle_len +
		       out_token_len;
	uint64_t need = offsetof(struct lsk_rsi_downcall_data, sid_val) + val;
	struct lsk_rsi_downcall_data *d = out;
	char *p;

	if (val > INT32_MAX)
		return -EMSGSIZE;
	if (outlen < need)
		return -ENOBUFS;
	memset(d, 0, offsetof(struct lsk_rsi_downcall_data, sid_val));
	d->sid_magic = LSK_RSI_DOWNCALL_MAGIC;
	d->sid_err = (uint32_t)err;
	d->sid_maj_stat = maj;
	d->sid_min_stat = min;
	d->sid_hash = hash;
	p = d->sid_val;
	p = put_buffer(p, in_handle, in_handle_len);
	p = put_buffer(p, in_token, in_token_len);
	p = put_buffer(p, out_handle, out_handle_len);
	p = put_buffer(p, out_token, out_token_len);
	d->sid_len = (uint32_t)(p - d->sid_val);
	return (int64_t)need;
}

int64_t lsk_rsc_downcall_build(void *out, uint64_t outlen, uint32_t flags,
			       uint32_t mapped_uid, uint32_t uid, uint32_t gid,
			       const char *mech, const char *nmname,
			       const void *handle, uint32_t handle_len,
			       const void *ctx, uint32_t ctx_len)
{
	uint64_t val = 8ULL + handle_len + ctx_len;
	uint64_t need = offsetof(struct lsk_rsc_downcall_data, scd_val) + val;
	struct lsk_rsc_downcall_data *d = out;
	char *p;

	if (val > INT32_MAX)
		return -EMSGSIZE;
	if (strlen(mech) >= sizeof(d->scd_mechname) ||
	    strlen(nmname) >= sizeof(d->scd_nmname))
		return -ENAMETOOLONG;
	if (outlen < need)
		return -ENOBUFS;
	memset(d, 0, offsetof(struct lsk_rsc_downcall_data, scd_val));
	d->scd_magic = LSK_RSC_DOWNCALL_MAGIC;
	d->scd_flags = flags;
	d->scd_mapped_uid = mapped_uid;
	d->scd_uid = uid;
	d->scd_gid = gid;
	memcpy(d->scd_mechname, mech, strlen(mech));
	memcpy(d->scd_nmname, nmname, strlen(nmname));
	p = d->scd_val;
	p = put_buffer(p, handle, handle_len);
	p = put_buffer(p, ctx, ctx_len);
	d->scd_len = (uint32_t)(p - d->scd_val);
	return (int64_t)need;
}

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

int64_t lsk_mkfifo(const char *path, uint32_t mode)
{
	return mkfifo(path, mode) ? -errno : 0;
}
