/* test_isolation.c - tenant isolation in the database itself: the catalog
 * (RLS enabled and forced, policies with WITH CHECK, an application role
 * that owns nothing and cannot bypass RLS, no PUBLIC functions), two
 * tenants with rows in every tenant table seen through tenantry_tenant,
 * no context, a pooled connection reused across tenants (raw SQL and the
 * store), and the staff roles. Every test works on its own fresh copy of
 * the migrated template. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../testlib.h"
#include "store/store.h"

/* The tenant tables and what tenantry_tenant may do to each. `ins` is an
 * INSERT whose only %s is the tenant id; `upd` a harmless SET clause. */
static const struct table {
	const char *name;
	const char *col;
	const char *upd;     /* NULL: the tenant role may not update */
	bool can_insert;
	bool can_delete;
	const char *ins;
} tables[] = {
	{ "tenants", "id", "name = name", false, false,
	  "INSERT INTO tenantry.tenants (id, slug, name, tier) "
	  "VALUES ('%s', 'probe-tenant', 'Probe', 'free')" },
	{ "tenant_users", "tenant_id", "active = active", false, true,
	  "INSERT INTO tenantry.tenant_users (tenant_id, user_id) "
	  "VALUES ('%s', gen_random_uuid())" },
	{ "invitations", "tenant_id", "expires_at = expires_at", true, false,
	  "INSERT INTO tenantry.invitations (tenant_id, email, token_hash) "
	  "VALUES ('%s', 'probe@probe.example', sha256('probe'))" },
	{ "quotas", "tenant_id", "used = used", false, false,
	  "INSERT INTO tenantry.quotas (tenant_id, resource, quota_limit) "
	  "VALUES ('%s', 'probe', 1)" },
	{ "usage_daily", "tenant_id", "amount = amount", true, false,
	  "INSERT INTO tenantry.usage_daily (tenant_id, resource, day, amount) "
	  "VALUES ('%s', 'api_calls', DATE '2001-01-01', 1)" },
	{ "tenant_settings", "tenant_id", "value = value", true, true,
	  "INSERT INTO tenantry.tenant_settings (tenant_id, key, value) "
	  "VALUES ('%s', 'probe.key', 'v')" },
	{ "api_keys", "tenant_id", "name = name", true, false,
	  "INSERT INTO tenantry.api_keys (tenant_id, prefix, secret_hash) "
	  "VALUES ('%s', 'abcdef0123', sha256('probe'))" },
	{ "audit_log", "tenant_id", NULL, false, false,
	  "INSERT INTO tenantry.audit_log (tenant_id, seq, at, actor, actor_kind, "
	  "action, resource_type, prev_hash, hash) VALUES ('%s', 999, now(), "
	  "'x', 'x', 'x.forged', 'x', '\\x', '\\x')" },
	{ "tenant_terms", "tenant_id", NULL, false, false,
	  "INSERT INTO tenantry.tenant_terms (term, name, tenant_id) "
	  "VALUES ('prb', 'Probe', '%s')" },
	{ "alerts", "tenant_id", "acknowledged_by = acknowledged_by", false, false,
	  "INSERT INTO tenantry.alerts (tenant_id, resource, threshold, period_start) "
	  "VALUES ('%s', 'users', 80, now())" },
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* ---- helpers ------------------------------------------------------------- */

static char dbname[64];
static char ida[ID_LEN], idb[ID_LEN];

/* Starts a transaction as role, with tenant as the context (NULL: none). */
static void
begin_as(PGconn *c, const char *role, const char *tenant)
{
	testdb_exec(c, "BEGIN");
	testdb_execf(c, "SET LOCAL ROLE %s", role);
	if (tenant)
		testdb_execf(c, "SELECT set_config('tenantry.tenant_id', '%s', true)", tenant);
}

/* One statement in its own rolled-back transaction: its SQLSTATE. */
static void
state_as(char out[6], PGconn *c, const char *role, const char *tenant,
	 const char *sql)
{
	begin_as(c, role, tenant);
	snprintf(out, 6, "%s", testdb_sqlstate(c, sql));
	testdb_exec(c, "ROLLBACK");
}

/* One statement in its own rolled-back transaction: rows it affected. */
static long
rows_as(PGconn *c, const char *role, const char *tenant, const char *sql)
{
	PGresult *r;
	long n;

	begin_as(c, role, tenant);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK
		      || PQresultStatus(r) == PGRES_TUPLES_OK, "%s as %s: %s", sql,
		      role, PQresultErrorMessage(r));
	n = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	testdb_exec(c, "ROLLBACK");
	return n;
}

