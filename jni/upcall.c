/* lgss_keyring, native: the request-key handler scripts/lgss_keyring runs
 * for SK keys. It does in C, without a JVM, only what must happen in the
 * process request-key started (it alone holds the authority to instantiate
 * the key) and hands the rest to the resident service (lsk lgss_keyringd):
 *
 *   N -> S  REQ <argc>\n then argc netstrings <len>:<bytes>,  (the argv)
 *   S -> N  INST <perm 0x-hex> <dest> <link> <plen>\n
 *           | REFUSE <reject-seconds> <errno>\n
 *   N -> S  DONE <0 | -errno>\n      (after SETPERM, INSTANTIATE, LINK)
 *   S -> N  OK\n                     (S possesses the key; N exits 0)
 *
 * Every message is at most 8 KiB, every read has a 5 s deadline. INST's dest
 * and link are keyring ids (0 = no dest; a negative dest, KEY_SPEC_*, names N's
 * own keyring). All policy (validation, permissions, keyrings, log lines of
 * refusals) is the service's; N checks only what decides where the upcall goes. It never
 * sees key material. When the service cannot be used N falls back to the
 * JVM paths through LSK_LAUNCHER (scripts/lsk), logging once a minute:
 *   F1 before the key is instantiated: exec "lsk lgss_keyring <argv>";
 *   F2 after: a detached "lsk lgss_keyring --negotiate <argv>".
 * A missing or refusing socket starts the service (upcall_run.c).
 * The socket is /run/lsk/lgss_keyring.socket or LSK_UPCALLD_SOCKET (tests);
 * LSK_LOG_STDERR logs to stderr instead of syslog, as the Java upcall. */
#define _GNU_SOURCE
#include "upcall.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/keyctl.h>

#define MAX_MSG 8192
#define MAX_ARGS 16
#define UPCALL_ARGS 10
/* The payload is zeros; lgssc keys take 0 bytes, test keys 1. */
#define MAX_PLEN 4096

struct upcall {
	char **args; /* argv as request-key passed it, program name excluded */
	int n;
	int32_t key;
	const char *sock;
	int dirfd; /* the socket's directory; -1 unusable, then why in dirwhy */
	char dirwhy[256];
};

