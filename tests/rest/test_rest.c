/* test_rest.c - tenantryd end to end: a real server on a free loopback
 * port over a real database. Seed requests, bad input, the permission
 * matrix, tenant isolation (404), JWT rejections, revocation, API keys,
 * TOTP, rate limits, quotas, the audit stream and its recovery. */
#include <check.h>
#include <jansson.h>
#include <jwt.h>
#include <oath.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/routes.h"
#include "testlib.h"

#define PW "correct horse battery"

static struct testsrv srv;
static const char *db;
static char *platform, *support, *oncall;
static char *admin, *manager, *member, *viewer;   /* of alpha-labs */
static char *key_read, *key_users;                  /* alpha-labs keys */
static char alpha[ID_LEN], beta[ID_LEN];
static char secret[128];

/* ---- helpers ----------------------------------------------------------------- */

/* Calls and checks the status; returns the parsed body (or NULL). */
static json_t *
call(int want, const char *method, const char *path, const char *token,
     const char *body)
{
	char *out = NULL;
	int st = testhttp(&srv, method, path, token, body, &out);
	json_t *j;

	ck_assert_msg(st == want, "%s %s: status %d, wanted %d: %s", method, path,
		      st, want, out ? out : "");
	j = out && *out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	return j;
}

static const char *
jstr(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_string(v), "no string %s", key);
	return json_string_value(v);
}

static void
check_problem(json_t *j, int status, const char *code)
{
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(jstr(j, "code"), code);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), status);
	ck_assert_str_eq(jstr(j, "type"), "about:blank");
}

static char *
invite_and_login(const char *tenant, const char *email, const char *role)
{
	char path[256], body[512];
	json_t *inv, *m;
	char *tok;

	snprintf(path, sizeof path, "/api/tenants/%s/invitations", tenant);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"role\":\"%s\"}", email, role);
	inv = call(201, "POST", path, platform, body);
	ck_assert(strncmp(jstr(inv, "token"), "tni_", 4) == 0);
	snprintf(body, sizeof body, "{\"token\":\"%s\",\"full_name\":\"%s\",\"password\":\"%s\"}",
		 jstr(inv, "token"), role, PW);
	m = call(200, "POST", "/api/invitations/accept", NULL, body);
	ck_assert_str_eq(jstr(m, "role"), role);
	json_decref(m);
	json_decref(inv);
	tok = testsrv_login(&srv, email, PW, tenant);
	ck_assert_msg(tok, "login of %s failed", email);
	return tok;
}

static char *
make_key(const char *tenant, const char *scopes)
{
	char path[256], body[256];
	json_t *k;
	char *key;

	snprintf(path, sizeof path, "/api/tenants/%s/api-keys", tenant);
	snprintf(body, sizeof body, "{\"name\":\"k\",\"scopes\":%s}", scopes);
	k = call(201, "POST", path, platform, body);
	key = strdup(jstr(k, "key"));
	ck_assert(strncmp(key, "tnt_", 4) == 0);
	json_decref(k);
	return key;
}

static void
create_tenant(char id[ID_LEN], const char *name, const char *email, const char *tier)
{
	char body[512], domain[64];

	snprintf(domain, sizeof domain, "%s", strchr(email, '@') + 1);
	json_t *t;

	snprintf(body, sizeof body,
		 "{\"name\":\"%s\",\"admin_email\":\"%s\",\"admin_name\":\"Admin\","
		 "\"subscription_tier\":\"%s\",\"domain\":\"%s\"}",
		 name, email, tier, domain);
	t = call(201, "POST", "/api/tenants", platform, body);
	snprintf(id, ID_LEN, "%s", jstr(t, "id"));
	json_decref(t);
}

static void
setup(void)
{
	db = testdb_create();
	testsrv_start(&srv, db, NULL);
	platform = testsrv_staff_token(&srv, "root@ops.test", "platform_admin");
	support = testsrv_staff_token(&srv, "help@ops.test", "support");
	oncall = testsrv_staff_token(&srv, "pager@ops.test", "oncall");
	create_tenant(alpha, "Alpha Labs", "alice@alpha.test", "professional");
	create_tenant(beta, "Beta Works", "bob@beta.test", "basic");
	admin = invite_and_login("alpha-labs", "admin2@alpha.test", "admin");
	manager = invite_and_login("alpha-labs", "manager@alpha.test", "manager");
	member = invite_and_login("alpha-labs", "member@alpha.test", "member");
	viewer = invite_and_login("alpha-labs", "viewer@alpha.test", "viewer");
	key_read = make_key("alpha-labs", "[\"tenant:read\"]");
	key_users = make_key("alpha-labs", "[\"users:read\",\"usage:write\"]");
	{
		FILE *f = fopen(srv.secret_file, "r");

		ck_assert(f && fgets(secret, sizeof secret, f));
		fclose(f);
	}
}

static void
teardown(void)
{
	testsrv_stop(&srv);
}

/* ---- seeds ---------------------------------------------------------------------- */

START_TEST(test_seed_create_and_usage)
{
	json_t *t, *u, *users, *tiers;
	long long limit = -2;
	size_t i;
	json_t *v;

	t = call(200, "GET", "/api/tenants/alpha-labs", platform, NULL);
	ck_assert_str_eq(jstr(t, "tier"), "professional");
	ck_assert_str_eq(jstr(t, "domain"), "alpha.test");
	json_decref(t);
	/* the admin named at creation is a member with the admin role */
	users = call(200, "GET", "/api/tenants/alpha-labs/users?role=admin", platform, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(users, "items")), 2);
	limit = 0;
	json_array_foreach(json_object_get(users, "items"), i, v)
		limit += strcmp(jstr(v, "email"), "alice@alpha.test") == 0;
	ck_assert_int_eq(limit, 1);
	json_decref(users);
	limit = -2;

	tiers = call(200, "GET", "/api/tiers", viewer, NULL);
	json_array_foreach(json_object_get(tiers, "items"), i, v)
		if (strcmp(jstr(v, "name"), "professional") == 0)
			limit = json_integer_value(json_object_get(v, "max_users"));
	json_decref(tiers);
	ck_assert_int_gt(limit, 0);

	u = call(200, "GET", "/api/tenants/alpha-labs/usage", viewer, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(u, "users"), "current")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(u, "users"), "limit")), limit);
	ck_assert(json_is_number(json_object_get(json_object_get(u, "storage"), "used_gb")));
	ck_assert(json_is_number(json_object_get(json_object_get(u, "storage"), "limit_gb")));
	ck_assert(json_is_integer(json_object_get(json_object_get(u, "api_calls"), "today")));
	ck_assert(json_is_integer(json_object_get(json_object_get(u, "api_calls"), "limit")));
	json_decref(u);

	/* the other seeds' spellings */
	t = call(201, "POST", "/api/tenants", platform,
		 "{\"organization_name\":\"Seed Two\",\"tenant_tier\":\"business\","
		 "\"billing_email\":\"billing@seedtwo.test\"}");
	ck_assert_str_eq(jstr(t, "tier"), "business");
	ck_assert_str_eq(jstr(t, "slug"), "seed-two");
	json_decref(t);
	u = call(200, "POST", "/api/tenants/seed-two/usage/increment", platform,
		 "{\"resource_type\":\"api_calls\",\"amount\":1,\"description\":\"API endpoint call\"}");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(u, "quota"), "used")), 1);
	json_decref(u);
	u = call(200, "PUT", "/api/tenants/seed-two/settings/security_level", platform,
		 "{\"setting_value\":\"advanced\",\"is_encrypted\":false}");
	ck_assert_str_eq(jstr(u, "value"), "advanced");
	ck_assert_str_eq(jstr(u, "type"), "string");
	json_decref(u);
	u = call(200, "GET", "/api/tenants/?status=active&tier=business", platform, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(u, "items")), 1);
	json_decref(u);

	/* the current tenant of a tenant credential */
	t = call(200, "GET", "/api/tenants/current", key_read, NULL);
	ck_assert_str_eq(jstr(t, "id"), alpha);
	json_decref(t);
}
END_TEST

