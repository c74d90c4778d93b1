/* lsk native shim, OBD device part: the two places lsk talks to Lustre's OBD
 * devices by ioctl.
 *  - server, Lustre 2.17.51 and later: nodemap lookup by the SHA-256 of its
 *    name. /dev/obd, OBD_IOC_NAME2DEV to find the device, then
 *    OBD_IOC_NODEMAP whose obd_ioctl_data points (ioc_pbuf1) at a lustre_cfg
 *    of command LCFG_NODEMAP_LOOKUP_SHA with the hash as buffer 1; on success
 *    the kernel writes the NUL-terminated nodemap name over the start of that
 *    same buffer (at most LUSTRE_NODEMAP_NAME_LENGTH + 1 bytes).
 *  - client: the LOV and LMV device names of a mount point, read with
 *    OBD_IOC_GETDTNAME / OBD_IOC_GETMDNAME on the open directory (what
 *    liblustreapi does for llapi_get_fsname and llapi_get_agent_uuid).
 * struct obd_ioctl_data and struct lustre_cfg are laid out here only, for
 * x86_64 (lustre uapi lustre_ioctl.h, lustre_cfg.h; sizeof(struct obdo) is
 * 208, as the wire checks of lustre's wiretest.c pin it), with every offset
 * asserted. The packers are pure functions of their arguments (addresses are
 * passed in) so tests can check every byte. Functions return >= 0 or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

_Static_assert(sizeof(void *) == 8, "x86_64 layouts: user pointers are 8 bytes");

#define LSK_OBD_IOCTL_VERSION 0x00010004u
#define LSK_LUSTRE_CFG_VERSION 0x1cf60001u
#define LSK_LUSTRE_CFG_TYPE 123u
#define LSK_LCFG_NODEMAP_LOOKUP_SHA 0x000ce066u
#define LSK_SHA256_LEN 32u
#define LSK_NODEMAP_NAME_LEN 16u /* LUSTRE_NODEMAP_NAME_LENGTH */
#define LSK_MAX_OBD_NAME 128u

#define LSK_OBD_IOC_NAME2DEV 0xC008667Fu
#define LSK_OBD_IOC_NODEMAP 0xC00866C5u
#define LSK_OBD_IOC_GETDTNAME 0x8080667Fu
#define LSK_OBD_IOC_GETNAME_OLD 0xC0086683u /* GETDTNAME before 2.14.52 */
#define LSK_OBD_IOC_GETMDNAME 0x80806683u
_Static_assert(LSK_OBD_IOC_NAME2DEV == _IOWR('f', 127, long), "NAME2DEV");
_Static_assert(LSK_OBD_IOC_NODEMAP == _IOWR('f', 197, long), "NODEMAP");
_Static_assert(LSK_OBD_IOC_GETDTNAME == _IOR('f', 127, char[128]), "GETDTNAME");
_Static_assert(LSK_OBD_IOC_GETNAME_OLD == _IOWR('f', 131, long), "GETNAME_OLD");
_Static_assert(LSK_OBD_IOC_GETMDNAME == _IOR('f', 131, char[128]), "GETMDNAME");

#define LSK_ALIGN8(x) (((x) + 7u) & ~7u)

/* struct obdo: only its size and alignment matter here (lsk never fills it). */
struct lsk_obdo {
	uint64_t words[26];
};
_Static_assert(sizeof(struct lsk_obdo) == 208, "obdo");