static struct store *
open_store(const char *user, enum store_role role, const char *tenant)
{
	return teststore_open(dbname, user, role, tenant);
}

/* A tenant with rows in every tenant table: members and quotas come with
 * it, then an invitation, usage, a setting, an API key and an alert (a
 * quota pushed past 80 %); the audit log fills from the triggers. */
static void
populate(struct store *st, const char *slug, char id[ID_LEN])
{
	char email[128], token[96], secret[128];
	struct tenant_new n = { .name = slug, .slug = slug, .tier = "business",
				.admin_email = email };
	struct tenant t;
	struct invitation inv;
	struct quota_result qr;
	struct setting s;
	struct api_key k;
	struct quota q;
	struct err e = { 0 };

	snprintf(email, sizeof email, "admin@%s.example", slug);
	ck_assert_msg(store_tenant_create(&t, st, &n, &e) == 0, "%s", e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
	snprintf(email, sizeof email, "new@%s.example", slug);
	ck_assert_msg(store_invitation_create(&inv, token, st, id, email,
						 ROLE_MEMBER, &e) == 0, "%s", e.message);
	ck_assert_msg(store_usage_increment(&qr, st, id, "api_calls", 5, &e) == 0,
		      "%s", e.message);
	ck_assert_msg(store_setting_put(&s, st, id, "site.title", SETTING_STRING,
					   slug, &e) == 0, "%s", e.message);
	setting_clear(&s);
	ck_assert_msg(store_apikey_create(&k, secret, st, id, "ci",
					     1u << SCOPE_TENANT_READ, 0, &e) == 0,
		      "%s", e.message);
	ck_assert_msg(store_quota_set_limit(&q, st, id, "storage_bytes", 10, &e) == 0,
		      "%s", e.message);
	ck_assert_msg(store_usage_increment(&qr, st, id, "storage_bytes", 9, &e) == 0,
		      "%s", e.message);
}

/* Fresh database with tenants alpha (ida) and bravo (idb); returns a
 * superuser connection. */
static PGconn *
two_tenants(void)
{
	struct store *st;
	PGconn *su;

	snprintf(dbname, sizeof dbname, "%s", testdb_create());
	st = open_store(NULL, STORE_ROLE_PLATFORM, NULL);
	populate(st, "alpha", ida);
	populate(st, "bravo", idb);
	store_close(&st);
	su = testdb_connect(dbname, NULL);
	/* Preconditions: both tenants have rows in every table. */
	for (size_t i = 0; i < NTABLES; i++) {
		const char *ids[] = { ida, idb };

		for (int k = 0; k < 2; k++)
			ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s "
					   "WHERE %s = '%s'", tables[i].name,
					   tables[i].col, ids[k]) > 0,
				      "no %s rows for tenant %d", tables[i].name, k);
	}
	return su;
}

/* Rows of table visible in the current transaction: those of tenant and
 * the others. */
static void
visible(PGconn *c, const struct table *t, const char *tenant, long long *own,
	long long *other)
{
	*own = testdb_int(c, "SELECT count(*) FROM tenantry.%s WHERE %s = '%s'", t->name,
		    t->col, tenant);
	*other = testdb_int(c, "SELECT count(*) FROM tenantry.%s WHERE %s <> '%s'", t->name,
		      t->col, tenant);
}

/* ---- catalog ------------------------------------------------------------- */