/* ---- bad input ------------------------------------------------------------------ */

START_TEST(test_bad_input)
{
	char *out = NULL, *hdrs = NULL, *big;
	json_t *j;
	int st;

	/* malformed JSON */
	st = testhttp_full(&srv, "POST", "/api/tenants", platform, NULL, "{\"name\":", 8,
			   &out, &hdrs);
	ck_assert_int_eq(st, 400);
	ck_assert_ptr_nonnull(strcasestr(hdrs, "content-type: application/problem+json"));
	j = json_loads(out, 0, NULL);
	check_problem(j, 400, "bad_json");
	json_decref(j);
	free(out);
	free(hdrs);
	/* a JSON array is not an object */
	j = call(400, "POST", "/api/tenants", platform, "[1,2]");
	check_problem(j, 400, "bad_request");
	json_decref(j);
	/* wrong type */
	j = call(422, "POST", "/api/tenants", platform,
		 "{\"name\":5,\"admin_email\":\"x@y.test\"}");
	check_problem(j, 422, "invalid_field");
	ck_assert_str_eq(jstr(j, "field"), "name");
	json_decref(j);
	/* missing field */
	j = call(422, "POST", "/api/tenants", platform, "{\"name\":\"Gamma\"}");
	ck_assert_str_eq(jstr(j, "field"), "admin_email");
	json_decref(j);
	/* invalid field value */
	j = call(422, "POST", "/api/tenants", platform,
		 "{\"name\":\"Gamma\",\"admin_email\":\"not an email\"}");
	check_problem(j, 422, "invalid_field");
	json_decref(j);
	j = call(422, "POST", "/api/tenants/alpha-labs/tier", platform, "{\"tier\":\"platinum\"}");
	check_problem(j, 422, "invalid_field");
	json_decref(j);
	/* invalid UTF-8 */
	st = testhttp_full(&srv, "POST", "/api/tenants", platform, NULL,
			   "{\"name\":\"\xc3\x28\",\"admin_email\":\"a@b.test\"}", 39, &out, NULL);
	ck_assert_int_eq(st, 400);
	j = json_loads(out, 0, NULL);
	check_problem(j, 400, "bad_json");
	json_decref(j);
	free(out);
	/* oversized body */
	big = malloc(100000);
	memset(big, ' ', 99999);
	big[0] = '{';
	big[99998] = '}';
	big[99999] = '\0';
	j = call(413, "POST", "/api/tenants", platform, big);
	check_problem(j, 413, "body_too_large");
	json_decref(j);
	free(big);
	/* unknown ids, routes and methods */
	j = call(404, "GET", "/api/tenants/00000000-0000-0000-0000-000000000001", platform, NULL);
	check_problem(j, 404, "not_found");
	json_decref(j);
	json_decref(call(404, "GET", "/api/tenants/no-such-slug/users", platform, NULL));
	json_decref(call(404, "DELETE", "/api/tenants/alpha-labs/api-keys/00000000-0000-0000-0000-000000000009", platform, NULL));
	json_decref(call(404, "GET", "/api/nothing-here", platform, NULL));
	j = call(405, "PATCH", "/api/tenants", platform, NULL);
	check_problem(j, 405, "method_not_allowed");
	json_decref(j);
	json_decref(call(422, "GET", "/api/tenants?limit=0", platform, NULL));
	json_decref(call(422, "GET", "/api/tenants?sort=shoe-size", platform, NULL));
	json_decref(call(422, "PUT", "/api/tenants/alpha-labs/settings/theme", admin,
			 "{\"type\":\"color\",\"value\":\"not-a-colour\"}"));
	json_decref(call(422, "PUT", "/api/tenants/alpha-labs/features/sso", admin,
			 "{\"enabled\":\"yes\"}"));
	/* nothing of it changed anything */
	j = call(200, "GET", "/api/tenants?filter=gamma", platform, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	j = call(200, "GET", "/api/tenants/alpha-labs", platform, NULL);
	ck_assert_str_eq(jstr(j, "tier"), "professional");
	json_decref(j);
}
END_TEST

/* ---- permissions ---------------------------------------------------------------- */

struct case_ {
	const char *method, *path, *body;
	int ok;
	/* platform support oncall admin manager member viewer key_read key_users */
	bool allow[9];
};

START_TEST(test_permission_matrix)
{
	static const struct case_ cases[] = {
		{ "GET", "/api/tenants/alpha-labs", NULL, 200,
		  { 1, 1, 1, 1, 1, 1, 1, 1, 0 } },
		{ "PUT", "/api/tenants/alpha-labs", "{\"locale\":\"en-GB\"}", 200,
		  { 1, 0, 0, 1, 1, 0, 0, 0, 0 } },
		{ "GET", "/api/tenants/alpha-labs/users", NULL, 200,
		  { 1, 1, 0, 1, 1, 1, 1, 0, 1 } },
		{ "PUT", "/api/tenants/alpha-labs/settings/greeting",
		  "{\"type\":\"string\",\"value\":\"hello\"}", 200,
		  { 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
		{ "GET", "/api/tenants/alpha-labs/settings", NULL, 200,
		  { 1, 1, 0, 1, 1, 1, 1, 0, 0 } },
		{ "POST", "/api/tenants/alpha-labs/usage/increment",
		  "{\"resource\":\"storage_bytes\",\"amount\":1}", 200,
		  { 1, 0, 0, 1, 1, 1, 0, 0, 1 } },
		{ "PUT", "/api/tenants/alpha-labs/quotas/storage_bytes", "{\"limit\":100000000000}", 200,
		  { 1, 0, 1, 0, 0, 0, 0, 0, 0 } },
		{ "GET", "/api/tenants/alpha-labs/audit-logs?limit=5", NULL, 200,
		  { 1, 1, 1, 1, 1, 0, 0, 0, 0 } },
		{ "GET", "/api/tenants/metrics", NULL, 200,
		  { 1, 1, 1, 0, 0, 0, 0, 0, 0 } },
		{ "POST", "/api/tenants/alpha-labs/api-keys", "{\"name\":\"m\",\"scopes\":[\"audit:read\"]}", 201,
		  { 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
		{ "POST", "/api/tiers", NULL, 0, { 0, 0, 0, 0, 0, 0, 0, 0, 0 } },
	};
	char *who[9] = { platform, support, oncall, admin, manager, member, viewer,
			 key_read, key_users };
	static const char *names[9] = { "platform", "support", "oncall", "admin", "manager",
					"member", "viewer", "key tenant:read",
					"key users:read+usage:write" };

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		if (!cases[c].ok)
			continue;
		for (int w = 0; w < 9; w++) {
			char *out = NULL;
			int st = testhttp(&srv, cases[c].method, cases[c].path, who[w],
					  cases[c].body, &out);
			int want = cases[c].allow[w] ? cases[c].ok : 403;

			ck_assert_msg(st == want, "%s %s as %s: %d, wanted %d: %s",
				      cases[c].method, cases[c].path, names[w], st, want,
				      out ? out : "");
			free(out);
		}
	}
	/* audit entries name who did it */
	{
		json_t *j = call(200, "GET",
				 "/api/tenants/alpha-labs/audit-logs?action=setting.&newest=1&limit=1",
				 platform, NULL);

		ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "items"), 0), "actor"),
				 "admin2@alpha.test");
		json_decref(j);
	}
}
END_TEST

