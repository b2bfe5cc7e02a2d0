/* console_worker.c - the thread that owns the store and the live audit feed.
 *
 * Jobs arrive through a pipe and go back through the console's pipe once
 * run. The thread polls the job pipe together with the feed's descriptor;
 * announced audit keys say "look": the entries after the feed's position
 * are fetched page by page and delivered as feed_jobs. A lost connection
 * (seen by a job, or by a ping when the console has been idle for a
 * second) makes it wait with backoff until the store answers again
 * ("reconnecting…" in the title): reads are then run again; writes fail so
 * that the form that sent them keeps its values, and a write whose commit
 * was not confirmed says that its outcome is unknown. A lost feed is
 * reopened with backoff and goes on from its position.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "tui/console.h"

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 5000
#define BACKFILL 200
#define PAGE 500
#define KEYS_MAX 128
#define IDLE_PING_US 1000000

#define NAMED 1024

struct worker {
	char named[NAMED][ID_LEN]; /* tenants whose slug was sent to the UI */
	pthread_t thread;
	struct store *st;
	int job_pipe[2];
	int done_fd;
	atomic_bool reconnecting;
	bool want_feed;
	struct audit_feed *feed;
	char feed_tenant[ID_LEN];
	bool feed_all;
	int feed_backoff_ms;
	int64_t feed_retry_us;
	/* where the live feed is: the last entry delivered */
	bool have_position;
	char cursor[AUDIT_CURSOR_LEN];
	int64_t last_seq;
	int64_t heard_us; /* the store last answered */
};

