/* test_bench.c - what make bench relies on, against a real database: the
 * store's statement observer, tenant_ref()/user_ref() resolution (009),
 * and the bench loader's dataset (valid audit chains that keep growing
 * correctly, counted quotas, SQL formulas equal to the C ones). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "store/store.h"
#include "store/store_pg.h"
#include "testlib.h"

struct seen {
	int n;
	char sql[8][2048];
	char first_param[8][64];
	int nparams[8];
};

static void
observe(void *arg, const char *sql, int n, const char *const *params)
{
	struct seen *s = arg;

	if (s->n >= 8)
		return;
	snprintf(s->sql[s->n], sizeof s->sql[0], "%s", sql);
	snprintf(s->first_param[s->n], sizeof s->first_param[0], "%s",
		 n > 0 && params[0] ? params[0] : "");
	s->nparams[s->n] = n;
	s->n++;
}

START_TEST(test_trace_observer)
{
	const char *db = testdb_create();
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct tenant_new nt = { .name = "Trace Co",
				 .slug = "trace-co",
				 .tier = "basic",
				 .admin_email = "ann@trace.example" };
	struct tenant t;
	struct seen s = { 0 };
	struct err e = { 0 };

	ck_assert_msg(store_tenant_create(&t, st, &nt, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	store_pg_trace(observe, &s);
	ck_assert_int_eq(store_tenant_get(&t, st, "trace-co", &e), 0);
	store_pg_trace(NULL, NULL);
	tenant_clear(&t);
	/* The context statement first, with the role, then the query. */
	ck_assert_int_eq(s.n, 2);
	ck_assert_ptr_nonnull(strstr(s.sql[0], "set_config('role', $1, true)"));
	ck_assert_int_eq(s.nparams[0], 7); /* + the member role */
	ck_assert_str_eq(s.first_param[0], "tenantry_platform");
	ck_assert_ptr_nonnull(strstr(s.sql[1], "tenantry.tenant_ref($1)"));
	ck_assert_str_eq(s.first_param[1], "trace-co");
	/* Off means off. */
	ck_assert_int_eq(store_tenant_get(&t, st, "trace-co", &e), 0);
	tenant_clear(&t);
	ck_assert_int_eq(s.n, 2);
	store_close(&st);
}
END_TEST

START_TEST(test_refs)
{
	const char *db = testdb_create();
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct tenant_new a = { .name = "Ref A",
				.slug = "ref-a",
				.tier = "basic",
				.admin_email = "Ada@Ref.example" };
	/* A slug shaped like a uuid that is nobody's id. */
	struct tenant_new b = { .name = "Ref B",
				.slug = "00000000-0000-4000-8000-00000000abcd",
				.tier = "basic",
				.admin_email = "bo@ref.example" };
	struct tenant ta, tb;
	struct err e = { 0 };
	PGconn *c;

	ck_assert_msg(testtenant_create(&ta, st, &a, &e) == 0, "%s", e.message);
	ck_assert_msg(testtenant_create(&tb, st, &b, &e) == 0, "%s", e.message);
	c = testdb_connect(db, NULL);
	testdb_exec(c, "BEGIN");
	testdb_exec(c, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_value(c, "SELECT tenantry.tenant_ref('ref-a')"), ta.id);
	ck_assert_str_eq(testdb_value(c, "SELECT tenantry.tenant_ref('00000000-0000-4000-"
					 "8000-00000000abcd')"),
			 tb.id);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.tenants WHERE id = "
				    "tenantry.tenant_ref('%s')",
				    ta.id),
			 1);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT (tenantry.tenant_ref('nope') IS NULL "
				    "AND tenantry.tenant_ref('%s' || 'x') IS NULL)::int",
				    ta.id),
			 1);
	ck_assert_str_eq(testdb_value(c, "SELECT tenantry.user_ref('ADA@ref.EXAMPLE') = "
					 "(SELECT id FROM tenantry.users WHERE email = "
					 "'Ada@Ref.example')"),
			 "t");
	testdb_exec(c, "ROLLBACK");
	/* A tenant context resolves neither another tenant's id nor slug. */
	testdb_exec(c, "BEGIN");
	testdb_execf(c, "SELECT set_config('tenantry.tenant_id', '%s', true)", ta.id);
	testdb_exec(c, "SET LOCAL ROLE tenantry_tenant");
	ck_assert_str_eq(testdb_value(c, "SELECT tenantry.tenant_ref('ref-a')"), ta.id);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT (tenantry.tenant_ref('%s') IS NULL AND "
				    "tenantry.tenant_ref('00000000-0000-4000-8000-00000000abcd') "
				    "IS NULL)::int",
				    tb.id),
			 1);
	testdb_exec(c, "ROLLBACK");
	PQfinish(c);
	tenant_clear(&ta);
	tenant_clear(&tb);
	store_close(&st);
}
END_TEST