START_TEST(test_other_tenant_is_not_found)
{
	static const char *paths[] = {
		"/api/tenants/beta-works", "/api/tenants/beta-works/users",
		"/api/tenants/beta-works/settings", "/api/tenants/beta-works/quotas",
		"/api/tenants/beta-works/audit-logs", "/api/tenants/beta-works/usage",
	};
	char path[128];
	json_t *j;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		j = call(404, "GET", paths[i], admin, NULL);
		check_problem(j, 404, "not_found");
		json_decref(j);
	}
	/* by id too, and for writes */
	snprintf(path, sizeof path, "/api/tenants/%s", beta);
	json_decref(call(404, "GET", path, admin, NULL));
	json_decref(call(404, "PUT", path, admin, "{\"name\":\"Taken Over\"}"));
	json_decref(call(404, "PUT", "/api/tenants/beta-works/settings/x", admin,
			 "{\"type\":\"string\",\"value\":\"y\"}"));
	json_decref(call(404, "GET", "/api/tenants/beta-works", key_read, NULL));
	/* and the list shows exactly one tenant */
	j = call(200, "GET", "/api/tenants", admin, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	j = call(200, "GET", "/api/tenants/beta-works", platform, NULL);
	ck_assert_str_eq(jstr(j, "name"), "Beta Works");
	json_decref(j);
}
END_TEST

START_TEST(test_view_as_tenant)
{
	const char *h_viewer[] = { "X-View-As: alpha-labs", "X-View-As-Role: viewer", NULL };
	const char *h_admin[] = { "X-View-As: alpha-labs", "X-View-As-Role: admin", NULL };
	char *out = NULL;

	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/alpha-labs/users", support,
				       h_viewer, NULL, 0, &out, NULL), 200);
	free(out);
	/* the tenant role's context: another tenant is not there at all */
	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/beta-works", support,
				       h_viewer, NULL, 0, NULL, NULL), 404);
	/* a viewer may not write, whatever the staff role */
	ck_assert_int_eq(testhttp_full(&srv, "PUT", "/api/tenants/alpha-labs", platform,
				       h_viewer, "{\"locale\":\"de-DE\"}", 18, NULL, NULL), 403);
	ck_assert_int_eq(testhttp_full(&srv, "PUT", "/api/tenants/alpha-labs", platform,
				       h_admin, "{\"locale\":\"de-DE\"}", 18, NULL, NULL), 200);
	/* oncall may not view as a tenant */
	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/alpha-labs", oncall,
				       h_viewer, NULL, 0, NULL, NULL), 403);
	/* acknowledging an alert is a write: refused to a viewer before any
	 * lookup; an admin gets as far as the (unknown) alert */
	ck_assert_int_eq(testhttp_full(&srv, "POST", "/api/tenants/alpha-labs/alerts/"
				       "00000000-0000-4000-8000-00000000abcd/ack", platform, h_viewer,
				       NULL, 0, NULL, NULL), 403);
	ck_assert_int_eq(testhttp_full(&srv, "POST", "/api/tenants/alpha-labs/alerts/"
				       "00000000-0000-4000-8000-00000000abcd/ack", platform, h_admin,
				       NULL, 0, NULL, NULL), 404);
	ck_assert_int_eq(testhttp(&srv, "POST", "/api/tenants/alpha-labs/alerts/"
				  "00000000-0000-4000-8000-00000000abcd/ack", oncall, NULL, NULL), 404);
}
END_TEST

/* ---- tokens ---------------------------------------------------------------------- */

static char *
forge(const char *alg_name, jwt_alg_t alg, const unsigned char *key, int keylen,
      const char *kid, const char *claims_json)
{
	jwt_t *jwt;
	char *tok;

	ck_assert(jwt_new(&jwt) == 0);
	if (kid)
		jwt_add_header(jwt, "kid", kid);
	ck_assert(jwt_add_grants_json(jwt, claims_json) == 0);
	ck_assert(jwt_set_alg(jwt, alg, key, keylen) == 0);
	tok = jwt_encode_str(jwt);
	jwt_free(jwt);
	(void)alg_name;
	return tok;
}

static char *
claims(const char *sub, long exp_delta, long nbf_delta, const char *iss,
       const char *aud, const char *extra)
{
	static char buf[1024];
	long now = (long)time(NULL);
	long long now_us = (long long)now * 1000000;

	snprintf(buf, sizeof buf,
		 "{\"sub\":\"%s\",\"email\":\"root@ops.test\",\"kind\":\"staff\","
		 "\"role\":\"platform_admin\",\"iss\":\"%s\",\"aud\":\"%s\","
		 "\"iat\":%ld,\"iat_us\":%lld%s%s",
		 sub, iss, aud, now, now_us, extra ? "," : "", extra ? extra : "");
	if (exp_delta != 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ",\"exp\":%ld",
			 now + exp_delta);
	if (nbf_delta != 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ",\"nbf\":%ld",
			 now + nbf_delta);
	strcat(buf, "}");
	return buf;
}

static const char *
staff_id(void)
{
	static char id[ID_LEN];
	PGconn *c = testdb_connect(db, NULL);

	snprintf(id, sizeof id, "%s",
		 testdb_value(c, "SELECT id FROM tenantry.users WHERE email = 'root@ops.test'"));
	PQfinish(c);
	return id;
}

static void
expect_401(const char *tok, const char *what)
{
	char *out = NULL;
	int st = testhttp(&srv, "GET", "/api/tenants", tok, NULL, &out);

	ck_assert_msg(st == 401, "%s: %d %s", what, st, out ? out : "");
	free(out);
}

START_TEST(test_jwt_rejections)
{
	const unsigned char *key = (const unsigned char *)secret;
	int klen = (int)strlen(secret);
	const char *sub = staff_id();
	char *t, none[2048], *dot;

	/* the forge itself is right: a well-formed token works */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants", t, NULL, NULL), 200);
	/* verified once, remembered: the same bytes pass again, and a token
	 * differing from it in one signature character does not */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants", t, NULL, NULL), 200);
	t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'B' : 'A';
	expect_401(t, "signature changed after a verified use");
	t[strlen(t) - 2] = '\0';
	expect_401(t, "signature cut short");
	free(t);
	/* alg none: header {"alg":"none"}, no signature */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	dot = strchr(t, '.');
	snprintf(none, sizeof none, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0%.*s.", (int)(strrchr(t, '.') - dot), dot);
	expect_401(none, "alg none");
	free(t);
	/* wrong key */
	t = forge("HS256", JWT_ALG_HS256, (const unsigned char *)"another secret of thirty-two bytes!!", 36,
		  NULL, claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "wrong key");
	free(t);
	/* expired, beyond the leeway */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, -120, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "expired");
	free(t);
	/* not valid yet */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, 600, 300, "tenantry", "tenantry-api", NULL));
	expect_401(t, "future nbf");
	free(t);
	/* wrong issuer, wrong audience */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, 600, 0, "evil", "tenantry-api", NULL));
	expect_401(t, "wrong iss");
	free(t);
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, 600, 0, "tenantry", "other-api", NULL));
	expect_401(t, "wrong aud");
	free(t);
	/* no exp at all; a float exp */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL, claims(sub, 0, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "missing exp");
	free(t);
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 0, 0, "tenantry", "tenantry-api", "\"exp\":4102444800.5"));
	expect_401(t, "float exp");
	free(t);
	/* kid outside the key table */
	t = forge("HS256", JWT_ALG_HS256, key, klen, "not-a-known-kid",
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "unknown kid");
	free(t);
	/* HS384 is not the configured algorithm */
	t = forge("HS384", JWT_ALG_HS384, key, klen, NULL, claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "other algorithm");
	free(t);
	expect_401("garbage", "garbage");
	expect_401("a.b.c", "not base64 json");
}
END_TEST

