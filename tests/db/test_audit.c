/* test_audit.c - the tenant lifecycle against the real database: the
 * purge (rows and chain gone, one platform entry keeping the final hash)
 * and every lifecycle transition. The hash chain itself is in
 * test_audit_chain.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"

/* ---- purge ------------------------------------------------------------------ */

START_TEST(purge)
{
	static const char *const tables[] = { "tenant_users", "invitations",     "quotas",
					      "usage_daily",  "tenant_settings", "api_keys",
					      "audit_log",    "alerts",          "audit_heads" };
	char p[ID_LEN], w[ID_LEN], k[ID_LEN], final_hash[65], sql[256];
	struct store *pf;
	struct tenant t;
	struct quota_result qr;
	struct audit_verdict v;
	struct err e = { 0 };
	PGconn *su;
	long long last;
	int purged = -1;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "doomed", "business", false, p);
	create_tenant(pf, "waiting", "business", false, w);
	create_tenant(pf, "alive", "business", false, k);
	some_changes(pf, p);
	ck_assert_msg(store_usage_increment(&qr, pf, p, "api_calls", 3, &e) == 0, "%s", e.message);
	ck_assert_msg(store_tenant_set_status(&t, pf, p, TENANT_PENDING_DELETION, &e) == 0, "%s",
		      e.message);
	ck_assert_msg(store_tenant_set_status(&t, pf, w, TENANT_PENDING_DELETION, &e) == 0, "%s",
		      e.message);
	su = testdb_connect(dbname, NULL);
	testdb_execf(su,
		     "UPDATE tenantry.tenants SET deletion_due_at = now() - interval '1 day' "
		     "WHERE id = '%s'",
		     p);
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
		ck_assert_msg(testdb_int(su,
					 "SELECT count(*) FROM tenantry.%s WHERE "
					 "tenant_id = '%s'",
					 tables[i], p)
				      > 0
				  || i == 7,
			      "no %s rows before the purge", tables[i]);
	last = testdb_int(su, "SELECT max(seq) FROM tenantry.audit_log WHERE tenant_id = '%s'", p);
	xtext(final_hash, sizeof final_hash, su,
	      "SELECT encode(hash, 'hex') FROM "
	      "tenantry.audit_log WHERE tenant_id = '%s' AND seq = %lld",
	      p, last);
	ck_assert_int_eq(strlen(final_hash), 64);

	/* Not yet due, or not pending at all: a direct purge is refused. */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.tenant_purge('%s')", w), "TL001");
	testdb_exec(su, "ROLLBACK");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.tenant_purge('%s')", k), "TL001");
	testdb_exec(su, "ROLLBACK");
	/* Nor may a tenant purge anything, even itself. */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", p);
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.tenant_purge('%s')", p), "42501");
	testdb_exec(su, "ROLLBACK");

	ck_assert_msg(store_tenant_purge_due(&purged, pf, &e) == 0, "%s", e.message);
	ck_assert_int_eq(purged, 1);

	/* Every row of the purged tenant is gone, its chain included. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE id = '%s'", p),
			 0);
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
		ck_assert_msg(testdb_int(su,
					 "SELECT count(*) FROM tenantry.%s WHERE "
					 "tenant_id = '%s'",
					 tables[i], p)
				  == 0,
			      "%s rows left after the purge", tables[i]);
	ck_assert_int_eq(store_tenant_get(&t, pf, p, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);

	/* The others are untouched. */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.tenants WHERE id IN "
				    "('%s', '%s')",
				    w, k),
			 2);
	verify(&v, pf, w);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_gt(v.entries, 0);

	/* One platform entry keeps the final hash of the purged chain. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"tenant_id = '" PLATFORM_CHAIN "'"),
			 1);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM tenantry.audit_log WHERE "
		 "tenant_id = '" PLATFORM_CHAIN "' AND action = 'tenant.purge' "
		 "AND resource_id = '%s'",
		 p);
	ck_assert_int_eq(testdb_int(su, "%s", sql), 1);
	ck_assert_str_eq(testdb_value(su,
				      "SELECT new->>'final_hash' FROM "
				      "tenantry.audit_log WHERE tenant_id = '" PLATFORM_CHAIN "'"),
			 final_hash);
	ck_assert_int_eq(testdb_int(su, "SELECT (new->>'entries')::int8 FROM tenantry.audit_log "
					"WHERE tenant_id = '" PLATFORM_CHAIN "'"),
			 last);
	ck_assert_str_eq(testdb_value(su, "SELECT new->>'slug' FROM tenantry.audit_log "
					  "WHERE tenant_id = '" PLATFORM_CHAIN "'"),
			 "doomed");
	verify(&v, pf, NULL);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, 1);

	/* Nothing else is due. */
	ck_assert_msg(store_tenant_purge_due(&purged, pf, &e) == 0, "%s", e.message);
	ck_assert_int_eq(purged, 0);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* ---- lifecycle --------------------------------------------------------------- */

