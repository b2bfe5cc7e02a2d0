/* ratelimit.c - each tenant's hourly API rate, from its api_calls quota
 * (the tier's api_calls_per_hour unless overridden), shared by every
 * tenantryd on the database.
 *
 * The count lives in PostgreSQL: the api_calls quota row (used, in fixed
 * windows on the hour) is the counter of all instances. Each instance
 * keeps, per tenant, the database's count as last read back, the calls it
 * served since (pending) and those of the flush under way (inflight); a
 * call is allowed while their sum is under the limit. A flusher thread
 * sends every tenant's pending calls in one statement each FLUSH_MS
 * (tenantry.api_calls_served, which also records them as api_calls usage)
 * and reads back the global counts and limits. A request that finds
 * budget(limit) calls of its tenant not yet counted (pending or in a flush
 * under way) waits for that flush and sends the rest itself, with its own
 * session, in its tenant's context, before it is answered; so an instance
 * never serves more than about that many calls the database has not
 * counted, also when a flush is slow, and all
 * instances together overshoot a limit by at most about instances x
 * budget(limit) (tenantryd(8), RATE LIMITS). A rate check costs no
 * database write: one per budget(limit) calls at most, besides the flusher's. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "server/server.h"

#define SLOTS 16384 /* open addressing */
#define PROBES 16
#define FLUSH_MS 250
#define IDLE_SECONDS 60 /* a tenant without calls this long is read again on its next */
#define BATCH 512       /* tenants per flush statement */
#define BUDGET_MIN 4
#define BUDGET_MAX 1024
#define FLUSH_WAIT_MS 2000 /* at most, for a flush under way */

struct slot {
	char tenant[ID_LEN];
	int64_t hour;     /* window: seconds since epoch / 3600 */
	int64_t limit;    /* -1 = unlimited */
	int64_t global;   /* the database's count for the window, as last read */
	int64_t pending;  /* served here, not yet sent */
	int64_t inflight; /* sent by the flush under way */
	time_t seen;      /* the last call */
	bool loaded;      /* global and limit were read */
	bool flushing;    /* one flush per slot at a time */
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flushed = PTHREAD_COND_INITIALIZER; /* a flush ended */

/* The tenant's slot, or a free one, or the idle one seen longest ago; NULL
 * when every probe holds calls not yet counted. Under lock. */
static struct slot *
find(const char *tenant)
{
	uint32_t h = text_hash(tenant);
	struct slot *victim = NULL;

	for (int i = 0; i < PROBES; i++) {
		struct slot *s = &slots[(h + (uint32_t)i) % SLOTS];

		if (strcmp(s->tenant, tenant) == 0)
			return s;
		if (!s->tenant[0] && !victim)
			victim = s;
	}
	if (victim)
		return victim;
	for (int i = 0; i < PROBES; i++) {
		struct slot *s = &slots[(h + (uint32_t)i) % SLOTS];

		if (!s->pending && !s->flushing && (!victim || s->seen < victim->seen))
			victim = s;
	}
	return victim;
}

/* Takes in what the database said about s (under lock). */
static void
apply(struct slot *s, const struct api_calls_count *c)
{
	s->inflight = 0;
	s->flushing = false;
	pthread_cond_broadcast(&flushed);
	if (!c->found) { /* no such quota (or tenant): nothing to count against */
		s->limit = -1;
		s->loaded = true;
		return;
	}
	s->limit = c->limit;
	s->loaded = true;
	if (c->window_start / 3600000000 >= s->hour) {
		s->hour = c->window_start / 3600000000;
		s->global = c->used;
	}
}

/* Sends the pending calls of tenant (0 only reads) with st. Without lock. */
static void
flush_one(const char *tenant, struct store *st)
{
	struct api_calls_count c = { .calls = 0 };
	struct slot *s;
	struct err e;
	int rc;

	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", tenant);
	pthread_mutex_lock(&lock);
	s = find(tenant);
	if (!s || strcmp(s->tenant, tenant) != 0 || s->flushing) {
		pthread_mutex_unlock(&lock);
		return;
	}
	s->flushing = true;
	s->inflight = c.calls = s->pending;
	s->pending = 0;
	pthread_mutex_unlock(&lock);
	rc = store_api_calls_served(&c, 1, st, &e);
	pthread_mutex_lock(&lock);
	if (rc == 0) {
		apply(s, &c);
	} else { /* kept for the next flush */
		s->pending += s->inflight;
		s->inflight = 0;
		s->flushing = false;
		pthread_cond_broadcast(&flushed);
	}
	pthread_mutex_unlock(&lock);
}

/* Waits (at most FLUSH_WAIT_MS) until no flush of tenant is under way. */
static void
await_flush(const char *tenant)
{
	struct timespec at;
	struct slot *s;

	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += FLUSH_WAIT_MS % 1000 * 1000000L;
	at.tv_sec += FLUSH_WAIT_MS / 1000 + at.tv_nsec / 1000000000L;
	at.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&lock);
	while ((s = find(tenant)) && strcmp(s->tenant, tenant) == 0 && s->flushing)
		if (pthread_cond_timedwait(&flushed, &lock, &at) != 0)
			break;
	pthread_mutex_unlock(&lock);
}