static unsigned char *
slurp(const char *path, int *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(16384);

	ck_assert(f && buf);
	*len = (int)fread(buf, 1, 16383, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_rs256_and_algorithm_confusion)
{
	const char *extra[] = { "--jwt-public-key", "tests/data/jwt-test-rs256.pub",
				"--jwt-private-key", "tests/data/jwt-test-rs256.key", NULL };
	struct testsrv rs;
	const char *sub = staff_id();
	unsigned char *pub, *priv;
	int publen, privlen;
	char *t, *issued;

	testsrv_start(&rs, db, extra);
	pub = slurp("tests/data/jwt-test-rs256.pub", &publen);
	priv = slurp("tests/data/jwt-test-rs256.key", &privlen);
	/* login issues RS256 tokens that this server accepts */
	issued = testsrv_login(&rs, "root@ops.test", PW, NULL);
	ck_assert_ptr_nonnull(issued);
	ck_assert_int_eq(testhttp(&rs, "GET", "/api/tenants", issued, NULL, NULL), 200);
	/* a token signed with the private key works */
	t = forge("RS256", JWT_ALG_RS256, priv, privlen, NULL,
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	ck_assert_int_eq(testhttp(&rs, "GET", "/api/tenants", t, NULL, NULL), 200);
	free(t);
	/* HS256 "signed" with the public key is refused */
	t = forge("HS256", JWT_ALG_HS256, pub, publen, NULL,
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	ck_assert_int_eq(testhttp(&rs, "GET", "/api/tenants", t, NULL, NULL), 401);
	free(t);
	/* and the HS256 server does not take the RS256 server's tokens */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants", issued, NULL, NULL), 401);
	free(issued);
	free(pub);
	free(priv);
	testsrv_stop(&rs);
}
END_TEST

START_TEST(test_revocation)
{
	char *tok = testsrv_login(&srv, "member@alpha.test", PW, "alpha-labs");
	char *key = make_key("alpha-labs", "[\"tenant:read\"]");
	char gamma[ID_LEN], path[128];
	PGconn *c = testdb_connect(db, NULL);
	json_t *j;
	char *gtok, *gkey;

	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", tok, NULL, NULL), 200);
	/* a role change ends the tokens issued before it */
	json_decref(call(200, "PUT", "/api/tenants/alpha-labs/users/member@alpha.test", admin,
			 "{\"role\":\"viewer\"}"));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", tok, NULL, NULL), 401);
	free(tok);
	tok = testsrv_login(&srv, "member@alpha.test", PW, "alpha-labs");
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", tok, NULL, NULL), 200);
	/* a revoked user time ends them too */
	testdb_exec(c, "UPDATE tenantry.users SET tokens_valid_after = now() "
		       "WHERE email = 'member@alpha.test'");
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/alpha-labs", tok, NULL, NULL), 401);
	free(tok);
	/* a revoked key is refused at once */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", key, NULL, NULL), 200);
	j = call(200, "GET", "/api/tenants/alpha-labs/api-keys", platform, NULL);
	json_decref(j);
	snprintf(path, sizeof path, "/api/tenants/alpha-labs/api-keys/%.12s", key + 4);
	json_decref(call(204, "DELETE", path, admin, NULL));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", key, NULL, NULL), 401);
	free(key);
	/* a suspended tenant's tokens and keys are refused */
	create_tenant(gamma, "Gamma Suspended", "gina@gamma.test", "basic");
	gtok = invite_and_login("gamma-suspended", "g2@gamma.test", "admin");
	gkey = make_key("gamma-suspended", "[\"tenant:read\"]");
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", gtok, NULL, NULL), 200);
	json_decref(call(200, "POST", "/api/tenants/gamma-suspended/status/suspended", platform, NULL));
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", gtok, NULL, NULL), 401);
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", gkey, NULL, NULL), 401);
	ck_assert_ptr_null(testsrv_login(&srv, "g2@gamma.test", PW, "gamma-suspended"));
	free(gtok);
	free(gkey);
	PQfinish(c);
}
END_TEST

START_TEST(test_login_and_totp)
{
	json_t *j, *e;
	char *tok, *out = NULL, *raw = NULL, code[8], body[256];
	size_t rawlen;
	char *b32;

	PGconn *c = testdb_connect(db, NULL);
	const char *logins = "SELECT count(*) FROM tenantry.audit_log WHERE action = 'auth.login' "
			     "AND actor = '%s' AND actor_kind = '%s' AND tenant_id = %s";

	/* wrong password, unknown email: the same answer, and no login recorded */
	j = call(401, "POST", "/api/auth/login", NULL,
		 "{\"email\":\"viewer@alpha.test\",\"password\":\"wrong\"}");
	e = call(401, "POST", "/api/auth/login", NULL,
		 "{\"email\":\"nobody@alpha.test\",\"password\":\"wrong\"}");
	ck_assert_str_eq(jstr(j, "detail"), jstr(e, "detail"));
	json_decref(j);
	json_decref(e);
	ck_assert_int_eq(testdb_int(c, logins, "viewer@alpha.test", "user",
				    "(SELECT id FROM tenantry.tenants WHERE slug = 'beta-works')"), 0);
	/* several tenants: the login names one; a login is an entry on the
	 * chain of the tenant it opened */
	tok = invite_and_login("beta-works", "viewer@alpha.test", "viewer");
	free(tok);
	ck_assert_int_eq(testdb_int(c, logins, "viewer@alpha.test", "user",
				    "(SELECT id FROM tenantry.tenants WHERE slug = 'beta-works')"), 1);
	j = call(422, "POST", "/api/auth/login", NULL,
		 "{\"email\":\"viewer@alpha.test\",\"password\":\"" PW "\"}");
	ck_assert_str_eq(jstr(j, "field"), "tenant");
	ck_assert_int_eq(json_array_size(json_object_get(j, "tenants")), 2);
	json_decref(j);

	/* TOTP enrolment for a staff account */
	tok = testsrv_staff_token(&srv, "mfa@ops.test", "support");
	j = call(200, "POST", "/api/auth/totp", tok, "{}");
	ck_assert(strncmp(jstr(j, "otpauth_uri"), "otpauth://totp/tenantry:mfa@ops.test?secret=", 44) == 0);
	b32 = strdup(jstr(j, "secret"));
	json_decref(j);
	ck_assert(oath_init() == OATH_OK);
	ck_assert(oath_base32_decode(b32, strlen(b32), &raw, &rawlen) == OATH_OK);
	/* a wrong code does not turn it on */
	json_decref(call(422, "POST", "/api/auth/totp/confirm", tok, "{\"code\":\"000000\"}"));
	ck_assert(oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	json_decref(call(204, "POST", "/api/auth/totp/confirm", tok, body));
	/* now the password alone is not enough */
	j = call(401, "POST", "/api/auth/login", NULL,
		 "{\"email\":\"mfa@ops.test\",\"password\":\"" PW "\"}");
	ck_assert(json_is_true(json_object_get(j, "totp_required")));
	json_decref(j);
	json_decref(call(401, "POST", "/api/auth/login", NULL,
			 "{\"email\":\"mfa@ops.test\",\"password\":\"" PW "\",\"totp\":\"123\"}"));
	ck_assert(oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK);
	snprintf(body, sizeof body,
		 "{\"email\":\"mfa@ops.test\",\"password\":\"" PW "\",\"totp\":\"%s\"}", code);
	j = call(200, "POST", "/api/auth/login", NULL, body);
	ck_assert_str_eq(jstr(j, "kind"), "staff");
	ck_assert_str_eq(jstr(j, "role"), "support");
	json_decref(j);
	/* staff logins go to the platform chain (the first by testsrv_staff_token) */
	ck_assert_int_eq(testdb_int(c, logins, "mfa@ops.test", "staff",
				    "'00000000-0000-0000-0000-000000000000'"), 2);
	PQfinish(c);
	free(raw);
	free(b32);
	free(tok);
	free(out);
	oath_done();
}
END_TEST

/* ---- rates, quotas ----------------------------------------------------------------- */

START_TEST(test_rate_limit_and_quota)
{
	char delta[ID_LEN], *key, *hdrs = NULL, *out = NULL, *metrics = NULL;
	json_t *j;
	int st, ok = 0;

	create_tenant(delta, "Delta Rate", "dora@delta.test", "basic");
	json_decref(call(200, "PUT", "/api/tenants/delta-rate/quotas/api_calls", platform,
			 "{\"limit\":3}"));
	key = make_key("delta-rate", "[\"tenant:read\",\"usage:write\",\"usage:read\"]");
	for (int i = 0; i < 5; i++) {
		st = testhttp_full(&srv, "GET", "/api/tenants/current", key, NULL, NULL, 0,
				   &out, &hdrs);
		if (st == 200)
			ok++;
		else {
			ck_assert_int_eq(st, 429);
			ck_assert_ptr_nonnull(strcasestr(hdrs, "\nRetry-After: "));
			j = json_loads(out, 0, NULL);
			check_problem(j, 429, "rate_limited");
			json_decref(j);
		}
		free(out);
		free(hdrs);
	}
	ck_assert_int_eq(ok, 3);
	/* other tenants are not affected */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", key_read, NULL, NULL), 200);
	ck_assert_int_eq(testhttp(&srv, "GET", "/metrics", NULL, NULL, &metrics), 200);
	ck_assert_ptr_nonnull(strstr(metrics, "tenantryd_rate_limited_total 2\n"));
	ck_assert_ptr_nonnull(strstr(metrics, "tenantryd_requests_total{route=\"TENANT_CURRENT\",status=\"429\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(metrics, "tenantryd_request_duration_seconds_bucket{route=\"TENANT_GET\",le=\"+Inf\"}"));
	ck_assert_ptr_nonnull(strstr(metrics, "tenantryd_pool_size 3\n"));
	free(metrics);
	free(key);

	/* 402 when a quota is used up, and nothing is consumed */
	json_decref(call(200, "PUT", "/api/tenants/beta-works/quotas/storage_bytes", platform,
			 "{\"limit\":100}"));
	j = call(200, "POST", "/api/tenants/beta-works/usage/increment", platform,
		 "{\"resource\":\"storage_bytes\",\"amount\":60}");
	ck_assert(json_is_true(json_object_get(j, "allowed")));
	json_decref(j);
	j = call(402, "POST", "/api/tenants/beta-works/usage/increment", platform,
		 "{\"resource\":\"storage_bytes\",\"amount\":50}");
	check_problem(j, 402, "quota_exceeded");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "quota"), "used")), 60);
	json_decref(j);
	j = call(200, "POST", "/api/tenants/beta-works/quotas/check", platform,
		 "{\"resource\":\"storage_bytes\",\"amount\":40}");
	ck_assert(json_is_true(json_object_get(j, "allowed")));
	json_decref(j);
	json_decref(call(422, "POST", "/api/tenants/beta-works/usage/increment", platform,
			 "{\"resource\":\"storage_bytes\",\"amount\":-5}"));
	json_decref(call(422, "POST", "/api/tenants/beta-works/usage/increment", platform,
			 "{\"resource\":\"bananas\",\"amount\":1}"));
	/* a downgrade below usage is refused with what it would break */
	j = call(409, "POST", "/api/tenants/alpha-labs/tier", platform, "{\"tier\":\"free\"}");
	check_problem(j, 409, "downgrade_blocked");
	ck_assert(json_array_size(json_object_get(j, "conflicts")) > 0);
	json_decref(j);
}
END_TEST

/* ---- the audit stream -------------------------------------------------------------- */

struct sse {
	int fd;
	char buf[65536];
	size_t len;
};

static void
sse_open_at(struct sse *s, int port, const char *path, const char *token,
	    const char *last_id)
{
	char req[4096];
	int n;

	s->fd = testnet_connect(port);
	s->len = 0;
	s->buf[0] = '\0';
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "Accept: text/event-stream\r\n%s%s%s\r\n", path, token,
		     last_id ? "Last-Event-ID: " : "", last_id ? last_id : "",
		     last_id ? "\r\n" : "");
	ck_assert(write(s->fd, req, (size_t)n) == n);
}

