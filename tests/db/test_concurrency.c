/* test_concurrency.c - quotas under contention against the real database:
 * many connections consuming one quota, invitations accepted at once
 * against a user limit, the window rolled in the consuming statement, and
 * threshold alerts raised (and notified) once per threshold and window.
 * Each thread owns its own store (one connection); stores are opened and
 * closed by the main thread. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../testlib.h"
#include "store/store.h"

#define CONSUMERS 16
#define CONSUMES 50
#define CALL_LIMIT 200
#define INVITES 12

static char dbname[64];

/* ---- helpers ------------------------------------------------------------- */

static struct store *
open_store(enum store_role role, const char *tenant)
{
	return teststore_open(dbname, NULL, role, tenant);
}

/* A fresh database with one business-tier tenant; returns the platform
 * store and fills id. */
static struct store *
one_tenant(const char *slug, char id[ID_LEN])
{
	char email[128];
	struct tenant_new n = { .name = slug,
				.slug = slug,
				.tier = "business",
				.admin_email = email };
	struct tenant t;
	struct err e = { 0 };
	struct store *st;

	snprintf(dbname, sizeof dbname, "%s", testdb_create());
	st = open_store(STORE_ROLE_PLATFORM, NULL);
	snprintf(email, sizeof email, "admin@%s.example", slug);
	ck_assert_msg(testtenant_create(&t, st, &n, &e) == 0, "%s", e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
	return st;
}

static void
set_limit(struct store *st, const char *id, const char *resource, int64_t limit)
{
	struct quota q;
	struct err e = { 0 };

	ck_assert_msg(store_quota_set_limit(&q, st, id, resource, limit, &e) == 0, "%s", e.message);
	ck_assert_int_eq(q.limit, limit);
}

/* Hourly windows: keep a test from straddling the top of the hour. */
static void
avoid_hour_edge(PGconn *c)
{
	long long left = 3600 - testdb_int(c, "SELECT extract(epoch FROM now())::int8 %% 3600");

	if (left < 30)
		sleep((unsigned)left + 1);
}

/* ---- one quota, sixteen consumers ---------------------------------------- */

struct consumer {
	struct store *st;
	const char *tenant;
	pthread_barrier_t *start;
	int allowed, refused, errors;
	char error[512];
};

static void *
consume(void *arg)
{
	struct consumer *w = arg;

	pthread_barrier_wait(w->start);
	for (int i = 0; i < CONSUMES; i++) {
		struct quota_result r;
		struct err e = { 0 };

		if (store_usage_increment(&r, w->st, w->tenant, "api_calls", 1, &e) == 0
		    && r.allowed) {
			w->allowed++;
		} else if (e.code == ERR_QUOTA_EXCEEDED && !r.allowed) {
			w->refused++;
		} else {
			w->errors++;
			snprintf(w->error, sizeof w->error, "%s", e.message);
		}
	}
	return NULL;
}

START_TEST(quota_never_exceeded)
{
	test_clear_of_hour(30); /* api_calls counts by the hour */
	char id[ID_LEN];
	struct store *pf = one_tenant("race", id);
	struct consumer w[CONSUMERS];
	pthread_t th[CONSUMERS];
	pthread_barrier_t start;
	int allowed = 0, refused = 0, errors = 0;
	PGconn *su;

	set_limit(pf, id, "api_calls", CALL_LIMIT);
	su = testdb_connect(dbname, NULL);
	avoid_hour_edge(su);
	pthread_barrier_init(&start, NULL, CONSUMERS);
	for (int i = 0; i < CONSUMERS; i++) {
		w[i] = (struct consumer){ .tenant = id, .start = &start };
		w[i].st = open_store(STORE_ROLE_TENANT, id);
	}
	for (int i = 0; i < CONSUMERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, consume, &w[i]), 0);
	for (int i = 0; i < CONSUMERS; i++) {
		pthread_join(th[i], NULL);
		allowed += w[i].allowed;
		refused += w[i].refused;
		errors += w[i].errors;
		ck_assert_msg(w[i].errors == 0, "consumer %d: %s", i, w[i].error);
		store_close(&w[i].st);
	}
	pthread_barrier_destroy(&start);

	ck_assert_int_eq(errors, 0);
	ck_assert_int_eq(allowed, CALL_LIMIT);
	ck_assert_int_eq(refused, CONSUMERS * CONSUMES - CALL_LIMIT);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT used FROM tenantry.quotas WHERE tenant_id = "
				    "'%s' AND resource = 'api_calls'",
				    id),
			 CALL_LIMIT);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT coalesce(sum(amount), 0) FROM "
				    "tenantry.usage_daily WHERE tenant_id = '%s' "
				    "AND resource = 'api_calls'",
				    id),
			 CALL_LIMIT);
	/* The thresholds were each crossed once, whoever crossed them. */
	ck_assert_str_eq(testdb_value(su, "SELECT string_agg(threshold::text, ',' "
					  "ORDER BY threshold) FROM tenantry.alerts WHERE "
					  "resource = 'api_calls'"),
			 "80,95,100");
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* ---- invitations accepted at once against the user limit ------------------ */

