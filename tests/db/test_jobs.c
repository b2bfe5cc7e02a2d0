/* test_jobs.c - the background jobs (034_jobs.sql) against real servers:
 * a trial ending (its tenant active or suspended as trial_expired, its API
 * key then refused by tenantryd, an alert 3 days before); each due run
 * claimed exactly once by two tenantryd instances and concurrent
 * `tenantry jobs run --once`; a crashed runner's lease expiring; the
 * purge's deletion certificate; key and invitation expiry; the usage
 * rollup; `jobs list`, GET /api/jobs and /metrics. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static char db[64], conninfo[512];
static char *out, *errout;
static PGconn *su;
static struct store *pf;

static void
setup(void)
{
	snprintf(db, sizeof db, "%s", testdb_create());
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	out = errout = NULL;
	su = testdb_connect(db, NULL);
	pf = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
}

static void
teardown(void)
{
	free(out);
	free(errout);
	out = errout = NULL;
	store_close(&pf);
	PQfinish(su);
}

/* Runs tenantry --db <test db> ARGS...; returns the exit status. */
/* clang-format off */
#define RUN(...)                                                             \
	(free(out), free(errout), out = errout = NULL,                       \
	 testcli_run(&out, &errout,                                           \
		     (const char *const[]){ "--db", conninfo, __VA_ARGS__, NULL }))
/* clang-format on */

static void
tenant(const char *slug, bool trial, char id[ID_LEN])
{
	struct tenant_new n = { .name = slug,
				.slug = slug,
				.tier = "business",
				.admin_email = "admin@jobs.example",
				.trial = trial };
	struct tenant t;
	struct err e;

	ck_assert_msg(store_tenant_create(&t, pf, &n, &e) == 0, "%s: %s", slug, e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
}

static void
run_job(const char *job)
{
	ck_assert_msg(RUN("jobs", "run", "--once", "--job", job, "--force") == 0, "%s: %s %s", job,
		      out ? out : "", errout ? errout : "");
	ck_assert_msg(strstr(out, job) && strstr(out, " ok: "), "%s", out);
}

/* ---- trial end ---------------------------------------------------------------------- */

START_TEST(trial_end)
{
	char paid[ID_LEN], unpaid[ID_LEN], soon[ID_LEN], secret[128], bearer[160], *body = NULL;
	struct api_key k;
	struct tenant t;
	struct testsrv srv;
	struct err e;

	tenant("paid-trial", true, paid);
	tenant("unpaid-trial", true, unpaid);
	tenant("soon-trial", true, soon);
	ck_assert_msg(
	    store_apikey_create(&k, secret, pf, unpaid, "ci", 1u << SCOPE_TENANT_READ, 0, &e) == 0,
	    "%s", e.message);
	snprintf(bearer, sizeof bearer, "%s", secret);
	testdb_execf(su,
		     "UPDATE tenantry.tenants SET trial_ends_at = now() - interval '1 hour' "
		     "WHERE id IN ('%s', '%s')",
		     paid, unpaid);
	testdb_execf(su, "UPDATE tenantry.tenants SET billing_status = 'unpaid' WHERE id = '%s'",
		     unpaid);
	testdb_execf(su,
		     "UPDATE tenantry.tenants SET trial_ends_at = now() + interval '2 days' "
		     "WHERE id = '%s'",
		     soon);

	testsrv_start(&srv, db, NULL);
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", bearer, NULL, &body), 200);
	free(body);

	run_job("trial_end");
	ck_assert_str_eq(testdb_value(su, "SELECT status || ':' || coalesce(status_reason, '') "
					  "FROM tenantry.tenants WHERE slug = 'paid-trial'"),
			 "active:");
	ck_assert_str_eq(testdb_value(su, "SELECT status || ':' || coalesce(status_reason, '') "
					  "FROM tenantry.tenants WHERE slug = 'unpaid-trial'"),
			 "suspended:trial_expired");
	ck_assert_str_eq(testdb_value(su, "SELECT status FROM tenantry.tenants "
					  "WHERE slug = 'soon-trial'"),
			 "trial");
	/* the alert 3 days before, once */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.alerts WHERE tenant_id = '%s' "
				    "AND kind = 'trial_end' AND threshold = 3",
				    soon),
			 1);
	/* audited as the system */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE action IN "
				    "('tenant.activate', 'tenant.suspend') AND actor = 'system' "
				    "AND actor_kind = 'system' "
				    "AND tenant_id IN ('%s', '%s')",
				    paid, unpaid),
			 2);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"tenant_id = '" PLATFORM_CHAIN "' AND action = 'job.run' "
					"AND resource_id = 'trial_end' AND actor = 'system' "
					"AND (new->>'count')::int = 2"),
			 1);

	/* the suspended tenant's key no longer works */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", bearer, NULL, &body), 401);
	free(body);

	/* a second run changes nothing and alerts no more */
	run_job("trial_end");
	ck_assert_msg(strstr(out, "trial_end ok: 0"), "%s", out);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.alerts WHERE "
					"kind = 'trial_end'"),
			 1);

	/* reversible: resuming clears the reason and the key works again */
	ck_assert_msg(store_tenant_set_status(&t, pf, unpaid, TENANT_ACTIVE, &e) == 0, "%s",
		      e.message);
	tenant_clear(&t);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.tenants WHERE id = '%s' "
				    "AND status = 'active' AND status_reason IS NULL",
				    unpaid),
			 1);
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", bearer, NULL, &body), 200);
	free(body);
	testsrv_stop(&srv);
}
END_TEST

