/* pool.c - a fixed set of stores (database sessions) shared by the
 * request threads. Sessions open lazily and reopen by themselves (store_pg
 * reconnects on the next operation), so a lost database costs the requests
 * made while it is away a 503 and nothing more. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/http.h"
#include "server/log.h"
#include "server/server.h"

#define POOL_WAIT_SECONDS 5

static struct {
	pthread_mutex_t lock;
	struct store **st; /* NULL until first opened */
	bool *busy;
	int size, in_use, waiting;
	struct store_config cfg;
} P = { .lock = PTHREAD_MUTEX_INITIALIZER };

int
pool_init(const struct server_config *cfg, struct err *e)
{
	P.size = cfg->pool;
	P.st = calloc((size_t)P.size, sizeof *P.st);
	P.busy = calloc((size_t)P.size, sizeof *P.busy);
	if (!P.st || !P.busy)
		return err_set(e, ERR_INTERNAL, "out of memory");
	P.cfg.conninfo = cfg->db;
	P.cfg.master_key_file = cfg->master_key_file;
	P.cfg.unnamed = cfg->db_unnamed;
	P.cfg.direct_conninfo = cfg->db_direct;
	/* One session up front tells a wrong conninfo at start; a database
	 * that is down is not a reason to stop: /readyz says 503 until it
	 * answers, and every request tries again. */
	if (store_open(&P.st[0], &P.cfg, e) == 0)
		return 0;
	if (e->code != ERR_UNAVAILABLE)
		return -1;
	log_line(LOG_LEVEL_WARN, "database unavailable", "error", e->message, "detail",
		 "serving 503 until it answers", NULL);
	P.cfg.lazy = true;
	return store_open(&P.st[0], &P.cfg, e);
}

void
pool_shutdown(void)
{
	for (int i = 0; i < P.size; i++)
		store_close(&P.st[i]);
	free(P.st);
	free(P.busy);
	P.st = NULL;
	P.busy = NULL;
}

/* Gives a slot back and wakes who waits for one. */
static void
release(int slot)
{
	bool wake;

	pthread_mutex_lock(&P.lock);
	P.busy[slot] = false;
	P.in_use--;
	wake = P.waiting > 0;
	pthread_mutex_unlock(&P.lock);
	if (wake)
		loops_notify();
}

struct store *
pool_get(struct err *e)
{
	int64_t deadline = loop_clock_ms() + POOL_WAIT_SECONDS * 1000;
	int slot = -1;

	pthread_mutex_lock(&P.lock);
	while (P.in_use == P.size) {
		/* A task must not block its loop (the sessions it waits for may
		 * belong to tasks of the same loop): it waits as a task, and
		 * release() wakes the waiting tasks of every loop. */
		bool more;

		P.waiting++;
		pthread_mutex_unlock(&P.lock);
		more = loop_wait_news(deadline);
		pthread_mutex_lock(&P.lock);
		P.waiting--;
		if (!more && P.in_use == P.size) {
			pthread_mutex_unlock(&P.lock);
			err_set(e, ERR_UNAVAILABLE, "all database sessions are busy");
			return NULL;
		}
	}
	/* Prefer a slot with an open session. */
	for (int i = 0; i < P.size; i++)
		if (!P.busy[i] && (slot < 0 || (P.st[i] && !P.st[slot])))
			slot = i;
	P.busy[slot] = true;
	P.in_use++;
	pthread_mutex_unlock(&P.lock);
	if (!P.st[slot] && store_open(&P.st[slot], &P.cfg, e) < 0) {
		release(slot);
		return NULL;
	}
	return P.st[slot];
}

void
pool_put(struct store *st)
{
	int slot = -1;

	if (st) /* a transaction left open rolls back */
		store_idem_end(st, NULL, NULL);
	pthread_mutex_lock(&P.lock);
	for (int i = 0; i < P.size && slot < 0; i++)
		if (P.st[i] == st && P.busy[i])
			slot = i;
	pthread_mutex_unlock(&P.lock);
	if (slot >= 0)
		release(slot);
}

void
pool_stats(struct pool_stats *out)
{
	pthread_mutex_lock(&P.lock);
	out->size = P.size;
	out->in_use = P.in_use;
	out->waiting = P.waiting;
	pthread_mutex_unlock(&P.lock);
}

int
pool_open_system(struct store **out, struct err *e)
{
	struct store_config cfg = { .lazy = true };
	struct store_context ctx = { .role = STORE_ROLE_PLATFORM };

	*out = NULL;
	if (!server_cfg)
		return err_set(e, ERR_INTERNAL, "no configuration");
	cfg.conninfo = server_cfg->db;
	cfg.master_key_file = server_cfg->master_key_file;
	cfg.unnamed = server_cfg->db_unnamed;
	cfg.direct_conninfo = server_cfg->db_direct;
	snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "system");
	if (store_open(out, &cfg, e) < 0 || store_set_context(*out, &ctx, e) < 0) {
		store_close(out);
		return -1;
	}
	return 0;
}
