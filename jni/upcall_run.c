/* The native lgss_keyring upcall, the part that touches the file system and
 * starts processes: the run directory (/run/lsk), the start-on-demand lock,
 * the once-a-minute fallback stamps, the launcher check and the three ways
 * N hands over to Java (F1 exec, F2 detached negotiator, the service start).
 *
 * N runs as root from request-key: nothing here follows a link in the run
 * directory (O_NOFOLLOW, then fstat of what was opened), nothing is trusted
 * that another user could have made or could change, no fd leaks into what
 * is started. */
#define _GNU_SOURCE
#include "upcall.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define STAMP_INTERVAL_S 60
#define MAX_EXEC_ARGS 24

static int log_stderr;

/*
 * As lgss_keyring (lustre-release lustre/utils/gss/lgss_utils.c __logmsg and lgss_keyring.c
 * main, commit 02b456e4): it never calls openlog, so its lines carry the program's name,
 * facility user and no pid option; each is "[pid]:LEVEL:func(): message" at LOG_INFO whatever
 * its level. Here openlog names the ident, since this program may be installed under
 * another name. LSK_LOG_STDERR: the same lines on stderr, as LOG_PERROR prints them.
 */
void ulog_init(void)
{
	log_stderr = getenv(UPCALL_ENV_STDERR) != NULL;
	if (!log_stderr)
		openlog("lgss_keyring", 0, LOG_USER);
}

static const char *level_name(int prio)
{
	if (prio <= LOG_ERR)
		return "ERROR";
	if (prio == LOG_WARNING)
		return "WARNING";
	if (prio == LOG_DEBUG)
		return "DEBUG";
	return "INFO";
}

void ulog_at(int prio, const char *func, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "[%d]:%s:%s(): ", (int)getpid(), level_name(prio), func);
	if (n < 0 || n >= (int)sizeof(buf))
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (log_stderr)
		fprintf(stderr, "lgss_keyring: %s\n", buf);
	else
		syslog(LOG_INFO, "%s", buf);
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Root's, or N's own user's (a test as another euid); never anyone else's. */
static int owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

int run_dir_open(const char *socket_path, char *why, size_t whylen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(socket_path, '/');
	struct stat st;
	int fd;

	if (slash == NULL || (size_t)(slash - socket_path) >= sizeof(dir)) {
		snprintf(why, whylen, "no directory in %s", socket_path);
		return -1;
	}
	if (slash == socket_path) {
		snprintf(why, whylen, "socket %s is not in a directory of its own", socket_path);
		return -1;
	}
	memcpy(dir, socket_path, slash - socket_path);
	dir[slash - socket_path] = '\0';
	/* Only lsk's own directory is made; an overriding path's must exist. */
	if (strcmp(dir, UPCALL_DEFAULT_RUN_DIR) == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || !owner_ok(&st) || (st.st_mode & 077) != 0) {
		snprintf(why, whylen, "%s is not a directory of root's with mode 0700", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* A file of the run directory, made 0600 if missing; refused unless it is a
 * regular file of root's, of no one else's access, with no other link. */
static int run_file_open(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !owner_ok(&st) || (st.st_mode & 077) != 0 ||
	    st.st_nlink != 1) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int lock_take(int dirfd)
{
	long deadline = now_ms() + UPCALL_LOCK_WAIT_MS;
	int fd = run_file_open(dirfd, UPCALL_LOCK);

	if (fd < 0) {
		ulog(LOG_ERR, "lock %s in the run directory: %s", UPCALL_LOCK, strerror(errno));
		return -1;
	}
	/* Polled, not blocking: an upcall never waits past its deadline. */
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || now_ms() >= deadline) {
			close(fd);
			return -1;
		}
		sleep_ms(UPCALL_POLL_MS);
	}
	return fd;
}

int fallback_due(int dirfd, const char *stamp)
{
	struct timespec now;
	struct stat st;
	int fd, due;

	if (dirfd < 0)
		return 1;
	fd = run_file_open(dirfd, stamp);
	if (fd < 0)
		return 1; /* better a line too many than a fallback nobody hears of */
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	/* A fresh stamp is empty: the first fallback on this node is due too. */
	due = st.st_size == 0 || now.tv_sec - st.st_mtim.tv_sec >= STAMP_INTERVAL_S ||
	      now.tv_sec < st.st_mtim.tv_sec;
	if (due && (pwrite(fd, "1", 1, 0) != 1 || futimens(fd, NULL) < 0))
		due = 1;
	close(fd);
	return due;
}

/* Root's and writable by no one else (group root may write), as
 * scripts/lgss_keyring's root_only. */
static int root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & S_IWOTH) && (st->st_gid == 0 || !(st->st_mode & S_IWGRP));
}