/* ---- exactly once ------------------------------------------------------------------- */

/* Every job due now; the runs finished by then are counted from the audit. */
static long long
job_runs(const char *job)
{
	return testdb_int(su,
			  "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = "
			  "'" PLATFORM_CHAIN "' AND action = 'job.run' AND resource_id = '%s'",
			  job);
}

START_TEST(exactly_once)
{
	const char *extra[] = { "--jobs", "1", "--job-poll", "1", NULL };
	struct testsrv a, b;
	char slug[32], id[ID_LEN];
	pid_t kids[4];
	int settled = 0;

	for (int i = 0; i < 3; i++) {
		snprintf(slug, sizeof slug, "once-%d", i);
		tenant(slug, true, id);
	}
	/* nothing due while the servers start */
	testdb_exec(su, "UPDATE tenantry.jobs SET next_run_at = now() + interval '1 hour'");
	testsrv_start(&a, db, extra);
	testsrv_start(&b, db, extra);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"action = 'job.run'"),
			 0);

	/* every job falls due at once: two servers and four runners race */
	testdb_exec(su, "UPDATE tenantry.jobs SET next_run_at = now()");
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		ck_assert(kids[i] >= 0);
		if (kids[i] == 0) {
			char *o = NULL, *eo = NULL;
			int rc = testcli_run(&o, &eo,
					     (const char *const[]){ "--db", conninfo, "jobs", "run",
								    "--once", NULL });

			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int status;

		ck_assert(waitpid(kids[i], &status, 0) == kids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "runner %d failed", i);
	}
	for (int i = 0; i < 200 && settled != JOB_COUNT; i++) {
		settled = (int)testdb_int(su, "SELECT count(*) FROM tenantry.jobs WHERE "
					      "next_run_at > now() AND running_by IS NULL");
		if (settled != JOB_COUNT)
			usleep(50000);
	}
	ck_assert_int_eq(settled, JOB_COUNT);
	usleep(2500000); /* the servers look again (every second): nothing is due */
	for (int k = 0; k < JOB_COUNT; k++) {
		const char *job = job_name((enum job_kind)k);

		ck_assert_msg(job_runs(job) == 1, "%s ran %lld times", job, job_runs(job));
		ck_assert_int_eq(
		    testdb_int(su, "SELECT runs FROM tenantry.jobs WHERE name = '%s'", job), 1);
	}
	/* the trial job's effect happened once too: each tenant one update */
	testdb_exec(su, "UPDATE tenantry.tenants SET trial_ends_at = now() - interval '1 minute'");
	testdb_exec(su, "UPDATE tenantry.jobs SET next_run_at = now() WHERE name = 'trial_end'");
	for (int i = 0; i < 100 && job_runs("trial_end") < 2; i++)
		usleep(50000);
	usleep(1500000);
	ck_assert_int_eq(job_runs("trial_end"), 2);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"action IN ('tenant.activate', 'tenant.suspend') "
					"AND actor = 'system'"),
			 3);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE "
					"status = 'active'"),
			 3);
	ck_assert_int_eq(testsrv_stop(&a), 0);
	ck_assert_int_eq(testsrv_stop(&b), 0);
}
END_TEST