static void
sse_open(struct sse *s, const char *path, const char *token, const char *last_id)
{
	sse_open_at(s, srv.port, path, token, last_id);
}

/* Reads until needle appears or timeout_ms passes. */
static bool
sse_wait(struct sse *s, const char *needle, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		long ms;
		ssize_t n;

		if (strstr(s->buf, needle))
			return true;
		ms = test_ms_since(&t0);
		if (ms >= timeout_ms || s->len + 1 >= sizeof s->buf)
			return false;
		if (poll(&p, 1, (int)(timeout_ms - ms)) <= 0)
			continue;
		n = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
		if (n <= 0)
			return false;
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
	}
}

START_TEST(test_audit_stream)
{
	struct sse s, r;
	json_t *j;
	long long head;
	char last[32], want[64];
	PGconn *c = testdb_connect(db, NULL);

	j = call(200, "GET", "/api/tenants/beta-works/audit-logs?newest=1&limit=1", platform, NULL);
	head = json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "seq"));
	json_decref(j);
	ck_assert_int_gt(head, 2);

	/* live: a new entry arrives as an event with id = seq */
	sse_open(&s, "/api/tenants/beta-works/audit-logs/stream", platform, NULL);
	ck_assert(sse_wait(&s, ": stream open", 5000));
	ck_assert_ptr_nonnull(strstr(s.buf, "Content-Type: text/event-stream"));
	json_decref(call(200, "PUT", "/api/tenants/beta-works/settings/motd", platform,
			 "{\"type\":\"string\",\"value\":\"live one\"}"));
	snprintf(want, sizeof want, "id: %lld\nevent: audit\n", head + 1);
	ck_assert_msg(sse_wait(&s, want, 5000), "no live event: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(s.buf, "live one"));

	/* resume from Last-Event-ID: exactly the entries after it */
	snprintf(last, sizeof last, "%lld", head - 2);
	sse_open(&r, "/api/tenants/beta-works/audit-logs/stream", platform, last);
	snprintf(want, sizeof want, "id: %lld\n", head + 1);
	ck_assert(sse_wait(&r, want, 5000));
	for (long long q = head - 1; q <= head + 1; q++) {
		snprintf(want, sizeof want, "id: %lld\n", q);
		ck_assert_int_eq(test_count(r.buf, want), 1);
	}
	snprintf(want, sizeof want, "id: %lld\n", head - 2);
	ck_assert_int_eq(test_count(r.buf, want), 0);
	close(r.fd);

	/* the database session goes away: the stream carries on, no gaps */
	testdb_exec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		       "WHERE usename = 'tenantry_app' AND pid <> pg_backend_pid()");
	json_decref(call(200, "PUT", "/api/tenants/beta-works/settings/motd", platform,
			 "{\"type\":\"string\",\"value\":\"after restart\"}"));
	snprintf(want, sizeof want, "id: %lld\n", head + 2);
	ck_assert_msg(sse_wait(&s, want, 8000), "no event after reconnect: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(s.buf, "after restart"));
	snprintf(want, sizeof want, "id: %lld\n", head + 1);
	ck_assert_int_eq(test_count(s.buf, want), 1);
	close(s.fd);

	/* another tenant's stream is not found; a bad resume point is refused */
	json_decref(call(404, "GET", "/api/tenants/beta-works/audit-logs/stream", admin, NULL));
	PQfinish(c);
}
END_TEST

