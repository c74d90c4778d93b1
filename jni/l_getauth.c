/* l_getauth: the helper a Lustre server kernel (2.15.59 and later) runs for
 * every SEC_CTX_INIT, named by the parameter sptlrpc.gss.rsi_upcall. The
 * kernel runs it as root with argv {path, "-c", "rsicache", "-r", LINE} and
 * the environment {HOME=/, PATH=/sbin:/usr/sbin}, and waits only for the
 * exec. It hands LINE (the kernel's request line, "\n"-terminated) to the
 * GSS daemon on its Unix socket in one write and exits: the daemon answers
 * the kernel through the rsi/rsc downcall files, never through us.
 *
 *   -c, --cache NAME    the upcall cache; only "rsicache" is served
 *   -r, --authreq LINE  the request line
 *   -d, --debug         only check that the daemon accepts a connection
 *
 * When the daemon cannot be reached it restarts the service once
 * (systemctl restart lsvcgss), waits 2 s and tries again: 6 connection
 * attempts in all. Exit 0 when the line was handed over, else 1.
 *
 * Socket: /run/lsk/svcgssd.socket, lsk's daemon's default: in a directory of
 * root's (mode 0700), so no other user can squat or replace it, unlike
 * Lustre's /tmp/svcgssd.socket (which Lustre's own l_getauth uses; run the
 * daemon with --socket /tmp/svcgssd.socket for that helper). The variable
 * LSK_SVCGSSD_SOCKET names another one; the kernel never sets it (it passes
 * HOME and PATH only), so on a node the default holds. It exists for
 * simulated kernels, which run their own daemon on a socket of their own. LSK_GETAUTH_NO_RESTART=1 skips the
 * service restart (tests, simulated kernels: their daemon is no unit);
 * LSK_GETAUTH_STDERR=1 logs to stderr instead of syslog, as a tty on stdout
 * does.
 *
 * Nothing is opened or followed except by connecting to the socket; the line is checked before it is passed on (bounded, printable
 * ASCII, seven non-empty single-space-separated fields, one final "\n")
 * and never logged, only its length. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define GSS_SOCKET_PATH "/run/lsk/svcgssd.socket"
#define RSI_CACHE_NAME "rsicache"
#define SERVICE_UNIT "lsvcgss"
#define ENV_SOCKET "LSK_SVCGSSD_SOCKET"
#define ENV_NO_RESTART "LSK_GETAUTH_NO_RESTART"
#define ENV_STDERR "LSK_GETAUTH_STDERR"

/* The kernel's bound on one argv string, NUL included (MAX_ARG_STRLEN). */
#define MAX_LINE (32 * 4096)
#define LINE_FIELDS 7
#define CONNECT_ATTEMPTS 6
#define RESTART_WAIT_MS 2000
/* C retries at once after the restart wait; a short pause between the later
 * attempts gives a daemon that is still starting (a JVM) a chance. */
#define RETRY_PAUSE_MS 500
/* Bounds connect() (a full listen backlog blocks it) and the write. */
#define SOCKET_TIMEOUT_S 10

_Static_assert(sizeof(GSS_SOCKET_PATH) <= sizeof(((struct sockaddr_un *)0)->sun_path), "socket path");

static int log_stderr;

static void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_stderr) {
		fputs("l_getauth: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

/* A usermode helper may start without fds 0-2: keep the socket (and
 * systemctl's output) off them. */
static int sanitize_stdio(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return -1;
	}
	return 0;
}

static int env_is(const char *name, const char *value)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, value) == 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The line as the kernel writes it; 0 if acceptable, else why not. */
static const char *check_line(const char *line, size_t *lenp)
{
	size_t len = strnlen(line, MAX_LINE);
	int fields = 1;
	size_t i;

	if (len >= MAX_LINE)
		return "longer than the kernel's argument limit";
	if (len < 2 || line[len - 1] != '\n')
		return "not a newline-terminated line";
	for (i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == ' ') {
			if (i == 0 || line[i - 1] == ' ')
				return "empty field";
			fields++;
		} else if (c < 0x21 || c > 0x7e) {
			return "control or non-ASCII byte";
		}
	}
	if (line[len - 2] == ' ')
		return "empty field";
	if (fields != LINE_FIELDS)
		return "wrong number of fields";
	*lenp = len;
	return NULL;
}

