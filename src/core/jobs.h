/* jobs.h - the background jobs (034_jobs.sql): their names, default
 * intervals and what each does; a job's state as the jobs table keeps it
 * and the outcome of one run; the interval list of `job-intervals` and
 * `tenantry jobs run --intervals`. */
#ifndef TENANTRY_JOBS_H
#define TENANTRY_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/types.h"

/* X(enum suffix, name, default interval in seconds, what it does) */
/* clang-format off */
#define JOBS(X)                                                              \
	X(TRIAL_END, "trial_end", 3600,                                      \
	  "ended trials: active (billing ok) or suspended (trial_expired); an alert 3 days before") \
	X(PURGE, "purge", 3600,                                              \
	  "tenants past their 30-day grace: purged, with a deletion certificate") \
	X(HEALTH_REFRESH, "health_refresh", 900,                             \
	  "every tenant's stored health score and usage peak")                \
	X(KEY_EXPIRY, "key_expiry", 3600,                                    \
	  "API keys past their expiry: marked expired (audited)")             \
	X(INVITATION_EXPIRY, "invitation_expiry", 3600,                      \
	  "open invitations past their expiry: marked expired (audited)")     \
	X(USAGE_ROLLUP, "usage_rollup", 86400,                               \
	  "daily usage summed by month; daily rows over 400 days old dropped") \
	X(EVENT_RETENTION, "event_retention", 3600,                          \
	  "done webhook deliveries (with attempts) and sent events over 30 days old dropped")
/* clang-format on */
enum job_kind {
#define X(e, s, i, d) JOB_##e,
	JOBS(X)
#undef X
	    JOB_COUNT
};

#define JOB_NAME_LEN 32
#define JOB_INTERVAL_MAX (31 * 86400)

const char *job_name(enum job_kind k);
const char *job_description(enum job_kind k);
int job_default_interval(enum job_kind k);
int job_parse(const char *s, enum job_kind *out);

/* "name=seconds[,name=seconds...]" over out (which keeps what is not
 * named); seconds in 1..JOB_INTERVAL_MAX. "" or NULL changes nothing.
 * -1 with ERR_BAD_REQUEST naming the bad part. */
int job_intervals_parse(const char *s, int out[JOB_COUNT], struct err *e);

/* One job as the jobs table keeps it. */
struct job_info {
	char name[JOB_NAME_LEN];
	int interval_s;
	usec_t next_run_at;
	usec_t last_run_at;      /* the latest run's claim, 0 = never */
	usec_t last_finished_at; /* 0 while the first run has not ended */
	int64_t last_duration_ms;
	char last_outcome[8]; /* ok | failed | "" (never) */
	char last_error[256];
	int64_t last_count; /* what the latest run changed */
	int64_t runs;
	char running_by[128]; /* "" when no run holds it */
	usec_t lease_until;
};

/* What one store_job_run did. */
struct job_result {
	bool ran; /* false: no job was due (or free) */
	char name[JOB_NAME_LEN];
	int64_t run;
	bool ok;
	int64_t count;
	int64_t duration_ms;
	char error[256];
	bool recorded; /* the finish was written (the lease still held) */
};

json_t *job_info_to_json(const struct job_info *j);
int job_info_from_json(struct job_info *out, json_t *j, struct err *e);

#endif