START_TEST(catalog)
{
	PGconn *c;
	const char *v;

	snprintf(dbname, sizeof dbname, "%s", testdb_create());
	c = testdb_connect(dbname, NULL);

	/* The tables above are exactly the tables with a tenant column that
	 * tenants can reach; audit_heads, idempotency_keys and purging are
	 * owner-only. */
	v = testdb_value(c,
		"SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c "
		"JOIN pg_namespace n ON n.oid = c.relnamespace "
		"WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') "
		"AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a "
		"WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' "
		"AND NOT a.attisdropped))");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, "alerts,api_keys,audit_heads,audit_log,idempotency_keys,invitations,"
			    "purging,quotas,tenant_settings,tenant_terms,tenant_users,tenants,"
			    "usage_daily");

	/* RLS enabled and forced on every one of them (and on users). */
	v = testdb_value(c,
		"SELECT coalesce(string_agg(c.relname, ','), '') FROM pg_class c "
		"JOIN pg_namespace n ON n.oid = c.relnamespace "
		"WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') "
		"AND (c.relname IN ('tenants', 'users') OR EXISTS (SELECT 1 FROM "
		"pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' "
		"AND NOT a.attisdropped)) "
		"AND NOT (c.relrowsecurity AND c.relforcerowsecurity)");
	ck_assert_str_eq(v, "");

	/* A policy for tenantry_tenant wherever the role has any privilege. */
	v = testdb_value(c,
		"SELECT coalesce(string_agg(c.relname, ',' ORDER BY c.relname), '') FROM pg_class c "
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

		ck_assert_int_eq(testdb_int(c, "SELECT (has_any_column_privilege('tenantry_tenant', "
				      "'tenantry.%s', 'SELECT, INSERT, UPDATE') "
				      "OR has_table_privilege('tenantry_tenant', "
				      "'tenantry.%s', 'DELETE, TRUNCATE'))::int",
				      owner_only[k], owner_only[k]), 0);
	}
	for (size_t i = 0; i < NTABLES; i++)
		ck_assert_msg(testdb_int(c, "SELECT count(*) FROM pg_policy p WHERE "
				   "p.polrelid = 'tenantry.%s'::regclass AND "
				   "'tenantry_tenant'::regrole = ANY (p.polroles)",
				   tables[i].name) >= 1, "%s: no tenant policy",
			      tables[i].name);

	/* Writing policies have WITH CHECK; every policy names its roles. */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_policy p JOIN pg_class c "
			      "ON c.oid = p.polrelid JOIN pg_namespace n ON "
			      "n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
			      "AND p.polcmd IN ('a', 'w', '*') AND p.polwithcheck IS NULL"), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_policy p JOIN pg_class c "
			      "ON c.oid = p.polrelid JOIN pg_namespace n ON "
			      "n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
			      "AND 0::oid = ANY (p.polroles)"), 0);
	ck_assert_int_ge(testdb_int(c, "SELECT count(*) FROM pg_policy p JOIN pg_class c "
			      "ON c.oid = p.polrelid JOIN pg_namespace n ON "
			      "n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
			      "AND p.polcmd IN ('a', 'w', '*')"), (long long)NTABLES);

	/* The application role: owns nothing, no superuser, no BYPASSRLS,
	 * NOINHERIT, cannot create in the schema or the database. */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_shdepend d "
			      "WHERE d.refclassid = 'pg_authid'::regclass "
			      "AND d.refobjid = 'tenantry_app'::regrole AND d.deptype = 'o'"), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_class WHERE relowner = "
			      "'tenantry_app'::regrole"), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_proc WHERE proowner = "
			      "'tenantry_app'::regrole"), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_roles WHERE rolname = "
			      "'tenantry_app' AND NOT rolsuper AND NOT rolbypassrls "
			      "AND NOT rolinherit AND NOT rolcreaterole AND NOT rolcreatedb"), 1);
	ck_assert_int_eq(testdb_int(c, "SELECT has_schema_privilege('tenantry_app', "
			      "'tenantry', 'CREATE')::int"), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT has_database_privilege('tenantry_app', "
			      "current_database(), 'CREATE')::int"), 0);
	/* Nor can any role it may switch to bypass RLS. */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_roles WHERE rolname IN "
			      "('tenantry_tenant', 'tenantry_platform', 'tenantry_support', "
			      "'tenantry_oncall', 'tenantry_owner') "
			      "AND NOT rolsuper AND NOT rolbypassrls"), 5);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_roles WHERE rolname = "
			      "'tenantry_owner' AND NOT rolcanlogin"), 1);

	/* Views must run with the caller's rights. There are none today: the
	 * query must still run and find nothing, and no materialized view
	 * (which RLS cannot protect) may exist either. */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
			      "ON n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
			      "AND c.relkind = 'v' AND NOT EXISTS (SELECT 1 FROM "
			      "unnest(coalesce(c.reloptions, '{}')) o WHERE lower(o) IN "
			      "('security_invoker=true', 'security_invoker=on', "
			      "'security_invoker=1'))"), 0);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
			      "ON n.oid = c.relnamespace WHERE n.nspname = 'tenantry' "
			      "AND c.relkind = 'm'"), 0);

	/* No function is executable by PUBLIC except pg_trgm's own (members
	 * of the extension); the query does see those. */
	v = testdb_value(c,
		"SELECT coalesce(string_agg(p.proname, ','), '') FROM pg_proc p "
		"JOIN pg_namespace n ON n.oid = p.pronamespace "
		"WHERE n.nspname = 'tenantry' "
		"AND has_function_privilege('public', p.oid, 'EXECUTE') "
		"AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension x "
		"ON x.oid = d.refobjid WHERE d.classid = 'pg_proc'::regclass "
		"AND d.objid = p.oid AND d.deptype = 'e' AND x.extname = 'pg_trgm')");
	ck_assert_str_eq(v, "");
	ck_assert_int_gt(testdb_int(c, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
			      "ON n.oid = p.pronamespace WHERE n.nspname = 'tenantry' "
			      "AND has_function_privilege('public', p.oid, 'EXECUTE')"), 0);
	ck_assert_int_gt(testdb_int(c, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
			      "ON n.oid = p.pronamespace WHERE n.nspname = 'tenantry' "
			      "AND p.proname = 'audit_append' AND p.proacl IS NOT NULL"), 0);
	/* SECURITY DEFINER functions pin search_path. */
	v = testdb_value(c,
		"SELECT coalesce(string_agg(p.proname, ','), '') FROM pg_proc p "
		"JOIN pg_namespace n ON n.oid = p.pronamespace "
		"WHERE n.nspname = 'tenantry' AND p.prosecdef AND NOT EXISTS "
		"(SELECT 1 FROM unnest(p.proconfig) o WHERE o LIKE 'search_path=%')");
	ck_assert_str_eq(v, "");
	PQfinish(c);
}
END_TEST

