/* test_overrides.c - permissions granted or revoked per member on top of
 * the role (issue 19, point 4), on a real tenantryd: tenantryd and the
 * database hold a member to them alike, a change ends the member's tokens,
 * nobody grants beyond their own, and bad overrides are refused naming the
 * field. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

/* PUT …/users/{email} {"permissions": perms} as token: the status. */
static int
set_overrides(const char *token, const char *email, const char *perms, char **out)
{
	char path[256], body[512];

	snprintf(path, sizeof path, "/api/tenants/%s/users/%s", alpha, email);
	snprintf(body, sizeof body, "{\"permissions\":%s}", perms);
	return testhttp(&srv, "PUT", path, token, body, out);
}

static int
put_setting(const char *token, const char *key)
{
	char path[256];

	snprintf(path, sizeof path, "/api/tenants/%s/settings/%s", alpha, key);
	return testhttp(&srv, "PUT", path, token, "{\"value\":\"x\",\"type\":\"string\"}", NULL);
}

/* A grant lets a member write settings, through tenantryd's check and the
 * database's; the change ends the member's older token. */
START_TEST(test_grant_is_enforced_by_both)
{
	char *out = NULL, *tok;
	json_t *j;

	ck_assert_int_eq(put_setting(member, "granted.one"), 403);
	ck_assert_int_eq(
	    set_overrides(admin, "member@alpha.test", "{\"settings.write\":true}", &out), 200);
	j = json_loads(out, 0, NULL);
	ck_assert(
	    json_is_true(json_object_get(json_object_get(j, "permissions"), "settings.write")));
	json_decref(j);
	free(out);
	/* the token from before the change is over */
	{
		char path[128];

		snprintf(path, sizeof path, "/api/tenants/%s", alpha);
		ck_assert_int_eq(testhttp(&srv, "GET", path, member, NULL, NULL), 401);
	}
	tok = testsrv_login(&srv, "member@alpha.test", PW, "alpha-labs");
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(put_setting(tok, "granted.three"), 200);
	/* the role's other limits stay */
	{
		char path[256];

		snprintf(path, sizeof path, "/api/tenants/%s/api-keys", alpha);
		ck_assert_int_eq(testhttp(&srv, "POST", path, tok,
					  "{\"name\":\"k\",\"scopes\":[\"tenant:read\"]}", NULL),
				 403);
	}
	/* cleared: back to the role */
	ck_assert_int_eq(set_overrides(platform, "member@alpha.test", "{}", NULL), 200);
	free(tok);
	tok = testsrv_login(&srv, "member@alpha.test", PW, "alpha-labs");
	ck_assert_int_eq(put_setting(tok, "granted.four"), 403);
	free(member);
	member = tok;
}
END_TEST

/* A revoke takes a permission of the role away. */
START_TEST(test_revoke_is_enforced)
{
	char path[256], *tok;

	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs", alpha);
	ck_assert_int_eq(testhttp(&srv, "GET", path, manager, NULL, NULL), 200);
	ck_assert_int_eq(set_overrides(admin, "manager@alpha.test", "{\"audit.read\":false}", NULL),
			 200);
	tok = testsrv_login(&srv, "manager@alpha.test", PW, "alpha-labs");
	ck_assert_int_eq(testhttp(&srv, "GET", path, tok, NULL, NULL), 403);
	/* taking the revoke away gives it back: not the manager's to do */
	ck_assert_int_eq(set_overrides(tok, "manager@alpha.test", "{}", NULL), 403);
	ck_assert_int_eq(testhttp(&srv, "GET", path, tok, NULL, NULL), 403);
	ck_assert_int_eq(set_overrides(admin, "manager@alpha.test", "{}", NULL), 200);
	free(tok);
	free(manager);
	manager = testsrv_login(&srv, "manager@alpha.test", PW, "alpha-labs");
}
END_TEST

/* Nobody grants what they do not hold; keys never grant; only admins
 * touch an admin's. */
