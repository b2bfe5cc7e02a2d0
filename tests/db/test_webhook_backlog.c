/* test_webhook_backlog.c - a disabled endpoint's pending deliveries (060)
 * are parked, so the delivery workers' claim does not walk them, and are
 * due again, in order, the moment the endpoint is enabled; the clean-up
 * of the claim reads the runner's leased deliveries by their index; an
 * attempt recorded twice (its first reply lost, 061) is answered with the
 * state the first record left and counted once; a delivery that comes due
 * when written notifies the workers (062), and one that does not stays
 * quiet; an attempt in flight when its endpoint is disabled is parked
 * after it. On a real database, with the functions tenantryd runs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char db[64];
static PGconn *su;

static void
setup(void)
{
	struct store *st;

	snprintf(db, sizeof db, "%s", testdb_create());
	su = testdb_connect(db, NULL);
	testdb_exec(su, "INSERT INTO tenantry.webhook_endpoints (tenant_id, url, secret) VALUES "
			"('00000000-0000-0000-0000-000000000000', 'https://hooks.example/in', "
			"'v1:sealed')");
	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	for (int i = 0; i < 3; i++) {
		char slug[32];
		struct tenant_new n = { .name = slug,
					.slug = slug,
					.tier = "basic",
					.admin_email = "a@park.example" };
		struct tenant t;
		struct err e;

		snprintf(slug, sizeof slug, "parked-%d", i);
		ck_assert_msg(store_tenant_create(&t, st, &n, &e) == 0, "%s", e.message);
		tenant_clear(&t);
	}
	store_close(&st);
}

static void
teardown(void)
{
	PQfinish(su);
}

static long long
due(void)
{
	return testdb_int(su, "SELECT count(*) FROM tenantry.webhook_deliveries "
			      "WHERE state = 'pending' AND next_at <= now()");
}

START_TEST(disabled_backlog_parked)
{
	long long pending = testdb_int(su, "SELECT count(*) FROM tenantry.webhook_deliveries "
					   "WHERE state = 'pending'");

	ck_assert_int_ge(pending, 3);
	ck_assert_int_eq(due(), pending);
	testdb_exec(su, "UPDATE tenantry.webhook_endpoints SET enabled = false");
	ck_assert_int_eq(due(), 0);
	ck_assert_int_eq(
	    testdb_int(su, "SELECT count(*) FROM tenantry.webhook_claim('r1', 50, 30)"), 0);
	/* nothing is lost: enabled, every one is due, the oldest of each
	 * tenant's stream claimed first */
	testdb_exec(su, "UPDATE tenantry.webhook_endpoints SET enabled = true");
	ck_assert_int_eq(due(), pending);
	ck_assert_int_eq(
	    testdb_int(su, "SELECT count(*) FROM tenantry.webhook_claim('r1', 50, 30) c "
			   "WHERE c.seq = (SELECT min(d.seq) FROM tenantry.webhook_deliveries d "
			   "WHERE d.event_tenant = c.event_tenant)"),
	    3);
	/* the claim's clean-up finds the runner's leased rows by their index */
	testdb_exec(su, "SET enable_seqscan = off");
	ck_assert_msg(strstr(testdb_value(su, "EXPLAIN SELECT 1 FROM tenantry.webhook_deliveries d "
					      "WHERE d.leased_by = 'r1' AND d.state = 'pending' "
					      "AND d.lease_until > now()"),
			     "webhook_deliveries_leased"),
		      "the clean-up does not use its index");
}
END_TEST

/* webhook_attempt_done(claim c, ok) for runner r1: the state it returns,
 * or "(null)". */
static const char *
attempt_done(const char *ok)
{
	char sql[512];

	snprintf(sql, sizeof sql,
		 "SELECT coalesce(tenantry.webhook_attempt_done('r1', c.tenant_id, "
		 "c.endpoint_id, c.event_tenant, c.seq, c.type, c.attempt, %s, 500, 12, "
		 "'HTTP 500', 'no', 60, 86400, 0), '(null)') FROM claimed c",
		 ok);
	return testdb_value(su, sql);
}

