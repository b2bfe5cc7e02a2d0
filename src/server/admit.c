/* admit.c - which connections tenantryd keeps: limits for each client
 * address and in all, counted over every loop; early eviction of the
 * connections that hold a place without sending a request; a deadline for
 * receiving a whole request however slowly its bytes trickle in.
 *
 * A connection over a limit is taken (so it can be answered) and marked:
 * its requests get 503 with Retry-After and a close, except GET /healthz,
 * /readyz and /metrics, which stay reachable when one address has used its
 * share. Past the limits by a margin (the hard caps) a connection is
 * closed at once without a byte: libmicrohttpd cannot answer before it
 * has a request. Each refusal is logged (once a second at most) and
 * counted in /metrics.
 *
 * Before refusing, a place is freed if one is held in vain: a connection
 * receiving a request (bytes arrived since its last reply) for longest,
 * else one idle for at least EVICT_IDLE_MS, of the same address (its
 * limit) or of an address holding more than its fair share (the total).
 * A request that is not whole request_timeout seconds after its first
 * byte was seen is closed, whatever arrives meanwhile. Bytes received
 * are the kernel's count (TCP_INFO), so a half-sent header is seen
 * although libmicrohttpd does not report it.
 */
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/http.h"
#include "server/log.h"
#include "server/server.h"

#define EVICT_IDLE_MS 2000 /* an idle keep-alive connection may go after */
#define SWEEP_MS 250       /* deadlines are looked at this often */
#define SPARE_PER_IP 8     /* over-limit places an address may hold */

struct ip_count {
	char ip[46];
	int n;
};

static struct {
	pthread_mutex_t lock;
	struct conn_rec *head;
	int total, nips, cap;
	struct ip_count *ips;
	int64_t logged[ADMIT_REASON_COUNT];
	atomic_llong last_sweep;
} A = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Set by admit_accept, taken by admit_open: the same thread, one after
 * the other, for the same connection. */
static __thread enum admit_reason pending;

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t
rx_bytes(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return 0;
	return ti.tcpi_bytes_received;
}

static struct ip_count *
ip_find(const char *ip)
{
	for (int i = 0; i < A.nips; i++)
		if (strcmp(A.ips[i].ip, ip) == 0)
			return &A.ips[i];
	return NULL;
}

static int
ip_n(const char *ip)
{
	const struct ip_count *c = ip_find(ip);

	return c ? c->n : 0;
}

/* Counts rec in its address's and the total; false when out of memory. */
static bool
count(struct conn_rec *rec)
{
	struct ip_count *c = ip_find(rec->ip);

	if (!c && A.nips == A.cap) {
		int cap = A.cap ? A.cap * 2 : 64;
		struct ip_count *n = realloc(A.ips, (size_t)cap * sizeof *n);

		if (!n)
			return false;
		A.ips = n;
		A.cap = cap;
	}
	if (!c) {
		c = &A.ips[A.nips++];
		snprintf(c->ip, sizeof c->ip, "%s", rec->ip);
		c->n = 0;
	}
	c->n++;
	A.total++;
	rec->counted = true;
	return true;
}

static void
uncount(struct conn_rec *rec)
{
	struct ip_count *c;

	if (!rec->counted)
		return;
	rec->counted = false;
	A.total--;
	if ((c = ip_find(rec->ip)) && --c->n == 0)
		*c = A.ips[--A.nips]; /* the last takes its place */
}

static const char *const reason_text[ADMIT_REASON_COUNT] = {
	[ADMIT_OK] = "admitted",
	[ADMIT_OVER_PER_IP] = "over --max-per-ip: answered 503",
	[ADMIT_OVER_TOTAL] = "over --max-connections: answered 503",
	[ADMIT_HARD] = "past the hard cap: closed",
	[ADMIT_EVICTED] = "evicted: held a place without a whole request",
	[ADMIT_TIMED_OUT] = "closed: no whole request within --request-timeout",
};

/* A log line per kind of refusal, at most once a second; the metric
 * always. Called with the lock held. */
static void
note(enum admit_reason why, const char *ip)
{
	int64_t now = now_ms();
	char from[16], all[16];

	metrics_connection(why);
	if (now - A.logged[why] < 1000)
		return;
	A.logged[why] = now;
	snprintf(from, sizeof from, "%d", ip_n(ip));
	snprintf(all, sizeof all, "%d", A.total);
	log_line(LOG_LEVEL_WARN, "connection", "ip", ip, "detail", reason_text[why], "open_from_ip",
		 from, "open", all, NULL);
}

/* The connection to let go for a newcomer: of ip (NULL: of an address
 * holding at least its fair share of the total), receiving a request for
 * longest,
 * else idle longest (at least EVICT_IDLE_MS). */
static struct conn_rec *
victim(const char *ip)
{
	struct conn_rec *best = NULL;
	bool best_rx = false;
	int64_t now = now_ms();
	int fair = A.nips ? server_cfg->conn_limit / A.nips : server_cfg->conn_limit;

	for (struct conn_rec *r = A.head; r; r = r->next) {
		bool rx;

		if (!r->counted || r->phase != CONN_WAITING
		    || (ip ? strcmp(r->ip, ip) != 0 : ip_n(r->ip) < fair))
			continue;
		rx = rx_bytes(r->fd) > r->rx_mark;
		if (!rx && now - r->since < EVICT_IDLE_MS)
			continue;
		if (!best || (rx && !best_rx) || (rx == best_rx && r->since < best->since)) {
			best = r;
			best_rx = rx;
		}
	}
	return best;
}

