/* jobs.c - tenantryd's background jobs: one thread with its own database
 * session, never on a request's path. Every --job-poll seconds (sooner
 * when a job falls due) it runs each due job through store_job_run, which
 * claims the run in the jobs table (FOR UPDATE SKIP LOCKED and a lease),
 * so that however many tenantryd instances and `tenantry jobs run` timers
 * share the database, each run happens once; then it reads the table
 * again for /metrics. --jobs 0 starts nothing. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/jobs.h"
#include "server/log.h"

#define MAX_RUNS_PER_ROUND 64

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool started, stop, run;
	int poll, lease;
	struct store *st;
	int intervals[JOB_COUNT];
	char runner[128];
	struct job_info jobs[JOB_COUNT * 2]; /* as last read, under lock */
	size_t njobs;
	bool have;
} J = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static usec_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (usec_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Runs what is due, one claimed run at a time, until nothing is. */
static void
run_due(void)
{
	struct job_run_opts o = { .runner = J.runner,
				  .intervals = J.intervals,
				  .lease_s = J.lease };

	for (int i = 0; i < MAX_RUNS_PER_ROUND && !__atomic_load_n(&J.stop, __ATOMIC_RELAXED);
	     i++) {
		struct job_result r;
		struct err e;
		char count[24], ms[24];

		if (store_job_run(&r, J.st, &o, &e) < 0) {
			log_line(LOG_LEVEL_WARN, "jobs: cannot run", "error", e.message, NULL);
			return;
		}
		if (!r.ran)
			return;
		snprintf(count, sizeof count, "%lld", (long long)r.count);
		snprintf(ms, sizeof ms, "%lld", (long long)r.duration_ms);
		log_line(r.ok ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "job run", "job", r.name,
			 "outcome", r.ok ? "ok" : "failed", "count", count, "duration_ms", ms,
			 "error", r.ok ? NULL : r.error, NULL);
	}
}

/* Reads the jobs' state; the seconds until the next one is due (at most
 * the poll interval). */
static int
refresh(void)
{
	struct job_info_list l;
	struct err e;
	int wait = J.poll;
	usec_t now = now_us();

	if (store_job_list(&l, J.st, &e) < 0)
		return wait;
	pthread_mutex_lock(&J.lock);
	J.njobs = l.n < sizeof J.jobs / sizeof J.jobs[0] ? l.n : sizeof J.jobs / sizeof J.jobs[0];
	memcpy(J.jobs, l.rows, J.njobs * sizeof J.jobs[0]);
	J.have = true;
	pthread_mutex_unlock(&J.lock);
	for (size_t i = 0; J.run && i < l.n; i++) {
		int64_t s = (l.rows[i].next_run_at - now) / 1000000 + 1;

		if (s < wait)
			wait = s < 1 ? 1 : (int)s;
	}
	job_info_list_free(&l);
	return wait;
}

static void *
thread(void *arg)
{
	(void)arg;
	for (;;) {
		struct timespec at;
		int wait;

		if (J.run)
			run_due();
		wait = refresh();
		pthread_mutex_lock(&J.lock);
		if (J.stop) {
			pthread_mutex_unlock(&J.lock);
			break;
		}
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += wait;
		pthread_cond_timedwait(&J.wake, &J.lock, &at);
		if (J.stop) {
			pthread_mutex_unlock(&J.lock);
			break;
		}
		pthread_mutex_unlock(&J.lock);
	}
	return NULL;
}

int
jobs_configure(const struct server_config *cfg, struct err *e)
{
	for (int k = 0; k < JOB_COUNT; k++)
		J.intervals[k] = job_default_interval((enum job_kind)k);
	if (job_intervals_parse(cfg->job_intervals, J.intervals, e) < 0) {
		char why[256];

		snprintf(why, sizeof why, "%.200s", e->message);
		return err_set(e, ERR_BAD_REQUEST, "--job-intervals: %s", why);
	}
	return 0;
}

int
jobs_start(const struct server_config *cfg, struct err *e)
{
	struct store_config sc = { .lazy = true };
	struct store_context ctx = { .role = STORE_ROLE_PLATFORM };
	char host[64] = "";

	J.run = cfg->jobs != 0;
	if (!J.run)
		return 0; /* left to `tenantry jobs run`; /metrics shows none */
	J.poll = cfg->job_poll > 0 ? cfg->job_poll : 30;
	J.lease = cfg->job_lease > 0 ? cfg->job_lease : 600;
	gethostname(host, sizeof host - 1);
	snprintf(J.runner, sizeof J.runner, "tenantryd@%s:%ld", host[0] ? host : "localhost",
		 (long)getpid());
	sc.conninfo = cfg->db;
	sc.master_key_file = cfg->master_key_file;
	sc.unnamed = cfg->db_unnamed; /* polls: no LISTEN, so db, pooled or not */
	snprintf(ctx.actor, sizeof ctx.actor, "system");
	snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "system");
	if (store_open(&J.st, &sc, e) < 0)
		return -1;
	if (store_set_context(J.st, &ctx, e) < 0) {
		store_close(&J.st);
		return -1;
	}
	J.stop = false;
	if (pthread_create(&J.thread, NULL, thread, NULL) != 0) {
		store_close(&J.st);
		return err_set(e, ERR_INTERNAL, "cannot start the jobs thread");
	}
	J.started = true;
	return 0;
}