struct acceptor {
	struct store *st;
	char token[96];
	pthread_barrier_t *start;
	int rc;
	struct err e;
	struct member m;
};

static void *
accept_one(void *arg)
{
	struct acceptor *a = arg;

	pthread_barrier_wait(a->start);
	a->rc = store_invitation_accept(&a->m, a->st, a->token, NULL, NULL, &a->e);
	return NULL;
}

START_TEST(accepts_respect_user_limit)
{
	char id[ID_LEN], email[64];
	struct store *pf = one_tenant("crowd", id);
	struct acceptor a[INVITES];
	pthread_t th[INVITES];
	pthread_barrier_t start;
	int ok = 0, over = 0;
	long long members;
	PGconn *su = testdb_connect(dbname, NULL);

	members = testdb_int(su,
			     "SELECT count(*) FROM tenantry.tenant_users WHERE "
			     "tenant_id = '%s' AND active",
			     id);
	ck_assert_int_eq(members, 1);
	set_limit(pf, id, "users", members + 3);
	/* Existing users, each accepting as itself (signed in: the
	 * context's credential), so no password is needed (no Argon2). */
	testdb_exec(su, "INSERT INTO tenantry.users (email) SELECT 'guest' || "
			"lpad(g::text, 2, '0') || '@crowd.example' FROM generate_series(0, 11) g");
	pthread_barrier_init(&start, NULL, INVITES);
	for (int i = 0; i < INVITES; i++) {
		struct invitation inv;
		struct err e = { 0 };

		memset(&a[i], 0, sizeof a[i]);
		a[i].start = &start;
		snprintf(email, sizeof email, "guest%02d@crowd.example", i);
		ck_assert_msg(
		    store_invitation_create(&inv, a[i].token, pf, id, email, ROLE_MEMBER, &e) == 0,
		    "%s", e.message);
		a[i].st = open_store(STORE_ROLE_PLATFORM, NULL);
		{
			struct store_context ctx = a[i].st->ctx;
			char sql[160];

			snprintf(sql, sizeof sql,
				 "SELECT id FROM tenantry.users WHERE email = '%s'", email);
			snprintf(ctx.auth_user, sizeof ctx.auth_user, "%s", testdb_value(su, sql));
			ctx.auth_issued_us = 1;
			ck_assert_msg(store_set_context(a[i].st, &ctx, &e) == 0, "%s", e.message);
		}
	}
	for (int i = 0; i < INVITES; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, accept_one, &a[i]), 0);
	for (int i = 0; i < INVITES; i++) {
		pthread_join(th[i], NULL);
		if (a[i].rc == 0) {
			ok++;
			ck_assert_str_eq(a[i].m.tenant_id, id);
			ck_assert(a[i].m.active);
		} else {
			ck_assert_msg(a[i].e.code == ERR_QUOTA_EXCEEDED, "accept %d: %s (%s)", i,
				      err_code_name(a[i].e.code), a[i].e.message);
			over++;
		}
		store_close(&a[i].st);
	}
	pthread_barrier_destroy(&start);

	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(over, INVITES - 3);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.tenant_users WHERE "
				    "tenant_id = '%s' AND active",
				    id),
			 members + 3);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT used FROM tenantry.quotas WHERE tenant_id = "
				    "'%s' AND resource = 'users'",
				    id),
			 members + 3);
	/* The refused ones were rolled back whole: still pending (the
	 * first admin's was accepted at creation). */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.invitations WHERE "
				    "tenant_id = '%s' AND accepted_at IS NOT NULL",
				    id),
			 members + 3);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.invitations WHERE "
				    "tenant_id = '%s' AND accepted_at IS NULL",
				    id),
			 INVITES - 3);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* ---- window roll in the consuming statement -------------------------------- */