START_TEST(test_dataset)
{
	const char *db = testdb_create();
	char conninfo[512], id[ID_LEN], name[96];
	double seconds = -1;
	long members = 0, audit = 0;
	struct store *st;
	struct audit_verdict v;
	struct tenant t;
	struct err e = { 0 };
	PGconn *c;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	ck_assert_int_eq(bench_load(conninfo, 50, &seconds), 0);
	ck_assert(seconds >= 0);
	ck_assert_int_eq(bench_check_formulas(conninfo), 0);
	for (long n = 1; n <= 50; n++)
		audit += bench_audit_count(n);
	c = testdb_connect(db, NULL);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenants"), 50);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.users"), 250);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.quotas"), 250);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log"), audit);
	members = testdb_int(c, "SELECT count(*) FROM tenantry.tenant_users");
	ck_assert_int_gt(members, 50 * 3);
	/* The counted quota is what the triggers would have kept. */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.quotas q WHERE "
				       "q.resource = 'users' AND q.used <> (SELECT count(*) FROM "
				       "tenantry.tenant_users m WHERE m.tenant_id = q.tenant_id)"),
			 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenants t WHERE "
				       "t.members <> (SELECT count(*) FROM tenantry.tenant_users m "
				       "WHERE m.tenant_id = t.id AND m.active)"),
			 0);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.tenant_users m JOIN "
				    "tenantry.tenants t ON t.id = m.tenant_id JOIN tenantry.tiers "
				    "r ON r.name = t.tier WHERE r.max_users >= 0 AND (SELECT "
				    "count(*) FROM tenantry.tenant_users x WHERE x.tenant_id = "
				    "t.id) > r.max_users"),
			 0);

	/* The filter's trigrams, as the trigger would have written them. */
	ck_assert_int_eq(testdb_terms_drift(c), 0);

	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	/* Each bench term, pages of 4 through the store, finds what a scan of
	 * every haystack finds, in the same order. */
	for (int k = 0; k < BENCH_NTERMS + BENCH_NFULL; k++) {
		struct tenant_query q = { .status = -1, .limit = 4, .filter = bench_term(k) };
		char got[4096] = "", cursor[CURSOR_LEN], sql[256];
		const char *want;
		size_t len = 0;

		do {
			struct tenant_list l;

			ck_assert_msg(store_tenant_list(&l, st, &q, &e) == 0, "%s", e.message);
			for (size_t i = 0; i < l.n; i++)
				len += (size_t)snprintf(got + len, sizeof got - len, "%s%s",
							len ? "," : "", l.rows[i].id);
			snprintf(cursor, sizeof cursor, "%s", l.next);
			q.after = cursor;
			tenant_list_free(&l);
		} while (*cursor);
		snprintf(sql, sizeof sql,
			 "SELECT coalesce(string_agg(id::text, ',' ORDER BY name, "
			 "id), '') FROM tenantry.tenants WHERE search LIKE '%%%s%%'",
			 bench_term(k));
		want = testdb_value(c, sql);
		ck_assert_msg(strcmp(got, want) == 0, "'%s': %s, want %s", bench_term(k), got,
			      want);
	}
	bench_tenant_id(id, 7);
	bench_tenant_name(name, sizeof name, 7);
	ck_assert_msg(store_tenant_get(&t, st, id, &e) == 0, "%s", e.message);
	ck_assert_str_eq(t.name, name);
	tenant_clear(&t);
	/* Chains verify, and appending after the loaded head still does. */
	bench_tenant_id(id, 10);
	ck_assert_int_eq(store_audit_verify(&v, st, id, &e), 0);
	ck_assert_int_eq(v.entries, 320);
	ck_assert_msg(v.first_broken == 0, "%s", v.reason);
	ck_assert_int_eq(store_audit_event(st, id, "bench.event", "bench", "", "{}", &e), 0);
	ck_assert_int_eq(store_audit_verify(&v, st, id, &e), 0);
	ck_assert_int_eq(v.entries, 321);
	ck_assert_msg(v.first_broken == 0, "%s", v.reason);
	bench_tenant_id(id, 1);
	ck_assert_int_eq(store_audit_verify(&v, st, id, &e), 0);
	ck_assert_int_eq(v.entries, 20);
	ck_assert_int_eq(v.first_broken, 0);
	store_close(&st);
	PQfinish(c);
}
END_TEST

Suite *
suite_bench(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = tcase_create("bench");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_trace_observer);
	tcase_add_test(tc, test_refs);
	tcase_add_test(tc, test_dataset);
	suite_add_tcase(s, tc);
	return s;
}
