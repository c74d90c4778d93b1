/* lsk native shim, kernel channel part: the single write a kernel parameter
 * file takes, and the FIFOs of the simulated kernel. The structs written live
 * in initchannel.c (lgssd_ioctl_param) and downcall.c (rsi/rsc downcalls).
 * Every function returns >= 0 on success or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One open, one write of the whole blob, close: a kernel parameter file
 * takes a downcall only as a single write. The last component is opened
 * without following a link (ELOOP) and must be a regular file (procfs,
 * sysfs, debugfs) or a FIFO (a simulated kernel), else EINVAL before any
 * byte is written: root must not write session keys wherever a planted link
 * or device points. */
int64_t lsk_downcall_write(const char *path, const void *blob, uint64_t len)
{
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
	} else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		rc = -EINVAL;
	} else {
		n = write(fd, blob, len);
		if (n < 0)
			rc = -errno;
		else if ((uint64_t)n != len)
			rc = -EIO;
	}
	close(fd);
	return rc;
}

int64_t lsk_mkfifo(const char *path, uint32_t mode)
{
	return mkfifo(path, mode) ? -errno : 0;
}