/* ---- two tenants --------------------------------------------------------- */

START_TEST(tenant_sees_only_itself)
{
	PGconn *su = two_tenants();
	char st[6], sql[1024];

	for (size_t i = 0; i < NTABLES; i++) {
		const struct table *t = &tables[i];
		long long own, other;

		begin_as(su, "tenantry_tenant", ida);
		visible(su, t, ida, &own, &other);
		testdb_exec(su, "ROLLBACK");
		ck_assert_msg(own > 0, "%s: tenant sees none of its rows", t->name);
		ck_assert_msg(other == 0, "%s: tenant sees %lld foreign rows", t->name,
			      other);

		/* Updating or deleting the other tenant's rows touches nothing
		 * (or is refused outright where the role has no grant). */
		if (t->upd) {
			snprintf(sql, sizeof sql, "UPDATE tenantry.%s SET %s WHERE %s = '%s'",
				 t->name, t->upd, t->col, idb);
			ck_assert_msg(rows_as(su, "tenantry_tenant", ida, sql) == 0,
				      "%s: update reached the other tenant", t->name);
			snprintf(sql, sizeof sql, "UPDATE tenantry.%s SET %s WHERE %s <> '%s'",
				 t->name, t->upd, t->col, ida);
			ck_assert_msg(rows_as(su, "tenantry_tenant", ida, sql) == 0,
				      "%s: update reached another tenant", t->name);
		} else {
			snprintf(sql, sizeof sql, "UPDATE tenantry.%s SET %s = %s WHERE %s = '%s'",
				 t->name, t->col, t->col, t->col, idb);
			state_as(st, su, "tenantry_tenant", ida, sql);
			ck_assert_msg(strcmp(st, "42501") == 0, "%s: update gave '%s'",
				      t->name, st);
		}
		snprintf(sql, sizeof sql, "DELETE FROM tenantry.%s WHERE %s = '%s'",
			 t->name, t->col, idb);
		if (t->can_delete) {
			ck_assert_msg(rows_as(su, "tenantry_tenant", ida, sql) == 0,
				      "%s: delete reached the other tenant", t->name);
		} else {
			state_as(st, su, "tenantry_tenant", ida, sql);
			ck_assert_msg(strcmp(st, "42501") == 0, "%s: delete gave '%s'",
				      t->name, st);
		}

		/* Inserting into the other tenant fails with 42501; where the
		 * role may insert at all, the same row for itself works, so
		 * the refusal comes from the policy's WITH CHECK. */
		snprintf(sql, sizeof sql, t->ins, idb);
		state_as(st, su, "tenantry_tenant", ida, sql);
		ck_assert_msg(strcmp(st, "42501") == 0, "%s: foreign insert gave '%s'",
			      t->name, st);
		if (t->can_insert) {
			snprintf(sql, sizeof sql, t->ins, ida);
			state_as(st, su, "tenantry_tenant", ida, sql);
			ck_assert_msg(strcmp(st, "") == 0, "%s: own insert gave '%s'",
				      t->name, st);
		}
	}
	/* Nothing of bravo's changed behind the rollbacks either. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenant_settings "
			      "WHERE tenant_id = '%s'", idb), 1);
	PQfinish(su);
}
END_TEST

START_TEST(tenant_role_limits)
{
	PGconn *su = two_tenants();
	char st[6], sql[512];
	long long members;

	/* Its own tenant row: the name yes, tier, status and lifecycle no. */
	snprintf(sql, sizeof sql, "UPDATE tenantry.tenants SET name = 'Alpha 2' "
		 "WHERE id = '%s'", ida);
	ck_assert_int_eq(rows_as(su, "tenantry_tenant", ida, sql), 1);
	static const char *const forbidden[] = { "tier = 'enterprise'",
		"status = 'active'", "status = 'suspended'",
		"deletion_due_at = NULL", "health_score = 100" };
	for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++) {
		snprintf(sql, sizeof sql, "UPDATE tenantry.tenants SET %s WHERE id = '%s'",
			 forbidden[i], ida);
		state_as(st, su, "tenantry_tenant", ida, sql);
		ck_assert_msg(strcmp(st, "42501") == 0, "%s gave '%s'", forbidden[i], st);
	}
	ck_assert_str_eq(testdb_value(su, "SELECT tier FROM tenantry.tenants "
				      "WHERE slug = 'alpha'"), "business");

	/* The audit log is read-only, even the tenant's own chain. */
	snprintf(sql, sizeof sql, tables[7].ins, ida);
	state_as(st, su, "tenantry_tenant", ida, sql);
	ck_assert_str_eq(st, "42501");
	snprintf(sql, sizeof sql, "UPDATE tenantry.audit_log SET actor = 'x' "
		 "WHERE tenant_id = '%s'", ida);
	state_as(st, su, "tenantry_tenant", ida, sql);
	ck_assert_str_eq(st, "42501");
	snprintf(sql, sizeof sql, "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s'",
		 ida);
	state_as(st, su, "tenantry_tenant", ida, sql);
	ck_assert_str_eq(st, "42501");
	state_as(st, su, "tenantry_tenant", ida, "SELECT * FROM tenantry.audit_heads");
	ck_assert_str_eq(st, "42501");

	/* Secrets of users are out of reach; the rest of a member is not. */
	state_as(st, su, "tenantry_tenant", ida,
		 "SELECT password_hash FROM tenantry.users");
	ck_assert_str_eq(st, "42501");
	state_as(st, su, "tenantry_tenant", ida, "SELECT mfa_secret FROM tenantry.users");
	ck_assert_str_eq(st, "42501");
	members = testdb_int(su, "SELECT count(*) FROM tenantry.tenant_users WHERE "
		       "tenant_id = '%s'", ida);
	begin_as(su, "tenantry_tenant", ida);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.users"), members);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.users "
			      "WHERE email = 'admin@bravo.example'"), 0);
	/* Functions run with its rights: the other tenant is invisible. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.usage_increment("
			      "'%s', 'api_calls', 1)", idb), 0);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.quota_check("
			      "'%s', 'api_calls', 1)", idb), 0);
	ck_assert_int_eq(testdb_int(su, "SELECT (tenantry.tenant_ref('bravo') IS NULL)::int"), 1);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_head('%s') "
			      "WHERE seq IS NOT NULL OR hash IS NOT NULL", idb), 0);
	testdb_exec(su, "ROLLBACK");
	ck_assert_int_eq(testdb_int(su, "SELECT used FROM tenantry.quotas WHERE tenant_id = "
			      "'%s' AND resource = 'api_calls'", idb), 5);
	PQfinish(su);
}
END_TEST

START_TEST(no_context_sees_nothing)
{
	PGconn *su = two_tenants();
	char st[6];

	for (size_t i = 0; i < NTABLES; i++) {
		/* Never set, then set to '' (how it reads after a commit). */
		begin_as(su, "tenantry_tenant", NULL);
		ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s",
				   tables[i].name) == 0, "%s: rows without context",
			      tables[i].name);
		testdb_exec(su, "ROLLBACK");
		begin_as(su, "tenantry_tenant", "");
		ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s",
				   tables[i].name) == 0, "%s: rows with empty context",
			      tables[i].name);
		testdb_exec(su, "ROLLBACK");
	}
	begin_as(su, "tenantry_tenant", NULL);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.users"), 0);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenant_users"), 0);
	testdb_exec(su, "ROLLBACK");
	/* A malformed context fails instead of matching anything. */
	state_as(st, su, "tenantry_tenant", "not-a-uuid",
		 "SELECT count(*) FROM tenantry.tenants");
	ck_assert_str_eq(st, "22P02");
	PQfinish(su);
}
END_TEST

