/* test_isolation.c - tenant isolation in the database itself: two
 * tenants with rows in every tenant table seen through tenantry_tenant,
 * no context, a pooled connection reused across tenants (raw SQL and the
 * store), and the staff roles. The catalog's side (RLS, policies, roles,
 * functions) is in test_isolation_catalog.c. Every test works on its own
 * fresh copy of the migrated template. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../testlib.h"
#include "isolation.h"
#include "store/store.h"

/* ---- helpers ------------------------------------------------------------- */

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
state_as(char out[6], PGconn *c, const char *role, const char *tenant, const char *sql)
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
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s as %s: %s", sql, role, PQresultErrorMessage(r));
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
	struct tenant_new n = { .name = slug,
				.slug = slug,
				.tier = "business",
				.admin_email = email };
	struct tenant t;
	struct invitation inv;
	struct quota_result qr;
	struct setting s;
	struct api_key k;
	struct quota q;
	struct err e = { 0 };

	snprintf(email, sizeof email, "admin@%s.example", slug);
	ck_assert_msg(testtenant_create(&t, st, &n, &e) == 0, "%s", e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
	snprintf(email, sizeof email, "new@%s.example", slug);
	ck_assert_msg(store_invitation_create(&inv, token, st, id, email, ROLE_MEMBER, &e) == 0,
		      "%s", e.message);
	ck_assert_msg(store_usage_increment(&qr, st, id, "api_calls", 5, &e) == 0, "%s", e.message);
	ck_assert_msg(store_setting_put(&s, st, id, "site.title", SETTING_STRING, slug, &e) == 0,
		      "%s", e.message);
	setting_clear(&s);
	ck_assert_msg(store_apikey_create(&k, secret, st, id, "ci", 1u << SCOPE_TENANT_READ, 0, &e)
			  == 0,
		      "%s", e.message);
	ck_assert_msg(store_quota_set_limit(&q, st, id, "storage_bytes", 10, &e) == 0, "%s",
		      e.message);
	ck_assert_msg(store_usage_increment(&qr, st, id, "storage_bytes", 9, &e) == 0, "%s",
		      e.message);
	/* a month of usage, as the usage_rollup job writes it */
	{
		PGconn *su = testdb_connect(dbname, NULL);

		testdb_execf(su,
			     "INSERT INTO tenantry.usage_monthly (tenant_id, resource, month, "
			     "amount, days, peak) VALUES ('%s', 'api_calls', DATE '2026-01-01', 5, "
			     "1, 5)",
			     id);
		/* an endpoint with a delivery and its attempt */
		testdb_execf(
		    su,
		    "WITH w AS (INSERT INTO tenantry.webhook_endpoints (tenant_id, url, "
		    "secret) VALUES ('%s', 'https://hooks.example/', 'v1:x') RETURNING id), "
		    "d AS (INSERT INTO tenantry.webhook_deliveries (tenant_id, endpoint_id, "
		    "event_tenant, seq, type) SELECT '%s', w.id, '%s', 1, 'tenant.created' "
		    "FROM w) INSERT INTO tenantry.webhook_attempts (tenant_id, endpoint_id, "
		    "event_tenant, seq, type, attempt, runner, status, latency_ms) "
		    "SELECT '%s', w.id, '%s', 1, 'tenant.created', 1, 'probe', 200, 1 FROM w",
		    id, id, id, id, id);
		PQfinish(su);
	}
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
			ck_assert_msg(testdb_int(su,
						 "SELECT count(*) FROM tenantry.%s "
						 "WHERE %s = '%s'",
						 tables[i].name, tables[i].col, ids[k])
					  > 0,
				      "no %s rows for tenant %d", tables[i].name, k);
	}
	return su;
}

/* Rows of table visible in the current transaction: those of tenant and
 * the others. */