/* struct obd_ioctl_data; user pointers are carried as u64. */
struct lsk_obd_ioctl_data {
	uint32_t ioc_len;
	uint32_t ioc_version;
	uint64_t ioc_u64_1;
	uint32_t ioc_u32_1;
	uint32_t ioc_u32_2;
	struct lsk_obdo ioc_obdo1;
	struct lsk_obdo ioc_obdo2;
	uint64_t ioc_count;
	uint64_t ioc_offset;
	uint32_t ioc_dev;
	uint32_t ioc_command;
	uint64_t ioc_nid;
	uint32_t ioc_nal;
	uint32_t ioc_type;
	uint32_t ioc_plen1;
	uint64_t ioc_pbuf1;
	uint32_t ioc_plen2;
	uint64_t ioc_pbuf2;
	uint32_t ioc_inllen1;
	uint64_t ioc_inlbuf1;
	uint32_t ioc_inllen2;
	uint64_t ioc_inlbuf2;
	uint32_t ioc_inllen3;
	uint64_t ioc_inlbuf3;
	uint32_t ioc_inllen4;
	uint64_t ioc_inlbuf4;
	char ioc_bulk[];
};
#define OFF(f) offsetof(struct lsk_obd_ioctl_data, f)
_Static_assert(OFF(ioc_version) == 4, "ioc_version");
_Static_assert(OFF(ioc_u64_1) == 8, "ioc_u64_1");
_Static_assert(OFF(ioc_u32_1) == 16, "ioc_u32_1");
_Static_assert(OFF(ioc_u32_2) == 20, "ioc_u32_2");
_Static_assert(OFF(ioc_obdo1) == 24, "ioc_obdo1");
_Static_assert(OFF(ioc_obdo2) == 232, "ioc_obdo2");
_Static_assert(OFF(ioc_count) == 440, "ioc_count");
_Static_assert(OFF(ioc_offset) == 448, "ioc_offset");
_Static_assert(OFF(ioc_dev) == 456, "ioc_dev");
_Static_assert(OFF(ioc_command) == 460, "ioc_command");
_Static_assert(OFF(ioc_nid) == 464, "ioc_nid");
_Static_assert(OFF(ioc_nal) == 472, "ioc_nal");
_Static_assert(OFF(ioc_type) == 476, "ioc_type");
_Static_assert(OFF(ioc_plen1) == 480, "ioc_plen1");
_Static_assert(OFF(ioc_pbuf1) == 488, "ioc_pbuf1");
_Static_assert(OFF(ioc_plen2) == 496, "ioc_plen2");
_Static_assert(OFF(ioc_pbuf2) == 504, "ioc_pbuf2");
_Static_assert(OFF(ioc_inllen1) == 512, "ioc_inllen1");
_Static_assert(OFF(ioc_inlbuf1) == 520, "ioc_inlbuf1");
_Static_assert(OFF(ioc_inllen2) == 528, "ioc_inllen2");
_Static_assert(OFF(ioc_inlbuf2) == 536, "ioc_inlbuf2");
_Static_assert(OFF(ioc_inllen3) == 544, "ioc_inllen3");
_Static_assert(OFF(ioc_inlbuf3) == 552, "ioc_inlbuf3");
_Static_assert(OFF(ioc_inllen4) == 560, "ioc_inllen4");
_Static_assert(OFF(ioc_inlbuf4) == 568, "ioc_inlbuf4");
_Static_assert(OFF(ioc_bulk) == 576, "ioc_bulk");
_Static_assert(sizeof(struct lsk_obd_ioctl_data) == 576, "obd_ioctl_data size");
#undef OFF

/* struct lustre_cfg: header, u32 buffer lengths, then the buffers, each
 * padded to 8 bytes. */
struct lsk_lustre_cfg {
	uint32_t lcfg_version;
	uint32_t lcfg_command;
	uint32_t lcfg_num;
	uint32_t lcfg_flags;
	uint64_t lcfg_nid;
	uint32_t lcfg_nal;
	uint32_t lcfg_bufcount;
	uint32_t lcfg_buflens[];
};
#define OFF(f) offsetof(struct lsk_lustre_cfg, f)
_Static_assert(OFF(lcfg_command) == 4, "lcfg_command");
_Static_assert(OFF(lcfg_num) == 8, "lcfg_num");
_Static_assert(OFF(lcfg_flags) == 12, "lcfg_flags");
_Static_assert(OFF(lcfg_nid) == 16, "lcfg_nid");
_Static_assert(OFF(lcfg_nal) == 24, "lcfg_nal");
_Static_assert(OFF(lcfg_bufcount) == 28, "lcfg_bufcount");
_Static_assert(OFF(lcfg_buflens) == 32, "lcfg_buflens");
#undef OFF
#define LSK_LCFG_HDR_SIZE(n) LSK_ALIGN8(offsetof(struct lsk_lustre_cfg, lcfg_buflens) + 4u * (n))

/* The lookup lcfg: buffer 0 empty (lctl leaves it so for nodemap commands
 * that name no nodemap), buffer 1 the hash; the kernel wants exactly two
 * buffers and a 32-byte buffer 1. */
