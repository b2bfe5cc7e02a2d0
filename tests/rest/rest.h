/* rest.h - the fixture of the REST suites (test_rest.c, test_rest_auth.c,
 * test_rest_loop.c): a real tenantryd over a fresh database with staff,
 * two tenants, members of every role and API keys, and the helpers that
 * call it. Each suite that includes it has a server of its own. */
#ifndef TENANTRY_TEST_REST_H
#define TENANTRY_TEST_REST_H

#include <check.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define PW "correct horse battery"

/* The suite's database and tenantryd; staff tokens (platform_admin,
 * support, oncall); tenants alpha-labs (professional) and beta-works
 * (basic) by id; members of alpha-labs by role and two of its API keys;
 * the server's HS256 secret. */
static struct testsrv srv;
static const char *db;
static char *platform, *support, *oncall;
static char *admin, *manager, *member, *viewer; /* of alpha-labs */
static char *key_read, *key_users;              /* alpha-labs keys */
static char alpha[ID_LEN], beta[ID_LEN];
static char secret[128];
/* Extra tenantryd arguments of the suite (NULL-terminated; NULL: none). */
static const char *const *srv_extra;

/* A JWT with claims_json, signed with key by alg (kid when not NULL). */
static inline char *
forge(const char *alg_name, jwt_alg_t alg, const unsigned char *key, int keylen, const char *kid,
      const char *claims_json)
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

/* Calls and checks the status; returns the parsed body (or NULL). */
static inline json_t *
call(int want, const char *method, const char *path, const char *token, const char *body)
{
	char *out = NULL;
	int st = testhttp(&srv, method, path, token, body, &out);
	json_t *j;

	ck_assert_msg(st == want, "%s %s: status %d, wanted %d: %s", method, path, st, want,
		      out ? out : "");
	j = out && *out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	return j;
}

static inline const char *
jstr(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	ck_assert_msg(json_is_string(v), "no string %s", key);
	return json_string_value(v);
}

static inline void
check_problem(json_t *j, int status, const char *code)
{
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(jstr(j, "code"), code);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), status);
	ck_assert_str_eq(jstr(j, "type"), "about:blank");
}

static inline char *
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

static inline char *
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

static inline void
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
	/* the first admin accepts the invitation the tenant was created with */
	snprintf(body, sizeof body,
		 "{\"token\":\"%s\",\"full_name\":\"Admin\",\"password\":\"%s\"}",
		 jstr(json_object_get(t, "invitation"), "token"), PW);
	json_decref(call(200, "POST", "/api/invitations/accept", NULL, body));
	json_decref(t);
}

/* The fixture, once for a suite's "server" case: the server, the staff,
 * the tenants, the members and the keys above. */
static inline void
setup(void)
{
	db = testdb_create();
	testsrv_start(&srv, db, srv_extra);
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

static inline void
teardown(void)
{
	char **tokens[] = { &platform, &support, &oncall,   &admin,    &manager,
			    &member,   &viewer,  &key_read, &key_users };

	testsrv_stop(&srv);
	for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
		free(*tokens[i]);
		*tokens[i] = NULL;
	}
}

#endif
