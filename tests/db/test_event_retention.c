/* test_event_retention.c - the event_retention job (054) on a real
 * database: done webhook deliveries over 30 days old go with their
 * attempts, and so do old events that nothing waits for any more; a
 * pending delivery keeps its event and attempts however old, an event
 * whose e-mail is pending stays, recent ones stay, the audit log and its
 * chains are untouched, and a backlog larger than one batch goes in one
 * run. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* clang-format off */
#define RUN(...)                                                             \
	(free(out), free(errout), out = errout = NULL,                       \
	 testcli_run(&out, &errout,                                           \
		     (const char *const[]){ "--db", conninfo, __VA_ARGS__, NULL }))
/* clang-format on */

/* A tenant made now (its events fan out to the endpoint): its id. */
static void
tenant(const char *slug, char id[ID_LEN])
{
	struct tenant_new n = { .name = slug,
				.slug = slug,
				.tier = "basic",
				.admin_email = "admin@keep.example" };
	struct tenant t;
	struct err e;

	ck_assert_msg(store_tenant_create(&t, pf, &n, &e) == 0, "%s: %s", slug, e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
}

/* Rows of table whose column col is tenant id. */
static long long
rows(const char *table, const char *col, const char *id)
{
	return testdb_int(su, "SELECT count(*) FROM tenantry.%s WHERE %s = '%s'", table, col, id);
}

/* One run of the job: what it says it dropped. */
static void
run_retention(long long deliveries, long long attempts, long long events)
{
	char want[128];

	ck_assert_msg(RUN("jobs", "run", "--once", "--job", "event_retention", "--force") == 0,
		      "%s %s", out ? out : "", errout ? errout : "");
	ck_assert_msg(strstr(out, "event_retention") && strstr(out, " ok: "), "%s", out);
	snprintf(want, sizeof want, "%lld %lld %lld", deliveries, attempts, events);
	ck_assert_str_eq(
	    testdb_value(su, "SELECT concat_ws(' ', new->'detail'->>'deliveries', "
			     "new->'detail'->>'attempts', new->'detail'->>'events') "
			     "FROM tenantry.audit_log WHERE action = 'job.run' "
			     "AND resource_id = 'event_retention' ORDER BY seq DESC LIMIT 1"),
	    want);
}

START_TEST(old_done_deliveries_and_events_go)
{
	char old[ID_LEN], waiting[ID_LEN], recent[ID_LEN], mailing[ID_LEN], mailed[ID_LEN];
	long long audit, d_old, d_waiting, d_recent;

	testdb_exec(su, "INSERT INTO tenantry.webhook_endpoints (tenant_id, url, secret) VALUES "
			"('00000000-0000-0000-0000-000000000000', 'https://hooks.example/in', "
			"'v1:sealed')");
	tenant("old-co", old);
	tenant("waiting-co", waiting);
	tenant("recent-co", recent);
	tenant("mailing-co", mailing);
	tenant("mailed-co", mailed);
	d_old = rows("webhook_deliveries", "event_tenant", old);
	d_waiting = rows("webhook_deliveries", "event_tenant", waiting);
	d_recent = rows("webhook_deliveries", "event_tenant", recent);
	ck_assert_int_gt(d_old, 0);
	ck_assert_int_gt(rows("outbox", "tenant_id", old), 0);
	/* old-co: delivered 40 days ago, two attempts each; waiting-co: still
	 * pending (its endpoint was off for weeks), one old attempt each;
	 * recent-co: delivered now */
	testdb_execf(su,
		     "UPDATE tenantry.outbox SET at = now() - interval '40 days' "
		     "WHERE tenant_id IN ('%s', '%s', '%s', '%s')",
		     old, waiting, mailing, mailed);
	/* the admins' invitations were mailed long ago */
	testdb_exec(su,
		    "UPDATE tenantry.outbox SET mail_state = 'sent' WHERE mail_state = 'pending'");
	testdb_execf(su,
		     "UPDATE tenantry.webhook_deliveries SET state = 'delivered', "
		     "done_at = now() - interval '40 days' WHERE event_tenant = '%s'",
		     old);
	testdb_execf(su,
		     "UPDATE tenantry.webhook_deliveries SET state = 'delivered', done_at = now() "
		     "WHERE event_tenant = '%s'",
		     recent);
	testdb_execf(su,
		     "INSERT INTO tenantry.webhook_attempts (tenant_id, endpoint_id, event_tenant, "
		     "seq, type, attempt, at, runner, status, latency_ms) "
		     "SELECT d.tenant_id, d.endpoint_id, d.event_tenant, d.seq, d.type, g, "
		     "now() - interval '40 days', 'test', 500, 10 "
		     "FROM tenantry.webhook_deliveries d, generate_series(1, "
		     "CASE WHEN d.event_tenant = '%s' THEN 2 ELSE 1 END) g "
		     "WHERE d.event_tenant IN ('%s', '%s', '%s')",
		     old, old, waiting, recent);
	/* mailing-co and mailed-co: events with e-mail and no delivery left,
	 * one still to be mailed, the other sent */
	testdb_execf(su,
		     "DELETE FROM tenantry.webhook_deliveries WHERE event_tenant IN ('%s', '%s')",
		     mailing, mailed);
	testdb_execf(su, "UPDATE tenantry.outbox SET mail_state = 'pending' WHERE tenant_id = '%s'",
		     mailing);
	testdb_execf(su, "UPDATE tenantry.outbox SET mail_state = 'sent' WHERE tenant_id = '%s'",
		     mailed);
	audit = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE action <> 'job.run'");

	run_retention(d_old, 2 * d_old,
		      rows("outbox", "tenant_id", old) + rows("outbox", "tenant_id", mailed));
	ck_assert_int_eq(rows("webhook_deliveries", "event_tenant", old), 0);
	ck_assert_int_eq(rows("webhook_attempts", "event_tenant", old), 0);
	ck_assert_int_eq(rows("outbox", "tenant_id", old), 0);
	ck_assert_int_eq(rows("outbox", "tenant_id", mailed), 0);
	/* what still waits, or is recent, stays */
	ck_assert_int_eq(rows("webhook_deliveries", "event_tenant", waiting), d_waiting);
	ck_assert_int_eq(rows("webhook_attempts", "event_tenant", waiting), d_waiting);
	ck_assert_int_gt(rows("outbox", "tenant_id", waiting), 0);
	ck_assert_int_eq(rows("webhook_deliveries", "event_tenant", recent), d_recent);
	ck_assert_int_eq(rows("webhook_attempts", "event_tenant", recent), d_recent);
	ck_assert_int_gt(rows("outbox", "tenant_id", recent), 0);
	ck_assert_int_gt(rows("outbox", "tenant_id", mailing), 0);
	/* the record is the audit log: untouched, its chains whole */
	ck_assert_int_eq(
	    testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE action <> 'job.run'"),
	    audit);
	ck_assert_msg(RUN("audit", "verify") == 0, "%s %s", out, errout);
	/* nothing more to drop */
	run_retention(0, 0, 0);
}
END_TEST

/* More than one batch (10,000) of old events goes in one run. */
START_TEST(backlog_in_batches)
{
	testdb_exec(su, "INSERT INTO tenantry.outbox (tenant_id, seq, type, at, actor, data) "
			"SELECT '00000000-0000-0000-0000-000000000000', -g, 'tenant.created', "
			"now() - interval '31 days', 'test', '{}' "
			"FROM generate_series(1, 25000) g");
	run_retention(0, 0, 25000);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.outbox WHERE seq < 0"), 0);
}
END_TEST

Suite *
suite_event_retention(void)
{
	Suite *s = suite_create("event_retention");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, old_done_deliveries_and_events_go);
	tcase_add_test(tc, backlog_in_batches);
	suite_add_tcase(s, tc);
	return s;
}