START_TEST(attempt_recorded_twice)
{
	testdb_exec(su, "CREATE TEMP TABLE claimed AS "
			"SELECT * FROM tenantry.webhook_claim('r1', 1, 30)");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM claimed"), 1);
	/* a failure, recorded; the same record again (its reply was lost) */
	ck_assert_str_eq(attempt_done("false"), "pending");
	ck_assert_str_eq(attempt_done("false"), "pending");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.webhook_attempts"), 1);
	ck_assert_int_eq(testdb_int(su, "SELECT failures FROM tenantry.webhook_endpoints"), 1);
	/* claimed again: the attempt after it; a success, recorded twice */
	testdb_exec(su, "UPDATE tenantry.webhook_deliveries d SET next_at = now() - interval '1 h' "
			"FROM claimed c WHERE d.event_tenant = c.event_tenant AND d.seq = c.seq");
	testdb_exec(su, "DROP TABLE claimed");
	testdb_exec(su, "CREATE TEMP TABLE claimed AS "
			"SELECT * FROM tenantry.webhook_claim('r1', 1, 30)");
	ck_assert_int_eq(testdb_int(su, "SELECT attempt FROM claimed"), 2);
	ck_assert_str_eq(attempt_done("true"), "delivered");
	ck_assert_str_eq(attempt_done("true"), "delivered");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.webhook_attempts"), 2);
	/* an older attempt of the same delivery is a lost claim, as before */
	testdb_exec(su, "UPDATE claimed SET attempt = 1");
	ck_assert_str_eq(attempt_done("false"), "(null)");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.webhook_attempts"), 2);
}
END_TEST

START_TEST(due_deliveries_notify)
{
	PGconn *l = testdb_connect(db, NULL);
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct tenant_new n = { .name = "Notify Co",
				.slug = "notify-co",
				.tier = "basic",
				.admin_email = "a@notify.example" };
	struct tenant t;
	struct err e;
	char got[4][128];

	testdb_exec(l, "LISTEN tenantry_webhook");
	/* a new event for the endpoint: due at once */
	ck_assert_msg(store_tenant_create(&t, st, &n, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	store_close(&st);
	ck_assert_int_eq(testdb_notifies(l, got, 4, 1, 5000), 1);
	ck_assert_str_eq(got[0], ""); /* says nothing */
	/* claimed, failed and to be retried in a minute: quiet */
	testdb_exec(su, "CREATE TEMP TABLE claimed AS "
			"SELECT * FROM tenantry.webhook_claim('r1', 50, 30)");
	ck_assert_int_ge(testdb_int(su, "SELECT count(*) FROM claimed"), 4);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM claimed c WHERE "
				    "tenantry.webhook_attempt_done('r1', c.tenant_id, "
				    "c.endpoint_id, c.event_tenant, c.seq, c.type, c.attempt, "
				    "false, 500, 12, 'HTTP 500', 'no', 60, 86400, 0) = 'pending'"),
			 testdb_int(su, "SELECT count(*) FROM claimed"));
	ck_assert_int_eq(testdb_notifies(l, got, 4, 1, 300), 0);
	/* parked while the endpoint is off: quiet; on again, its backlog is
	 * due: a notification */
	testdb_exec(su, "UPDATE tenantry.webhook_endpoints SET enabled = false");
	ck_assert_int_eq(testdb_notifies(l, got, 4, 1, 300), 0);
	testdb_exec(su, "UPDATE tenantry.webhook_endpoints SET enabled = true");
	ck_assert_int_eq(testdb_notifies(l, got, 4, 1, 5000), 1);
	PQfinish(l);
}
END_TEST

/* An endpoint disabled while one of its deliveries is in flight: the
 * failed attempt's retry is parked with the rest, not made due. */
START_TEST(disabled_mid_attempt_parked)
{
	testdb_exec(su, "CREATE TEMP TABLE claimed AS "
			"SELECT * FROM tenantry.webhook_claim('r1', 1, 30)");
	testdb_exec(su, "UPDATE tenantry.webhook_endpoints SET enabled = false");
	ck_assert_str_eq(attempt_done("false"), "pending");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.webhook_deliveries "
					"WHERE state = 'pending' AND next_at <> 'infinity'"),
			 0);
	testdb_exec(su, "UPDATE tenantry.webhook_endpoints SET enabled = true");
	ck_assert_int_eq(due(), testdb_int(su, "SELECT count(*) FROM tenantry.webhook_deliveries "
					       "WHERE state = 'pending'"));
}
END_TEST

Suite *
suite_webhook_backlog(void)
{
	Suite *s = suite_create("webhook_backlog");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, disabled_backlog_parked);
	tcase_add_test(tc, attempt_recorded_twice);
	tcase_add_test(tc, due_deliveries_notify);
	tcase_add_test(tc, disabled_mid_attempt_parked);
	suite_add_tcase(s, tc);
	return s;
}
