/* cmd_jobs.c - `tenantry jobs list|run` (the background jobs of
 * 034_jobs.sql, for those who run them from cron or a systemd timer
 * rather than in tenantryd, or besides it) and `tenantry tenants
 * certificate`. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/jobs.h"
#include "core/json.h"

static const char JOBS_HELP[] =
    "usage: tenantry jobs list\n"
    "       tenantry jobs run [--once] [--job NAME] [--force] [--intervals LIST]\n"
    "                         [--poll SECONDS] [--lease SECONDS]\n"
    "`run` runs every due job (each run is claimed in the database, so any number of\n"
    "runners and tenantryd instances run it once); with --once it exits when none is\n"
    "due (exit 1 if a run failed), else it keeps looking every --poll seconds (30).\n"
    "--job runs that job only, --force even when it is not due. --intervals sets the\n"
    "seconds to each job's next run (trial_end=3600,purge=3600,...; as tenantryd's\n"
    "job-intervals). --lease: how long a run is held before another may take it (600).\n"
    "jobs:\n";

static void
help(FILE *f)
{
	fputs(JOBS_HELP, f);
	for (int k = 0; k < JOB_COUNT; k++)
		fprintf(f, "  %-18s every %6ds  %s\n", job_name((enum job_kind)k),
			job_default_interval((enum job_kind)k), job_description((enum job_kind)k));
}

static const char *
fmt_seconds(char buf[32], int s)
{
	if (s % 86400 == 0)
		snprintf(buf, 32, "%dd", s / 86400);
	else if (s % 3600 == 0)
		snprintf(buf, 32, "%dh", s / 3600);
	else if (s % 60 == 0)
		snprintf(buf, 32, "%dm", s / 60);
	else
		snprintf(buf, 32, "%ds", s);
	return buf;
}

static int
jobs_list(struct cli *c)
{
	struct job_info_list l;

	if (cli_store(c) < 0 || store_job_list(&l, c->st, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, job_info_to_json(&l.rows[i]));
		json_print(arr);
	} else {
		struct table *t =
		    table_new(8, (const char *[]){ "JOB", "EVERY", "LAST RUN", "NEXT RUN",
						   "DURATION", "OUTCOME", "COUNT", "RUNNING" });

		for (size_t i = 0; i < l.n; i++) {
			const struct job_info *j = &l.rows[i];
			char every[32], last[32], next[32], dur[32], count[32];
			char outcome[300];

			snprintf(dur, sizeof dur, "%lld ms", (long long)j->last_duration_ms);
			snprintf(count, sizeof count, "%lld", (long long)j->last_count);
			if (strcmp(j->last_outcome, "failed") == 0)
				snprintf(outcome, sizeof outcome, "failed: %s", j->last_error);
			else
				snprintf(outcome, sizeof outcome, "%s",
					 j->last_outcome[0] ? j->last_outcome : "never run");
			table_add(t, j->name, fmt_seconds(every, j->interval_s),
				  fmt_time(last, j->last_run_at), fmt_time(next, j->next_run_at),
				  j->last_outcome[0] ? dur : "-", outcome,
				  j->last_outcome[0] ? count : "-",
				  j->running_by[0] ? j->running_by : "-");
		}
		table_print(t);
	}
	job_info_list_free(&l);
	return 0;
}

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
print_result(const struct cli *c, const struct job_result *r)
{
	if (c->json) {
		json_print(json_pack("{s:s, s:I, s:s, s:I, s:I, s:s?, s:b}", "job", r->name, "run",
				     (json_int_t)r->run, "outcome", r->ok ? "ok" : "failed",
				     "count", (json_int_t)r->count, "duration_ms",
				     (json_int_t)r->duration_ms, "error", r->ok ? NULL : r->error,
				     "recorded", r->recorded));
	} else if (r->ok) {
		printf("%s ok: %lld (run %lld, %lld ms)\n", r->name, (long long)r->count,
		       (long long)r->run, (long long)r->duration_ms);
	} else {
		printf("%s failed: %s (run %lld, %lld ms)\n", r->name, cli_safe(r->error),
		       (long long)r->run, (long long)r->duration_ms);
	}
	fflush(stdout);
}

static int
jobs_run(struct cli *c, int argc, char **argv)
{
	struct opt o[] = { { "once", 0 },      { "job", 1 },  { "force", 0 },
			   { "intervals", 1 }, { "poll", 1 }, { "lease", 1 } };
	int intervals[JOB_COUNT], poll = 30, lease = 600, failed = 0, n;
	struct job_run_opts ro = { 0 };
	char host[64] = "", runner[128];
	const char *v;
	bool once;
	enum job_kind k;

	n = opt_parse("jobs run ", argc, argv, o, NOPTS(o));
	if (n < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cli_usage("jobs ", "run takes no arguments (--job NAME names one)");
	for (int i = 0; i < JOB_COUNT; i++)
		intervals[i] = job_default_interval((enum job_kind)i);
	if (job_intervals_parse(opt_get(o, NOPTS(o), "intervals"), intervals, &c->err) < 0)
		return cli_usage("jobs ", "--intervals: %s", c->err.message);
	if ((v = opt_get(o, NOPTS(o), "poll")) && ((poll = atoi(v)) < 1 || poll > 3600))
		return cli_usage("jobs ", "--poll wants seconds in 1..3600");
	if ((v = opt_get(o, NOPTS(o), "lease")) && ((lease = atoi(v)) < 10 || lease > 86400))
		return cli_usage("jobs ", "--lease wants seconds in 10..86400");
	ro.name = opt_get(o, NOPTS(o), "job");
	if (ro.name && job_parse(ro.name, &k) < 0)
		return cli_usage("jobs ", "unknown job '%s'", cli_safe(ro.name));
	ro.force = opt_get(o, NOPTS(o), "force") != NULL;
	if (ro.force && !ro.name)
		return cli_usage("jobs ", "--force needs --job NAME");
	once = opt_get(o, NOPTS(o), "once") != NULL || ro.force;
	gethostname(host, sizeof host - 1);
	snprintf(runner, sizeof runner, "tenantry@%s:%ld", host[0] ? host : "localhost",
		 (long)getpid());
	ro.runner = runner;
	ro.intervals = intervals;
	ro.lease_s = lease;
	if (cli_refuse_write(c) < 0 || cli_store(c) < 0)
		return cli_fail(c);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stopping) {
		struct job_result r;

		if (store_job_run(&r, c->st, &ro, &c->err) < 0) {
			if (once)
				return cli_fail(c);
			fprintf(stderr, "tenantry: jobs: %s\n", cli_safe(c->err.message));
			r.ran = false;
		}
		if (r.ran) {
			print_result(c, &r);
			failed |= !r.ok;
			if (!ro.force)
				continue;
		}
		if (once)
			break;
		for (int s = 0; s < poll && !stopping; s++)
			sleep(1);
	}
	return failed ? 1 : 0;
}

int
cmd_jobs(struct cli *c, int argc, char **argv)
{
	if (argc
	    && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0
		|| strcmp(argv[0], "help") == 0)) {
		help(stdout);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			help(stdout);
			return 0;
		}
	if (argc == 0 || strcmp(argv[0], "list") == 0) {
		if (argc > 1)
			return cli_usage("jobs ", "list takes no arguments");
		return jobs_list(c);
	}
	if (strcmp(argv[0], "run") == 0)
		return jobs_run(c, argc - 1, argv + 1);
	return cli_usage("jobs ", "unknown subcommand '%s'", cli_safe(argv[0]));
}

int
cmd_tenants_certificate(struct cli *c, const char *tenant)
{
	char *doc;

	if (cli_store(c) < 0 || store_deletion_certificate(&doc, c->st, tenant, &c->err) < 0)
		return cli_fail(c);
	if (c->json) {
		fputs(doc, stdout);
		fputc('\n', stdout);
	} else {
		json_t *j = json_loads(doc, 0, NULL), *tables, *row;
		size_t i;
		struct table *t;

		if (!j) {
			free(doc);
			err_set(&c->err, ERR_INTERNAL, "the certificate is not JSON");
			return cli_fail(c);
		}
		printf("deletion certificate of %s (%s)\n",
		       cli_safe(json_string_value(json_object_get(j, "slug"))),
		       cli_safe(json_string_value(json_object_get(j, "name"))));
		printf("tenant id       %s\n",
		       cli_safe(json_string_value(json_object_get(j, "tenant_id"))));
		printf("tier            %s\n",
		       cli_safe(json_string_value(json_object_get(j, "tier"))));
		printf("deletion asked  %s\n",
		       cli_safe(json_string_value(json_object_get(j, "deletion_requested_at"))));
		printf("purged at       %s\n",
		       cli_safe(json_string_value(json_object_get(j, "purged_at"))));
		printf("purged by       %s\n",
		       cli_safe(json_string_value(json_object_get(j, "purged_by"))));
		printf("audit chain     %lld entries, final hash %s\n",
		       (long long)json_integer_value(
			   json_object_get(json_object_get(j, "audit_chain"), "entries")),
		       cli_safe(json_string_value(
			   json_object_get(json_object_get(j, "audit_chain"), "final_hash"))));
		printf("platform entry  seq %lld, hash %s\n",
		       (long long)json_integer_value(
			   json_object_get(json_object_get(j, "platform_entry"), "seq")),
		       cli_safe(json_string_value(
			   json_object_get(json_object_get(j, "platform_entry"), "hash"))));
		printf("rows            %lld before, %lld after\n\n",
		       (long long)json_integer_value(json_object_get(j, "rows_before")),
		       (long long)json_integer_value(json_object_get(j, "rows_after")));
		t = table_new(3, (const char *[]){ "TABLE", "BEFORE", "AFTER" });
		tables = json_object_get(j, "tables");
		json_array_foreach(tables, i, row)
		{
			char b[24], a[24];

			snprintf(b, sizeof b, "%lld",
				 (long long)json_integer_value(json_object_get(row, "before")));
			snprintf(a, sizeof a, "%lld",
				 (long long)json_integer_value(json_object_get(row, "after")));
			table_add(t, json_string_value(json_object_get(row, "table")), b, a);
		}
		table_print(t);
		json_decref(j);
	}
	free(doc);
	return 0;
}