/* ---- one event loop, many requests ---------------------------------------------- */

/* Reads one whole HTTP reply (Content-Length framed) from fd into buf. */
static bool
read_reply(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t len = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const char *end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "Content-Length:");
		ssize_t n;

		if (end && cl && cl < end
		    && len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
			return true;
		if (len + 1 >= cap || poll(&p, 1, timeout_ms) <= 0)
			return false;
		if ((n = read(fd, buf + len, cap - 1 - len)) <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
	}
}

START_TEST(test_one_loop_many_requests)
{
	const char *extra[] = { "--threads", "1", "--db-pool", "2", "--keepalive", "1", NULL };
	enum { N = 24 };
	struct testsrv s2;
	struct sse live;
	char *beta_key = make_key("beta-works", "[\"tenant:read\"]"), *staff, want[64];
	int fds[N];
	static char reply[N][8192];
	json_t *j;
	long long head;

	testsrv_start(&s2, db, extra);
	staff = testsrv_staff_token(&s2, "loop@ops.test", "platform_admin");
	j = call(200, "GET", "/api/tenants/alpha-labs/audit-logs?newest=1&limit=1", platform, NULL);
	head = json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "seq"));
	json_decref(j);

	/* a stream holds its place on the only loop without holding it up */
	sse_open_at(&live, s2.port, "/api/tenants/alpha-labs/audit-logs/stream", staff, NULL);
	ck_assert(sse_wait(&live, ": stream open", 5000));

	/* all sent before any is read: they are in flight together, twelve
	 * times as many as there are sessions, each with its own tenant */
	for (int i = 0; i < N; i++) {
		const char *key = i % 3 == 1 ? beta_key : key_read;
		const char *id = i % 3 == 0 ? alpha : beta;  /* i % 3 == 2: alpha's key, beta's id */
		char req[1024];
		int n = snprintf(req, sizeof req, "GET /api/tenants/%s HTTP/1.1\r\nHost: x\r\n"
				 "Authorization: Bearer %s\r\n\r\n", id, key);

		fds[i] = testnet_connect(s2.port);
		ck_assert(write(fds[i], req, (size_t)n) == n);
	}
	for (int i = 0; i < N; i++) {
		ck_assert_msg(read_reply(fds[i], reply[i], sizeof reply[i], 10000),
			      "request %d: no reply: %s", i, reply[i]);
		close(fds[i]);
	}
	for (int i = 0; i < N; i++) {
		char id[ID_LEN + 8];

		if (i % 3 == 2) {
			ck_assert_msg(strncmp(reply[i], "HTTP/1.1 404", 12) == 0, "%d: %s", i, reply[i]);
			ck_assert_ptr_null(strstr(reply[i], "beta-works"));
			ck_assert_ptr_null(strstr(reply[i], "\"slug\""));
			continue;
		}
		snprintf(id, sizeof id, "\"id\":\"%s\"", i % 3 == 0 ? alpha : beta);
		ck_assert_msg(strncmp(reply[i], "HTTP/1.1 200", 12) == 0, "%d: %s", i, reply[i]);
		ck_assert_msg(strstr(reply[i], id), "request %d got another tenant: %s", i, reply[i]);
	}

	/* the stream is still served: a new entry arrives on it */
	json_decref(call(200, "PUT", "/api/tenants/alpha-labs/settings/motd", platform,
			 "{\"type\":\"string\",\"value\":\"one loop\"}"));
	snprintf(want, sizeof want, "id: %lld\nevent: audit\n", head + 1);
	ck_assert_msg(sse_wait(&live, want, 5000), "no live event: %s", live.buf);
	ck_assert_ptr_nonnull(strstr(live.buf, "one loop"));

	/* a login's password check (tens of ms of CPU) does not hold the loop:
	 * a request sent while it runs is answered in a fraction of the
	 * login's time, not after it */
	{
		char body[256], req[1024];
		const char hz[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
		struct timespec t0, tb0, tb1, t1;
		int a = testnet_connect(s2.port), b = testnet_connect(s2.port), n;
		double login_ms, health_ms;

		snprintf(body, sizeof body, "{\"email\":\"admin2@alpha.test\",\"password\":\"%s\","
			 "\"tenant\":\"alpha-labs\"}", PW);
		n = snprintf(req, sizeof req, "POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			     strlen(body), body);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ck_assert(write(a, req, (size_t)n) == n);
		poll(NULL, 0, 5);  /* the login's task has reached the hash */
		clock_gettime(CLOCK_MONOTONIC, &tb0);
		ck_assert(write(b, hz, sizeof hz - 1) == (ssize_t)(sizeof hz - 1));
		ck_assert(read_reply(b, reply[0], sizeof reply[0], 5000));
		clock_gettime(CLOCK_MONOTONIC, &tb1);
		ck_assert(strncmp(reply[0], "HTTP/1.1 200", 12) == 0);
		ck_assert(read_reply(a, reply[1], sizeof reply[1], 10000));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ck_assert_msg(strncmp(reply[1], "HTTP/1.1 200", 12) == 0, "%s", reply[1]);
		ck_assert_ptr_nonnull(strstr(reply[1], "\"token\""));
		login_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		health_ms = (double)(tb1.tv_sec - tb0.tv_sec) * 1e3 + (double)(tb1.tv_nsec - tb0.tv_nsec) / 1e6;
		ck_assert_msg(health_ms < login_ms / 3, "healthz took %.1f ms during a %.1f ms login: "
			      "the loop waited for the hash", health_ms, login_ms);
		close(a);
		close(b);
	}

	/* SIGTERM with the stream still open: it ends, and the server exits 0 */
	ck_assert_int_eq(testsrv_stop(&s2), 0);
	close(live.fd);
	free(staff);
	free(beta_key);
}
END_TEST

/* The loops keep libmicrohttpd's clock: an idle connection is closed after
 * --timeout, a busy one is not; and they stop cleanly under requests. */
START_TEST(test_idle_timeout)
{
	const char *extra[] = { "--timeout", "1", NULL };
	struct testsrv s3;
	char buf[256];
	struct pollfd p;
	int idle, busy, n;

	testsrv_start(&s3, db, extra);
	idle = testnet_connect(s3.port);
	busy = testnet_connect(s3.port);
	for (int i = 0; i < 6; i++) {  /* 1.8 s of requests, one every 0.3 s */
		const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
		static char reply[4096];

		ck_assert(write(busy, req, sizeof req - 1) == (ssize_t)(sizeof req - 1));
		ck_assert_msg(read_reply(busy, reply, sizeof reply, 5000), "busy: %s", reply);
		ck_assert(strncmp(reply, "HTTP/1.1 200", 12) == 0);
		poll(NULL, 0, 300);
	}
	p = (struct pollfd){ .fd = idle, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	n = (int)read(idle, buf, sizeof buf);
	ck_assert_int_eq(n, 0);  /* closed, without a reply */
	close(idle);

	/* stopping: a request on a kept-alive connection gets 503 and a close
	 * (or finds the connection closed), and the server exits 0 */
	kill(s3.pid, SIGTERM);
	for (int i = 0; i < 20; i++) {
		char req[512];
		static char reply[4096];
		int k = snprintf(req, sizeof req, "GET /api/tenants/%s HTTP/1.1\r\nHost: x\r\n"
				 "Authorization: Bearer %s\r\n\r\n", alpha, key_read);

		if (write(busy, req, (size_t)k) != k || !read_reply(busy, reply, sizeof reply, 5000))
			break;  /* closed */
		ck_assert_msg(strncmp(reply, "HTTP/1.1 200", 12) == 0
			      || (strncmp(reply, "HTTP/1.1 503", 12) == 0
				  && strcasestr(reply, "Connection: close")), "%s", reply);
	}
	close(busy);
	ck_assert_int_eq(testsrv_stop(&s3), 0);
}
END_TEST

/* Connection limits hold for the server, not per loop: with two loops and
 * --max-per-ip 3, a fourth connection from the address is refused, and a
 * place that frees up is taken again. (A refused connection is answered
 * 503, and /healthz stays reachable on it: the probe is an API route,
 * answered 401 without a token when the connection was taken.) */
static bool
served(int fd)
{
	const char req[] = "GET /api/tiers HTTP/1.1\r\nHost: x\r\n\r\n";
	static char reply[4096];

	return write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)
		&& read_reply(fd, reply, sizeof reply, 3000)
		&& strncmp(reply, "HTTP/1.1 401", 12) == 0;
}

START_TEST(test_connection_limits)
{
	const char *extra[] = { "--threads", "2", "--max-per-ip", "3", NULL };
	struct testsrv s4;
	int fds[3], extra_fd;
	bool again = false;

	testsrv_start(&s4, db, extra);
	for (int round = 0; round < 3; round++) {  /* the loops accept in any order */
		for (int i = 0; i < 3; i++) {
			fds[i] = testnet_connect(s4.port);
			ck_assert_msg(served(fds[i]), "connection %d of 3 refused", i + 1);
		}
		extra_fd = testnet_connect(s4.port);
		ck_assert_msg(!served(extra_fd), "a fourth connection was served");
		close(extra_fd);
		close(fds[0]);
		for (int i = 0; i < 40 && !again; i++) {  /* until the server saw the close */
			int fd = testnet_connect(s4.port);

			again = served(fd);
			if (again)
				fds[0] = fd;
			else
				close(fd), poll(NULL, 0, 50);
		}
		ck_assert_msg(again, "the freed place was not taken again");
		again = false;
		for (int i = 0; i < 3; i++)
			close(fds[i]);
		poll(NULL, 0, 100);  /* the closes reach the server */
	}
	ck_assert_int_eq(testsrv_stop(&s4), 0);
}
END_TEST

/* One request with a header line of pad bytes on its own connection; the
 * status line's code, or 0 if the connection closed without one. */
static int
padded_request(const char *path, const char *token, size_t pad)
{
	size_t cap = pad + 1024, n;
	char *req = malloc(cap), reply[8192];
	int status = 0, fd;

	ck_assert_ptr_nonnull(req);
	n = (size_t)snprintf(req, cap, "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
			     "%s\r\nX-Pad: ", path, token);
	memset(req + n, 'p', pad);
	n += pad;
	n += (size_t)snprintf(req + n, cap - n, "\r\n\r\n");
	fd = testnet_connect(srv.port);
	/* the server may answer 431 and close before it has read all: a
	 * short write or EPIPE is fine, the reply is what counts */
	(void)send(fd, req, n, MSG_NOSIGNAL);
	read_reply(fd, reply, sizeof reply, 5000);
	sscanf(reply, "HTTP/1.1 %d", &status);
	close(fd);
	free(req);
	return status;
}

/* The per-connection memory holds a request's headers: a 12 KB header
 * (a large cookie, say) is served; one over the limit is refused with 431
 * and the server goes on serving. */
START_TEST(test_large_headers)
{
	char path[128];

	snprintf(path, sizeof path, "/api/tenants/%s", alpha);
	ck_assert_int_eq(padded_request(path, admin, 12000), 200);
	ck_assert_int_eq(padded_request(path, admin, 200000), 431);
	ck_assert_int_eq(padded_request(path, admin, 10), 200);
}
END_TEST

/* Opening a database session blocks in libpq for as long as the server
 * takes to answer, up to connect_timeout; tenantryd does it on a helper
 * thread, so the loop serves meanwhile. The conninfo names first an
 * address that accepts TCP and never answers (connect_timeout=2 moves on
 * to the real server, after one to two seconds: libpq counts whole
 * seconds), so every session is that slow to open. */
START_TEST(test_session_opens_off_the_loop)
{
	const char *extra[] = { "--threads", "1", "--db-pool", "4", NULL };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int mute = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), fds[3];
	static const char hz[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct testsrv s5;
	struct timespec t0;
	char conninfo[512], req[256], reply[4096];
	long waited;
	int h;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert(bind(mute, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(mute, 16) == 0);
	ck_assert(getsockname(mute, (struct sockaddr *)&sa, &len) == 0);
	ck_assert(getenv("TENANTRY_TEST_HOST") && getenv("TENANTRY_TEST_PORT"));
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1,%s port=%d,%s dbname=%s "
		 "connect_timeout=2", getenv("TENANTRY_TEST_HOST"), ntohs(sa.sin_port),
		 getenv("TENANTRY_TEST_PORT"), db);
	testsrv_start(&s5, conninfo, extra);
	/* three readiness checks at once: each pings the database on a
	 * session of its own; the pool has one open, so two are opened */
	for (int i = 0; i < 3; i++) {
		int n = snprintf(req, sizeof req, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

		fds[i] = testnet_connect(s5.port);
		ck_assert(write(fds[i], req, (size_t)n) == n);
	}
	poll(NULL, 0, 300);  /* the sessions are opening */
	h = testnet_connect(s5.port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(write(h, hz, sizeof hz - 1) == (ssize_t)(sizeof hz - 1));
	ck_assert_msg(read_reply(h, reply, sizeof reply, 5000) && strstr(reply, "\"ok\""),
		      "no /healthz reply: %s", reply);
	waited = test_ms_since(&t0);
	ck_assert_msg(waited < 1000, "/healthz waited %ld ms for sessions being opened", waited);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(read_reply(fds[i], reply, sizeof reply, 10000)
			      && strstr(reply, "\"ready\""), "request %d: %s", i, reply);
		close(fds[i]);
	}
	close(h);
	close(mute);
	ck_assert_int_eq(testsrv_stop(&s5), 0);
}
END_TEST

START_TEST(test_every_route_documented)
{
	FILE *f = fopen("docs/openapi.yaml", "r");
	char line[512], path[256] = "";
	int found[ROUTE_COUNT] = { 0 }, ops = 0;

	ck_assert_msg(f, "docs/openapi.yaml is missing");
	while (fgets(line, sizeof line, f)) {
		char method[16];
		bool matched = false;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
			snprintf(path, sizeof path, "%.*s", (int)strlen(line) - 3, line + 2);
			continue;
		}
		if (strncmp(line, "    ", 4) != 0 || line[4] == ' ' || !path[0]
		    || sscanf(line + 4, "%15[a-z]:", method) != 1
		    || line[4 + strlen(method)] != ':' || line[5 + strlen(method)] != '\0')
			continue;
		if (strcmp(method, "get") && strcmp(method, "post") && strcmp(method, "put")
		    && strcmp(method, "delete") && strcmp(method, "patch"))
			continue;
		for (char *m = method; *m; m++)
			*m = (char)(*m - 'a' + 'A');
		for (int r = 0; r < ROUTE_COUNT; r++)
			if (!strcmp(route_pattern(r), path) && !strcmp(route_method(r), method)) {
				found[r]++;
				matched = true;
			}
		ck_assert_msg(matched, "the spec has %s %s, which the server does not serve",
			      method, path);
		ops++;
	}
	fclose(f);
	for (int r = 0; r < ROUTE_COUNT; r++)
		ck_assert_msg(found[r] == 1, "%s %s is %s in docs/openapi.yaml", route_method(r),
			      route_pattern(r), found[r] ? "twice" : "not");
	ck_assert_int_eq(ops, ROUTE_COUNT);
}
END_TEST

START_TEST(test_route_matching)
{
	struct route_match m;

	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/current"), 0);
	ck_assert_int_eq(m.id, ROUTE_TENANT_CURRENT);
	/* an encoded slash is part of the parameter, never a separator */
	ck_assert_int_eq(route_find(&m, "PUT", "/api/tenants/acme/settings/a%2Fb"), 0);
	ck_assert_int_eq(m.id, ROUTE_SETTING_PUT);
	ck_assert_str_eq(route_param(&m, "key"), "a/b");
	ck_assert_int_eq(route_find(&m, "POST", "/api/tenants/ac%20me/invitations/xy/resend"), 0);
	ck_assert_int_eq(m.id, ROUTE_INVITATION_RESEND);
	ck_assert_str_eq(route_param(&m, "id"), "ac me");
	ck_assert_str_eq(route_param(&m, "inv"), "xy");
	ck_assert_ptr_null(route_param(&m, "user"));
	ck_assert_int_eq(route_find(&m, "PATCH", "/api/tenants/acme"), -1);
	ck_assert(m.path_known);
	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/acme/bogus"), -1);
	ck_assert(!m.path_known);
	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/%zz"), -1);
	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/"), 0);
	ck_assert_int_eq(m.id, ROUTE_TENANTS_LIST);
}
END_TEST

static int
sh(const char *fmt, const char *arg)
{
	char cmd[2048];

	snprintf(cmd, sizeof cmd, fmt, arg, arg);
	return system(cmd);
}

/* The database goes away: 503 and a failing /readyz, then it comes back
 * and the same server answers again without a restart. */
START_TEST(test_database_restart)
{
	char conninfo[768], pwfile[600], *out = NULL, *tok;
	struct testcluster pgc = { 0 };
	struct testsrv s2;
	FILE *f;

	testcluster_start(&pgc, "restart-pg");
	snprintf(pwfile, sizeof pwfile, "%s.pw", pgc.dir);
	f = fopen(pwfile, "w");
	fputs(PW "\n", f);
	fclose(f);
	ck_assert_int_eq(testcli_run(NULL, NULL, (const char *const[]){ "--db", pgc.conninfo,
			 "staff", "add", "ops@restart.test", "--role", "oncall",
			 "--password-file", pwfile, NULL }), 0);
	snprintf(conninfo, sizeof conninfo, "host=%s/run port=%d dbname=postgres", pgc.dir,
		 pgc.port);
	testsrv_start(&s2, conninfo, NULL);
	tok = testsrv_login(&s2, "ops@restart.test", PW, NULL);
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(testhttp(&s2, "GET", "/api/tenants", tok, NULL, NULL), 200);

	testcluster_stop(&pgc);
	ck_assert_int_eq(testhttp(&s2, "GET", "/api/tenants", tok, NULL, &out), 503);
	ck_assert_ptr_nonnull(strstr(out, "\"code\":\"unavailable\""));
	free(out);
	ck_assert_int_eq(testhttp(&s2, "GET", "/readyz", NULL, NULL, NULL), 503);
	ck_assert_int_eq(testhttp(&s2, "GET", "/healthz", NULL, NULL, NULL), 200);

	testcluster_start(&pgc, "restart-pg");
	ck_assert_int_eq(testhttp(&s2, "GET", "/readyz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testhttp(&s2, "GET", "/api/tenants", tok, NULL, NULL), 200);
	free(tok);
	testsrv_stop(&s2);
	testcluster_stop(&pgc);
}
END_TEST

START_TEST(test_options)
{
	const char *bin = getenv("TENANTRY_SERVER_BIN");
	char cmd[1024];

	ck_assert_ptr_nonnull(bin);
	ck_assert_int_eq(sh("%s --help | grep -q -- '--jwt-public-key'", bin), 0);
	ck_assert_int_eq(sh("%s --version | grep -q '^tenantryd [0-9]'", bin), 0);
	snprintf(cmd, sizeof cmd, "%s --bogus 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 64);
	snprintf(cmd, sizeof cmd, "%s --db x --listen nowhere 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 64);
	snprintf(cmd, sizeof cmd, "%s --db x --db-pool 0 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 64);
	/* no key: refuses to start rather than accept unsigned tokens */
	snprintf(cmd, sizeof cmd, "%s --db x 2>&1 | grep -q 'jwt-secret-file'", bin);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *
suite_rest(void)
{
	Suite *s = suite_create("rest");
	TCase *tc = tcase_create("server");
	TCase *unit = tcase_create("static");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_seed_create_and_usage);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_permission_matrix);
	tcase_add_test(tc, test_other_tenant_is_not_found);
	tcase_add_test(tc, test_view_as_tenant);
	tcase_add_test(tc, test_jwt_rejections);
	tcase_add_test(tc, test_rs256_and_algorithm_confusion);
	tcase_add_test(tc, test_revocation);
	tcase_add_test(tc, test_login_and_totp);
	tcase_add_test(tc, test_rate_limit_and_quota);
	tcase_add_test(tc, test_audit_stream);
	tcase_add_test(tc, test_one_loop_many_requests);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_connection_limits);
	tcase_add_test(tc, test_large_headers);
	tcase_add_test(tc, test_session_opens_off_the_loop);
	suite_add_tcase(s, tc);
	tcase_add_test(unit, test_every_route_documented);
	tcase_add_test(unit, test_route_matching);
	tcase_add_test(unit, test_options);
	suite_add_tcase(s, unit);
	{
		TCase *restart = tcase_create("restart");

		tcase_set_timeout(restart, 120);
		tcase_add_test(restart, test_database_restart);
		suite_add_tcase(s, restart);
	}
	return s;
}