/* A run whose runner died is held until its lease ends, then run again. */
START_TEST(lease_expires)
{
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_value(su, "SELECT run FROM tenantry.job_claim('crashed', "
					  "'key_expiry', true, 2)"),
			 "1");
	testdb_exec(su, "COMMIT");
	/* held: a forced run finds nothing to claim */
	ck_assert_int_eq(RUN("jobs", "run", "--once", "--job", "key_expiry", "--force"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(RUN("jobs", "list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "crashed"));
	usleep(2200000);
	run_job("key_expiry");
	ck_assert_ptr_nonnull(strstr(out, "run 2"));
	/* the dead runner's finish is refused: its run is no longer its own */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_value(su, "SELECT tenantry.job_finish('key_expiry', 1, 'crashed', "
					  "true, NULL, 0, 1, 0, NULL)::text"),
			 "false");
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.job_work('key_expiry', 1, 'crashed')"),
			 "TC001");
	testdb_exec(su, "ROLLBACK");
	ck_assert_int_eq(job_runs("key_expiry"), 1);
	/* no tenant may claim or read the jobs */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.job_claim('x', NULL, true, 60)"),
			 "42501");
	testdb_exec(su, "ROLLBACK");
}
END_TEST

/* ---- purge and its certificate -------------------------------------------------------- */