START_TEST(test_grants_bounded)
{
	char *mgr = testsrv_login(&srv, "manager@alpha.test", PW, "alpha-labs");
	char *key = make_key("alpha-labs", "[\"users:read\",\"users:write\"]");

	/* a manager lacks secrets.reveal: cannot grant it */
	ck_assert_int_eq(set_overrides(mgr, "viewer@alpha.test", "{\"secrets.reveal\":true}", NULL),
			 403);
	/* but grants what it holds, and revokes */
	ck_assert_int_eq(set_overrides(mgr, "viewer@alpha.test",
				       "{\"alerts.ack\":true,\"members.read\":false}", NULL),
			 200);
	ck_assert_int_eq(set_overrides(mgr, "admin2@alpha.test", "{\"audit.read\":false}", NULL),
			 403);
	ck_assert_int_eq(set_overrides(key, "viewer@alpha.test", "{\"usage.write\":true}", NULL),
			 403);
	ck_assert_int_eq(set_overrides(key, "viewer@alpha.test", "{}", NULL), 200);
	free(mgr);
	free(key);
	free(viewer);
	viewer = testsrv_login(&srv, "viewer@alpha.test", PW, "alpha-labs");
}
END_TEST

/* Unknown names, platform permissions and non-booleans: 422 naming the
 * field, nothing changed. */
START_TEST(test_bad_overrides)
{
	static const char *const bad[] = { "{\"x.y\":true}", "{\"quotas.set\":true}",
					   "{\"audit.read\":1}", "[\"audit.read\"]",
					   "\"+audit.read\"" };

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *out = NULL;
		json_t *j;

		ck_assert_int_eq(set_overrides(platform, "viewer@alpha.test", bad[i], &out), 422);
		j = json_loads(out, 0, NULL);
		ck_assert_str_eq(jstr(j, "field"), "permissions");
		json_decref(j);
		free(out);
	}
	{
		PGconn *c = testdb_connect(db, NULL);

		const char *who =
		    testdb_value(c, "SELECT string_agg(permissions::text, ' ') "
				    "FROM tenantry.tenant_users WHERE permissions <> '{}'");

		ck_assert_msg(who == NULL, "overrides left: %s", who);
		PQfinish(c);
	}
}
END_TEST

/* The database reads the overrides of the transaction's member role. */
START_TEST(test_database_reads_overrides)
{
	PGconn *c = testdb_connect(db, NULL);
	static const struct {
		const char *setting, *perm, *want;
	} cases[] = {
		{ "member;+settings.write", "settings.write", "t" },
		{ "member;", "settings.write", "f" },
		{ "admin;-settings.write", "settings.write", "f" },
		{ "admin;-settings.write", "settings.read", "t" },
		{ "viewer;+quotas.set", "quotas.set", "f" }, /* never a platform one */
		{ "", "apikeys.manage", "t" },               /* '' is admin (API keys) */
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char sql[512];

		snprintf(sql, sizeof sql,
			 "BEGIN; SET LOCAL ROLE tenantry_tenant; "
			 "SELECT set_config('tenantry.tenant_id', '%s', true), "
			 "set_config('tenantry.member_role', '%s', true)",
			 alpha, cases[i].setting);
		testdb_exec(c, sql);
		snprintf(sql, sizeof sql, "SELECT tenantry.member_may('%s')", cases[i].perm);
		ck_assert_msg(strcmp(testdb_value(c, sql), cases[i].want) == 0, "%s %s",
			      cases[i].setting, cases[i].perm);
		testdb_exec(c, "ROLLBACK");
	}
	PQfinish(c);
}
END_TEST

Suite *
suite_overrides(void)
{
	Suite *s = suite_create("overrides");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_grant_is_enforced_by_both);
	tcase_add_test(tc, test_revoke_is_enforced);
	tcase_add_test(tc, test_grants_bounded);
	tcase_add_test(tc, test_bad_overrides);
	tcase_add_test(tc, test_database_reads_overrides);
	suite_add_tcase(s, tc);
	return s;
}
