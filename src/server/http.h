/* http.h - the HTTP side of tenantryd: libmicrohttpd daemons (http.c) and
 * the event loops that drive them (loop.c). */
#ifndef TENANTRY_HTTP_H
#define TENANTRY_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/err.h"

struct MHD_Daemon;

/* One of nloops daemons accepting on listen_fd, driven from outside
 * (loop.c); server_cfg's connection limits are counted over all of them.
 * NULL on failure. */
struct MHD_Daemon *http_daemon(int listen_fd, bool ipv6, int nloops);

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