START_TEST(window_rolls_in_one_statement)
{
	char id[ID_LEN];
	struct store *pf = one_tenant("roll", id);
	struct quota_result r;
	struct err e = { 0 };
	PGconn *su = testdb_connect(dbname, NULL);
	long long hour_us;

	avoid_hour_edge(su);
	set_limit(pf, id, "api_calls", 100);
	/* A full quota whose window is an hour old (its alerts went off in
	 * that window). */
	testdb_execf(su,
		     "UPDATE tenantry.quotas SET used = 100, period_start = "
		     "date_trunc('hour', now(), 'UTC') - interval '1 hour' "
		     "WHERE tenant_id = '%s' AND resource = 'api_calls'",
		     id);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.alerts WHERE "
				    "tenant_id = '%s' AND resource = 'api_calls'",
				    id),
			 3);
	hour_us = testdb_int(su, "SELECT (extract(epoch FROM date_trunc('hour', now(), "
				 "'UTC')) * 1000000)::int8");
	ck_assert_msg(store_quota_check(&r, pf, id, "api_calls", 100, &e) == 0, "%s", e.message);
	ck_assert(r.allowed);
	ck_assert_int_eq(r.quota.used, 0);
	ck_assert_int_eq(r.quota.window_start, hour_us);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT used FROM tenantry.quotas WHERE tenant_id = "
				    "'%s' AND resource = 'api_calls'",
				    id),
			 100);

	/* Consuming resets to the amount and moves the window at once. */
	ck_assert_msg(store_usage_increment(&r, pf, id, "api_calls", 7, &e) == 0, "%s", e.message);
	ck_assert(r.allowed);
	ck_assert_int_eq(r.quota.used, 7);
	ck_assert_int_eq(r.quota.window_start, hour_us);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT used FROM tenantry.quotas WHERE tenant_id = "
				    "'%s' AND resource = 'api_calls'",
				    id),
			 7);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT (period_start = date_trunc('hour', now(), "
				    "'UTC'))::int FROM tenantry.quotas WHERE tenant_id = '%s' "
				    "AND resource = 'api_calls'",
				    id),
			 1);

	/* The new window has its own alerts and its own limit. */
	ck_assert_msg(store_usage_increment(&r, pf, id, "api_calls", 73, &e) == 0, "%s", e.message);
	ck_assert_int_eq(r.quota.used, 80);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.alerts WHERE "
				    "tenant_id = '%s' AND resource = 'api_calls'",
				    id),
			 4);
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT count(*) FROM tenantry.alerts WHERE "
		       "tenant_id = '%s' AND resource = 'api_calls' AND threshold = 80 "
		       "AND period_start = date_trunc('hour', now(), 'UTC')",
		       id),
	    1);
	ck_assert_int_eq(store_usage_increment(&r, pf, id, "api_calls", 21, &e), -1);
	ck_assert_int_eq(e.code, ERR_QUOTA_EXCEEDED);
	ck_assert_int_eq(r.quota.used, 80);
	ck_assert_msg(store_usage_increment(&r, pf, id, "api_calls", 20, &e) == 0, "%s", e.message);
	ck_assert_int_eq(r.quota.used, 100);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.alerts WHERE "
				    "tenant_id = '%s' AND resource = 'api_calls'",
				    id),
			 6);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* ---- alerts once per threshold -------------------------------------------- */