const char *launcher(void)
{
	static char real[PATH_MAX];
	char dir[PATH_MAX];
	const char *v = getenv(UPCALL_ENV_LAUNCHER);
	struct stat st;
	char *slash;

	if (v == NULL || v[0] != '/') {
		ulog(LOG_ERR, "%s is not an absolute path: cannot start lsk", UPCALL_ENV_LAUNCHER);
		return NULL;
	}
	if (realpath(v, real) == NULL || stat(real, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & S_IXUSR)) {
		ulog(LOG_ERR, "%s %s: not an executable file", UPCALL_ENV_LAUNCHER, v);
		return NULL;
	}
	/* realpath left no link: every directory up to / must be root's alone. */
	strcpy(dir, real);
	for (;;) {
		if (lstat(dir, &st) < 0 || !root_only(&st)) {
			ulog(LOG_ERR, "%s %s: %s is not root's or is writable by others", UPCALL_ENV_LAUNCHER, v, dir);
			return NULL;
		}
		if (strcmp(dir, "/") == 0)
			break;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return real;
}

/* What a started program must not inherit: fds past stdio, N's ignored
 * SIGPIPE. */
static void prepare_exec(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		goto fds_closed;
#endif
	for (long fd = 3, max = sysconf(_SC_OPEN_MAX); fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		close((int)fd);
#ifdef SYS_close_range
fds_closed:
#endif
	signal(SIGPIPE, SIG_DFL);
}

static int build_argv(char *out[], const char *const head[], int nhead, char *const args[], int n)
{
	int i;

	if (nhead + n + 1 > MAX_EXEC_ARGS)
		return -1;
	for (i = 0; i < nhead; i++)
		out[i] = (char *)head[i];
	for (i = 0; i < n; i++)
		out[nhead + i] = args[i];
	out[nhead + n] = NULL;
	return 0;
}

static int null_fd(int target, int flags)
{
	int fd = open("/dev/null", flags | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fd != target && dup2(fd, target) < 0)
		return -1;
	if (fd != target)
		close(fd);
	return 0;
}

void exec_jvm_upcall(const char *exe, char *const args[], int n)
{
	static const char *const head[] = { "lsk", "lgss_keyring" };
	char *argv[MAX_EXEC_ARGS];

	if (build_argv(argv, head, 2, args, n) < 0)
		return;
	prepare_exec();
	execv(exe, argv);
	signal(SIGPIPE, SIG_IGN);
	ulog(LOG_ERR, "cannot run %s: %s", exe, strerror(errno));
}

int spawn_negotiator(const char *exe, char *const args[], int n)
{
	static const char *const head[] = { "lsk", "lgss_keyring", "--negotiate" };
	char *argv[MAX_EXEC_ARGS];
	int p[2], rc;
	pid_t pid;

	if (build_argv(argv, head, 3, args, n) < 0 || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		/* As the Java upcall's Spawn: a session of its own, stdout
		 * discarded, stderr kept only when logging goes there. */
		if (setsid() < 0 || dup2(p[0], 0) < 0 || null_fd(1, O_WRONLY) < 0 ||
		    (!log_stderr && null_fd(2, O_WRONLY) < 0))
			_exit(127);
		prepare_exec();
		execv(exe, argv);
		_exit(127);
	}
	close(p[0]);
	/* The key is instantiated already: the go byte is sent at once. */
	rc = write(p[1], "g", 1) == 1 ? 0 : -1;
	close(p[1]);
	return rc;
}

pid_t start_service(const char *exe, const char *socket_path)
{
	char *argv[] = { "lsk", "lgss_keyringd", "--socket", (char *)socket_path, NULL };
	pid_t watcher, pid;
	int st;

	watcher = fork();
	if (watcher != 0)
		return watcher;
	/* The watcher: leads the new session, so the service (its child) is
	 * no session leader and can never gain a controlling terminal. It
	 * tells N, by exiting, that the service ended before N connected; the
	 * alarm ends it once N has stopped waiting. */
	if (setsid() < 0)
		_exit(1);
	/* Nothing of N's past stdio: an inherited start lock would stay held
	 * (flock follows the open file) until the alarm, stalling every upcall
	 * queued on it. */
	prepare_exec();
	alarm(UPCALL_START_MS / 1000 + 2);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid == 0) {
		umask(077);
		/* Logging to stderr (tests, debugging: LSK_LOG_STDERR) keeps the upcall's stderr,
		 * as today's detached negotiation does; otherwise the service logs to syslog. */
		if (null_fd(0, O_RDONLY) < 0 || null_fd(1, O_WRONLY) < 0 ||
		    (getenv("LSK_LOG_STDERR") == NULL && null_fd(2, O_WRONLY) < 0))
			_exit(127);
		alarm(0);
		prepare_exec();
		execv(exe, argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	_exit(1);
}
