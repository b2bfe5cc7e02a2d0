/* test_view_as_bound.c - a support login in a tenant's own role (058):
 * its member rights are those of its own open view-as session in that
 * tenant, whatever it sets tenantry.member_role to, and none without one;
 * viewing as a manager, it grants only what a manager may; tenantryd's
 * and a platform admin's logins keep the setting they give. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char db[64], alpha[ID_LEN], beta[ID_LEN];

static void
tenant(struct store *st, const char *slug, char id[ID_LEN])
{
	struct tenant_new n = { .name = slug,
				.slug = slug,
				.tier = "business",
				.admin_email = "boss@bound.example" };
	struct tenant t;
	struct err e;

	ck_assert_msg(store_tenant_create(&t, st, &n, &e) == 0, "%s: %s", slug, e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
}

static void
setup(void)
{
	struct store *st;
	PGconn *su;

	snprintf(db, sizeof db, "%s", testdb_create());
	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	tenant(st, "alpha", alpha);
	tenant(st, "beta", beta);
	store_close(&st);
	su = testdb_connect(db, NULL);
	/* a manager of alpha, and one of its members */
	testdb_execf(su,
		     "INSERT INTO tenantry.users (email) VALUES ('mgr@bound.example'), "
		     "('dev@bound.example'); "
		     "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role) "
		     "SELECT '%s', id, CASE email WHEN 'mgr@bound.example' THEN 'manager' "
		     "ELSE 'member' END FROM tenantry.users WHERE email LIKE '%%@bound.example' "
		     "AND email <> 'boss@bound.example'",
		     alpha);
	PQfinish(su);
	testdb_login_role(db, "bound_support", "tenantry_support");
	testdb_login_role(db, "bound_platform", "tenantry_platform");
}

static void
teardown(void)
{
}

/* In tenant id's own role, claiming member_role: may it do perm? */
static const char *
may(PGconn *c, const char *id, const char *member_role, const char *perm)
{
	static char out[8];

	testdb_execf(c,
		     "BEGIN; SET LOCAL ROLE tenantry_tenant; "
		     "SELECT set_config('tenantry.tenant_id', '%s', true), "
		     "set_config('tenantry.member_role', '%s', true), "
		     "set_config('tenantry.actor', 'someone', true), "
		     "set_config('tenantry.actor_kind', 'staff', true)",
		     id, member_role);
	snprintf(out, sizeof out, "%s",
		 testdb_value(c, strcmp(perm, "rename") == 0
				     ? "WITH x AS (UPDATE tenantry.tenants SET name = 'Renamed' "
				       "RETURNING 1) SELECT count(*) FROM x"
				     : perm));
	testdb_exec(c, "ROLLBACK");
	return out;
}

/* The statement's SQLSTATE in tenant id's role as member_role. */
static const char *
state(PGconn *c, const char *id, const char *member_role, const char *sql)
{
	static char out[6];

	testdb_execf(c,
		     "BEGIN; SET LOCAL ROLE tenantry_tenant; "
		     "SELECT set_config('tenantry.tenant_id', '%s', true), "
		     "set_config('tenantry.member_role', '%s', true), "
		     "set_config('tenantry.actor', 'bound_support', true), "
		     "set_config('tenantry.actor_kind', 'staff', true)",
		     id, member_role);
	snprintf(out, sizeof out, "%s", testdb_sqlstate(c, sql));
	testdb_exec(c, "ROLLBACK");
	return out;
}

#define SETTINGS_WRITE "SELECT tenantry.member_may('settings.write')::text"

START_TEST(support_login_needs_its_session)
{
	PGconn *s = testdb_connect(db, "bound_support");
	char id[ID_LEN];

	/* no session: the setting it gives is not taken, whatever it says */
	ck_assert_str_eq(may(s, alpha, "admin;", SETTINGS_WRITE), "false");
	ck_assert_str_eq(may(s, alpha, "", SETTINGS_WRITE), "false");
	ck_assert_str_eq(state(s, alpha, "admin;", "UPDATE tenantry.tenants SET name = 'Hijacked'"),
			 "42501");
	ck_assert_str_eq(state(s, alpha, "admin;+secrets.reveal",
			       "INSERT INTO tenantry.tenant_settings (tenant_id, key, value) "
			       "VALUES (tenantry.current_tenant(), 'x', 'y')"),
			 "42501");

	/* nor through the command line's --as */
	{
		char as[64], *out = NULL, *err = NULL;
		int rc;

		snprintf(as, sizeof as, "tenant:%s", alpha);
		rc = testcli_run(
		    &out, &err,
		    (const char *const[]){ "--db", testdb_conninfo(db, "bound_support"), "--as", as,
					   "settings", "set", alpha, "hijacked", "yes", NULL });
		ck_assert_msg(rc != 0 && strstr(err, "settings.write"), "%d: %s %s", rc, out, err);
		free(out);
		free(err);
	}

	/* its own session in alpha as admin: admin there, and only there */
	snprintf(id, sizeof id, "%s",
		 testdb_value(s, "SELECT id FROM tenantry.view_as_start('alpha', 'admin', "
				 "'ticket 9', 5)"));
	ck_assert_str_eq(may(s, alpha, "viewer;", SETTINGS_WRITE), "true");
	ck_assert_str_eq(may(s, alpha, "viewer;", "rename"), "1");
	ck_assert_str_eq(may(s, beta, "admin;", SETTINGS_WRITE), "false");
	/* ended: nothing again */
	testdb_execf(s, "SELECT tenantry.view_as_end('%s')", id);
	ck_assert_str_eq(may(s, alpha, "admin;", SETTINGS_WRITE), "false");
	PQfinish(s);
}
END_TEST

/* Viewing as the manager, support grants only what a manager holds. */
START_TEST(viewing_as_a_member_grants_as_them)
{
	PGconn *s = testdb_connect(db, "bound_support");
	static const char grant[] =
	    "UPDATE tenantry.tenant_users SET permissions = '{\"%s\": true}' "
	    "WHERE user_id = (SELECT id FROM tenantry.users WHERE email = 'dev@bound.example')";
	char sql[512];

	testdb_exec(s, "SELECT tenantry.view_as_start('alpha', NULL, 'ticket 10', 5, "
		       "'mgr@bound.example')");
	snprintf(sql, sizeof sql, grant, "secrets.reveal");
	ck_assert_str_eq(state(s, alpha, "admin;", sql), "42501");
	snprintf(sql, sizeof sql, grant, "audit.read");       /* a manager's own */
	ck_assert_str_eq(state(s, alpha, "admin;", sql), ""); /* no error */
	PQfinish(s);
}
END_TEST

/* tenantryd's login and a platform admin's keep the setting they give. */
START_TEST(trusted_logins_keep_their_setting)
{
	PGconn *p = testdb_connect(db, "bound_platform");

	ck_assert_str_eq(may(p, alpha, "viewer;", SETTINGS_WRITE), "false");
	ck_assert_str_eq(may(p, alpha, "admin;", SETTINGS_WRITE), "true");
	ck_assert_str_eq(may(p, alpha, "member;+settings.write", SETTINGS_WRITE), "true");
	PQfinish(p);
}
END_TEST

Suite *
suite_view_as_bound(void)
{
	Suite *s = suite_create("view_as_bound");
	TCase *tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, support_login_needs_its_session);
	tcase_add_test(tc, viewing_as_a_member_grants_as_them);
	tcase_add_test(tc, trusted_logins_keep_their_setting);
	suite_add_tcase(s, tc);
	return s;
}
