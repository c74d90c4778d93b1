/* lsk native shim, key directory part: file operations relative to a directory opened once,
 * that never follow a symbolic link in the last component and never block on a FIFO or a
 * device (lsk.keyfile.KeyDir). Root runs lgss_sk: a user who can plant a link or a FIFO must
 * not make it clobber another file, or hang.
 *
 * Each function is one system call (two for the fallbacks noted) and returns its
 * non-negative result, or -errno. Stat results go to an int64_t[7] (see lsk_fsafe_fstat).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* How lsk_fsafe_openat opens: Java passes these bits, never the O_ constants. */
#define LSK_FS_READ 1
#define LSK_FS_WRITE 2
#define LSK_FS_CREATE 4		/* O_CREAT | O_EXCL */
#define LSK_FS_TMPFILE 8	/* unnamed file in the directory; name must be "." */

static int64_t lsk_fs_ret(long rc)
{
	return rc < 0 ? -(int64_t)errno : (int64_t)rc;
}

/* The directory a key file lives in (links in the path followed: the admin's path). */
int64_t lsk_fsafe_open_dir(const char *path)
{
	return lsk_fs_ret(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

int64_t lsk_fsafe_openat(int32_t dirfd, const char *name, uint32_t how,
			 uint32_t mode)
{
	int flags = O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;

	if ((how & (LSK_FS_READ | LSK_FS_WRITE)) == (LSK_FS_READ | LSK_FS_WRITE))
		flags |= O_RDWR;
	else if (how & LSK_FS_WRITE)
		flags |= O_WRONLY;
	else
		flags |= O_RDONLY;
	if (how & LSK_FS_CREATE)
		flags |= O_CREAT | O_EXCL;
	if (how & LSK_FS_TMPFILE)
		flags = (flags & ~O_NOFOLLOW) | O_TMPFILE;
	return lsk_fs_ret(openat(dirfd, name, flags, (mode_t)mode));
}

static void lsk_fs_stat_out(const struct stat *st, int64_t *out)
{
	out[0] = st->st_mode;
	out[1] = st->st_uid;
	out[2] = st->st_gid;
	out[3] = (int64_t)st->st_dev;
	out[4] = (int64_t)st->st_ino;
	out[5] = (int64_t)st->st_nlink;
	out[6] = (int64_t)st->st_size;
}

/* out: mode, uid, gid, dev, ino, nlink, size. */
int64_t lsk_fsafe_fstat(int32_t fd, int64_t *out)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	lsk_fs_stat_out(&st, out);
	return 0;
}

/* As lsk_fsafe_fstat, for name in dirfd, not following a link. */
int64_t lsk_fsafe_lstatat(int32_t dirfd, const char *name, int64_t *out)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	lsk_fs_stat_out(&st, out);
	return 0;
}

/* pread(2): a locked file can be read from its start however often. */
int64_t lsk_fsafe_pread(int32_t fd, void *buf, uint32_t len, int64_t off)
{
	ssize_t rc;

	do
		rc = pread(fd, buf, len, (off_t)off);
	while (rc < 0 && errno == EINTR);
	return lsk_fs_ret(rc);
}

int64_t lsk_fsafe_write(int32_t fd, const void *buf, uint32_t len)
{
	ssize_t rc;

	do
		rc = write(fd, buf, len);
	while (rc < 0 && errno == EINTR);
	return lsk_fs_ret(rc);
}

int64_t lsk_fsafe_fsync(int32_t fd)
{
	return lsk_fs_ret(fsync(fd));
}

int64_t lsk_fsafe_fchmod(int32_t fd, uint32_t mode)
{
	return lsk_fs_ret(fchmod(fd, (mode_t)mode));
}

/* A rewrite keeps the key's owner: the new file is given the old one's uid and gid. */
int64_t lsk_fsafe_fchown(int32_t fd, uint32_t uid, uint32_t gid)
{
	return lsk_fs_ret(fchown(fd, (uid_t)uid, (gid_t)gid));
}

int64_t lsk_fsafe_close(int32_t fd)
{
	return lsk_fs_ret(close(fd));
}

/* op 1: exclusive, non-blocking (Java polls to bound the wait); op 0: unlock. */
int64_t lsk_fsafe_flock(int32_t fd, int32_t op)
{
	return lsk_fs_ret(flock(fd, op ? LOCK_EX | LOCK_NB : LOCK_UN));
}

/* Gives the unnamed (O_TMPFILE) file fd the name name in dirfd; fails with EEXIST if the
 * name exists. Through /proc/self/fd (no CAP_DAC_READ_SEARCH needed), else AT_EMPTY_PATH. */
int64_t lsk_fsafe_link_fd(int32_t fd, int32_t dirfd, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, path, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	return lsk_fs_ret(linkat(fd, "", dirfd, name, AT_EMPTY_PATH));
}

/* link(2) within dirfd: refuses an existing target atomically, like O_EXCL. */
int64_t lsk_fsafe_linkat(int32_t dirfd, const char *from, const char *to)
{
	return lsk_fs_ret(linkat(dirfd, from, dirfd, to, 0));
}

int64_t lsk_fsafe_renameat(int32_t dirfd, const char *from, const char *to)
{
	return lsk_fs_ret(renameat(dirfd, from, dirfd, to));
}

int64_t lsk_fsafe_unlinkat(int32_t dirfd, const char *name)
{
	return lsk_fs_ret(unlinkat(dirfd, name, 0));
}

int64_t lsk_fsafe_geteuid(void)
{
	return (int64_t)geteuid();
}

/* The C library's text for errnum (what the C tools print), NUL-terminated in buf. */
int64_t lsk_fsafe_strerror(int32_t errnum, char *buf, uint32_t len)
{
	const char *s;

	if (len == 0)
		return -EINVAL;
	s = strerror_r(errnum, buf, len);
	if (s != buf)
		snprintf(buf, len, "%s", s);
	return 0;
}