START_TEST(pooled_connection_does_not_leak)
{
	PGconn *su = two_tenants(), *app;
	char st[6], sql[512];

	PQfinish(su);
	testdb_login_role(dbname, "iso_app", "tenantry_app");
	app = testdb_connect(dbname, "iso_app");

	/* Tenant alpha's transaction, committed. */
	begin_as(app, "tenantry_tenant", ida);
	for (size_t i = 0; i < NTABLES; i++) {
		long long own, other;

		visible(app, &tables[i], ida, &own, &other);
		ck_assert_msg(own > 0 && other == 0, "%s: %lld own, %lld other",
			      tables[i].name, own, other);
	}
	testdb_exec(app, "COMMIT");

	/* Back to the login role, which can read nothing by itself. */
	ck_assert_str_eq(testdb_value(app, "SELECT current_user"), "iso_app");
	ck_assert_str_eq(testdb_sqlstate(app, "SELECT count(*) FROM tenantry.tenants"),
			 "42501");

	/* The next transaction takes the tenant role but sets no tenant. */
	begin_as(app, "tenantry_tenant", NULL);
	for (size_t i = 0; i < NTABLES; i++)
		ck_assert_msg(testdb_int(app, "SELECT count(*) FROM tenantry.%s",
				   tables[i].name) == 0, "%s: alpha's rows leaked",
			      tables[i].name);
	testdb_exec(app, "COMMIT");

	/* Then tenant bravo: only bravo. */
	begin_as(app, "tenantry_tenant", idb);
	for (size_t i = 0; i < NTABLES; i++) {
		long long own, other;

		visible(app, &tables[i], idb, &own, &other);
		ck_assert_msg(own > 0 && other == 0, "%s: %lld own, %lld other",
			      tables[i].name, own, other);
	}
	testdb_exec(app, "COMMIT");
	/* Writing as bravo into alpha after alpha's commit is refused. */
	snprintf(sql, sizeof sql, tables[5].ins, ida);
	state_as(st, app, "tenantry_tenant", idb, sql);
	ck_assert_str_eq(st, "42501");
	PQfinish(app);
}
END_TEST

