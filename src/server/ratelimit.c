/* ratelimit.c - each tenant's hourly API rate, from its api_calls quota
 * (the tier's api_calls_per_hour unless overridden). Fixed windows on the
 * hour, counted in memory: a rate check must not cost a database write.
 * Limits are re-read every minute, so a tier change applies quickly. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/server.h"

#define SLOTS 4096 /* open addressing; full table evicts by hash */
#define LIMIT_TTL 60

struct slot {
	char tenant[ID_LEN];
	int64_t hour; /* window: seconds since epoch / 3600 */
	int64_t count;
	int64_t limit; /* -1 = unlimited */
	time_t limit_at;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct slot *
find(const char *tenant)
{
	uint32_t h = hash(tenant);

	for (int i = 0; i < 8; i++) {
		struct slot *s = &slots[(h + (uint32_t)i) % SLOTS];

		if (!s->tenant[0] || strcmp(s->tenant, tenant) == 0)
			return s;
	}
	return &slots[h % SLOTS]; /* evict */
}

static int64_t
fetch_limit(const char *tenant, struct store *st)
{
	struct quota_list q;
	struct err e;
	int64_t limit = -1;

	if (store_quota_list(&q, st, tenant, &e) < 0)
		return -1; /* the operation itself will report the problem */
	for (size_t i = 0; i < q.n; i++)
		if (strcmp(q.rows[i].resource, "api_calls") == 0)
			limit = q.rows[i].limit;
	quota_list_free(&q);
	return limit;
}

int
ratelimit_take(const char *tenant, struct store *st, int *retry_after)
{
	time_t now = time(NULL);
	int64_t hour = (int64_t)now / 3600, limit;
	struct slot *s;
	bool refresh;

	pthread_mutex_lock(&lock);
	s = find(tenant);
	refresh = strcmp(s->tenant, tenant) != 0 || now - s->limit_at >= LIMIT_TTL;
	limit = s->limit;
	pthread_mutex_unlock(&lock);
	if (refresh) /* outside the lock: a database round trip */
		limit = fetch_limit(tenant, st);

	pthread_mutex_lock(&lock);
	s = find(tenant);
	if (strcmp(s->tenant, tenant) != 0) {
		memset(s, 0, sizeof *s);
		snprintf(s->tenant, sizeof s->tenant, "%s", tenant);
		s->hour = hour;
	}
	if (refresh) {
		s->limit = limit;
		s->limit_at = now;
	}
	if (s->hour != hour) {
		s->hour = hour;
		s->count = 0;
	}
	if (s->limit >= 0 && s->count >= s->limit) {
		*retry_after = (int)((hour + 1) * 3600 - (int64_t)now);
		if (*retry_after < 1)
			*retry_after = 1;
		pthread_mutex_unlock(&lock);
		return 1;
	}
	s->count++;
	pthread_mutex_unlock(&lock);
	return 0;
}

void
ratelimit_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof slots);
	pthread_mutex_unlock(&lock);
}