#define LSK_LOOKUP_SHA_BUFCOUNT 2u
#define LSK_LOOKUP_SHA_HASH_OFF LSK_LCFG_HDR_SIZE(LSK_LOOKUP_SHA_BUFCOUNT)
#define LSK_LOOKUP_SHA_LCFG_LEN LSK_ALIGN8(LSK_LOOKUP_SHA_HASH_OFF + LSK_SHA256_LEN)
_Static_assert(LSK_LOOKUP_SHA_HASH_OFF == 40, "hash offset");
_Static_assert(LSK_LOOKUP_SHA_LCFG_LEN == 72, "lookup lcfg length");
_Static_assert(LSK_LOOKUP_SHA_LCFG_LEN >= LSK_NODEMAP_NAME_LEN + 1, "room for the reply");

/* Builds the LCFG_NODEMAP_LOOKUP_SHA lustre_cfg; returns its length. */
int64_t lsk_obd_lcfg_lookup_sha(void *out, uint64_t outlen, const void *sha, uint64_t shalen)
{
	union {
		struct lsk_lustre_cfg l;
		uint8_t b[LSK_LOOKUP_SHA_LCFG_LEN];
	} u;

	if (shalen != LSK_SHA256_LEN)
		return -EINVAL;
	if (outlen < LSK_LOOKUP_SHA_LCFG_LEN)
		return -ENOSPC;
	memset(&u, 0, sizeof(u));
	u.l.lcfg_version = LSK_LUSTRE_CFG_VERSION;
	u.l.lcfg_command = LSK_LCFG_NODEMAP_LOOKUP_SHA;
	u.l.lcfg_bufcount = LSK_LOOKUP_SHA_BUFCOUNT;
	u.l.lcfg_buflens[0] = 0;
	u.l.lcfg_buflens[1] = LSK_SHA256_LEN;
	memcpy(u.b + LSK_LOOKUP_SHA_HASH_OFF, sha, LSK_SHA256_LEN);
	memcpy(out, u.b, sizeof(u.b));
	return sizeof(u.b);
}

/* Packs obd_ioctl_data as llapi_ioctl_pack does: the struct, then inline
 * buffer 1 padded to 8 (ioc_len covers both). inlbuf1 holds the address the
 * inline bytes will have (out_addr + 576): the kernel only checks it is set
 * and then points it at its own copy. Returns ioc_len. */
int64_t lsk_obd_ioctl_pack(void *out, uint64_t outlen, uint64_t out_addr, uint32_t dev,
			   uint32_t type, uint64_t pbuf1, uint32_t plen1,
			   const void *inl1, uint32_t inllen1)
{
	struct lsk_obd_ioctl_data d;
	uint64_t len = sizeof(d) + LSK_ALIGN8((uint64_t)inllen1);

	if (inllen1 > LSK_MAX_OBD_NAME || (inllen1 && !inl1) || (plen1 && !pbuf1))
		return -EINVAL;
	if (outlen < len)
		return -ENOSPC;
	memset(&d, 0, sizeof(d));
	d.ioc_len = (uint32_t)len;
	d.ioc_version = LSK_OBD_IOCTL_VERSION;
	d.ioc_dev = dev;
	d.ioc_type = type;
	d.ioc_plen1 = plen1;
	d.ioc_pbuf1 = pbuf1;
	d.ioc_inllen1 = inllen1;
	d.ioc_inlbuf1 = inllen1 ? out_addr + sizeof(d) : 0;
	memset(out, 0, len);
	memcpy(out, &d, sizeof(d));
	if (inllen1)
		memcpy((uint8_t *)out + sizeof(d), inl1, inllen1);
	return (int64_t)len;
}

int64_t lsk_obd_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int64_t lsk_obd_close(int32_t fd)
{
	return close(fd) < 0 ? -errno : 0;
}

/* The device number of the OBD device called name (e.g. "MGS"). */
int64_t lsk_obd_name2dev(int32_t fd, const char *name)
{
	union {
		struct lsk_obd_ioctl_data d;
		uint8_t b[sizeof(struct lsk_obd_ioctl_data) + LSK_MAX_OBD_NAME];
	} u;
	size_t n = strnlen(name, LSK_MAX_OBD_NAME);
	int64_t len;

	if (n == 0 || n >= LSK_MAX_OBD_NAME)
		return -EINVAL;
	len = lsk_obd_ioctl_pack(u.b, sizeof(u.b), (uint64_t)(uintptr_t)u.b, 0, 0, 0, 0,
				 name, (uint32_t)n + 1);
	if (len < 0)
		return len;
	if (ioctl(fd, LSK_OBD_IOC_NAME2DEV, u.b) < 0)
		return -errno;
	/* the kernel copied the struct back with ioc_dev set */
	if (u.d.ioc_dev > INT32_MAX)
		return -ENODEV;
	return u.d.ioc_dev;
}

