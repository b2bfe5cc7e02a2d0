/* test_rest_auth.c - who tenantryd lets in, end to end on a real server:
 * forged JWTs refused (alg none, wrong key, expired, not yet valid, wrong
 * issuer or audience, unknown kid, another algorithm), RS256 and algorithm
 * confusion, revocation of tokens and keys (role change, revoked user
 * time, deleted key, suspended tenant), login and TOTP. */
#include <check.h>
#include <jansson.h>
#include <jwt.h>
#include <oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rest.h"

/* ---- tokens ---------------------------------------------------------------------- */

static char *
claims(const char *sub, long exp_delta, long nbf_delta, const char *iss, const char *aud,
       const char *extra)
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
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
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
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	dot = strchr(t, '.');
	snprintf(none, sizeof none, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0%.*s.",
		 (int)(strrchr(t, '.') - dot), dot);
	expect_401(none, "alg none");
	free(t);
	/* wrong key */
	t = forge("HS256", JWT_ALG_HS256,
		  (const unsigned char *)"another secret of thirty-two bytes!!", 36, NULL,
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "wrong key");
	free(t);
	/* expired, beyond the leeway */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, -120, 0, "tenantry", "tenantry-api", NULL));
	expect_401(t, "expired");
	free(t);
	/* not valid yet */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 600, 300, "tenantry", "tenantry-api", NULL));
	expect_401(t, "future nbf");
	free(t);
	/* wrong issuer, wrong audience */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 600, 0, "evil", "tenantry-api", NULL));
	expect_401(t, "wrong iss");
	free(t);
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 600, 0, "tenantry", "other-api", NULL));
	expect_401(t, "wrong aud");
	free(t);
	/* no exp at all; a float exp */
	t = forge("HS256", JWT_ALG_HS256, key, klen, NULL,
		  claims(sub, 0, 0, "tenantry", "tenantry-api", NULL));
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
	t = forge("HS384", JWT_ALG_HS384, key, klen, NULL,
		  claims(sub, 600, 0, "tenantry", "tenantry-api", NULL));
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
	json_decref(
	    call(200, "POST", "/api/tenants/gamma-suspended/status/suspended", platform, NULL));
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
				    "(SELECT id FROM tenantry.tenants WHERE slug = 'beta-works')"),
			 0);
	/* several tenants: the login names one; a login is an entry on the
	 * chain of the tenant it opened */
	tok = invite_and_login("beta-works", "viewer@alpha.test", "viewer");
	free(tok);
	ck_assert_int_eq(testdb_int(c, logins, "viewer@alpha.test", "user",
				    "(SELECT id FROM tenantry.tenants WHERE slug = 'beta-works')"),
			 1);
	j = call(422, "POST", "/api/auth/login", NULL,
		 "{\"email\":\"viewer@alpha.test\",\"password\":\"" PW "\"}");
	ck_assert_str_eq(jstr(j, "field"), "tenant");
	ck_assert_int_eq(json_array_size(json_object_get(j, "tenants")), 2);
	json_decref(j);

	/* TOTP enrolment for a staff account */
	tok = testsrv_staff_token(&srv, "mfa@ops.test", "support");
	j = call(200, "POST", "/api/auth/totp", tok, "{}");
	ck_assert(
	    strncmp(jstr(j, "otpauth_uri"), "otpauth://totp/tenantry:mfa@ops.test?secret=", 44)
	    == 0);
	b32 = strdup(jstr(j, "secret"));
	json_decref(j);
	ck_assert(oath_init() == OATH_OK);
	ck_assert(oath_base32_decode(b32, strlen(b32), &raw, &rawlen) == OATH_OK);
	/* a wrong code does not turn it on */
	json_decref(call(422, "POST", "/api/auth/totp/confirm", tok, "{\"code\":\"000000\"}"));
	ck_assert(oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	j = call(200, "POST", "/api/auth/totp/confirm", tok, body);
	/* confirming shows the recovery codes once */
	ck_assert_int_eq(json_array_size(json_object_get(j, "recovery_codes")), 10);
	json_decref(j);
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
				    "'00000000-0000-0000-0000-000000000000'"),
			 2);
	PQfinish(c);
	free(raw);
	free(b32);
	free(tok);
	free(out);
	oath_done();
}
END_TEST

Suite *
suite_rest_auth(void)
{
	Suite *s = suite_create("rest_auth");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_jwt_rejections);
	tcase_add_test(tc, test_rs256_and_algorithm_confusion);
	tcase_add_test(tc, test_revocation);
	tcase_add_test(tc, test_login_and_totp);
	suite_add_tcase(s, tc);
	return s;
}
