/* test_store.c - what only concerns the libpq store. Every operation's
 * contract (success, bad inputs, errors) runs on both backends in
 * test_contract.c and test_contract_ops.c; here, a context switched on an
 * open store's one connection, and the unnamed statements of a store
 * behind a transaction pooler. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "contract.h"
/* its pg_of(st) would shadow the contract's st */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include "store/store_pg.h"
#pragma GCC diagnostic pop

/* One connection switched from the platform to a tenant sees that tenant
 * only and may not act as the platform; switched back, it sees all again:
 * nothing of the tenant context stays with the session. */
START_TEST(test_context_switch)
{
	struct store_context ctx = { .role = STORE_ROLE_TENANT,
				     .actor = CT_STAFF,
				     .actor_kind = "staff" };
	struct tier t = { .name = "startup",
			  .display_name = "Startup",
			  .rank = 10,
			  .price_cents = 4900,
			  .max_users = 20,
			  .storage_limit_bytes = 1 << 30,
			  .api_calls_per_hour = 2000,
			  .max_api_keys = 3,
			  .invitations_per_day = 30,
			  .trial_days = 7,
			  .features = 1u << FEATURE_SSO };
	struct tenant_query q = { .status = -1, .limit = 50 };
	struct tenant_list l;
	struct member_list ml;
	struct tenant tn;

	snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", acme.id);
	OK(store_set_context(st, &ctx, &e));
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.rows[0].slug, "acme-corp");
	tenant_list_free(&l);
	FAILS(store_tenant_get(&tn, st, beta.id, &e), ERR_NOT_FOUND);
	FAILS(store_member_list(&ml, st, "beta", NULL, &e), ERR_NOT_FOUND);
	/* tenants cannot change their own status, nor the catalog */
	FAILS(store_tenant_set_status(&tn, st, acme.id, TENANT_SUSPENDED, &e), ERR_FORBIDDEN);
	FAILS(store_tier_put(st, &t, &e), ERR_FORBIDDEN);

	ctx = (struct store_context){ .role = STORE_ROLE_PLATFORM,
				      .actor = CT_STAFF,
				      .actor_kind = "staff" };
	OK(store_set_context(st, &ctx, &e));
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 2);
	tenant_list_free(&l);
	OK(store_tenant_get(&tn, st, beta.id, &e));
	tenant_clear(&tn);
}
END_TEST

/* The prepared statements a store's own session holds after a few
 * operations (read on that session, after them). */
static long
prepared_after_work(bool unnamed)
{
	char conninfo[512];
	struct store_config cfg = { .conninfo = conninfo, .unnamed = unnamed };
	struct store_context ctx = { .role = STORE_ROLE_PLATFORM,
				     .actor = CT_STAFF,
				     .actor_kind = "staff" };
	struct tenant_query q = { .status = -1, .limit = 50 };
	struct store *s = NULL;
	struct tenant_list l;
	struct tenant tn;
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP0("SELECT count(*) FROM pg_prepared_statements", &r) };
	long n;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(ct_db, NULL));
	OK(store_open(&s, &cfg, &e));
	OK(store_set_context(s, &ctx, &e));
	OK(store_tenant_list(&l, s, &q, &e));
	ck_assert_uint_eq(l.n, 2);
	tenant_list_free(&l);
	OK(store_tenant_get(&tn, s, beta.id, &e));
	tenant_clear(&tn);
	snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", acme.id);
	ctx.role = STORE_ROLE_TENANT;
	OK(store_set_context(s, &ctx, &e));
	OK(store_tenant_list(&l, s, &q, &e));
	ck_assert_uint_eq(l.n, 1); /* the tenant context holds */
	tenant_list_free(&l);
	OK(pg_run(pg_of(s), steps, 1, &e));
	n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	store_close(&s);
	return n;
}

/* What a transaction pooler needs (tenantryd --db-unnamed-statements):
 * the unnamed store leaves no prepared statement on its session, where the
 * default one prepares the context statement and each operation's. */
START_TEST(test_unnamed_prepares_nothing)
{
	ck_assert_int_eq(prepared_after_work(true), 0);
	ck_assert_int_ge(prepared_after_work(false), 3);
}
END_TEST

Suite *
suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("pg");

	tcase_add_checked_fixture(tc, ct_setup_pg, ct_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_context_switch);
	tcase_add_test(tc, test_unnamed_prepares_nothing);
	suite_add_tcase(s, tc);
	return s;
}
