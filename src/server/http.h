/* http.h - the HTTP side of tenantryd: libmicrohttpd daemons (http.c) and
 * the event loops that drive them (loop.c). */
#ifndef TENANTRY_HTTP_H
#define TENANTRY_HTTP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/err.h"

struct MHD_Daemon;

/* One of nloops daemons accepting on listen_fd, driven from outside
 * (loop.c); server_cfg's connection limits are counted over all of them.
 * NULL on failure. */
struct MHD_Daemon *http_daemon(int listen_fd, bool ipv6, int nloops);

/* Bounds of a request's head: more query parameters or a longer query
 * string is answered 414, more header fields 431 (a head larger than the
 * connection's memory, 64 KiB, is 431 or 414 from libmicrohttpd). */
#define HTTP_QUERY_PARAMS_MAX 64
#define HTTP_QUERY_MAX 4096
#define HTTP_HEADERS_MAX 64
#define HTTP_READ_MAX (64 * 1024) /* a connection's buffer in libmicrohttpd */

/* ---- admission (admit.c) ------------------------------------------------ */

enum conn_phase {
	CONN_WAITING,   /* for a request, or receiving one */
	CONN_BUSY,      /* its request is whole: handled, answered */
	CONN_STREAMING, /* an audit stream */
};

/* Why a connection was taken, refused or let go (a metric each). */
enum admit_reason {
	ADMIT_OK,
	ADMIT_OVER_PER_IP, /* taken over --max-per-ip: 503 but health */
	ADMIT_OVER_TOTAL,  /* taken over --max-connections: likewise */
	ADMIT_HARD,        /* past the hard cap: closed without a byte */
	ADMIT_EVICTED,     /* let go for a newcomer */
	ADMIT_TIMED_OUT,   /* no whole request within --request-timeout */
	ADMIT_REASON_COUNT
};

/* Over-limit places in all beyond --max-connections (the hard cap). */
#define ADMIT_SPARE(limit) ((limit) / 8 > 32 ? (limit) / 8 : 32)

/* One connection as the limits see it (the socket context). */
struct conn_rec {
	char ip[46];
	int fd;
	enum conn_phase phase;
	enum admit_reason over; /* ADMIT_OVER_*: its requests get 503 */
	int64_t since;          /* ms: opened, or its last reply done */
	int64_t partial;        /* ms: first seen receiving, 0 = idle */
	uint64_t rx_mark;       /* bytes received when it became idle */
	bool counted;           /* holds a place in the counts */
	struct conn_rec *prev, *next;
};

/* The accept policy: false to close a connection from ip at once (hard
 * cap); may first let an idle or slow one go. */
bool admit_accept(const char *ip);
/* Records the connection just accepted (owned by the caller until
 * admit_close; NULL when out of memory, and it is then not counted). */
struct conn_rec *admit_open(const char *ip, int fd);
void admit_close(struct conn_rec *rec);
void admit_phase(struct conn_rec *rec, enum conn_phase phase);
/* Deadlines and hung-up streams; every loop calls it, one sweeps. */
void admit_sweep(void);
/* True for the routes a connection over its limits is still served. */
bool admit_exempt(const char *method, const char *url);

/* http_refusal.c: true when libmicrohttpd's own refusals (its 505 for an
 * HTTP version other than 1.x among them) reach tenantryd's
 * MHD_queue_response, which answers problems in their place (false: the
 * executable does not export it). */
bool http_refusal_hooked(void);
/* The daemons' log callback: log_mhd (log.c) but for the line about a 505
 * that went out as a 400. */
void http_refusal_log(void *cls, const char *fmt, va_list ap);

/* Listens on addr and starts n loop threads; -1 with e on failure. */
int loops_start(const struct sockaddr *addr, int n, struct err *e);
/* The port actually bound (for --listen HOST:0). */
int loops_port(void);
int loops_count(void);
/* Stops accepting, lets the requests in flight finish, joins the loops. */
void loops_stop(void);
/* Frees what the loops leave for loops_notify(): after the last notifier
 * (the audit hub) has stopped. */
void loops_close(void);
/* After loops_stop: true when nothing of a request can still run (no task
 * was left waiting and no helper thread of loop_offload is running), so
 * the sessions may be closed. */
bool loops_quiet(void);

/* ---- tasks (a request, an audit stream) --------------------------------- */

/* Starts fn(arg) as a task of the calling loop thread; -1 outside one. */
int loop_spawn(void (*fn)(void *), void *arg);
/* Runs fn(arg) on a helper thread while the task waits (CPU-bound work:
 * password hashing; libpq's blocking connect); outside a task, in the
 * caller. */
void loop_offload(void (*fn)(void *), void *arg);
/* True once the calling loop is stopping (no new requests). */
bool loop_stopping(void);
/* True when called from a task. */
bool loop_in_task(void);
/* Suspends the task until fd is readable (or writable); -1 outside a task
 * (the caller then blocks as it would anyway). */
int loop_wait_fd(int fd, bool write);
/* Milliseconds on the loops' clock (CLOCK_MONOTONIC), for deadlines. */
int64_t loop_clock_ms(void);
/* Suspends the task until loops_notify() (news of the audit hub, a
 * session back in the pool) or the deadline (loop_clock_ms); the caller
 * looks again for what it waits for. False once the deadline has passed.
 * Outside a task it sleeps up to 10 ms. */
bool loop_wait_news(int64_t deadline);
/* Wakes every task in loop_wait_news(), from any thread. */
void loops_notify(void);

#endif
