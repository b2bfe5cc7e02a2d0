/* test_overrides.c - permissions granted or revoked per member on top of
 * the role (issue 19, point 4), on a real tenantryd: tenantryd and the
 * database hold a member to them alike, a change ends the member's tokens,
 * nobody grants beyond their own, bad overrides are refused naming the
 * field, and staff viewing as a member hold that member's overrides
 * (issue 21, point 8). */
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

/* POST /api/view-as {"member": …} as a platform admin: the status, and the
 * session's X-View-As header line in hdr when it started. */
static int
view_as_member(const char *member_body, char *hdr, size_t size, json_t **session)
{
	char body[512], *out = NULL;
	int st;

	snprintf(body, sizeof body, "{\"tenant\":\"alpha-labs\",\"reason\":\"ticket 5150\"%s}",
		 member_body);
	st = testhttp(&srv, "POST", "/api/view-as", platform, body, &out);
	*session = out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	if (st == 201)
		snprintf(hdr, size, "X-View-As: %s", jstr(*session, "id"));
	return st;
}

static int
put_setting_as(const char *hdr, const char *key)
{
	char path[256];
	const char *h[] = { hdr, NULL }, *body = "{\"value\":\"x\",\"type\":\"string\"}";

	snprintf(path, sizeof path, "/api/tenants/%s/settings/%s", alpha, key);
	return testhttp_full(&srv, "PUT", path, platform, h, body, strlen(body), NULL, NULL);
}

/* Staff viewing as one member hold that member's role and overrides,
 * in tenantryd and in the database; as the bare role it does not; the
 * member must be an active member of that tenant, and names the role. */
START_TEST(test_view_as_member_holds_overrides)
{
	PGconn *c = testdb_connect(db, NULL);
	char hdr[96], bare[96], path[256];
	const char *h[] = { hdr, NULL }, *key = "{\"name\":\"k\",\"scopes\":[\"tenant:read\"]}";
	json_t *s;

	ck_assert_int_eq(
	    set_overrides(platform, "member@alpha.test", "{\"settings.write\":true}", NULL), 200);
	/* by e-mail, in any case: their role and overrides, named on the session */
	ck_assert_int_eq(view_as_member(",\"member\":\"Member@Alpha.test\"", hdr, sizeof hdr, &s),
			 201);
	ck_assert_str_eq(jstr(s, "member"), "member@alpha.test");
	ck_assert_str_eq(jstr(s, "role"), "member");
	ck_assert(
	    json_is_true(json_object_get(json_object_get(s, "permissions"), "settings.write")));
	json_decref(s);
	ck_assert_int_eq(put_setting_as(hdr, "viewed.as.member"), 200);
	/* the role's other limits stay */
	snprintf(path, sizeof path, "/api/tenants/%s/api-keys", alpha);
	ck_assert_int_eq(
	    testhttp_full(&srv, "POST", path, platform, h, key, strlen(key), NULL, NULL), 403);
	/* the bare role has no such override */
	ck_assert_int_eq(view_as_member(",\"role\":\"member\"", bare, sizeof bare, &s), 201);
	ck_assert(json_is_null(json_object_get(s, "member")));
	json_decref(s);
	ck_assert_int_eq(put_setting_as(bare, "viewed.as.role"), 403);
	/* the start's audit entry names the member and the overrides */
	ck_assert_str_eq(testdb_value(c,
				      "SELECT new->>'member' || ' ' || (new->'permissions')::text "
				      "FROM tenantry.audit_log WHERE action = "
				      "'support.view_as.start' ORDER BY at DESC, seq DESC LIMIT 1 "
				      "OFFSET 1"),
			 "member@alpha.test {\"settings.write\": true}");
	/* refused: a role beside the member, someone who is not a member, a
	 * member of another tenant (the same answer), an inactive member */
	ck_assert_int_eq(view_as_member(",\"member\":\"member@alpha.test\",\"role\":\"admin\"", hdr,
					sizeof hdr, &s),
			 422);
	json_decref(s);
	ck_assert_int_eq(view_as_member(",\"member\":\"nobody@alpha.test\"", hdr, sizeof hdr, &s),
			 422);
	ck_assert_str_eq(jstr(s, "field"), "member");
	ck_assert_str_eq(jstr(s, "detail"), "nobody@alpha.test is not a member of alpha-labs");
	json_decref(s);
	/* neither an e-mail nor an id: refused before the database */
	ck_assert_int_eq(
	    view_as_member(",\"member\":\"\\u001b[2Jnot an address\"", hdr, sizeof hdr, &s), 422);
	ck_assert_str_eq(jstr(s, "field"), "member");
	ck_assert_ptr_null(strstr(jstr(s, "detail"), "not a member of"));
	json_decref(s);
	testdb_exec(c, "SET ROLE tenantry_owner; "
		       "INSERT INTO tenantry.users (email, full_name) "
		       "VALUES ('only-beta@beta.test', 'Beta Only'); "
		       "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role) "
		       "SELECT t.id, u.id, 'admin' FROM tenantry.tenants t, tenantry.users u "
		       "WHERE t.slug = 'beta-works' AND u.email = 'only-beta@beta.test'; "
		       "UPDATE tenantry.tenant_users SET active = false WHERE user_id = "
		       "(SELECT id FROM tenantry.users WHERE email = 'viewer@alpha.test'); "
		       "RESET ROLE");
	ck_assert_int_eq(view_as_member(",\"member\":\"only-beta@beta.test\"", hdr, sizeof hdr, &s),
			 422);
	ck_assert_str_eq(jstr(s, "detail"), "only-beta@beta.test is not a member of alpha-labs");
	json_decref(s);
	ck_assert_int_eq(view_as_member(",\"member\":\"viewer@alpha.test\"", hdr, sizeof hdr, &s),
			 409);
	json_decref(s);
	testdb_exec(c, "SET ROLE tenantry_owner; UPDATE tenantry.tenant_users SET active = true "
		       "WHERE user_id = (SELECT id FROM tenantry.users WHERE "
		       "email = 'viewer@alpha.test'); RESET ROLE");
	PQfinish(c);
	/* back to the role, with a token from after the change */
	ck_assert_int_eq(set_overrides(platform, "member@alpha.test", "{}", NULL), 200);
	free(member);
	member = testsrv_login(&srv, "member@alpha.test", PW, "alpha-labs");
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
	tcase_add_test(tc, test_view_as_member_holds_overrides);
	suite_add_tcase(s, tc);
	return s;
}