/* 1..10 decimal digits up to INT32_MAX, as the Java parser (UpcallArgs). */
static int dec31(const char *s, int32_t *out)
{
	size_t len = strlen(s);
	long long v = 0;

	if (len == 0 || len > 10 || strspn(s, "0123456789") != len)
		return -1;
	for (const char *p = s; *p; p++)
		v = v * 10 + (*p - '0');
	if (v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* Whether argv is a well-formed create upcall for a root SK context: only
 * those go to the service; anything else goes the Java way, whose parser
 * says what is wrong. Sets the key. */
static int service_upcall(struct upcall *u)
{
	const char *a = u->n > 0 ? u->args[0] : "", *co, *f[12];
	int i = 0, nf = 1;
	int32_t v;

	if (strcmp(a, "-R") == 0 || strcmp(a, "--realm") == 0)
		i = 2;
	else if ((strncmp(a, "-R", 2) == 0 && a[2]) || strncmp(a, "--realm=", 8) == 0)
		i = 1;
	if (u->n > MAX_ARGS || u->n - i != UPCALL_ARGS || strcmp(u->args[i], "create") != 0)
		return 0;
	if (dec31(u->args[i + 1], &u->key) < 0)
		return 0;
	for (int k = 5; k <= 9; k++)
		if (dec31(u->args[i + k], &v) < 0)
			return 0;
	co = u->args[i + 4];
	f[0] = co;
	for (const char *p = co; *p; p++) {
		if (*p != ':')
			continue;
		if (nf == 12)
			return 0;
		f[nf++] = p + 1;
	}
	if (nf != 11 && nf != 12)
		return 0;
	/* mech (field 2) exactly "sk"; flags (field 5) with the root letter */
	if (f[2] - f[1] != 3 || strncmp(f[1], "sk:", 3) != 0)
		return 0;
	return memchr(f[4], 'r', f[5] - f[4] - 1) != NULL;
}

/* REQ <argc>\n and the netstrings; its length, or -1 past MAX_MSG. */
static int request(const struct upcall *u, char *buf)
{
	int len = snprintf(buf, MAX_MSG, "REQ %d\n", u->n);

	for (int i = 0; i < u->n; i++) {
		size_t l = strlen(u->args[i]);
		int h = snprintf(buf + len, MAX_MSG - len, "%zu:", l);

		if (h < 0 || (size_t)len + h + l + 1 > MAX_MSG)
			return -1;
		len += h;
		memcpy(buf + len, u->args[i], l);
		len += l;
		buf[len++] = ',';
	}
	return len;
}

static int connect_service(const char *path, int *err)
{
	struct timeval tv = { UPCALL_DEADLINE_MS / 1000, 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, path, strlen(path));
	/* SO_SNDTIMEO bounds connect (a full backlog) and the writes. */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		*err = errno;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Starts the service under the lock unless another upcall did meanwhile;
 * a connected socket or -1. */
static int start_on_demand(struct upcall *u, const char **why)
{
	const char *exe;
	long deadline;
	int lock, fd = -1, err, st;
	pid_t watcher;

	if (u->dirfd < 0) {
		*why = u->dirwhy; /* a socket there is still used, never started */
		return -1;
	}
	if ((lock = lock_take(u->dirfd)) < 0) {
		*why = "start-on-demand lock not had";
		return -1;
	}
	fd = connect_service(u->sock, &err);
	if (fd < 0 && (exe = launcher()) != NULL && (watcher = start_service(exe, u->sock)) > 0) {
		deadline = now_ms() + UPCALL_DEADLINE_MS;
		while (fd < 0 && now_ms() < deadline) {
			sleep_ms(UPCALL_POLL_MS);
			fd = connect_service(u->sock, &err);
			if (fd < 0 && waitpid(watcher, &st, WNOHANG) == watcher) {
				fd = connect_service(u->sock, &err); /* last chance */
				break;
			}
		}
	}
	if (fd < 0)
		*why = "the service did not start";
	close(lock);
	return fd;
}

static int reach(struct upcall *u, const char **why)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	int err, fd = connect_service(u->sock, &err);

	if (fd < 0 && (err == ENOENT || err == ECONNREFUSED))
		fd = start_on_demand(u, why);
	else if (fd < 0)
		*why = strerror(err);
	if (fd < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0 || (cr.uid != 0 && cr.uid != geteuid())) {
		*why = "the service is not root's";
		close(fd);
		return -1;
	}
	return fd;
}

/* One '\n'-terminated message within the deadline, NUL-terminated without
 * the '\n'; -1 on EOF, timeout, oversize, bytes past the newline or a NUL. */
static int read_msg(int fd, char *buf, const char **why)
{
	long deadline = now_ms() + UPCALL_DEADLINE_MS, left;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (len == 0 || buf[len - 1] != '\n') {
		if (len == MAX_MSG) {
			*why = "answer over 8 KiB";
			return -1;
		}
		left = deadline - now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			*why = "no answer within 5 s";
			return -1;
		}
		n = read(fd, buf + len, MAX_MSG - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = n == 0 ? "connection closed" : strerror(errno);
			return -1;
		}
		len += n;
		if (memchr(buf + len - n, '\n', n) != NULL && buf[len - 1] != '\n') {
			*why = "bytes after the answer";
			return -1;
		}
	}
	buf[len - 1] = '\0';
	if (strlen(buf) != len - 1) {
		*why = "NUL in the answer";
		return -1;
	}
	return 0;
}

/* Strict decimal: "0" or no leading zero, optional '-' when signed. */
static const char *num(const char *s, int sign, long long min, long long max, long long *out)
{
	int neg = sign && *s == '-';
	const char *p = s + neg;
	long long v = 0;
	int d = 0;

	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return NULL;
	for (; *p >= '0' && *p <= '9' && d < 11; p++, d++)
		v = v * 10 + (*p - '0');
	if (d == 0 || d > 10 || (neg && v == 0))
		return NULL;
	v = neg ? -v : v;
	if (v < min || v > max)
		return NULL;
	*out = v;
	return p;
}

static const char *hex32(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	int d = 0;

	if (strncmp(s, "0x", 2) != 0)
		return NULL;
	for (s += 2; ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')) && d < 9; s++, d++)
		v = v * 16 + (unsigned long)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
	if (d == 0 || d > 8)
		return NULL;
	*out = v;
	return s;
}

static const char *space(const char *p) { return p != NULL && *p == ' ' ? p + 1 : NULL; }

static long kctl(int op, long a, long b, long c, long d)
{
	return syscall(SYS_keyctl, op, a, b, c, d) < 0 ? -errno : 0;
}

static void bye(struct upcall *u, int fd)
{
	close(fd); /* -1: EBADF, harmless */
	close(u->dirfd);
}

/* Logs a fallback at most once a minute per node. */
static void fallback_log(struct upcall *u, const char *stamp, const char *what, const char *why)
{
	if (fallback_due(u->dirfd, stamp))
		ulog(LOG_WARNING, "key %08x: the upcall service at %s is not usable (%s): %s", (unsigned)u->key,
		     u->sock, why, what);
}

/* F1: the whole upcall in a JVM, as before the service existed. */
static int f1(struct upcall *u, int fd)
{
	const char *exe;

	bye(u, fd);
	u->dirfd = -1;
	if ((exe = launcher()) != NULL)
		exec_jvm_upcall(exe, u->args, u->n);
	return 1;
}

int main(int argc, char *argv[])
{
	struct upcall u = { argv + 1, argc - 1, 0, getenv(UPCALL_ENV_SOCKET), -1, "" };
	static char zeros[MAX_PLEN], buf[MAX_MSG];
	const char *why = NULL, *p;
	long long dest, link, plen, secs, err, rc = 0;
	unsigned long perm;
	int fd, len;

	for (fd = 0; fd <= 2; fd++) /* a usermode helper may start without them */
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
			return 1;
	ulog_init();
	signal(SIGPIPE, SIG_IGN);
	if (u.sock == NULL || *u.sock == '\0')
		u.sock = UPCALL_DEFAULT_SOCKET;
	if (!service_upcall(&u))
		return f1(&u, -1);
	if (u.sock[0] != '/' || strlen(u.sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fallback_log(&u, UPCALL_STAMP_F1, "the JVM upcall runs", "not an absolute socket path that fits");
		return f1(&u, -1);
	}
	u.dirfd = run_dir_open(u.sock, u.dirwhy, sizeof(u.dirwhy));
	len = request(&u, buf);
	if (len < 0) {
		fallback_log(&u, UPCALL_STAMP_F1, "the JVM upcall runs", "request over 8 KiB");
		return f1(&u, -1);
	}
	fd = reach(&u, &why);
	if (fd < 0 || send(fd, buf, len, MSG_NOSIGNAL) != len || read_msg(fd, buf, &why) < 0) {
		fallback_log(&u, UPCALL_STAMP_F1, "the JVM upcall runs", why ? why : strerror(errno));
		return f1(&u, fd);
	}
	if (strncmp(buf, "REFUSE ", 7) == 0 && (p = num(buf + 7, 0, 0, UINT32_MAX, &secs)) != NULL &&
	    (p = space(p)) != NULL &&
	    (p = num(p, 0, 1, 4095, &err)) != NULL && *p == '\0') {
		/* The service logged why; only this process may reject the key. */
		if (secs > 0 && (rc = kctl(KEYCTL_REJECT, u.key, (long)secs, (long)err, 0)) < 0)
			ulog(LOG_ERR, "key %08x: not rejected: %s", (unsigned)u.key, strerror((int)-rc));
		bye(&u, fd);
		return 1;
	}
	if (strncmp(buf, "INST ", 5) != 0 || (p = space(hex32(buf + 5, &perm))) == NULL ||
	    (p = space(num(p, 1, INT32_MIN, INT32_MAX, &dest))) == NULL ||
	    (p = space(num(p, 1, 1, INT32_MAX, &link))) == NULL || (p = num(p, 0, 0, MAX_PLEN, &plen)) == NULL ||
	    *p != '\0') {
		fallback_log(&u, UPCALL_STAMP_F1, "the JVM upcall runs", "unexpected answer");
		return f1(&u, fd);
	}
	/* A negative dest is N's own keyring (KEY_SPEC_*): by serial, since at
	 * instantiation the kernel reads it as the requester's destination.
	 * (The lgssc type links the key into N's session keyring itself.) */
	if (dest < 0 && (dest = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, (long)dest, 0L)) < 0)
		rc = -errno, why = "get keyring id";
	else if (perm != 0 && (rc = kctl(KEYCTL_SETPERM, u.key, (long)perm, 0, 0)) < 0)
		why = "setperm";
	else if ((rc = kctl(KEYCTL_INSTANTIATE, u.key, (long)zeros, (long)plen, (long)dest)) < 0)
		why = "instantiate";
	else if ((rc = kctl(KEYCTL_LINK, u.key, (long)link, 0, 0)) < 0)
		why = "link";
	len = snprintf(buf, MAX_MSG, "DONE %lld\n", rc);
	if (rc < 0) {
		/* As the Java upcall's line for a failed instantiation. */
		ulog(LOG_ERR, "instantiate key %08x: keyctl %s on key %d failed: %s", (unsigned)u.key, why, u.key,
		     strerror((int)-rc));
		(void)!send(fd, buf, len, MSG_NOSIGNAL);
		bye(&u, fd);
		return 1;
	}
	why = NULL;
	if (send(fd, buf, len, MSG_NOSIGNAL) == len && read_msg(fd, buf, &why) == 0 && strcmp(buf, "OK") == 0) {
		bye(&u, fd);
		return 0;
	}
	/* Instantiated, but the service may not possess the key: the detached
	 * negotiator does, through request-key's session keyring. */
	close(fd);
	fallback_log(&u, UPCALL_STAMP_F2, "a background JVM negotiates", why ? why : "no OK");
	if (u.dirfd >= 0)
		close(u.dirfd);
	p = launcher();
	if (p == NULL || spawn_negotiator(p, u.args, u.n) < 0) {
		ulog(LOG_ERR, "key %08x: can't start negotiation: %s", (unsigned)u.key,
		     p ? strerror(errno) : "no launcher");
		return 1;
	}
	return 0;
}