START_TEST(alerts_once_per_threshold)
{
	static const struct {
		int64_t amount;
		bool ok;
		int alerts; /* total after the step */
	} steps[] = {
		{ 50, true, 0 }, { 30, true, 1 },  { 1, true, 1 },  { 13, true, 1 },
		{ 1, true, 2 },  { 4, true, 2 },   { 1, true, 3 },  { 1, false, 3 },
		{ 1, false, 3 }, { -10, true, 3 }, { 10, true, 3 }, { -30, true, 3 },
		{ 30, true, 3 },
	};
	char id[ID_LEN], want[3][128], got[8][128];
	struct store *pf = one_tenant("alarm", id);
	PGconn *su = testdb_connect(dbname, NULL), *listener;
	struct alert_list al;
	struct err e = { 0 };
	int64_t used = 0;
	int n;

	listener = testdb_connect(dbname, NULL);
	testdb_exec(listener, "LISTEN tenantry_alert");
	set_limit(pf, id, "storage_bytes", 100);
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		struct quota_result r;
		int rc;

		/* Releasing is not an increment (020_tenant_bounds): usage_apply,
		 * which only the owner's triggers may call, as the superuser. */
		if (steps[i].amount < 0) {
			used += steps[i].amount;
			ck_assert_int_eq(testdb_int(su,
						    "SELECT used FROM tenantry.usage_apply('%s', "
						    "'storage_bytes', %lld)",
						    id, (long long)steps[i].amount),
					 used);
			continue;
		}
		rc = store_usage_increment(&r, pf, id, "storage_bytes", steps[i].amount, &e);

		if (steps[i].ok) {
			ck_assert_msg(rc == 0, "step %zu: %s", i, e.message);
			used += steps[i].amount;
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_int_eq(e.code, ERR_QUOTA_EXCEEDED);
		}
		ck_assert_int_eq(r.quota.used, used);
		ck_assert_msg(testdb_int(su,
					 "SELECT count(*) FROM tenantry.alerts WHERE "
					 "tenant_id = '%s' AND resource = 'storage_bytes'",
					 id)
				  == steps[i].alerts,
			      "step %zu: wrong number of alerts", i);
	}
	ck_assert_str_eq(testdb_value(su, "SELECT string_agg(threshold::text, ',' "
					  "ORDER BY threshold) FROM tenantry.alerts WHERE "
					  "resource = 'storage_bytes'"),
			 "80,95,100");
	ck_assert_msg(store_alert_list(&al, pf, id, true, 0, NULL, &e) == 0, "%s", e.message);
	ck_assert_int_eq(al.n, 3);
	alert_list_free(&al);

	/* One notification per alert, and no more; they name nothing (any
	 * session may listen: 033_quiet_notify.sql). */
	for (int i = 0; i < 3; i++)
		want[i][0] = '\0';
	n = testdb_notifies(listener, got, 8, 3, 5000);
	ck_assert_int_eq(n, 3);
	n += testdb_notifies(listener, got + 3, 5, 1, 300);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(got[i], want[i]);
	PQfinish(listener);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

Suite *
suite_concurrency(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("quota");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, quota_never_exceeded);
	tcase_add_test(tc, accepts_respect_user_limit);
	tcase_add_test(tc, window_rolls_in_one_statement);
	tcase_add_test(tc, alerts_once_per_threshold);
	suite_add_tcase(s, tc);
	return s;
}