static void
visible(PGconn *c, const struct table *t, const char *tenant, long long *own, long long *other)
{
	*own = testdb_int(c, "SELECT count(*) FROM tenantry.%s WHERE %s = '%s'", t->name, t->col,
			  tenant);
	*other = testdb_int(c, "SELECT count(*) FROM tenantry.%s WHERE %s <> '%s'", t->name, t->col,
			    tenant);
}

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
		ck_assert_msg(other == 0, "%s: tenant sees %lld foreign rows", t->name, other);

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
			ck_assert_msg(strcmp(st, "42501") == 0, "%s: update gave '%s'", t->name,
				      st);
		}
		snprintf(sql, sizeof sql, "DELETE FROM tenantry.%s WHERE %s = '%s'", t->name,
			 t->col, idb);
		if (t->can_delete) {
			ck_assert_msg(rows_as(su, "tenantry_tenant", ida, sql) == 0,
				      "%s: delete reached the other tenant", t->name);
		} else {
			state_as(st, su, "tenantry_tenant", ida, sql);
			ck_assert_msg(strcmp(st, "42501") == 0, "%s: delete gave '%s'", t->name,
				      st);
		}

		/* Inserting into the other tenant fails with 42501; where the
		 * role may insert at all, the same row for itself works, so
		 * the refusal comes from the policy's WITH CHECK. */
		snprintf(sql, sizeof sql, t->ins, idb);
		state_as(st, su, "tenantry_tenant", ida, sql);
		ck_assert_msg(strcmp(st, "42501") == 0, "%s: foreign insert gave '%s'", t->name,
			      st);
		if (t->can_insert) {
			snprintf(sql, sizeof sql, t->ins, ida);
			state_as(st, su, "tenantry_tenant", ida, sql);
			ck_assert_msg(strcmp(st, "") == 0, "%s: own insert gave '%s'", t->name, st);
		}
	}
	/* Nothing of bravo's changed behind the rollbacks either. */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.tenant_settings "
				    "WHERE tenant_id = '%s'",
				    idb),
			 1);
	PQfinish(su);
}
END_TEST

