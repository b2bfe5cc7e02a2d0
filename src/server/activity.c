/* activity.c - when members and API keys were last seen, kept current
 * without a database write per request.
 *
 * Each authenticated request notes its member (a user token in a tenant)
 * or API key in a table in memory. A note is queued at most once a minute
 * per member or key; a flusher thread sends the queued notes every
 * FLUSH_MS in batches (store_activity_seen, as the platform), which moves
 * last_active_at and last_used_at forward. So the database sees at most
 * one update per member or key per minute and instance, the times shown
 * lag by at most a minute and FLUSH_MS, and a request pays one lock and a
 * hash. Notes not yet sent are sent at shutdown; a failed send is tried
 * again on the next round; a full table drops a note (the next request of
 * that member or key notes it again). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "server/server.h"

#define SLOTS 16384 /* open addressing */
#define PROBES 16
#define EVERY_SECONDS 60 /* one note per member or key per minute */
#define FLUSH_MS 5000
#define BATCH 512

struct slot {
	char tenant[ID_LEN];
	char id[ID_LEN]; /* the user or the key */
	bool key;
	time_t noted;    /* when the last note was queued */
	int64_t pending; /* the queued time, microseconds; 0 = none */
	bool sending;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool
same(const struct slot *s, const char *tenant, const char *id, bool key)
{
	return s->key == key && strcmp(s->id, id) == 0 && strcmp(s->tenant, tenant) == 0;
}

/* The slot of (tenant, id); else, when take, a free or stale one taken
 * for it; NULL when there is none. Under lock. */
static struct slot *
find(const char *tenant, const char *id, bool key, time_t now, bool take)
{
	uint32_t h = text_hash(id) ^ text_hash(tenant);
	struct slot *free_slot = NULL;

	for (int i = 0; i < PROBES; i++) {
		struct slot *s = &slots[(h + (uint32_t)i) % SLOTS];

		if (same(s, tenant, id, key))
			return s;
		if (!free_slot && !s->pending && !s->sending
		    && (!s->id[0] || now - s->noted >= EVERY_SECONDS))
			free_slot = s;
	}
	if (free_slot && take) {
		memset(free_slot, 0, sizeof *free_slot);
		snprintf(free_slot->tenant, sizeof free_slot->tenant, "%s", tenant);
		snprintf(free_slot->id, sizeof free_slot->id, "%s", id);
		free_slot->key = key;
	}
	return take ? free_slot : NULL;
}

static void flush_all(struct store *st, bool all);
static struct flusher F = FLUSHER_INIT("activity", FLUSH_MS, flush_all);

void
activity_note(const struct principal *p)
{
	const char *id;
	struct timespec ts;
	struct slot *s;

	if (p->kind == PRINCIPAL_USER && !p->view_as)
		id = p->user_id;
	else if (p->kind == PRINCIPAL_KEY)
		id = p->key_id;
	else
		return;
	if (!id[0] || !p->tenant_id[0])
		return;
	flusher_start(&F);
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&lock);
	s = find(p->tenant_id, id, p->kind == PRINCIPAL_KEY, ts.tv_sec, true);
	if (s && (!s->noted || ts.tv_sec - s->noted >= EVERY_SECONDS)) {
		s->noted = ts.tv_sec;
		s->pending = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	}
	pthread_mutex_unlock(&lock);
}

/* ---- the flusher ------------------------------------------------------------------- */

/* Takes up to BATCH queued notes from *next on. Under lock. */
static size_t
collect(struct activity_mark *rows, size_t *next)
{
	size_t n = 0;

	for (; *next < SLOTS && n < BATCH; (*next)++) {
		struct slot *s = &slots[*next];

		if (!s->pending || s->sending)
			continue;
		memset(&rows[n], 0, sizeof rows[n]);
		snprintf(rows[n].tenant_id, sizeof rows[n].tenant_id, "%s", s->tenant);
		snprintf(s->key ? rows[n].key_id : rows[n].user_id, ID_LEN, "%s", s->id);
		rows[n++].at = s->pending;
		s->sending = true;
	}
	return n;
}

/* Marks the batch sent (ok) or queued again. Under lock. */
static void
settle(const struct activity_mark *rows, size_t n, bool ok)
{
	for (size_t i = 0; i < n; i++) {
		bool key = rows[i].key_id[0] != '\0';
		const char *id = key ? rows[i].key_id : rows[i].user_id;
		struct slot *s = find(rows[i].tenant_id, id, key, 0, false);

		if (!s)
			continue;
		s->sending = false;
		if (ok && s->pending == rows[i].at)
			s->pending = 0; /* a newer note stays queued */
	}
}

/* Sends every queued note, in batches; stops at the first failure. */
static void
flush_all(struct store *st, bool all)
{
	static struct activity_mark rows[BATCH];
	size_t next = 0, n;
	struct err e;

	(void)all; /* the same at shutdown: every queued note */
	for (;;) {
		int rc;

		pthread_mutex_lock(&lock);
		n = collect(rows, &next);
		pthread_mutex_unlock(&lock);
		if (n == 0)
			return;
		rc = store_activity_seen(rows, n, st, &e);
		pthread_mutex_lock(&lock);
		settle(rows, n, rc == 0);
		pthread_mutex_unlock(&lock);
		if (rc < 0)
			return; /* the database is away: next round */
	}
}

void
activity_stop(void)
{
	flusher_stop(&F);
}

void
activity_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof slots);
	pthread_mutex_unlock(&lock);
}
