/* metrics.c - Prometheus text exposition: requests by route and status,
 * a latency histogram per route, pool state, rate-limit rejections and
 * open audit streams. Counters are relaxed atomics: the hot path takes no
 * lock. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http.h"
#include "server/deliver.h"
#include "server/jobs.h"
#include "server/mailer.h"
#include "server/server.h"

static const int statuses[] = { 200, 201, 204, 400, 401, 402, 403, 404,
				405, 409, 410, 413, 422, 429, 500, 503 };
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				  0.05,   0.1,   0.25,   0.5,   1,    2.5 };
#define NBUCKET (sizeof buckets / sizeof buckets[0])

/* Index ROUTE_COUNT holds requests that matched no route. */
static atomic_ullong requests[ROUTE_COUNT + 1][NSTATUS + 1];
static atomic_ullong hist[ROUTE_COUNT + 1][NBUCKET + 1];
static atomic_ullong sum_us[ROUTE_COUNT + 1];
static atomic_ullong rate_limited;
static atomic_int sse_open;
static atomic_ullong connections[ADMIT_REASON_COUNT];

void
metrics_request(enum route_id route, int status, double seconds)
{
	size_t s = NSTATUS, b = NBUCKET;
	unsigned r = (unsigned)route > ROUTE_COUNT ? ROUTE_COUNT : (unsigned)route;

	for (size_t i = 0; i < NSTATUS; i++)
		if (statuses[i] == status)
			s = i;
	for (size_t i = 0; i < NBUCKET; i++)
		if (seconds <= buckets[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&requests[r][s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hist[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[r], (unsigned long long)(seconds * 1e6),
				  memory_order_relaxed);
}

void
metrics_rate_limited(void)
{
	atomic_fetch_add_explicit(&rate_limited, 1, memory_order_relaxed);
}

void
metrics_sse(int delta)
{
	atomic_fetch_add_explicit(&sse_open, delta, memory_order_relaxed);
}

void
metrics_connection(int reason)
{
	if (reason > ADMIT_OK && reason < ADMIT_REASON_COUNT)
		atomic_fetch_add_explicit(&connections[reason], 1, memory_order_relaxed);
}

struct buf {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3))) put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		if (!(b->s = realloc(b->s, b->cap)))
			return;
	}
}

static const char *
label(unsigned r)
{
	return r == ROUTE_COUNT ? "none" : route_name((enum route_id)r);
}

char *
metrics_render(void)
{
	struct buf b = { 0 };
	struct pool_stats ps;

	put(&b, "# HELP tenantryd_requests_total HTTP requests by route and status.\n"
		"# TYPE tenantryd_requests_total counter\n");
	for (unsigned r = 0; r <= ROUTE_COUNT; r++)
		for (size_t s = 0; s <= NSTATUS; s++) {
			unsigned long long v = atomic_load(&requests[r][s]);

			if (v)
				put(&b,
				    "tenantryd_requests_total{route=\"%s\",status=\"%s%d\"} %llu\n",
				    label(r), s == NSTATUS ? "other" : "",
				    s == NSTATUS ? 0 : statuses[s], v);
		}
	put(&b, "# HELP tenantryd_request_duration_seconds Time from request to reply.\n"
		"# TYPE tenantryd_request_duration_seconds histogram\n");
	for (unsigned r = 0; r <= ROUTE_COUNT; r++) {
		unsigned long long cum = 0;

		for (size_t i = 0; i <= NBUCKET; i++)
			cum += atomic_load(&hist[r][i]);
		if (!cum)
			continue;
		cum = 0;
		for (size_t i = 0; i < NBUCKET; i++) {
			cum += atomic_load(&hist[r][i]);
			put(&b,
			    "tenantryd_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
			    label(r), buckets[i], cum);
		}
		cum += atomic_load(&hist[r][NBUCKET]);
		put(&b,
		    "tenantryd_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
		    "tenantryd_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
		    "tenantryd_request_duration_seconds_count{route=\"%s\"} %llu\n",
		    label(r), cum, label(r), (double)atomic_load(&sum_us[r]) / 1e6, label(r), cum);
	}
	pool_stats(&ps);
	put(&b,
	    "# HELP tenantryd_pool_size Database sessions in the pool.\n"
	    "# TYPE tenantryd_pool_size gauge\ntenantryd_pool_size %d\n"
	    "# HELP tenantryd_pool_in_use Database sessions serving a request.\n"
	    "# TYPE tenantryd_pool_in_use gauge\ntenantryd_pool_in_use %d\n"
	    "# HELP tenantryd_pool_waiting Requests waiting for a session.\n"
	    "# TYPE tenantryd_pool_waiting gauge\ntenantryd_pool_waiting %d\n",
	    ps.size, ps.in_use, ps.waiting);
	put(&b,
	    "# HELP tenantryd_rate_limited_total Requests refused by a tenant's hourly API rate.\n"
	    "# TYPE tenantryd_rate_limited_total counter\ntenantryd_rate_limited_total %llu\n"
	    "# HELP tenantryd_audit_streams Open audit event streams.\n"
	    "# TYPE tenantryd_audit_streams gauge\ntenantryd_audit_streams %d\n",
	    atomic_load(&rate_limited), atomic_load(&sse_open));
	put(&b,
	    "# HELP tenantryd_connections_refused_total Connections refused at a limit "
	    "(503, or closed past the hard cap).\n"
	    "# TYPE tenantryd_connections_refused_total counter\n"
	    "tenantryd_connections_refused_total{limit=\"max-per-ip\"} %llu\n"
	    "tenantryd_connections_refused_total{limit=\"max-connections\"} %llu\n"
	    "tenantryd_connections_refused_total{limit=\"hard\"} %llu\n"
	    "# HELP tenantryd_connections_evicted_total Connections let go for a newcomer "
	    "while they held a place without a whole request.\n"
	    "# TYPE tenantryd_connections_evicted_total counter\n"
	    "tenantryd_connections_evicted_total %llu\n"
	    "# HELP tenantryd_request_timeouts_total Connections closed with a request not "
	    "whole within --request-timeout.\n"
	    "# TYPE tenantryd_request_timeouts_total counter\n"
	    "tenantryd_request_timeouts_total %llu\n",
	    atomic_load(&connections[ADMIT_OVER_PER_IP]),
	    atomic_load(&connections[ADMIT_OVER_TOTAL]), atomic_load(&connections[ADMIT_HARD]),
	    atomic_load(&connections[ADMIT_EVICTED]), atomic_load(&connections[ADMIT_TIMED_OUT]));
	{
		char *jobs = jobs_metrics(); /* the background jobs, as last read */

		char *hooks = deliver_metrics(); /* webhook attempts of this instance */

		if (jobs)
			put(&b, "%s", jobs);
		if (hooks)
			put(&b, "%s", hooks);
		free(jobs);
		free(hooks);
		if ((jobs = mailer_metrics()))
			put(&b, "%s", jobs);
		free(jobs);
	}
	return b.s;
}
