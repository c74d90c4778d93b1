/* lsk native shim, daemon part: what lsvcgssd needs of the process that Java
 * does not offer: the C daemon's SysV semaphore guard (so the C daemon and
 * lsk exclude each other), an abstract-socket guard for other socket paths,
 * an exact probe of an existing socket path, setsid and /dev/null stdio, a
 * rename that never replaces, the socket systemd passes, no core dumps, and
 * a syslog ident that outlives the Java string it came from.
 * Every function returns >= 0 on success or -errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

/* Takes the semaphore with the given key as the C daemon does: create it
 * exclusively (mode 0700) and set it to 1, or open the existing one; then
 * decrement without waiting, undone by the kernel when the process exits.
 * -EAGAIN: another instance holds it. The set is never removed (removing it
 * would let a third process create a fresh one while the holder runs). */
int64_t lsk_sem_guard(uint32_t key)
{
	struct sembuf op = { .sem_num = 0, .sem_op = -1,
			     .sem_flg = IPC_NOWAIT | SEM_UNDO };
	int id, tries;

	for (tries = 0; tries < 10; tries++) {
		id = semget((key_t)key, 1, IPC_CREAT | IPC_EXCL | 0700);
		if (id >= 0) {
			if (semctl(id, 0, SETVAL, 1) != 0)
				return -errno;
			break;
		}
		if (errno != EEXIST)
			return -errno;
		id = semget((key_t)key, 0, 0700);
		if (id >= 0)
			break;
		if (errno != ENOENT)	/* ENOENT: removed meanwhile, retry */
			return -errno;
	}
	if (id < 0)
		return -ENOENT;	/* kept vanishing: give up */
	if (semop(id, &op, 1) != 0)
		return -errno;
	return 0;
}

/* Gives the semaphore back (for a guard released before exit, e.g. in tests);
 * the undo entry is cancelled with it. */
int64_t lsk_sem_release(uint32_t key)
{
	struct sembuf op = { .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO };
	int id = semget((key_t)key, 0, 0700);

	if (id < 0 || semop(id, &op, 1) != 0)
		return -errno;
	return 0;
}

/* Binds an AF_UNIX socket to the abstract name (no file, gone when the
 * process dies, so never stale). Returns the fd to keep, -EADDRINUSE when
 * another process holds the name. */
int64_t lsk_abstract_guard(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd;

	if (n == 0 || n + 1 > sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path + 1, name, n);	/* sun_path[0] = 0: abstract */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int64_t lsk_close(int32_t fd)
{
	return close(fd) ? -errno : 0;
}

/* What is at a socket path before binding it, links not followed:
 * 0 nothing; 1 a stale socket (connect refused), now removed;
 * -EADDRINUSE a live listener; -ENOTSOCK something other than a socket;
 * other -errno as connect or unlink reported it. */
int64_t lsk_unix_probe(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat before, now;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if (lstat(path, &before) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(before.st_mode))
		return -ENOTSOCK;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (rc != -ECONNREFUSED)
		return rc;
	/* Remove only the node just found refusing (not one bound since). */
	if (lstat(path, &now) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (now.st_dev != before.st_dev || now.st_ino != before.st_ino)
		return -EADDRINUSE;
	if (unlink(path) != 0)
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

int64_t lsk_setsid(void)
{
	pid_t sid = setsid();

	return sid < 0 ? -errno : sid;
}

/* Points fd at /dev/null (a daemon's stdio once it has detached). */
int64_t lsk_devnull_fd(int32_t fd)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC), rc = 0;

	if (nul < 0)
		return -errno;
	if (nul != fd && dup2(nul, fd) < 0)
		rc = -errno;
	if (nul != fd)
		close(nul);
	return rc;
}

/* renameat2(RENAME_NOREPLACE): the new name is never an existing file
 * replaced (a listener that appeared meanwhile keeps its socket). */
int64_t lsk_rename_noreplace(const char *from, const char *to)
{
	return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) ? -errno : 0;
}

int64_t lsk_geteuid(void)
{
	return (int64_t)geteuid();
}

/* systemd socket activation: the first passed fd (3) must be a listening
 * AF_UNIX stream socket; it is moved to fd 0, where the JVM's
 * System.inheritedChannel() finds it (and a detached child can inherit it
 * as its stdin). -ENOTSOCK/-EPROTOTYPE/-EINVAL when fd 3 is not that. */
int64_t lsk_take_listen_fd(void)
{
	int domain = 0, type = 0, listening = 0;
	socklen_t n = sizeof(int);

	if (getsockopt(3, SOL_SOCKET, SO_DOMAIN, &domain, &n) != 0)
		return -errno;
	n = sizeof(int);
	if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &n) != 0)
		return -errno;
	n = sizeof(int);
	if (getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &n) != 0)
		return -errno;
	if (domain != AF_UNIX || type != SOCK_STREAM)
		return -EPROTOTYPE;
	if (!listening)
		return -EINVAL;
	if (dup2(3, 0) < 0)
		return -errno;
	close(3);
	return 0;
}

/* Not dumpable: no core file of a process holding keys, and no ptrace or
 * /proc/PID/mem by other processes of the same uid. Reset by exec, so each
 * lsk process calls it itself. */
int64_t lsk_no_core_dumps(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ? -errno : 0;
}

int64_t lsk_dumpable(void)
{
	int rc = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);

	return rc < 0 ? -errno : rc;
}

/* openlog keeps the ident pointer for every later syslog call; the caller's
 * string (a JNA temporary) is freed after the call. Copy it once per
 * distinct ident and never free a copy: a later openlog may still leave an
 * old pointer in use by a thread logging meanwhile. */
static char *log_ident;

int64_t lsk_openlog(const char *ident, int32_t option, int32_t facility)
{
	char *copy = log_ident;

	if (copy == NULL || strcmp(copy, ident) != 0) {
		copy = strdup(ident);
		if (copy == NULL)
			return -ENOMEM;
		log_ident = copy;
	}
	openlog(copy, option, facility);
	return 0;
}

/* An exclusive flock on path (created 0600, never through a link): the fd
 * to keep, -EWOULDBLOCK while another process holds it. flock, not fcntl:
 * closing some other fd of the same file does not drop it. */
int64_t lsk_lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	int rc;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}