void
jobs_stop(void)
{
	if (!J.started)
		return;
	pthread_mutex_lock(&J.lock);
	J.stop = true;
	pthread_cond_signal(&J.wake);
	pthread_mutex_unlock(&J.lock);
	pthread_join(J.thread, NULL);
	J.started = false;
	store_close(&J.st);
}

struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void __attribute__((format(printf, 2, 3))) put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && b->len + (size_t)n + 1 > b->cap) {
		size_t cap = (b->len + (size_t)n + 1) * 2;
		char *grown = realloc(b->s, cap);

		if (grown) {
			b->s = grown;
			b->cap = cap;
		} else {
			n = -1;
		}
	}
	if (n < 0) {
		b->failed = true; /* jobs_metrics frees what there is */
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
jobs_metrics(void)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
		{ "tenantryd_job_last_run_timestamp_seconds", "gauge",
		  "When the job's latest run started (any runner)." },
		{ "tenantryd_job_next_run_timestamp_seconds", "gauge",
		  "When the job is next due." },
		{ "tenantryd_job_last_duration_seconds", "gauge", "How long its latest run took." },
		{ "tenantryd_job_last_success", "gauge",
		  "1 when its latest run succeeded, 0 when it failed." },
		{ "tenantryd_job_runs_total", "counter", "Runs of the job by every runner." },
	};
	struct buf b = { 0 };

	pthread_mutex_lock(&J.lock);
	if (!J.have) {
		pthread_mutex_unlock(&J.lock);
		return NULL;
	}
	for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
		put(&b, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name, m[k].type);
		for (size_t i = 0; i < J.njobs; i++) {
			const struct job_info *j = &J.jobs[i];

			switch (k) {
			case 0:
				if (j->last_run_at)
					put(&b, "%s{job=\"%s\"} %.3f\n", m[k].name, j->name,
					    (double)j->last_run_at / 1e6);
				break;
			case 1:
				put(&b, "%s{job=\"%s\"} %.3f\n", m[k].name, j->name,
				    (double)j->next_run_at / 1e6);
				break;
			case 2:
				if (j->last_outcome[0])
					put(&b, "%s{job=\"%s\"} %.3f\n", m[k].name, j->name,
					    (double)j->last_duration_ms / 1e3);
				break;
			case 3:
				if (j->last_outcome[0])
					put(&b, "%s{job=\"%s\"} %d\n", m[k].name, j->name,
					    strcmp(j->last_outcome, "ok") == 0);
				break;
			default:
				put(&b, "%s{job=\"%s\"} %lld\n", m[k].name, j->name,
				    (long long)j->runs);
			}
		}
	}
	pthread_mutex_unlock(&J.lock);
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
