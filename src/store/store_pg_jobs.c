/* store_pg_jobs.c - the background jobs over libpq (034_jobs.sql): their
 * state, one run (claim, work, finish: three transactions, the run held
 * by its lease in between) and a purged tenant's deletion certificate. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/validate.h"
#include "store/store_pg.h"

static int
pg_job_list(struct job_info_list *out, struct store *st, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step = PG_STEP0(
	    "SELECT j.name, j.interval_seconds, " US("j.next_run_at") ", " US("j.last_run_at") ", " US(
		"j.last_finished_at") ", "
				      "coalesce(j.last_duration_ms, 0), coalesce(j.last_outcome, ''), "
				      "coalesce(j.last_error, ''), coalesce(j.last_count, 0), j.runs, "
				      "CASE WHEN j.lease_until > now() THEN coalesce(j.running_by, '') "
				      "ELSE '' END, " US("j.lease_until") " FROM tenantry.jobs j "
									  "ORDER BY j.name",
	    &r);

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		struct job_info *j = &out->rows[i];
		int k = (int)i;

		pg_cpy(j->name, r, k, 0);
		j->interval_s = (int)pg_i64(r, k, 1);
		j->next_run_at = pg_i64(r, k, 2);
		j->last_run_at = pg_i64(r, k, 3);
		j->last_finished_at = pg_i64(r, k, 4);
		j->last_duration_ms = pg_i64(r, k, 5);
		pg_cpy(j->last_outcome, r, k, 6);
		pg_cpy(j->last_error, r, k, 7);
		j->last_count = pg_i64(r, k, 8);
		j->runs = pg_i64(r, k, 9);
		pg_cpy(j->running_by, r, k, 10);
		j->lease_until = j->running_by[0] ? pg_i64(r, k, 11) : 0;
	}
	PQclear(r);
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The database's part of the run: {"count": n, ...} in *detail (owned). */
static int
work(char **detail, int64_t *count, struct store *st, const struct job_result *run,
     const char *runner, struct err *e)
{
	char num[24];
	PGresult *r = NULL;
	json_t *j;

	*detail = NULL;
	*count = 0;
	if (strcmp(run->name, job_name(JOB_HEALTH_REFRESH)) == 0) {
		int n;

		if (store_health_refresh(&n, st, e) < 0)
			return -1;
		*count = n;
		if (asprintf(detail, "{\"count\": %d, \"updated\": %d}", n, n) < 0)
			*detail = NULL;
		return 0;
	}
	snprintf(num, sizeof num, "%lld", (long long)run->run);
	{
		struct pgstep step = PG_STEP("SELECT tenantry.job_work($1, $2::int8, $3)::text", &r,
					     run->name, num, runner);

		if (pg_run(pg_of(st), &step, 1, e) < 0)
			return -1;
	}
	*detail = strdup(pg_s(r, 0, 0));
	PQclear(r);
	if ((j = json_loads(*detail ? *detail : "", 0, NULL))) {
		*count = json_integer_value(json_object_get(j, "count"));
		json_decref(j);
	}
	return 0;
}

static int
pg_job_run(struct job_result *out, struct store *st, const struct job_run_opts *o, struct err *e)
{
	char lease[16], run[24], ok[8], count[24], ms[24], interval[16];
	PGresult *r = NULL;
	char *detail = NULL;
	struct err why = { 0 };
	enum job_kind kind;
	int64_t t0;
	int rc;

	memset(out, 0, sizeof *out);
	if (!o || !o->runner || !*o->runner)
		return err_set(e, ERR_BAD_REQUEST, "a job run needs its runner");
	if (o->name && job_parse(o->name, &kind) < 0)
		return err_field(e, "job", "unknown job %s", o->name);
	snprintf(lease, sizeof lease, "%d", o->lease_s > 0 ? o->lease_s : 600);
	{
		struct pgstep step =
		    PG_STEP("SELECT c.name, c.run FROM tenantry.job_claim($1, $2, $3::bool, "
			    "$4::int) c",
			    &r, o->runner, o->name, o->force ? "true" : "false", lease);

		if (pg_run(pg_of(st), &step, 1, e) < 0)
			return -1;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	out->ran = true;
	pg_cpy(out->name, r, 0, 0);
	out->run = pg_i64(r, 0, 1);
	PQclear(r);
	t0 = now_ms();
	rc = work(&detail, &out->count, st, out, o->runner, &why);
	out->duration_ms = now_ms() - t0;
	out->ok = rc == 0;
	if (!out->ok)
		utf8_copy(out->error, sizeof out->error, why.message, strlen(why.message));
	snprintf(run, sizeof run, "%lld", (long long)out->run);
	snprintf(ok, sizeof ok, "%s", out->ok ? "true" : "false");
	snprintf(count, sizeof count, "%lld", (long long)out->count);
	snprintf(ms, sizeof ms, "%lld", (long long)out->duration_ms);
	snprintf(interval, sizeof interval, "%d",
		 o->intervals && job_parse(out->name, &kind) == 0 ? o->intervals[kind] : 0);
	{
		struct pgstep step =
		    PG_STEP("SELECT tenantry.job_finish($1, $2::int8, $3, $4::bool, $5, $6::int8, "
			    "$7::int8, $8::int, $9::jsonb)",
			    &r, out->name, run, o->runner, ok, out->ok ? NULL : out->error, count,
			    ms, interval, detail);

		rc = pg_run(pg_of(st), &step, 1, e);
	}
	free(detail);
	if (rc < 0)
		return -1;
	out->recorded = pg_b(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_deletion_certificate(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT jsonb_pretty(tenantry.deletion_certificate($1))", &r, tenant);

	*json_out = NULL;
	if (!tenant || !*tenant)
		return err_field(e, "tenant", "a tenant id or slug is required");
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	if (pg_null(r, 0, 0)) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no deletion certificate for %s", tenant);
	}
	*json_out = strdup(pg_s(r, 0, 0));
	PQclear(r);
	return *json_out ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

void
pg_ops_jobs(struct store_ops *ops)
{
	ops->job_list = pg_job_list;
	ops->job_run = pg_job_run;
	ops->deletion_certificate = pg_deletion_certificate;
}