START_TEST(tenant_role_limits)
{
	PGconn *su = two_tenants();
	char st[6], sql[512];
	long long members;

	/* Its own tenant row: the name yes, tier, status and lifecycle no. */
	snprintf(sql, sizeof sql,
		 "UPDATE tenantry.tenants SET name = 'Alpha 2' "
		 "WHERE id = '%s'",
		 ida);
	ck_assert_int_eq(rows_as(su, "tenantry_tenant", ida, sql), 1);
	static const char *const forbidden[] = { "tier = 'enterprise'", "status = 'active'",
						 "status = 'suspended'", "deletion_due_at = NULL",
						 "health_score = 100" };
	for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++) {
		snprintf(sql, sizeof sql, "UPDATE tenantry.tenants SET %s WHERE id = '%s'",
			 forbidden[i], ida);
		state_as(st, su, "tenantry_tenant", ida, sql);
		ck_assert_msg(strcmp(st, "42501") == 0, "%s gave '%s'", forbidden[i], st);
	}
	ck_assert_str_eq(testdb_value(su, "SELECT tier FROM tenantry.tenants "
					  "WHERE slug = 'alpha'"),
			 "business");

	/* The audit log is read-only, even the tenant's own chain. */
	snprintf(sql, sizeof sql, tables[7].ins, ida);
	state_as(st, su, "tenantry_tenant", ida, sql);
	ck_assert_str_eq(st, "42501");
	snprintf(sql, sizeof sql,
		 "UPDATE tenantry.audit_log SET actor = 'x' "
		 "WHERE tenant_id = '%s'",
		 ida);
	state_as(st, su, "tenantry_tenant", ida, sql);
	ck_assert_str_eq(st, "42501");
	snprintf(sql, sizeof sql, "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s'", ida);
	state_as(st, su, "tenantry_tenant", ida, sql);
	ck_assert_str_eq(st, "42501");
	state_as(st, su, "tenantry_tenant", ida, "SELECT * FROM tenantry.audit_heads");
	ck_assert_str_eq(st, "42501");

	/* Secrets of users are out of reach; the rest of a member is not. */
	state_as(st, su, "tenantry_tenant", ida, "SELECT password_hash FROM tenantry.users");
	ck_assert_str_eq(st, "42501");
	state_as(st, su, "tenantry_tenant", ida, "SELECT mfa_secret FROM tenantry.users");
	ck_assert_str_eq(st, "42501");
	members = testdb_int(su,
			     "SELECT count(*) FROM tenantry.tenant_users WHERE "
			     "tenant_id = '%s'",
			     ida);
	begin_as(su, "tenantry_tenant", ida);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.users"), members);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.users "
					"WHERE email = 'admin@bravo.example'"),
			 0);
	/* Functions run with its rights: the other tenant is invisible. */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.usage_increment("
				    "'%s', 'api_calls', 1)",
				    idb),
			 0);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.quota_check("
				    "'%s', 'api_calls', 1)",
				    idb),
			 0);
	ck_assert_int_eq(testdb_int(su, "SELECT (tenantry.tenant_ref('bravo') IS NULL)::int"), 1);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_head('%s') "
				    "WHERE seq IS NOT NULL OR hash IS NOT NULL",
				    idb),
			 0);
	testdb_exec(su, "ROLLBACK");
	ck_assert_int_eq(testdb_int(su,
				    "SELECT used FROM tenantry.quotas WHERE tenant_id = "
				    "'%s' AND resource = 'api_calls'",
				    idb),
			 5);
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
		ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s", tables[i].name)
				  == 0,
			      "%s: rows without context", tables[i].name);
		testdb_exec(su, "ROLLBACK");
		begin_as(su, "tenantry_tenant", "");
		ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s", tables[i].name)
				  == 0,
			      "%s: rows with empty context", tables[i].name);
		testdb_exec(su, "ROLLBACK");
	}
	begin_as(su, "tenantry_tenant", NULL);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.users"), 0);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenant_users"), 0);
	testdb_exec(su, "ROLLBACK");
	/* A malformed context fails instead of matching anything. */
	state_as(st, su, "tenantry_tenant", "not-a-uuid", "SELECT count(*) FROM tenantry.tenants");
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
		ck_assert_msg(own > 0 && other == 0, "%s: %lld own, %lld other", tables[i].name,
			      own, other);
	}
	testdb_exec(app, "COMMIT");

	/* Back to the login role, which can read nothing by itself. */
	ck_assert_str_eq(testdb_value(app, "SELECT current_user"), "iso_app");
	ck_assert_str_eq(testdb_sqlstate(app, "SELECT count(*) FROM tenantry.tenants"), "42501");

	/* The next transaction takes the tenant role but sets no tenant. */
	begin_as(app, "tenantry_tenant", NULL);
	for (size_t i = 0; i < NTABLES; i++)
		ck_assert_msg(testdb_int(app, "SELECT count(*) FROM tenantry.%s", tables[i].name)
				  == 0,
			      "%s: alpha's rows leaked", tables[i].name);
	testdb_exec(app, "COMMIT");

	/* Then tenant bravo: only bravo. */
	begin_as(app, "tenantry_tenant", idb);
	for (size_t i = 0; i < NTABLES; i++) {
		long long own, other;

		visible(app, &tables[i], idb, &own, &other);
		ck_assert_msg(own > 0 && other == 0, "%s: %lld own, %lld other", tables[i].name,
			      own, other);
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
	struct store_context ctx = { .role = STORE_ROLE_TENANT,
				     .actor = "test",
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
	ck_assert_int_eq(store_alert_list(&alerts, st, ida, false, 0, NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);

	/* Its own tenant works, and lists hold only it. */
	ck_assert_msg(store_tenant_get(&t, st, idb, &e) == 0, "%s", e.message);
	ck_assert_str_eq(t.slug, "bravo");
	tenant_clear(&t);
	ck_assert_msg(store_tenant_list(&tl, st, &tq, &e) == 0, "%s", e.message);
	ck_assert_int_eq(tl.n, 1);
	ck_assert_str_eq(tl.rows[0].id, idb);
	tenant_list_free(&tl);
	ck_assert_msg(store_alert_list(&alerts, st, NULL, false, 0, NULL, &e) == 0, "%s",
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
		/* Every tenant's rows are readable, but on-call staff read no
		 * invitations or settings (018_staff_roles). */
		begin_as(su, staff[r], NULL);
		for (size_t i = 0; i < NTABLES; i++)
			if (r == 0
			    || (strcmp(tables[i].name, "invitations") != 0
				&& strcmp(tables[i].name, "tenant_settings") != 0))
				ck_assert_msg(
				    testdb_int(su,
					       "SELECT count(DISTINCT %s) FROM tenantry.%s "
					       "WHERE %s IN ('%s', '%s')",
					       tables[i].col, tables[i].name, tables[i].col, ida,
					       idb)
					== 2,
				    "%s: %s does not see both tenants", staff[r], tables[i].name);
		testdb_exec(su, "ROLLBACK");

		/* Tenants cannot be changed. */
		snprintf(sql, sizeof sql,
			 "UPDATE tenantry.tenants SET name = 'x' "
			 "WHERE id = '%s'",
			 ida);
		state_as(st, su, staff[r], NULL, sql);
		ck_assert_msg(strcmp(st, "42501") == 0, "%s: update tenants gave '%s'", staff[r],
			      st);
		snprintf(sql, sizeof sql,
			 "UPDATE tenantry.tenants SET status = "
			 "'suspended' WHERE id = '%s'",
			 ida);
		state_as(st, su, staff[r], NULL, sql);
		ck_assert_str_eq(st, "42501");
		state_as(st, su, staff[r], NULL, "SELECT password_hash FROM tenantry.users");
		ck_assert_str_eq(st, "42501");
		snprintf(sql, sizeof sql,
			 "DELETE FROM tenantry.tenant_settings "
			 "WHERE tenant_id = '%s'",
			 ida);
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
					  "WHERE slug = 'alpha'"),
			 "alpha");
	PQfinish(su);
}
END_TEST

Suite *
suite_isolation(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("rls");

	tcase_set_timeout(tc, 60);
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