/* One store (one connection) used for tenant alpha, then bravo, then with
 * no role; `login` is the login role it connects as. */
static void
context_switch(const char *login, bool app_login)
{
	struct store *st;
	struct store_context ctx = { .role = STORE_ROLE_TENANT, .actor = "test",
				     .actor_kind = "user" };
	struct err e = { 0 };
	struct member_list ml;
	struct quota_list ql;
	struct tenant t;
	struct tenant_list tl;
	struct tenant_query tq = { .status = -1 };
	struct setting s;
	struct quota_result qr;
	struct audit_entry_list al;
	struct audit_query aq = { 0 };
	struct alert_list alerts;

	st = open_store(login, STORE_ROLE_TENANT, ida);

	/* As alpha: alpha's members only. */
	ck_assert_msg(store_member_list(&ml, st, ida, NULL, &e) == 0, "%s", e.message);
	ck_assert_int_ge(ml.n, 1);
	for (size_t i = 0; i < ml.n; i++)
		ck_assert_str_eq(ml.rows[i].tenant_id, ida);
	member_list_free(&ml);

	/* The same store (one connection) as bravo: alpha is a 404. */
	snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", idb);
	ck_assert_int_eq(store_set_context(st, &ctx, &e), 0);
	ck_assert_int_eq(store_member_list(&ml, st, ida, NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(ml.n, 0);
	ck_assert_int_eq(store_tenant_get(&t, st, ida, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_str_eq(t.id, "");
	ck_assert_int_eq(store_tenant_get(&t, st, "alpha", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_quota_list(&ql, st, ida, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_setting_get(&s, st, ida, "site.title", false, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_usage_increment(&qr, st, ida, "api_calls", 1, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_list(&al, st, ida, &aq, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_alert_list(&alerts, st, ida, false, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);

	/* Its own tenant works, and lists hold only it. */
	ck_assert_msg(store_tenant_get(&t, st, idb, &e) == 0, "%s", e.message);
	ck_assert_str_eq(t.slug, "bravo");
	tenant_clear(&t);
	ck_assert_msg(store_tenant_list(&tl, st, &tq, &e) == 0, "%s", e.message);
	ck_assert_int_eq(tl.n, 1);
	ck_assert_str_eq(tl.rows[0].id, idb);
	tenant_list_free(&tl);
	ck_assert_msg(store_alert_list(&alerts, st, NULL, false, &e) == 0, "%s",
		      e.message);
	ck_assert_int_ge(alerts.n, 1);
	for (size_t i = 0; i < alerts.n; i++)
		ck_assert_str_eq(alerts.rows[i].tenant_id, idb);
	alert_list_free(&alerts);
	ck_assert_msg(store_audit_list(&al, st, NULL, &aq, &e) == 0, "%s", e.message);
	ck_assert_int_ge(al.n, 1);
	for (size_t i = 0; i < al.n; i++)
		ck_assert_str_eq(al.rows[i].tenant_id, idb);
	audit_entry_list_free(&al);

	/* No role at all: the application login's own rights, which are
	 * none. */
	if (app_login) {
		ctx.role = STORE_ROLE_SESSION;
		ctx.tenant_id[0] = '\0';
		ck_assert_int_eq(store_set_context(st, &ctx, &e), 0);
		ck_assert_int_eq(store_tenant_get(&t, st, idb, &e), -1);
		ck_assert_int_eq(e.code, ERR_FORBIDDEN);
	}
	store_close(&st);
}

/* An operator-style login: an INHERIT member of the group roles (what
 * `tenantry operator` creates). */
START_TEST(store_context_switch)
{
	static const char *const groups[] = { "tenantry_tenant", "tenantry_platform",
		"tenantry_support", "tenantry_oncall" };

	PQfinish(two_tenants());
	for (int i = 0; i < 4; i++)
		testdb_login_role(dbname, "iso_operator", groups[i]);
	context_switch("iso_operator", false);
}
END_TEST

/* The documented application login: a member of tenantry_app, which is
 * NOINHERIT and owns nothing; the store switches role per transaction.
 * Regression: statements used to be prepared before the pipeline that sets
 * the role, i.e. as the bare NOINHERIT login, which may not even see the
 * schema; the store now prepares inside the operation's role. */
START_TEST(store_context_switch_app_login)
{
	PQfinish(two_tenants());
	testdb_login_role(dbname, "iso_app", "tenantry_app");
	context_switch("iso_app", true);
}
END_TEST

START_TEST(staff_roles)
{
	PGconn *su = two_tenants();
	static const char *const staff[] = { "tenantry_support", "tenantry_oncall" };
	char st[6], sql[512];

	for (int r = 0; r < 2; r++) {
		/* Every tenant's rows are readable. */
		begin_as(su, staff[r], NULL);
		for (size_t i = 0; i < NTABLES; i++)
			ck_assert_msg(testdb_int(su, "SELECT count(DISTINCT %s) FROM tenantry.%s "
					   "WHERE %s IN ('%s', '%s')", tables[i].col,
					   tables[i].name, tables[i].col, ida, idb) == 2,
				      "%s: %s does not see both tenants", staff[r],
				      tables[i].name);
		testdb_exec(su, "ROLLBACK");

		/* Tenants cannot be changed. */
		snprintf(sql, sizeof sql, "UPDATE tenantry.tenants SET name = 'x' "
			 "WHERE id = '%s'", ida);
		state_as(st, su, staff[r], NULL, sql);
		ck_assert_msg(strcmp(st, "42501") == 0, "%s: update tenants gave '%s'",
			      staff[r], st);
		snprintf(sql, sizeof sql, "UPDATE tenantry.tenants SET status = "
			 "'suspended' WHERE id = '%s'", ida);
		state_as(st, su, staff[r], NULL, sql);
		ck_assert_str_eq(st, "42501");
		state_as(st, su, staff[r], NULL, "SELECT password_hash FROM tenantry.users");
		ck_assert_str_eq(st, "42501");
		snprintf(sql, sizeof sql, "DELETE FROM tenantry.tenant_settings "
			 "WHERE tenant_id = '%s'", ida);
		state_as(st, su, staff[r], NULL, sql);
		ck_assert_str_eq(st, "42501");
	}
	/* Invitations: support may send them, oncall may not. */
	snprintf(sql, sizeof sql, tables[2].ins, ida);
	state_as(st, su, "tenantry_support", NULL, sql);
	ck_assert_str_eq(st, "");
	state_as(st, su, "tenantry_oncall", NULL, sql);
	ck_assert_str_eq(st, "42501");
	ck_assert_str_eq(testdb_value(su, "SELECT name FROM tenantry.tenants "
				      "WHERE slug = 'alpha'"), "alpha");
	PQfinish(su);
}
END_TEST

Suite *
suite_isolation(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("rls");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, catalog);
	tcase_add_test(tc, tenant_sees_only_itself);
	tcase_add_test(tc, tenant_role_limits);
	tcase_add_test(tc, no_context_sees_nothing);
	tcase_add_test(tc, pooled_connection_does_not_leak);
	tcase_add_test(tc, store_context_switch);
	tcase_add_test(tc, store_context_switch_app_login);
	tcase_add_test(tc, staff_roles);
	suite_add_tcase(s, tc);
	return s;
}