/* Is a job waiting in the pipe? */
static bool
job_waiting(struct worker *w)
{
	struct pollfd p = { .fd = w->job_pipe[0], .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static void
deliver(struct worker *w, struct job *j)
{
	ssize_t n;

	do
		n = write(w->done_fd, &j, sizeof j);
	while (n < 0 && errno == EINTR);
}

/* Runs j; a lost connection is waited out and a read run again. */
static void
run_job(struct worker *w, struct job *j)
{
	int backoff = BACKOFF_MIN_MS;

	err_clear(&j->err);
	j->rc = j->run(j, w->st, &j->err);
	/* A read may simply run again; a write whose commit was not
	 * confirmed keeps saying so, once the store answers again. */
	if (j->rc < 0 && j->err.code == ERR_OUTCOME_UNKNOWN && !j->write)
		j->err.code = ERR_UNAVAILABLE;
	if (j->rc < 0 && j->err.code == ERR_OUTCOME_UNKNOWN) {
		struct err e = { 0 };

		while (store_ping(w->st, &e) < 0 && e.code == ERR_UNAVAILABLE) {
			atomic_store(&w->reconnecting, true);
			poll(NULL, 0, backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			err_clear(&e);
		}
		atomic_store(&w->reconnecting, false);
		return;
	}
	if (j->rc < 0 && j->err.code == ERR_UNAVAILABLE) {
		struct err e = { 0 };

		/* A backend that answers at once was not lost: the failure is
		 * the operation's own (a server without a master key, say). */
		if (store_ping(w->st, &e) == 0) {
			if (j->write)
				return;
			err_clear(&j->err);
			j->rc = j->run(j, w->st, &j->err);
			if (j->rc < 0 && j->err.code == ERR_UNAVAILABLE
			    && store_ping(w->st, &e) == 0)
				return;
		}
	}
	while (j->rc < 0 && j->err.code == ERR_UNAVAILABLE) {
		struct err e = { 0 };

		atomic_store(&w->reconnecting, true);
		poll(NULL, 0, backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		if (store_ping(w->st, &e) < 0)
			continue;
		atomic_store(&w->reconnecting, false);
		if (j->write)
			break; /* may or may not have committed: let the user retry */
		err_clear(&j->err);
		j->rc = j->run(j, w->st, &j->err);
	}
	atomic_store(&w->reconnecting, false);
}

static int
noop_run(struct job *j, struct store *st, struct err *e)
{
	(void)j, (void)st, (void)e;
	return 0;
}

/* What the UI did not take (it takes the entries unless it is closing). */
static void
feed_job_destroy(struct job *j)
{
	audit_entry_list_free(&((struct feed_job *)j)->entries);
}

static struct feed_job *
feed_job_new(void)
{
	struct feed_job *fj = job_new(sizeof *fj, noop_run, NULL);

	fj->job.destroy = feed_job_destroy;
	return fj;
}

/* Adds the slugs of tenants in fj's entries that the UI has not been told
 * yet (one lookup each, at most 32 per batch). */
static void
name_tenants(struct worker *w, struct feed_job *fj)
{
	for (size_t i = 0; i < fj->entries.n && fj->nnames < 32; i++) {
		const char *id = fj->entries.rows[i].tenant_id;
		unsigned h = text_hash(id) % NAMED;
		struct tenant t;
		struct err e = { 0 };

		if (strcmp(w->named[h], id) == 0)
			continue;
		snprintf(w->named[h], sizeof w->named[h], "%s", id);
		if (store_tenant_get(&t, w->st, id, &e) < 0)
			continue;
		snprintf(fj->names[fj->nnames].id, ID_LEN, "%s", t.id);
		snprintf(fj->names[fj->nnames].slug, SLUG_LEN, "%s", t.slug);
		fj->nnames++;
		tenant_clear(&t);
	}
}

/* Delivers the entries after the feed's position, page by page, in
 * commit order (the audit cursor for every chain, the seq for one), and
 * moves the position on: the keys the feed announced only say "look", so a
 * burst, a lost notification or a reconnect loses nothing and repeats
 * nothing. */
static void
drain_after(struct worker *w)
{
	for (int pages = 0; pages < 100; pages++) {
		struct feed_job *fj = feed_job_new();
		struct audit_query q = { .limit = PAGE };
		struct err e = { 0 };
		size_t n;

		if (w->feed_all)
			q.cursor = w->cursor;
		else
			q.after_seq = w->last_seq;
		if (store_audit_list(&fj->entries, w->st, w->feed_all ? NULL : w->feed_tenant, &q,
				     &e)
		    < 0) {
			deliver(w, &fj->job);
			return;
		}
		n = fj->entries.n;
		if (n) {
			const struct audit_entry *last = &fj->entries.rows[n - 1];

			snprintf(w->cursor, sizeof w->cursor, "%s", last->cursor);
			w->last_seq = last->seq;
			name_tenants(w, fj);
		}
		deliver(w, &fj->job);
		if (n < PAGE)
			return;
	}
}

/* The newest entries, oldest first, when the feed is first opened on a
 * view; they also set the position the feed goes on from. */
static void
backfill(struct worker *w)
{
	struct feed_job *fj = feed_job_new();
	struct audit_query q = { .limit = BACKFILL, .newest = true };
	struct err e = { 0 };

	fj->backfill = true;
	if (store_audit_list(&fj->entries, w->st, w->feed_all ? NULL : w->feed_tenant, &q, &e)
	    == 0) {
		for (size_t a = 0, b = fj->entries.n ? fj->entries.n - 1 : 0; a < b; a++, b--) {
			struct audit_entry t = fj->entries.rows[a];

			fj->entries.rows[a] = fj->entries.rows[b];
			fj->entries.rows[b] = t;
		}
		if (fj->entries.n) {
			const struct audit_entry *last = &fj->entries.rows[fj->entries.n - 1];

			snprintf(w->cursor, sizeof w->cursor, "%s", last->cursor);
			w->last_seq = last->seq;
		} else {
			snprintf(w->cursor, sizeof w->cursor, "0-0");
			w->last_seq = 0;
		}
		w->have_position = true;
		name_tenants(w, fj);
	}
	deliver(w, &fj->job);
}

static void
feed_try_open(struct worker *w)
{
	struct err e = { 0 };

	if (store_feed_open(&w->feed, w->st, w->feed_all ? NULL : w->feed_tenant, &e) == 0) {
		w->feed_backoff_ms = BACKOFF_MIN_MS;
		/* after a loss, what was committed meanwhile */
		if (w->have_position)
			drain_after(w);
		else
			backfill(w);
		return;
	}
	w->feed = NULL;
	w->feed_retry_us = console_now_us() + (int64_t)w->feed_backoff_ms * 1000;
	w->feed_backoff_ms =
	    w->feed_backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : w->feed_backoff_ms * 2;
}

static void
feed_drain(struct worker *w)
{
	struct audit_key keys[KEYS_MAX];
	struct err e = { 0 };
	int n, got = 0;

	while ((n = store_feed_read(w->st, w->feed, keys, KEYS_MAX, &e)) > 0)
		got += n;
	if (got || !w->feed_all || n < 0)
		drain_after(w);
	if (n < 0) {
		store_feed_close(w->st, w->feed);
		w->feed = NULL;
		w->feed_retry_us = console_now_us() + (int64_t)w->feed_backoff_ms * 1000;
	}
}

/* An idle console still notices a lost connection within two seconds:
 * the store is pinged when nothing else was heard for a second, and a
 * failed ping is waited out as a lost connection ("reconnecting…"). */
static void
idle_check(struct worker *w)
{
	struct err e = { 0 };
	int backoff = BACKOFF_MIN_MS;

	if (console_now_us() - w->heard_us < IDLE_PING_US)
		return;
	w->heard_us = console_now_us();
	if (store_ping(w->st, &e) == 0 || e.code != ERR_UNAVAILABLE)
		return;
	atomic_store(&w->reconnecting, true);
	for (;;) {
		poll(NULL, 0, backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		err_clear(&e);
		if (store_ping(w->st, &e) == 0 || e.code != ERR_UNAVAILABLE)
			break;
		if (job_waiting(w))
			break; /* the job's own wait takes over */
	}
	atomic_store(&w->reconnecting, false);
	w->heard_us = console_now_us();
	if (w->want_feed && w->have_position)
		drain_after(w); /* what was committed while away */
}

static void feed_retarget(struct worker *w, const char *tenant);

/* j brought a store to use from now on (signed in again): the feed is
 * reopened on it, from where it was. */
static void
swap_store(struct worker *w, struct job *j)
{
	if (w->feed)
		store_feed_close(w->st, w->feed);
	w->feed = NULL;
	store_close(&w->st);
	w->st = j->swap;
	j->swap = NULL;
	w->feed_backoff_ms = BACKOFF_MIN_MS;
	if (w->want_feed)
		feed_try_open(w);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->want_feed)
		feed_try_open(w);
	for (;;) {
		struct pollfd p[2] = { { .fd = w->job_pipe[0], .events = POLLIN } };
		int np = 1, timeout = -1;

		int ready;

		if (w->feed) {
			p[1] = (struct pollfd){ .fd = store_feed_fd(w->st, w->feed),
						.events = POLLIN };
			np = p[1].fd >= 0 ? 2 : 1;
			if (np == 1)
				timeout = 500; /* a feed without descriptor is polled */
		} else if (w->want_feed) {
			int64_t left = w->feed_retry_us - console_now_us();

			timeout = left <= 0 ? 0 : (int)(left / 1000) + 1;
		}
		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		if ((ready = poll(p, (nfds_t)np, timeout)) < 0 && errno != EINTR)
			break;
		if (ready == 0) {
			idle_check(w);
			/* entries of transactions that were still running */
			if (w->feed && w->have_position)
				drain_after(w);
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			struct job *j;
			ssize_t r = read(w->job_pipe[0], &j, sizeof j);

			if (r <= 0 || !j)
				break;
			run_job(w, j);
			w->heard_us = console_now_us();
			if (j->rc == 0 && j->swap)
				swap_store(w, j);
			if (j->rc == 0 && j->feed_target != FEED_KEEP)
				feed_retarget(w, j->feed_target == FEED_TENANT ? j->tenant : NULL);
			deliver(w, j);
		}
		if (w->feed && (np == 1 || (p[1].revents & (POLLIN | POLLHUP | POLLERR))))
			feed_drain(w);
		else if (!w->feed && w->want_feed && console_now_us() >= w->feed_retry_us)
			feed_try_open(w);
	}
	return NULL;
}

struct worker *
worker_start(struct store *st, int done_fd, bool feed, struct err *e)
{
	struct worker *w = calloc(1, sizeof *w);

	if (!w) {
		err_set(e, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	w->st = st;
	w->done_fd = done_fd;
	w->want_feed = feed;
	w->feed_all = true;
	w->feed_backoff_ms = BACKOFF_MIN_MS;
	if (pipe(w->job_pipe) < 0) {
		err_set(e, ERR_INTERNAL, "pipe: %s", strerror(errno));
		free(w);
		return NULL;
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		err_set(e, ERR_INTERNAL, "cannot start the worker thread");
		close(w->job_pipe[0]);
		close(w->job_pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

void
worker_submit(struct worker *w, struct job *j)
{
	ssize_t n;

	do
		n = write(w->job_pipe[1], &j, sizeof j);
	while (n < 0 && errno == EINTR);
}

void
worker_stop(struct worker **wp)
{
	struct worker *w = *wp;
	struct job *none = NULL;

	if (!w)
		return;
	*wp = NULL;
	if (write(w->job_pipe[1], &none, sizeof none) < 0)
		close(w->job_pipe[1]);
	pthread_join(w->thread, NULL);
	if (w->feed)
		store_feed_close(w->st, w->feed);
	store_close(&w->st);
	close(w->job_pipe[0]);
	close(w->job_pipe[1]);
	free(w);
}

bool
worker_reconnecting(struct worker *w)
{
	return w && atomic_load(&w->reconnecting);
}

static void
feed_retarget(struct worker *w, const char *tenant)
{
	if (!w->want_feed)
		return;
	if (w->feed)
		store_feed_close(w->st, w->feed);
	w->feed = NULL;
	w->feed_all = !tenant;
	snprintf(w->feed_tenant, sizeof w->feed_tenant, "%s", tenant ? tenant : "");
	w->have_position = false; /* backfill what the new view sees */
	w->feed_backoff_ms = BACKOFF_MIN_MS;
	feed_try_open(w);
}