static void flush_all(struct store *st, bool all);
static struct flusher F = FLUSHER_INIT("rate limit", FLUSH_MS, flush_all);

/* How many calls of a tenant an instance may serve before the database has
 * counted them: a 64th of the limit, within BUDGET_MIN..BUDGET_MAX. */
static int64_t
budget(int64_t limit)
{
	int64_t b = limit < 0 ? BUDGET_MAX : limit / 64;

	return b < BUDGET_MIN ? BUDGET_MIN : b > BUDGET_MAX ? BUDGET_MAX : b;
}

int
ratelimit_take(struct rate_state *out, const char *tenant, struct store *st)
{
	time_t now = time(NULL);
	int64_t hour = (int64_t)now / 3600, used;
	struct slot *s;
	bool load = false, flush = false;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->limit = -1;
	flusher_start(&F);
	pthread_mutex_lock(&lock);
	if (!(s = find(tenant))) { /* every probe busy: served, not limited */
		pthread_mutex_unlock(&lock);
		return 0;
	}
	if (strcmp(s->tenant, tenant) != 0) {
		memset(s, 0, sizeof *s);
		snprintf(s->tenant, sizeof s->tenant, "%s", tenant);
		s->hour = hour;
		s->limit = -1;
	}
	load = !s->loaded && !s->flushing;
	pthread_mutex_unlock(&lock);
	if (load) /* a database round trip: the first call, or after a pause */
		flush_one(tenant, st);

	pthread_mutex_lock(&lock);
	s = find(tenant);
	if (!s || strcmp(s->tenant, tenant) != 0) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	s->loaded = true; /* a failed read is tried again by the flusher */
	s->seen = now;
	if (s->hour < hour) {
		s->hour = hour;
		s->global = 0;
	}
	used = s->global + s->pending + s->inflight;
	out->limit = s->limit;
	out->reset = (int)((hour + 1) * 3600 - (int64_t)now);
	if (out->reset < 1)
		out->reset = 1;
	if (s->limit >= 0 && used >= s->limit) {
		rc = 1;
	} else {
		s->pending++;
		used++;
		/* the calls the database has not counted, this one included,
		 * reach the budget: they are sent before it is answered, after
		 * a flush already under way */
		flush = s->pending + s->inflight >= budget(s->limit);
	}
	out->remaining = s->limit < 0 ? 0 : used >= s->limit ? 0 : s->limit - used;
	pthread_mutex_unlock(&lock);
	if (flush) {
		await_flush(tenant);
		flush_one(tenant, st);
	}
	return rc;
}

/* ---- the flusher ------------------------------------------------------------------- */

/* Takes up to BATCH slots to flush, from *next on (under lock). */
static size_t
collect(struct api_calls_count *rows, size_t *next, time_t now, bool all)
{
	size_t n = 0;

	for (; *next < SLOTS && n < BATCH; (*next)++) {
		struct slot *s = &slots[*next];

		if (!s->tenant[0] || s->flushing)
			continue;
		if (!s->pending && (all || now - s->seen >= IDLE_SECONDS)) {
			s->loaded = false; /* idle: read again on its next call */
			continue;
		}
		s->flushing = true;
		s->inflight = s->pending;
		s->pending = 0;
		memset(&rows[n], 0, sizeof rows[n]);
		snprintf(rows[n].tenant_id, sizeof rows[n].tenant_id, "%s", s->tenant);
		rows[n++].calls = s->inflight;
	}
	return n;
}

/* One round: every tenant with calls pending or seen lately, in batches.
 * all: only the pending calls (at shutdown). */
static void
flush_all(struct store *st, bool all)
{
	static struct api_calls_count rows[BATCH];
	size_t next = 0, n;
	struct err e;

	for (;;) {
		int rc;

		pthread_mutex_lock(&lock);
		n = collect(rows, &next, time(NULL), all);
		pthread_mutex_unlock(&lock);
		if (n == 0)
			return;
		rc = store_api_calls_served(rows, n, st, &e);
		pthread_mutex_lock(&lock);
		for (size_t i = 0; i < n; i++) {
			struct slot *s = find(rows[i].tenant_id);

			if (!s || strcmp(s->tenant, rows[i].tenant_id) != 0)
				continue;
			if (rc == 0) {
				apply(s, &rows[i]);
				continue;
			}
			s->pending += s->inflight;
			s->inflight = 0;
			s->flushing = false;
		}
		pthread_cond_broadcast(&flushed);
		pthread_mutex_unlock(&lock);
		if (rc < 0 && !all)
			return; /* the database is away: next round */
	}
}

void
ratelimit_stop(void)
{
	flusher_stop(&F);
}

void
ratelimit_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof slots);
	pthread_mutex_unlock(&lock);
}