static bool
transition_valid(enum tenant_status from, enum tenant_status to)
{
	switch (from) {
	case TENANT_TRIAL:
		return to == TENANT_ACTIVE || to == TENANT_SUSPENDED
		       || to == TENANT_PENDING_DELETION;
	case TENANT_ACTIVE:
		return to == TENANT_SUSPENDED || to == TENANT_PENDING_DELETION;
	case TENANT_SUSPENDED:
		return to == TENANT_ACTIVE || to == TENANT_PENDING_DELETION;
	case TENANT_PENDING_DELETION:
		return to == TENANT_ACTIVE || to == TENANT_SUSPENDED;
	default:
		return false; /* deleted is final; only the purge gets there */
	}
}

START_TEST(lifecycle_transitions)
{
	struct store *pf;
	PGconn *su;
	int valid = 0, invalid = 0;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	su = testdb_connect(dbname, NULL);
	for (int from = 0; from < TENANT_STATUS_COUNT; from++) {
		for (int to = 0; to < TENANT_STATUS_COUNT; to++) {
			char slug[32], id[ID_LEN];
			struct tenant t;
			struct err e = { 0 };
			int rc;
			long long now_s;

			if (from == to)
				continue;
			snprintf(slug, sizeof slug, "lc-%d-%d", from, to);
			create_tenant(pf, slug, "basic", from == TENANT_TRIAL, id);
			if (from == TENANT_SUSPENDED || from == TENANT_PENDING_DELETION) {
				ck_assert_msg(store_tenant_set_status(&t, pf, id,
								      (enum tenant_status)from, &e)
						  == 0,
					      "%s", e.message);
			} else if (from == TENANT_DELETED) {
				char sql[256];

				snprintf(sql, sizeof sql,
					 "UPDATE tenantry.tenants SET "
					 "status = 'deleted' WHERE id = '%s'",
					 id);
				tamper(su, sql);
			}
			rc = store_tenant_set_status(&t, pf, id, (enum tenant_status)to, &e);
			now_s = (long long)time(NULL);
			if (transition_valid((enum tenant_status)from, (enum tenant_status)to)) {
				valid++;
				ck_assert_msg(rc == 0, "%s -> %s refused: %s",
					      tenant_status_name((enum tenant_status)from),
					      tenant_status_name((enum tenant_status)to),
					      e.message);
				ck_assert_int_eq(t.status, to);
				if (to == TENANT_PENDING_DELETION)
					ck_assert_msg(llabs(t.deletion_due_at / 1000000
							    - (now_s + 30 * 86400))
							  < 120,
						      "deletion due at %lld",
						      (long long)t.deletion_due_at);
				else
					ck_assert_int_eq(t.deletion_due_at, 0);
				if (from == TENANT_TRIAL)
					ck_assert_int_le(t.trial_ends_at / 1000000, now_s + 5);
			} else {
				invalid++;
				ck_assert_msg(rc == -1 && e.code == ERR_INVALID_TRANSITION,
					      "%s -> %s: rc %d, %s",
					      tenant_status_name((enum tenant_status)from),
					      tenant_status_name((enum tenant_status)to), rc,
					      err_code_name(e.code));
			}
			{
				char sql[256];

				snprintf(sql, sizeof sql,
					 "SELECT status FROM tenantry.tenants "
					 "WHERE id = '%s'",
					 id);
				ck_assert_str_eq(
				    testdb_value(su, sql),
				    tenant_status_name(rc == 0 ? (enum tenant_status)to
							       : (enum tenant_status)from));
			}
		}
	}
	ck_assert_int_eq(valid, 9);
	ck_assert_int_eq(invalid, 11);

	/* Restore within the grace clears the deletion date. */
	{
		char id[ID_LEN];
		struct tenant t;
		struct err e = { 0 };

		create_tenant(pf, "restored", "business", false, id);
		ck_assert_int_eq(store_tenant_set_status(&t, pf, id, TENANT_PENDING_DELETION, &e),
				 0);
		ck_assert_int_gt(t.deletion_due_at, 0);
		ck_assert_int_eq(store_tenant_set_status(&t, pf, id, TENANT_ACTIVE, &e), 0);
		ck_assert_int_eq(t.deletion_due_at, 0);
		ck_assert_int_eq(testdb_int(su,
					    "SELECT count(*) FROM tenantry.tenants WHERE "
					    "id = '%s' AND deletion_due_at IS NULL",
					    id),
				 1);
	}
	PQfinish(su);
	store_close(&pf);
}
END_TEST

Suite *
suite_audit(void)
{
	Suite *s = suite_create("audit");
	TCase *life = tcase_create("lifecycle");

	tcase_set_timeout(life, 60);
	tcase_add_test(life, purge);
	tcase_add_test(life, lifecycle_transitions);
	suite_add_tcase(s, life);
	return s;
}
