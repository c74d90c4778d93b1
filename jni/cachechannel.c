/* lsk native shim, sunrpc cache channels (Lustre 2.15.x servers): the daemon
 * reads SEC_CTX_INIT requests from /proc/net/rpc/auth.sptlrpc.init/channel and
 * writes its answers to that file and to .../auth.sptlrpc.context/channel.
 * Java cannot poll a procfs file nor use a SOCK_SEQPACKET socket (the
 * simulated kernel's channels), so both are here. One request is one read,
 * one answer one write, on either kind of channel.
 * Every function returns >= 0 on success or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* What is drained of one overlong request before giving up on the file (the
 * caller then reopens it, which drops the reader's place in the queue). */
#define LSK_CC_DRAIN_MAX (1 << 20)

static int cc_sockaddr(const char *path, struct sockaddr_un *sa)
{
	size_t n = strlen(path);

	if (n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	return 0;
}

/* A SOCK_SEQPACKET socket and the address of path: the fd or -errno. */
static int cc_socket(const char *path, struct sockaddr_un *sa)
{
	int rc = cc_sockaddr(path, sa);
	int fd;

	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

/* Opens a channel: a socket path is connect()ed as SOCK_SEQPACKET (the
 * simulated kernel), a regular file (procfs) is opened with `flags`
 * (O_RDWR for the init channel: the kernel counts a writer as its listener;
 * O_WRONLY for the context channel). The last component is not followed
 * when it is a link (ELOOP); anything else (FIFO, device) is EINVAL: root
 * writes session keys here. */
int64_t lsk_cc_open(const char *path, int32_t flags)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return -errno;
	if (S_ISSOCK(st.st_mode)) {
		fd = cc_socket(path, &sa);
		if (fd < 0)
			return fd;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
		return fd;
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = open(path, (flags & O_ACCMODE) | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* poll(POLLIN) with a timeout in ms: the revents (0 on timeout), or -errno. */
int64_t lsk_cc_poll(int32_t fd, int32_t timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	n = poll(&p, 1, timeout_ms);
	if (n < 0)
		return -errno;
	return n == 0 ? 0 : p.revents;
}

/* One request into buf: its length (0 = end of file / peer gone). A request
 * longer than cap returns cap + 1: a socket message is cut by the kernel
 * (MSG_TRUNC gives its real length), a file's rest is read and dropped up to
 * its newline (-EMSGSIZE when that does not end within LSK_CC_DRAIN_MAX). */
int64_t lsk_cc_read(int32_t fd, void *buf, uint64_t cap)
{
	char scratch[4096];
	struct stat st;
	ssize_t n;
	uint64_t drained = 0;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISSOCK(st.st_mode)) {
		n = recv(fd, buf, cap, MSG_TRUNC);
		if (n < 0)
			return -errno;
		return (uint64_t)n > cap ? (int64_t)cap + 1 : n;
	}
	n = read(fd, buf, cap);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	if (((char *)buf)[n - 1] == '\n' || (uint64_t)n < cap)
		return n;
	do {
		n = read(fd, scratch, sizeof(scratch));
		if (n <= 0)
			return n < 0 ? -errno : -EMSGSIZE;
		drained += n;
	} while (scratch[n - 1] != '\n' && drained < LSK_CC_DRAIN_MAX);
	return scratch[n - 1] == '\n' ? (int64_t)cap + 1 : -EMSGSIZE;
}

/* One answer, one write (the kernel parses each write as one record). */
int64_t lsk_cc_write(int32_t fd, const void *buf, uint64_t len)
{
	ssize_t n;
	int flags = MSG_NOSIGNAL;
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	n = S_ISSOCK(st.st_mode) ? send(fd, buf, len, flags) : write(fd, buf, len);
	if (n < 0)
		return -errno;
	return (uint64_t)n == len ? n : -EIO;
}

int64_t lsk_cc_close(int32_t fd)
{
	return close(fd) ? -errno : 0;
}

/* A SOCK_SEQPACKET listener at path (tests and the simulated kernel's side). */
int64_t lsk_cc_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	fd = cc_socket(path, &sa);
	if (fd < 0)
		return fd;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int64_t lsk_cc_accept(int32_t fd)
{
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	return c < 0 ? -errno : c;
}