static void
let_go(struct conn_rec *r, enum admit_reason why)
{
	note(why, r->ip);
	uncount(r);
	/* libmicrohttpd reads the end of the stream and closes it on its
	 * loop; the record stays until then, so fd is still this socket */
	shutdown(r->fd, SHUT_RDWR);
}

/* A connection whose client has gone: its place is free at once, before
 * a stream's next write finds out, or before the loop holding a
 * connection between requests has read the end of it (a client that
 * closes one connection and opens the next at once is not refused for
 * the one it closed). */
static bool
hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void
free_hung_up(void)
{
	for (struct conn_rec *r = A.head; r; r = r->next)
		if (r->counted && r->phase != CONN_BUSY && hung_up(r->fd))
			uncount(r);
}

bool
admit_accept(const char *ip)
{
	const struct server_config *cfg = server_cfg;
	bool over_ip, over_total;
	struct conn_rec *v;

	pthread_mutex_lock(&A.lock);
	if (ip_n(ip) >= cfg->per_ip_limit || A.total >= cfg->conn_limit)
		free_hung_up();
	while ((over_ip = ip_n(ip) >= cfg->per_ip_limit) && (v = victim(ip)))
		let_go(v, ADMIT_EVICTED);
	while ((over_total = A.total >= cfg->conn_limit) && (v = victim(NULL)))
		let_go(v, ADMIT_EVICTED);
	pending = over_ip ? ADMIT_OVER_PER_IP : over_total ? ADMIT_OVER_TOTAL : ADMIT_OK;
	if (pending != ADMIT_OK
	    && (ip_n(ip) >= cfg->per_ip_limit + SPARE_PER_IP
		|| A.total >= cfg->conn_limit + ADMIT_SPARE(cfg->conn_limit))) {
		note(ADMIT_HARD, ip);
		pending = ADMIT_OK;
		pthread_mutex_unlock(&A.lock);
		return false;
	}
	if (pending != ADMIT_OK)
		note(pending, ip);
	pthread_mutex_unlock(&A.lock);
	return true;
}

struct conn_rec *
admit_open(const char *ip, int fd)
{
	struct conn_rec *rec = calloc(1, sizeof *rec);

	if (!rec)
		return NULL;
	snprintf(rec->ip, sizeof rec->ip, "%s", ip);
	rec->fd = fd;
	rec->over = pending;
	pending = ADMIT_OK;
	rec->since = now_ms();
	rec->phase = CONN_WAITING;
	pthread_mutex_lock(&A.lock);
	if (!count(rec)) {
		pthread_mutex_unlock(&A.lock);
		free(rec);
		return NULL;
	}
	rec->next = A.head;
	if (A.head)
		A.head->prev = rec;
	A.head = rec;
	pthread_mutex_unlock(&A.lock);
	return rec;
}

void
admit_close(struct conn_rec *rec)
{
	if (!rec)
		return;
	pthread_mutex_lock(&A.lock);
	uncount(rec);
	if (rec->prev)
		rec->prev->next = rec->next;
	else
		A.head = rec->next;
	if (rec->next)
		rec->next->prev = rec->prev;
	pthread_mutex_unlock(&A.lock);
	free(rec);
}

void
admit_phase(struct conn_rec *rec, enum conn_phase phase)
{
	if (!rec)
		return;
	pthread_mutex_lock(&A.lock);
	rec->phase = phase;
	if (phase == CONN_WAITING) {
		rec->since = now_ms();
		rec->partial = 0;
		rec->rx_mark = rx_bytes(rec->fd);
	}
	pthread_mutex_unlock(&A.lock);
}

void
admit_sweep(void)
{
	int64_t now = now_ms();
	long long last = atomic_load(&A.last_sweep); /* the atomic's own type */

	if (now - last < SWEEP_MS || !atomic_compare_exchange_strong(&A.last_sweep, &last, now))
		return; /* another loop sweeps */
	pthread_mutex_lock(&A.lock);
	for (struct conn_rec *r = A.head; r; r = r->next) {
		if (!r->counted)
			continue;
		if (r->phase == CONN_STREAMING && hung_up(r->fd)) {
			uncount(r);
		} else if (r->phase == CONN_WAITING && !r->partial
			   && rx_bytes(r->fd) > r->rx_mark) {
			r->partial = now;
		} else if (r->phase == CONN_WAITING && r->partial
			   && now - r->partial > (int64_t)server_cfg->request_timeout * 1000) {
			let_go(r, ADMIT_TIMED_OUT);
		}
	}
	pthread_mutex_unlock(&A.lock);
}

bool
admit_exempt(const char *method, const char *url)
{
	return (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
	       && (strcmp(url, "/healthz") == 0 || strcmp(url, "/readyz") == 0
		   || strcmp(url, "/metrics") == 0);
}
