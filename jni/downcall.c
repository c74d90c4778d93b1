/* lsk native shim, downcall part: the two structs lsvcgssd writes to the
 * kernel (rsi_info: the SEC_CTX_INIT answer; rsc_info: the server context),
 * laid out here and only here. The rsc header changed with Lustre 2.17.51
 * (a nodemap name was inserted before the offset field) while its magic
 * stayed the same, so both layouts are kept and the caller names the one the
 * running version reads. Offsets and sizes are pinned with static asserts.
 * Every function returns the blob size or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

#define LSK_RSC_DOWNCALL_MAGIC 0x6d6dd62b

/* struct rsc_downcall_data up to Lustre 2.17.50: 48-byte header, then the
 * handle and the context, each as u32 length + bytes. */
struct lsk_rsc_downcall_h48 {
	uint32_t scd_magic;
	uint32_t scd_err;
	uint32_t scd_flags;
	uint32_t scd_mapped_uid;
	uint32_t scd_uid;
	uint32_t scd_gid;
	char scd_mechname[8];
	int64_t scd_offset;
	uint32_t scd_len;
	uint32_t scd_padding;
	char scd_val[];
};
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_magic) == 0, "h48 magic");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_err) == 4, "h48 err");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_flags) == 8, "h48 flags");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_mapped_uid) == 12, "h48 mapped uid");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_uid) == 16, "h48 uid");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_gid) == 20, "h48 gid");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_mechname) == 24, "h48 mech");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_offset) == 32, "h48 offset");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_len) == 40, "h48 len");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_padding) == 44, "h48 pad");
_Static_assert(offsetof(struct lsk_rsc_downcall_h48, scd_val) == 48, "h48 val");
_Static_assert(sizeof(struct lsk_rsc_downcall_h48) == 48, "h48 size");

/* From Lustre 2.17.51: the nodemap name (LUSTRE_NODEMAP_NAME_LENGTH + 1
 * bytes) after the mech name; the s64 offset moves to the next 8-byte
 * boundary, so the header is 72 bytes. */
#define LSK_NODEMAP_NAME_FIELD 17
struct lsk_rsc_downcall_h72 {
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
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_magic) == 0, "h72 magic");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_err) == 4, "h72 err");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_flags) == 8, "h72 flags");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_mapped_uid) == 12, "h72 mapped uid");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_uid) == 16, "h72 uid");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_gid) == 20, "h72 gid");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_mechname) == 24, "h72 mech");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_nmname) == 32, "h72 nmname");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_offset) == 56, "h72 offset");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_len) == 64, "h72 len");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_padding) == 68, "h72 pad");
_Static_assert(offsetof(struct lsk_rsc_downcall_h72, scd_val) == 72, "h72 val");
_Static_assert(sizeof(struct lsk_rsc_downcall_h72) == 72, "h72 size");

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

/* The fields both rsc layouts share (offsets 0..31), written through either
 * struct: the asserts above pin them to the same places. */
#define RSC_COMMON(d, flags, mapped_uid, uid, gid, mech)		\
	do {								\
		(d)->scd_magic = LSK_RSC_DOWNCALL_MAGIC;		\
		(d)->scd_flags = (flags);				\
		(d)->scd_mapped_uid = (mapped_uid);			\
		(d)->scd_uid = (uid);					\
		(d)->scd_gid = (gid);					\
		memcpy((d)->scd_mechname, (mech), strlen(mech));	\
	} while (0)

/* Builds the rsc downcall with a header of header_size bytes (48: up to
 * 2.17.50, no nodemap field, nmname must be empty; 72: 2.17.51 and later,
 * nmname zero-padded into its field). */
int64_t lsk_rsc_downcall_build(void *out, uint64_t outlen, uint32_t header_size,
			       uint32_t flags, uint32_t mapped_uid,
			       uint32_t uid, uint32_t gid, const char *mech,
			       const char *nmname, const void *handle,
			       uint32_t handle_len, const void *ctx,
			       uint32_t ctx_len)
{
	uint64_t val = 8ULL + handle_len + ctx_len;
	uint64_t need = header_size + val;
	char *p;

	if (header_size != sizeof(struct lsk_rsc_downcall_h48) &&
	    header_size != sizeof(struct lsk_rsc_downcall_h72))
		return -EINVAL;
	if (val > INT32_MAX)
		return -EMSGSIZE;
	if (strlen(mech) >= sizeof(((struct lsk_rsc_downcall_h48 *)0)->scd_mechname) ||
	    strlen(nmname) >= LSK_NODEMAP_NAME_FIELD)
		return -ENAMETOOLONG;
	if (header_size == sizeof(struct lsk_rsc_downcall_h48) && nmname[0])
		return -EINVAL;
	if (outlen < need)
		return -ENOBUFS;
	memset(out, 0, header_size);
	if (header_size == sizeof(struct lsk_rsc_downcall_h48)) {
		struct lsk_rsc_downcall_h48 *d = out;

		RSC_COMMON(d, flags, mapped_uid, uid, gid, mech);
		p = put_buffer(d->scd_val, handle, handle_len);
		p = put_buffer(p, ctx, ctx_len);
		d->scd_len = (uint32_t)(p - d->scd_val);
	} else {
		struct lsk_rsc_downcall_h72 *d = out;

		RSC_COMMON(d, flags, mapped_uid, uid, gid, mech);
		memcpy(d->scd_nmname, nmname, strlen(nmname));
		p = put_buffer(d->scd_val, handle, handle_len);
		p = put_buffer(p, ctx, ctx_len);
		d->scd_len = (uint32_t)(p - d->scd_val);
	}
	return (int64_t)need;
}
