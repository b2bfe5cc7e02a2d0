/* test_consent.c - membership is consented and scoped, and a token's claims
 * are checked against the database (issue 18, points 8 and 9), end to end
 * on a real tenantryd:
 *   - an invitation joins an existing account only when that account
 *     authenticates (signed in, or its password), and the answer without
 *     a password is the same whether the account exists or not;
 *   - a role change in one tenant ends that membership's tokens only;
 *   - roles are granted only up to the granter's own, and only admins
 *     make or change admins (API keys never do);
 *   - a correctly signed token claiming more than the database gives
 *     (staff for a user, admin for a viewer) is refused. */
#include <check.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rest.h"

static const char *
user_id(const char *email)
{
	static char id[ID_LEN];
	PGconn *c = testdb_connect(db, NULL);
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT id FROM tenantry.users WHERE email = '%s'", email);
	snprintf(id, sizeof id, "%s", testdb_value(c, sql));
	PQfinish(c);
	return id;
}

static char *
invite(const char *tenant, const char *token, const char *email, const char *role, int want)
{
	char path[256], body[256];
	json_t *inv;
	char *tok = NULL;

	snprintf(path, sizeof path, "/api/tenants/%s/invitations", tenant);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"role\":\"%s\"}", email, role);
	inv = call(want, "POST", path, token, body);
	if (want == 201)
		tok = strdup(jstr(inv, "token"));
	json_decref(inv);
	return tok;
}

static int
accept_status(const char *invitation, const char *password, const char *as, char **out)
{
	char body[512];

	if (password)
		snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", invitation,
			 password);
	else
		snprintf(body, sizeof body, "{\"token\":\"%s\"}", invitation);
	return testhttp(&srv, "POST", "/api/invitations/accept", as, body, out);
}

static bool
is_member(const char *tenant, const char *email)
{
	PGconn *c = testdb_connect(db, NULL);
	long long n =
	    testdb_int(c,
		       "SELECT count(*) FROM tenantry.tenant_users tu JOIN tenantry.users "
		       "u ON u.id = tu.user_id WHERE tu.tenant_id = '%s' AND u.email = '%s'",
		       tenant, email);

	PQfinish(c);
	return n > 0;
}

/* An invitation held by its inviter cannot attach an existing account. */
START_TEST(test_existing_account_needs_consent)
{
	char *inv = invite("beta-works", platform, "viewer@alpha.test", "member", 201);
	char *fresh = invite("beta-works", platform, "nobody@beta.test", "member", 201);
	char *out = NULL, *out2 = NULL, *tok;
	json_t *a, *b;

	/* no password, not signed in: the same answer whether the account
	 * exists (viewer@alpha.test) or not (nobody@beta.test) */
	ck_assert_int_eq(accept_status(inv, NULL, NULL, &out), 422);
	ck_assert_int_eq(accept_status(fresh, NULL, NULL, &out2), 422);
	a = json_loads(out, 0, NULL);
	b = json_loads(out2, 0, NULL);
	ck_assert_str_eq(jstr(a, "detail"), jstr(b, "detail"));
	ck_assert_str_eq(jstr(a, "field"), "password");
	json_decref(a);
	json_decref(b);
	free(out);
	free(out2);
	/* a password that is not the account's: refused, nothing joined */
	ck_assert_int_eq(accept_status(inv, "a guess of the inviter", NULL, NULL), 401);
	ck_assert(!is_member(beta, "viewer@alpha.test"));
	/* another signed-in account is not the invited one */
	ck_assert_int_eq(accept_status(inv, NULL, member, NULL), 401);
	ck_assert(!is_member(beta, "viewer@alpha.test"));
	/* signed in as the invited account: joins, keeps its password */
	ck_assert_int_eq(accept_status(inv, NULL, viewer, NULL), 200);
	ck_assert(is_member(beta, "viewer@alpha.test"));
	tok = testsrv_login(&srv, "viewer@alpha.test", PW, "beta-works");
	ck_assert_ptr_nonnull(tok);
	free(tok);
	/* the account's own password is consent too */
	free(inv);
	inv = invite("beta-works", platform, "member@alpha.test", "viewer", 201);
	ck_assert_int_eq(accept_status(inv, PW, NULL, NULL), 200);
	ck_assert(is_member(beta, "member@alpha.test"));
	/* a new account is made with the password given */
	ck_assert_int_eq(accept_status(fresh, "a brand new password", NULL, NULL), 200);
	tok = testsrv_login(&srv, "nobody@beta.test", "a brand new password", "beta-works");
	ck_assert_ptr_nonnull(tok);
	free(tok);
	free(inv);
	free(fresh);
}
END_TEST

/* A role change in beta-works ends the tokens of that membership only. */
START_TEST(test_revocation_per_membership)
{
	char *inv = invite("beta-works", platform, "manager@alpha.test", "member", 201);
	char *in_beta, path[256];

	ck_assert_int_eq(accept_status(inv, PW, NULL, NULL), 200);
	in_beta = testsrv_login(&srv, "manager@alpha.test", PW, "beta-works");
	ck_assert_ptr_nonnull(in_beta);
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/beta-works", in_beta, NULL, NULL),
			 200);
	snprintf(path, sizeof path, "/api/tenants/beta-works/users/%s",
		 user_id("manager@alpha.test"));
	json_decref(call(200, "PUT", path, platform, "{\"role\":\"viewer\"}"));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/beta-works", in_beta, NULL, NULL),
			 401);
	/* the same account's token for alpha-labs still holds */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", manager, NULL, NULL),
			 200);
	/* and a staff account is never logged out by a tenant */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants", platform, NULL, NULL), 200);
	free(in_beta);
	free(inv);
}
END_TEST