/* OBD_IOC_NODEMAP / LCFG_NODEMAP_LOOKUP_SHA on device dev. Copies the
 * nodemap name (no NUL) to name and returns its length; -ENOENT: no nodemap
 * has that hash, -EPERM: the nodemap lacks gssonly_identification, -ENOTTY:
 * the device does not know the command. */
int64_t lsk_obd_nodemap_lookup_sha(int32_t fd, uint32_t dev, const void *sha, uint64_t shalen,
				   void *name, uint64_t namecap)
{
	union {
		uint64_t align;
		uint8_t b[LSK_LOOKUP_SHA_LCFG_LEN];
	} lcfg;
	union {
		struct lsk_obd_ioctl_data d;
		uint8_t b[sizeof(struct lsk_obd_ioctl_data)];
	} u;
	int64_t rc;
	size_t n;

	rc = lsk_obd_lcfg_lookup_sha(lcfg.b, sizeof(lcfg.b), sha, shalen);
	if (rc < 0)
		return rc;
	rc = lsk_obd_ioctl_pack(u.b, sizeof(u.b), (uint64_t)(uintptr_t)u.b, dev, LSK_LUSTRE_CFG_TYPE,
				(uint64_t)(uintptr_t)lcfg.b, sizeof(lcfg.b), NULL, 0);
	if (rc < 0)
		return rc;
	if (ioctl(fd, LSK_OBD_IOC_NODEMAP, u.b) < 0)
		return -errno;
	/* the name is at the start of the lcfg buffer, NUL within 17 bytes */
	n = strnlen((const char *)lcfg.b, LSK_NODEMAP_NAME_LEN + 1);
	if (n == 0 || n > LSK_NODEMAP_NAME_LEN)
		return -EBADMSG;
	if (namecap < n)
		return -ENOSPC;
	memcpy(name, lcfg.b, n);
	return (int64_t)n;
}

/* A mount point as liblustreapi opens it, but never through a symlink. */
int64_t lsk_open_dir_nofollow(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

#define LSK_MOUNT_LOV 0
#define LSK_MOUNT_LMV 1

/* The LOV (which = 0: "<fsname>-clilov-<instance>") or LMV (which = 1)
 * device name of the Lustre mount open as fd; returns its length. */
int64_t lsk_obd_mount_name(int32_t fd, int32_t which, void *out, uint64_t outcap)
{
	/* the kernel copies strlen + 1 of a name shorter than 128: room to spare */
	char buf[2 * LSK_MAX_OBD_NAME];
	size_t n;
	int rc;

	memset(buf, 0, sizeof(buf));
	if (which == LSK_MOUNT_LOV) {
		rc = ioctl(fd, LSK_OBD_IOC_GETDTNAME, buf);
		if (rc < 0 && errno == ENOTTY)
			rc = ioctl(fd, LSK_OBD_IOC_GETNAME_OLD, buf);
	} else if (which == LSK_MOUNT_LMV) {
		rc = ioctl(fd, LSK_OBD_IOC_GETMDNAME, buf);
	} else {
		return -EINVAL;
	}
	if (rc < 0)
		return -errno;
	n = strnlen(buf, LSK_MAX_OBD_NAME);
	if (n == LSK_MAX_OBD_NAME)
		return -ENAMETOOLONG;
	if (outcap < n)
		return -ENOSPC;
	memcpy(out, buf, n);
	return (int64_t)n;
}

/* glibc's text for errnum (what C tools print with strerror). */
int64_t lsk_strerror(int32_t errnum, void *out, uint64_t outcap)
{
	char tmp[256];
	const char *s = strerror_r(errnum, tmp, sizeof(tmp));
	size_t n = strnlen(s, sizeof(tmp) - 1);

	if (outcap < n)
		return -ENOSPC;
	memcpy(out, s, n);
	return (int64_t)n;
}