START_TEST(purge_certificate)
{
	char id[ID_LEN], keep[ID_LEN], secret[128], token[96], final_hash[80];
	struct api_key k;
	struct invitation inv;
	struct quota_result qr;
	struct tenant t;
	struct testsrv srv;
	struct err e;
	char *staff, *body = NULL;
	json_t *j, *row;
	size_t i;
	bool seen_keys = false;

	tenant("doomed-co", false, id);
	tenant("kept-co", false, keep);
	ck_assert_msg(store_apikey_create(&k, secret, pf, id, "ci", 1u << SCOPE_TENANT_READ, 0, &e)
			  == 0,
		      "%s", e.message);
	ck_assert_msg(
	    store_invitation_create(&inv, token, pf, id, "new@doomed.example", ROLE_MEMBER, &e)
		== 0,
	    "%s", e.message);
	ck_assert_msg(store_usage_increment(&qr, pf, id, "api_calls", 5, &e) == 0, "%s", e.message);
	ck_assert_msg(store_tenant_set_status(&t, pf, id, TENANT_PENDING_DELETION, &e) == 0, "%s",
		      e.message);
	tenant_clear(&t);
	testdb_execf(su,
		     "UPDATE tenantry.tenants SET deletion_due_at = now() - interval '1 day' "
		     "WHERE id = '%s'",
		     id);
	snprintf(final_hash, sizeof final_hash, "%s",
		 testdb_value(su, "SELECT encode(h.hash, 'hex') FROM tenantry.audit_heads h "
				  "JOIN tenantry.tenants t ON t.id = h.tenant_id "
				  "WHERE t.slug = 'doomed-co'"));

	ck_assert_int_ne(RUN("tenants", "certificate", "doomed-co"), 0); /* not purged yet */
	ck_assert_ptr_nonnull(strstr(errout, "no deletion certificate"));

	run_job("purge");
	ck_assert_msg(strstr(out, "purge ok: 1"), "%s", out);
	ck_assert_int_eq(
	    testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE id = '%s'", id), 0);
	ck_assert_int_eq(
	    testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE id = '%s'", keep), 1);

	/* the certificate: per table the rows before and zero after */
	ck_assert_int_eq(RUN("tenants", "certificate", "doomed-co"), 0);
	ck_assert_ptr_nonnull(strstr(out, "deletion certificate of doomed-co"));
	ck_assert_ptr_nonnull(strstr(out, final_hash));
	ck_assert_ptr_nonnull(strstr(out, " before, 0 after"));
	ck_assert_ptr_nonnull(strstr(out, "api_keys"));
	ck_assert_int_eq(RUN("tenants", "certificate", id, "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(json_is_object(j), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "slug")), "doomed-co");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "rows_after")), 0);
	ck_assert_int_gt(json_integer_value(json_object_get(j, "rows_before")), 5);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(j, "audit_chain"), "final_hash")),
	    final_hash);
	json_array_foreach(json_object_get(j, "tables"), i, row)
	{
		const char *name = json_string_value(json_object_get(row, "table"));

		ck_assert_int_eq(json_integer_value(json_object_get(row, "after")), 0);
		if (strcmp(name, "api_keys") == 0 || strcmp(name, "tenants") == 0) {
			ck_assert_int_eq(json_integer_value(json_object_get(row, "before")), 1);
			seen_keys = true;
		}
		if (strcmp(name, "invitations") == 0) /* the first admin's and one more */
			ck_assert_int_eq(json_integer_value(json_object_get(row, "before")), 2);
		if (strcmp(name, "usage_daily") == 0 || strcmp(name, "audit_log") == 0)
			ck_assert_int_gt(json_integer_value(json_object_get(row, "before")), 0);
	}
	ck_assert(seen_keys);
	/* the platform entry it names is the purge's, and the chain verifies */
	ck_assert_int_eq(
	    testdb_int(
		su,
		"SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = "
		"'" PLATFORM_CHAIN "' AND seq = %lld AND action = 'tenant.purge' "
		"AND encode(hash, 'hex') = '%s'",
		(long long)json_integer_value(
		    json_object_get(json_object_get(j, "platform_entry"), "seq")),
		json_string_value(json_object_get(json_object_get(j, "platform_entry"), "hash"))),
	    1);
	json_decref(j);
	ck_assert_int_eq(RUN("audit", "verify"), 0);

	/* over tenantryd too (staff only) */
	testsrv_start(&srv, db, NULL);
	staff = testsrv_staff_token(&srv, "ops@jobs.example", "oncall");
	ck_assert_int_eq(
	    testhttp(&srv, "GET", "/api/deletion-certificates/doomed-co", staff, NULL, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, final_hash));
	free(body);
	ck_assert_int_eq(
	    testhttp(&srv, "GET", "/api/deletion-certificates/kept-co", staff, NULL, &body), 404);
	free(body);
	ck_assert_int_eq(
	    testhttp(&srv, "GET", "/api/deletion-certificates/doomed-co", secret, NULL, &body),
	    401);
	free(body);
	free(staff);
	testsrv_stop(&srv);
}
END_TEST

/* ---- expiry and the rollup ------------------------------------------------------------ */

START_TEST(expiry_and_rollup)
{
	char id[ID_LEN], secret[128], token[96];
	struct api_key k;
	struct invitation inv;
	struct err e;

	tenant("expiring-co", false, id);
	ck_assert_msg(store_apikey_create(&k, secret, pf, id, "old", 1u << SCOPE_TENANT_READ, 0, &e)
			  == 0,
		      "%s", e.message);
	ck_assert_msg(
	    store_invitation_create(&inv, token, pf, id, "late@expiring.example", ROLE_MEMBER, &e)
		== 0,
	    "%s", e.message);
	testdb_execf(su,
		     "UPDATE tenantry.api_keys SET expires_at = now() - interval '1 minute' "
		     "WHERE id = '%s'",
		     k.id);
	testdb_execf(su,
		     "UPDATE tenantry.invitations SET expires_at = now() - interval '1 minute' "
		     "WHERE id = '%s'",
		     inv.id);
	run_job("key_expiry");
	ck_assert_msg(strstr(out, "key_expiry ok: 1"), "%s", out);
	run_job("invitation_expiry");
	ck_assert_msg(strstr(out, "invitation_expiry ok: 1"), "%s", out);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.api_keys WHERE id = '%s' "
				    "AND expired_at IS NOT NULL",
				    k.id),
			 1);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.invitations WHERE id = '%s' "
				    "AND expired_at IS NOT NULL",
				    inv.id),
			 1);
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s' "
		       "AND action IN ('api_key.expire', 'invitation.expire') "
		       "AND actor = 'system' AND new->>'expired_at' IS NOT NULL",
		       id),
	    2);
	/* marked once */
	run_job("key_expiry");
	ck_assert_msg(strstr(out, "key_expiry ok: 0"), "%s", out);

	/* the rollup: closed days summed by month, today left alone */
	testdb_execf(su,
		     "INSERT INTO tenantry.usage_daily (tenant_id, resource, day, amount) "
		     "SELECT '%s'::uuid, 'api_calls', d::date, 10 FROM generate_series("
		     "DATE '2026-01-01', DATE '2026-01-31', interval '1 day') d "
		     "UNION ALL SELECT '%s', 'api_calls', DATE '2026-02-03', 7 "
		     "UNION ALL SELECT '%s', 'storage_bytes', (now() AT TIME ZONE 'UTC')::date, 9 "
		     "UNION ALL SELECT '%s', 'api_calls', DATE '2020-01-05', 3",
		     id, id, id, id);
	run_job("usage_rollup");
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT amount FROM tenantry.usage_monthly WHERE tenant_id = '%s' "
		       "AND resource = 'api_calls' AND month = DATE '2026-01-01'",
		       id),
	    310);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT days * 1000 + peak FROM tenantry.usage_monthly WHERE "
				    "tenant_id = '%s' AND month = DATE '2026-01-01'",
				    id),
			 31010);
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT amount FROM tenantry.usage_monthly WHERE tenant_id = '%s' "
		       "AND month = DATE '2026-02-01'",
		       id),
	    7);
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT count(*) FROM tenantry.usage_monthly WHERE tenant_id = '%s' "
		       "AND resource = 'storage_bytes'",
		       id),
	    0);
	/* the 2020 day is rolled up, then dropped from the daily rows */
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT amount FROM tenantry.usage_monthly WHERE tenant_id = '%s' "
		       "AND month = DATE '2020-01-01'",
		       id),
	    3);
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT count(*) FROM tenantry.usage_daily WHERE tenant_id = '%s' "
		       "AND day = DATE '2020-01-05'",
		       id),
	    0);
	/* a tenant sees its own months only */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_exec(su, "SELECT set_config('tenantry.tenant_id', gen_random_uuid()::text, true)");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.usage_monthly"), 0);
	testdb_exec(su, "ROLLBACK");
}
END_TEST

