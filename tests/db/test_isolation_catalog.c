/* test_isolation_catalog.c - tenant isolation as the catalog states it:
 * RLS enabled and forced on every tenant table, policies with WITH CHECK,
 * an application role that owns nothing and cannot bypass RLS, no PUBLIC
 * functions. The test works on its own fresh copy of the migrated
 * template. */
#include <check.h>
#include <stdio.h>

#include "../testlib.h"
#include "isolation.h"

/* ---- catalog ------------------------------------------------------------- */

START_TEST(catalog)
{
	PGconn *c;
	const char *v;

	snprintf(dbname, sizeof dbname, "%s", testdb_create());
	c = testdb_connect(dbname, NULL);

	/* The tables of isolation.h are exactly the tables with a tenant
	 * column that tenants can reach; audit_heads, idempotency_keys and
	 * purging are owner-only. */
	v = testdb_value(c, "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c "
			    "JOIN pg_namespace n ON n.oid = c.relnamespace "
			    "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') "
			    "AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a "
			    "WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' "
			    "AND NOT a.attisdropped))");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v,
			 "alerts,api_keys,audit_heads,audit_log,idempotency_keys,invitations,"
			 "outbox,purging,quotas,tenant_settings,tenant_terms,tenant_users,tenants,"
			 "usage_daily,usage_monthly,view_as_sessions,webhook_attempts,"
			 "webhook_deliveries,webhook_endpoints");

	/* RLS enabled and forced on every one of them (and on users). */
	v = testdb_value(c, "SELECT coalesce(string_agg(c.relname, ','), '') FROM pg_class c "
			    "JOIN pg_namespace n ON n.oid = c.relnamespace "
			    "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') "
			    "AND (c.relname IN ('tenants', 'users') OR EXISTS (SELECT 1 FROM "
			    "pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' "
			    "AND NOT a.attisdropped)) "
			    "AND NOT (c.relrowsecurity AND c.relforcerowsecurity)");
	ck_assert_str_eq(v, "");

	/* A policy for tenantry_tenant wherever the role has any privilege. */
	v = testdb_value(
	    c, "SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c "
	       "JOIN pg_namespace n ON n.oid = c.relnamespace "
	       "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') "
	       "AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a "
	       "WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')) "
	       "AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid "
	       "AND 'tenantry_tenant'::regrole = ANY (p.polroles))");
	ck_assert_str_eq(v, "audit_heads,idempotency_keys,purging");
	for (int k = 0; k < 3; k++) {
		static const char *const owner_only[] = { "audit_heads", "idempotency_keys",
							  "purging" };

		ck_assert_int_eq(testdb_int(c,
					    "SELECT (has_any_column_privilege('tenantry_tenant', "
					    "'tenantry.%s', 'SELECT, INSERT, UPDATE') "
					    "OR has_table_privilege('tenantry_tenant', "
					    "'tenantry.%s', 'DELETE, TRUNCATE'))::int",
					    owner_only[k], owner_only[k]),
				 0);
	}
	for (size_t i = 0; i < NTABLES; i++)
		ck_assert_msg(testdb_int(c,
					 "SELECT count(*) FROM pg_policy p WHERE "
					 "p.polrelid = 'tenantry.%s'::regclass AND "
					 "'tenantry_tenant'::regrole = ANY (p.polroles)",
					 tables[i].name)
				  >= 1,
			      "%s: no tenant policy", tables[i].name);

	/* Writing policies have WITH CHECK; every policy names its roles. */
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM pg_policy p JOIN pg_class c "
				    "ON c.oid = p.polrelid JOIN pg_namespace n ON "
				    "n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
				    "AND p.polcmd IN ('a', 'w', '*') AND p.polwithcheck IS NULL"),
			 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_policy p JOIN pg_class c "
				       "ON c.oid = p.polrelid JOIN pg_namespace n ON "
				       "n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
				       "AND 0::oid = ANY (p.polroles)"),
			 0);
	ck_assert_int_ge(testdb_int(c, "SELECT count(*) FROM pg_policy p JOIN pg_class c "
				       "ON c.oid = p.polrelid JOIN pg_namespace n ON "
				       "n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
				       "AND p.polcmd IN ('a', 'w', '*')"),
			 (long long)NTABLES);

	/* The application role: owns nothing, no superuser, no BYPASSRLS,
	 * NOINHERIT, cannot create in the schema or the database. */
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM pg_shdepend d "
				    "WHERE d.refclassid = 'pg_authid'::regclass "
				    "AND d.refobjid = 'tenantry_app'::regrole AND d.deptype = 'o'"),
			 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_class WHERE relowner = "
				       "'tenantry_app'::regrole"),
			 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_proc WHERE proowner = "
				       "'tenantry_app'::regrole"),
			 0);
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM pg_roles WHERE rolname = "
				    "'tenantry_app' AND NOT rolsuper AND NOT rolbypassrls "
				    "AND NOT rolinherit AND NOT rolcreaterole AND NOT rolcreatedb"),
			 1);
	ck_assert_int_eq(testdb_int(c, "SELECT has_schema_privilege('tenantry_app', "
				       "'tenantry', 'CREATE')::int"),
			 0);
	ck_assert_int_eq(testdb_int(c, "SELECT has_database_privilege('tenantry_app', "
				       "current_database(), 'CREATE')::int"),
			 0);
	/* Nor can any role it may switch to bypass RLS. */
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM pg_roles WHERE rolname IN "
				    "('tenantry_tenant', 'tenantry_platform', 'tenantry_support', "
				    "'tenantry_oncall', 'tenantry_owner') "
				    "AND NOT rolsuper AND NOT rolbypassrls"),
			 5);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_roles WHERE rolname = "
				       "'tenantry_owner' AND NOT rolcanlogin"),
			 1);

	/* Views must run with the caller's rights. There are none today: the
	 * query must still run and find nothing, and no materialized view
	 * (which RLS cannot protect) may exist either. */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
				       "ON n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
				       "AND c.relkind = 'v' AND NOT EXISTS (SELECT 1 FROM "
				       "unnest(coalesce(c.reloptions, '{}')) o WHERE lower(o) IN "
				       "('security_invoker=true', 'security_invoker=on', "
				       "'security_invoker=1'))"),
			 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
				       "ON n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
				       "AND c.relkind = 'm'"),
			 0);

	/* No function is executable by PUBLIC except pg_trgm's own (members
	 * of the extension); the query does see those. */
	v = testdb_value(c, "SELECT coalesce(string_agg(p.proname, ','), '') FROM pg_proc p "
			    "JOIN pg_namespace n ON n.oid = p.pronamespace "
			    "WHERE n.nspname = 'tenantry' "
			    "AND has_function_privilege('public', p.oid, 'EXECUTE') "
			    "AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension x "
			    "ON x.oid = d.refobjid WHERE d.classid = 'pg_proc'::regclass "
			    "AND d.objid = p.oid AND d.deptype = 'e' AND x.extname = 'pg_trgm')");
	ck_assert_str_eq(v, "");
	ck_assert_int_gt(testdb_int(c, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
				       "ON n.oid = p.pronamespace WHERE n.nspname = 'tenantry' "
				       "AND has_function_privilege('public', p.oid, 'EXECUTE')"),
			 0);
	ck_assert_int_gt(testdb_int(c, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
				       "ON n.oid = p.pronamespace WHERE n.nspname = 'tenantry' "
				       "AND p.proname = 'audit_append' AND p.proacl IS NOT NULL"),
			 0);
	/* SECURITY DEFINER functions pin search_path. */
	v = testdb_value(c, "SELECT coalesce(string_agg(p.proname, ','), '') FROM pg_proc p "
			    "JOIN pg_namespace n ON n.oid = p.pronamespace "
			    "WHERE n.nspname = 'tenantry' AND p.prosecdef AND NOT EXISTS "
			    "(SELECT 1 FROM unnest(p.proconfig) o WHERE o LIKE 'search_path=%')");
	ck_assert_str_eq(v, "");
	PQfinish(c);
}
END_TEST

Suite *
suite_isolation_catalog(void)
{
	Suite *s = suite_create("isolation_catalog");
	TCase *tc = tcase_create("rls");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, catalog);
	suite_add_tcase(s, tc);
	return s;
}