static int socket_address(struct sockaddr_un *sa)
{
	const char *path = getenv(ENV_SOCKET);
	size_t n;

	if (path == NULL || *path == '\0')
		path = GSS_SOCKET_PATH;
	n = strlen(path);
	if (path[0] != '/' || n >= sizeof(sa->sun_path)) {
		logmsg(LOG_ERR, "%s must be an absolute path shorter than %zu bytes", ENV_SOCKET,
		       sizeof(sa->sun_path));
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	return 0;
}

/* A connected socket, or -1 with errno set. */
static int connect_daemon(const struct sockaddr_un *sa)
{
	struct timeval tv = { SOCKET_TIMEOUT_S, 0 };
	int fd, err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* systemctl restart lsvcgss: a fixed program and environment, no shell. */
static int restart_service(void)
{
	static const char *const candidates[] = { "/usr/bin/systemctl", "/bin/systemctl" };
	char *argv[] = { "systemctl", "restart", SERVICE_UNIT, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	const char *exe = NULL;
	size_t i;
	pid_t pid;
	int st;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]) && exe == NULL; i++)
		if (access(candidates[i], X_OK) == 0)
			exe = candidates[i];
	if (exe == NULL) {
		logmsg(LOG_ERR, "cannot restart %s: no systemctl in /usr/bin or /bin", SERVICE_UNIT);
		return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(exe, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Connects, restarting the service once when the daemon is not there. */
static int reach_daemon(const struct sockaddr_un *sa)
{
	int attempt, fd;

	for (attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
		fd = connect_daemon(sa);
		if (fd >= 0)
			return fd;
		logmsg(LOG_WARNING, "cannot connect to %s (attempt %d of %d): %s", sa->sun_path, attempt,
		       CONNECT_ATTEMPTS, strerror(errno));
		if (attempt == CONNECT_ATTEMPTS)
			break;
		if (attempt > 1) {
			sleep_ms(RETRY_PAUSE_MS);
		} else if (!env_is(ENV_NO_RESTART, "1")) {
			if (restart_service() < 0) {
				logmsg(LOG_ERR, "systemctl restart %s service failed", SERVICE_UNIT);
				return -1;
			}
			logmsg(LOG_INFO, "%s service automatically restarted", SERVICE_UNIT);
			sleep_ms(RESTART_WAIT_MS);
		}
	}
	return -1;
}

static const struct option long_options[] = {
	{ "cache", required_argument, NULL, 'c' },
	{ "debug", no_argument, NULL, 'd' },
	{ "authreq", required_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char *argv[])
{
	const char *cache = NULL, *line = NULL, *why;
	struct sockaddr_un sa;
	int debug = 0, opt, fd;
	size_t len = 0;
	ssize_t n;

	if (sanitize_stdio() < 0)
		return EXIT_FAILURE;
	log_stderr = isatty(STDOUT_FILENO) || env_is(ENV_STDERR, "1");
	if (!log_stderr)
		openlog("l_getauth", LOG_PID, LOG_DAEMON);

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:dr:", long_options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (cache != NULL) {
				logmsg(LOG_ERR, "-c given twice");
				return EXIT_FAILURE;
			}
			cache = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'r':
			if (line != NULL) {
				logmsg(LOG_ERR, "-r given twice");
				return EXIT_FAILURE;
			}
			line = optarg;
			break;
		default:
			logmsg(LOG_ERR, "usage: l_getauth -c %s -r LINE | -d", RSI_CACHE_NAME);
			return EXIT_FAILURE;
		}
	}
	if (socket_address(&sa) < 0)
		return EXIT_FAILURE;

	if (debug) {
		fd = connect_daemon(&sa);
		if (fd < 0) {
			logmsg(LOG_ERR, "cannot connect to %s: %s", sa.sun_path, strerror(errno));
			return EXIT_FAILURE;
		}
		close(fd);
		return EXIT_SUCCESS;
	}

	if (optind != argc) {
		logmsg(LOG_ERR, "unexpected argument");
		return EXIT_FAILURE;
	}
	if (cache == NULL || line == NULL) {
		logmsg(LOG_ERR, "usage: l_getauth -c %s -r LINE | -d", RSI_CACHE_NAME);
		return EXIT_FAILURE;
	}
	if (strcmp(cache, RSI_CACHE_NAME) != 0) {
		logmsg(LOG_ERR, "unsupported cache (only %s is served)", RSI_CACHE_NAME);
		return EXIT_FAILURE;
	}
	why = check_line(line, &len);
	if (why != NULL) {
		logmsg(LOG_ERR, "request line refused: %s", why);
		return EXIT_FAILURE;
	}

	fd = reach_daemon(&sa);
	if (fd < 0) {
		logmsg(LOG_ERR, "request of %zu bytes not delivered: no daemon at %s", len, sa.sun_path);
		return EXIT_FAILURE;
	}
	n = send(fd, line, len, MSG_NOSIGNAL);
	if (n < 0 || (size_t)n != len) {
		logmsg(LOG_ERR, "request of %zu bytes not delivered to %s: %s", len, sa.sun_path,
		       n < 0 ? strerror(errno) : "short write");
		close(fd);
		return EXIT_FAILURE;
	}
	close(fd);
	return EXIT_SUCCESS;
}
