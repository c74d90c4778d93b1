/* The native lgss_keyring upcall (upcall.c, upcall_run.c): what the two
 * halves share. upcall.c speaks to the resident service; upcall_run.c holds
 * everything that touches the file system or starts processes. */
#ifndef LSK_UPCALL_H
#define LSK_UPCALL_H

#include <stdint.h>
#include <sys/types.h>

#define UPCALL_DEFAULT_SOCKET "/run/lsk/lgss_keyring.socket"
/* The only run directory N ever creates: lsk's, as scripts/lsk makes it. */
#define UPCALL_DEFAULT_RUN_DIR "/run/lsk"
#define UPCALL_ENV_SOCKET "LSK_UPCALLD_SOCKET"
#define UPCALL_ENV_LAUNCHER "LSK_LAUNCHER"
#define UPCALL_ENV_STDERR "LSK_LOG_STDERR"
#define UPCALL_LOCK "lgss_keyringd.lock"
#define UPCALL_STAMP_F1 "lgss_keyring.f1.stamp"
#define UPCALL_STAMP_F2 "lgss_keyring.f2.stamp"
/* Every wait of N: one message read, the service's start, the lock. */
#define UPCALL_DEADLINE_MS 5000
/* How long the upcall that starts the service waits for its socket: a JVM start on a
 * loaded node took over 5 s. Upcalls queued on the start lock wait longer than that. */
#define UPCALL_START_MS 15000
#define UPCALL_LOCK_WAIT_MS (UPCALL_START_MS + 2000)
#define UPCALL_POLL_MS 10

/* One line as lgss_keyring's __logmsg writes it: "[pid]:LEVEL:func(): message" (lgss_utils.c). */
void ulog_at(int prio, const char *func, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define ulog(prio, ...) ulog_at(prio, __func__, __VA_ARGS__)
void ulog_init(void);
long now_ms(void);
void sleep_ms(long ms);

/* The socket's directory, opened without following links and checked
 * (root's or ours, no group/other access); -1 (why in why) if unusable. */
int run_dir_open(const char *socket_path, char *why, size_t whylen);
/* The start-on-demand lock in that directory, held until closed; -1 when
 * it is unusable or not had within the deadline. */
int lock_take(int dirfd);
/* Whether a fallback line of this kind is due (none logged in the last
 * minute on this node); 1 when the stamp cannot be used. */
int fallback_due(int dirfd, const char *stamp);

/* LSK_LAUNCHER resolved and checked like scripts/lgss_keyring's trusted
 * tools; NULL (logged why) if unset or untrusted. */
const char *launcher(void);
/* F1: exec "<launcher> lgss_keyring <args>"; returns only on failure. */
void exec_jvm_upcall(const char *exe, char *const args[], int n);
/* F2: starts "setsid <launcher> lgss_keyring --negotiate <args>" with the
 * go byte already in its stdin pipe; 0 or -1. */
int spawn_negotiator(const char *exe, char *const args[], int n);
/* Starts "<launcher> lgss_keyringd --socket <path>" detached; returns a
 * watcher pid that exits (status 1) if the service exits early, or -1. */
pid_t start_service(const char *exe, const char *socket_path);

#endif