/* ---- jobs list, the route, /metrics -------------------------------------------------- */

START_TEST(list_route_metrics)
{
	const char *extra[] = {
		"--jobs", "1", "--job-poll", "1", "--job-intervals", "health_refresh=120", NULL
	};
	struct store_config cfg = { 0 };
	struct store_context ctx = { .role = STORE_ROLE_PLATFORM };
	struct job_info_list l;
	struct store *rest = NULL;
	struct testsrv srv;
	struct err e;
	char *staff, *body = NULL;
	json_t *j;

	ck_assert_int_eq(RUN("jobs", "list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "JOB"));
	ck_assert_ptr_nonnull(strstr(out, "NEXT RUN"));
	ck_assert_ptr_nonnull(strstr(out, "OUTCOME"));
	for (int k = 0; k < JOB_COUNT; k++)
		ck_assert_ptr_nonnull(strstr(out, job_name((enum job_kind)k)));
	ck_assert_ptr_nonnull(strstr(out, "never run"));
	ck_assert_int_eq(RUN("jobs", "list", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_int_eq(json_array_size(j), JOB_COUNT);
	json_decref(j);
	ck_assert_int_eq(RUN("jobs", "run", "--intervals", "bogus=1"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "unknown job 'bogus'"));
	ck_assert_int_eq(RUN("jobs", "frobnicate"), 64);

	/* tenantryd runs what is due (all of it, in a fresh database) */
	testsrv_start(&srv, db, extra);
	for (int i = 0; i < 100
			&& testdb_int(su, "SELECT count(*) FROM tenantry.jobs WHERE "
					  "last_outcome = 'ok'")
			       < JOB_COUNT;
	     i++)
		usleep(50000);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.jobs WHERE "
					"last_outcome = 'ok'"),
			 JOB_COUNT);
	ck_assert_int_eq(testdb_int(su, "SELECT interval_seconds FROM tenantry.jobs WHERE "
					"name = 'health_refresh'"),
			 120);
	ck_assert_int_eq(RUN("jobs", "list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "2m"));
	ck_assert_ptr_null(strstr(out, "never run"));

	staff = testsrv_staff_token(&srv, "ops@jobs.example", "oncall");
	j = testhttp_json((const struct testsrv *)&srv, staff, 200, "GET", "/api/jobs", NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), JOB_COUNT);
	json_decref(j);
	usleep(1200000); /* the thread has read the table again */
	ck_assert_int_eq(testhttp(&srv, "GET", "/metrics", staff, NULL, &body), 200);
	ck_assert_ptr_nonnull(strstr(body, "tenantryd_job_runs_total{job=\"trial_end\"} 1"));
	ck_assert_ptr_nonnull(strstr(body, "tenantryd_job_last_success{job=\"purge\"} 1"));
	ck_assert_ptr_nonnull(strstr(body, "tenantryd_job_next_run_timestamp_seconds"));
	free(body);

	/* the REST store reads the same list */
	cfg.url = srv.url;
	cfg.token = staff;
	ck_assert_msg(store_open(&rest, &cfg, &e) == 0, "%s", e.message);
	ck_assert_msg(store_set_context(rest, &ctx, &e) == 0, "%s", e.message);
	ck_assert_msg(store_job_list(&l, rest, &e) == 0, "%s", e.message);
	ck_assert_int_eq(l.n, JOB_COUNT);
	ck_assert_str_eq(l.rows[0].last_outcome, "ok");
	job_info_list_free(&l);
	{
		struct job_run_opts o = { .runner = "x" };
		struct job_result r;

		ck_assert_int_eq(store_job_run(&r, rest, &o, &e), -1);
		ck_assert_int_eq(e.code, ERR_METHOD);
	}
	store_close(&rest);
	free(staff);
	ck_assert_int_eq(testsrv_stop(&srv), 0);

	/* a bad interval list stops tenantryd from starting */
	{
		const char *bin = test_env("TENANTRY_SERVER_BIN", "build/tenantryd");
		char cmd[1024];
		int rc;

		snprintf(cmd, sizeof cmd,
			 "%s --db 'dbname=x' --jwt-secret-file /dev/null --job-intervals purge=0 "
			 ">/dev/null 2>&1",
			 bin);
		rc = system(cmd);
		ck_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 64);
	}
}
END_TEST

Suite *
suite_jobs(void)
{
	Suite *s = suite_create("jobs");
	TCase *tc = tcase_create("jobs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, trial_end);
	tcase_add_test(tc, exactly_once);
	tcase_add_test(tc, lease_expires);
	tcase_add_test(tc, purge_certificate);
	tcase_add_test(tc, expiry_and_rollup);
	tcase_add_test(tc, list_route_metrics);
	suite_add_tcase(s, tc);
	return s;
}