/* Roles only up to the granter's own; admins by admins only. */
START_TEST(test_grants_up_to_own_role)
{
	char path[256], *mgr, *key_w, *inv;

	mgr = invite_and_login("alpha-labs", "mgr2@alpha.test", "manager");
	/* no self-promotion */
	snprintf(path, sizeof path, "/api/tenants/alpha-labs/users/%s", user_id("mgr2@alpha.test"));
	json_decref(call(403, "PUT", path, mgr, "{\"role\":\"admin\"}"));
	/* a manager makes managers, not admins, and does not touch admins */
	ck_assert_ptr_null(invite("alpha-labs", mgr, "x1@alpha.test", "admin", 403));
	inv = invite("alpha-labs", mgr, "x2@alpha.test", "manager", 201);
	free(inv);
	snprintf(path, sizeof path, "/api/tenants/alpha-labs/users/%s",
		 user_id("admin2@alpha.test"));
	json_decref(call(403, "PUT", path, mgr, "{\"role\":\"viewer\"}"));
	snprintf(path, sizeof path, "/api/tenants/alpha-labs/users/%s",
		 user_id("member@alpha.test"));
	json_decref(call(200, "PUT", path, mgr, "{\"role\":\"manager\"}"));
	/* a users:write key never makes an admin */
	key_w = make_key("alpha-labs", "[\"users:write\",\"users:read\"]");
	ck_assert_ptr_null(invite("alpha-labs", key_w, "x3@alpha.test", "admin", 403));
	inv = invite("alpha-labs", key_w, "x4@alpha.test", "member", 201);
	free(inv);
	/* an admin makes admins */
	inv = invite("alpha-labs", admin, "x5@alpha.test", "admin", 201);
	free(inv);
	free(key_w);
	free(mgr);
}
END_TEST

static char *
claims_of(const char *sub, const char *email, const char *kind, const char *role, const char *tid)
{
	static char buf[1024];
	long now = (long)time(NULL);

	snprintf(buf, sizeof buf,
		 "{\"sub\":\"%s\",\"email\":\"%s\",\"kind\":\"%s\",\"role\":\"%s\"%s%s%s,"
		 "\"iss\":\"tenantry\",\"aud\":\"tenantry-api\",\"iat\":%ld,\"nbf\":%ld,"
		 "\"exp\":%ld,\"iat_us\":%lld}",
		 sub, email, kind, role, tid ? ",\"tid\":\"" : "", tid ? tid : "", tid ? "\"" : "",
		 now, now, now + 600, (long long)now * 1000000);
	return buf;
}

/* Signed with the real key, claiming more than the database gives. */
START_TEST(test_claims_checked_against_database)
{
	const unsigned char *key = (const unsigned char *)secret;
	int klen = (int)strlen(secret);
	char viewer_id[ID_LEN], *t;

	snprintf(viewer_id, sizeof viewer_id, "%s", user_id("viewer@alpha.test"));
	/* the forge is right: the viewer's true claims pass */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims_of(viewer_id, "viewer@alpha.test", "user", "viewer", alpha));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", t, NULL, NULL), 200);
	free(t);
	/* admin for a viewer */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims_of(viewer_id, "viewer@alpha.test", "user", "admin", alpha));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", t, NULL, NULL), 401);
	ck_assert_int_eq(
	    testhttp(&srv, "PUT", "/api/tenants/alpha-labs", t, "{\"name\":\"Taken\"}", NULL), 401);
	free(t);
	/* platform staff for an ordinary user */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims_of(viewer_id, "viewer@alpha.test", "staff", "platform_admin", NULL));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants", t, NULL, NULL), 401);
	free(t);
	/* support claiming platform_admin */
	t = forge(
	    "HS256", JWT_ALG_HS256, key, klen, NULL,
	    claims_of(user_id("help@ops.test"), "help@ops.test", "staff", "platform_admin", NULL));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants", t, NULL, NULL), 401);
	free(t);
	/* a narrower claim is fine: an admin acting as a viewer */
	t = forge(
	    "HS256", JWT_ALG_HS256, key, klen, NULL,
	    claims_of(user_id("admin2@alpha.test"), "admin2@alpha.test", "user", "viewer", alpha));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", t, NULL, NULL), 200);
	ck_assert_int_eq(
	    testhttp(&srv, "PUT", "/api/tenants/alpha-labs", t, "{\"name\":\"Narrowed\"}", NULL),
	    403);
	free(t);
}
END_TEST

Suite *
suite_consent(void)
{
	Suite *s = suite_create("consent");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_existing_account_needs_consent);
	tcase_add_test(tc, test_revocation_per_membership);
	tcase_add_test(tc, test_grants_up_to_own_role);
	tcase_add_test(tc, test_claims_checked_against_database);
	suite_add_tcase(s, tc);
	return s;
}
