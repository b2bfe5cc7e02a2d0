/* json_jobs.c - the background jobs' names and intervals, and the JSON
 * codec of a job's state (jobs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "core/json.h"
#include "core/json_read.h"

static const struct {
	const char *name;
	int interval;
	const char *description;
} jobs[JOB_COUNT] = {
#define X(e, s, i, d) [JOB_##e] = { s, i, d },
	JOBS(X)
#undef X
};

const char *
job_name(enum job_kind k)
{
	return (unsigned)k < JOB_COUNT ? jobs[k].name : "?";
}

const char *
job_description(enum job_kind k)
{
	return (unsigned)k < JOB_COUNT ? jobs[k].description : "";
}

int
job_default_interval(enum job_kind k)
{
	return (unsigned)k < JOB_COUNT ? jobs[k].interval : 0;
}

int
job_parse(const char *s, enum job_kind *out)
{
	for (int k = 0; s && k < JOB_COUNT; k++)
		if (strcmp(s, jobs[k].name) == 0) {
			*out = (enum job_kind)k;
			return 0;
		}
	return -1;
}

int
job_intervals_parse(const char *s, int out[JOB_COUNT], struct err *e)
{
	int next[JOB_COUNT];
	const char *p = s;

	if (!s || !*s)
		return 0;
	memcpy(next, out, sizeof next);
	while (*p) {
		size_t len = strcspn(p, ","), nlen;
		const char *eq = memchr(p, '=', len);
		char name[JOB_NAME_LEN], *end;
		enum job_kind k;
		long v;

		nlen = eq ? (size_t)(eq - p) : len;
		if (!eq || nlen == 0 || nlen >= sizeof name)
			return err_set(e, ERR_BAD_REQUEST, "want job=seconds, not '%.*s'",
				       (int)(len > 60 ? 60 : len), p);
		memcpy(name, p, nlen);
		name[nlen] = '\0';
		if (job_parse(name, &k) < 0)
			return err_set(e, ERR_BAD_REQUEST, "unknown job '%s'", name);
		errno = 0;
		v = strtol(eq + 1, &end, 10);
		if (end == eq + 1 || end != p + len || errno || v < 1 || v > JOB_INTERVAL_MAX)
			return err_set(e, ERR_BAD_REQUEST, "%s: want seconds in 1..%d, not '%.*s'",
				       name, JOB_INTERVAL_MAX,
				       (int)(p + len - eq - 1 > 20 ? 20 : p + len - eq - 1),
				       eq + 1);
		next[k] = (int)v;
		p += len;
		if (*p == ',')
			p++;
	}
	memcpy(out, next, sizeof next);
	return 0;
}

json_t *
job_info_to_json(const struct job_info *j)
{
	json_t *o = json_pack(
	    "{s:s, s:I, s:o, s:o, s:o, s:I, s:s, s:s, s:I, s:I, s:s, s:o}", "name", j->name,
	    "interval_seconds", (json_int_t)j->interval_s, "next_run_at",
	    time_to_json(j->next_run_at), "last_run_at", time_to_json(j->last_run_at),
	    "last_finished_at", time_to_json(j->last_finished_at), "last_duration_ms",
	    (json_int_t)j->last_duration_ms, "last_outcome", j->last_outcome, "last_error",
	    j->last_error, "last_count", (json_int_t)j->last_count, "runs", (json_int_t)j->runs,
	    "running_by", j->running_by, "lease_until", time_to_json(j->lease_until));
	return o;
}

int
job_info_from_json(struct job_info *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "name", out->name, sizeof out->name);
	rd_int(&r, "interval_seconds", &out->interval_s);
	rd_time(&r, "next_run_at", &out->next_run_at);
	rd_time(&r, "last_run_at", &out->last_run_at);
	rd_time(&r, "last_finished_at", &out->last_finished_at);
	rd_i64(&r, "last_duration_ms", &out->last_duration_ms);
	rd_str(&r, "last_outcome", out->last_outcome, sizeof out->last_outcome);
	rd_str(&r, "last_error", out->last_error, sizeof out->last_error);
	rd_i64(&r, "last_count", &out->last_count);
	rd_i64(&r, "runs", &out->runs);
	rd_str(&r, "running_by", out->running_by, sizeof out->running_by);
	rd_time(&r, "lease_until", &out->lease_until);
	return rd_done(&r);
}
