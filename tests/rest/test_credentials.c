/* test_credentials.c - every user can sign in and get a credential back,
 * end to end on real servers: a created tenant's first admin accepts the
 * invitation and signs in; an existing user invited to a second tenant
 * keeps the password; password reset (old tokens end, single use, expiry,
 * no account enumeration); the password policy; sign-in throttling across
 * two tenantryd on one database, audited; recovery codes; staff resets of
 * the second factor; signing out everywhere. */
#include <check.h>
#include <jansson.h>
#include <oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rest.h"

#define NEW_PW "a new and longer passphrase"

static json_t *
login_json(const struct testsrv *s, int want, const char *email, const char *pw, const char *totp,
	   const char *tenant)
{
	json_t *req = json_pack("{s:s, s:s}", "email", email, "password", pw);
	char *body, *out = NULL;
	json_t *j;
	int st;

	if (totp)
		json_object_set_new(req, "totp", json_string(totp));
	if (tenant)
		json_object_set_new(req, "tenant", json_string(tenant));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	st = testhttp(s, "POST", "/api/auth/login", NULL, body, &out);
	ck_assert_msg(st == want, "login %s: %d, wanted %d: %s", email, st, want, out ? out : "");
	j = out && *out ? json_loads(out, 0, NULL) : NULL;
	free(body);
	free(out);
	return j;
}

/* Accepts invitation token as a new account with password pw. */
static void
accept(const char *token, const char *pw, int want)
{
	char body[512];

	snprintf(body, sizeof body, "{\"token\":\"%s\",\"full_name\":\"N\",\"password\":\"%s\"}",
		 token, pw);
	json_decref(call(want, "POST", "/api/invitations/accept", NULL, body));
}

START_TEST(test_first_admin_signs_in)
{
	json_t *t, *inv;
	char *tok;
	PGconn *c = testdb_connect(db, NULL);

	t = call(
	    201, "POST", "/api/tenants", platform,
	    "{\"name\":\"Gamma Co\",\"admin_email\":\"first@gamma.test\",\"subscription_tier\":"
	    "\"basic\"}");
	inv = json_object_get(t, "invitation");
	ck_assert_msg(inv, "no invitation in the reply");
	ck_assert(strncmp(jstr(inv, "token"), "tni_", 4) == 0);
	ck_assert_str_eq(jstr(inv, "role"), "admin");
	/* no account without a password was made */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.users WHERE "
				       "password_hash IS NULL AND staff_role = 'none'"),
			 0);
	/* a new account's password is held to the policy, naming the field */
	accept(jstr(inv, "token"), "short", 422);
	accept(jstr(inv, "token"), "qwertyuiop123", 422);
	accept(jstr(inv, "token"), PW, 200);
	tok = testsrv_login(&srv, "first@gamma.test", PW, NULL);
	ck_assert_msg(tok, "the first admin cannot sign in");
	json_decref(call(200, "GET", "/api/tenants/current", tok, NULL));
	free(tok);
	/* an existing account named as admin: the invitation's consent rules */
	json_decref(t);
	t = call(
	    201, "POST", "/api/tenants", platform,
	    "{\"name\":\"Delta Co\",\"admin_email\":\"viewer@alpha.test\",\"subscription_tier\":"
	    "\"basic\"}");
	inv = json_object_get(t, "invitation");
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.tenant_users tu JOIN "
				       "tenantry.tenants t ON t.id = tu.tenant_id WHERE t.slug = "
				       "'delta-co'"),
			 0);
	accept(jstr(inv, "token"), "someone else's guess 123", 401);
	accept(jstr(inv, "token"), PW, 200);
	tok = testsrv_login(&srv, "viewer@alpha.test", PW, "delta-co");
	ck_assert_msg(tok, "the existing account did not gain the tenant");
	free(tok);
	json_decref(t);
	PQfinish(c);
}
END_TEST

START_TEST(test_existing_user_second_tenant)
{
	char body[512];
	json_t *inv;
	char *tok;

	inv = call(201, "POST", "/api/tenants/beta-works/invitations", platform,
		   "{\"email\":\"member@alpha.test\",\"role\":\"member\"}");
	/* the existing account consents with its own password and keeps it */
	snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", jstr(inv, "token"),
		 PW);
	json_decref(call(200, "POST", "/api/invitations/accept", NULL, body));
	json_decref(inv);
	tok = testsrv_login(&srv, "member@alpha.test", PW, "beta-works");
	ck_assert_msg(tok, "no sign-in to the second tenant");
	free(tok);
	tok = testsrv_login(&srv, "member@alpha.test", PW, "alpha-labs");
	ck_assert_msg(tok, "the first tenant was lost");
	free(tok);
}
END_TEST

static json_t *
confirm(int want, const char *token, const char *pw)
{
	char body[512];

	snprintf(body, sizeof body, "{\"token\":\"%s\",\"password\":\"%s\"}", token, pw);
	return call(want, "POST", "/api/auth/password-reset/confirm", NULL, body);
}

START_TEST(test_password_reset)
{
	PGconn *c = testdb_connect(db, NULL);
	const char *resets = "SELECT count(*) FROM tenantry.password_resets";
	char *old, *tok, token[128];
	json_t *r, *p;
	long long n;

	old = invite_and_login("alpha-labs", "reset@alpha.test", "member");
	/* a request answers 202 whether or not the account exists, and makes
	 * nothing for an unknown one */
	n = testdb_int(c, "%s", resets);
	json_decref(call(202, "POST", "/api/auth/password-reset", NULL,
			 "{\"email\":\"nobody@nowhere.test\"}"));
	ck_assert_int_eq(testdb_int(c, "%s", resets), n);
	/* five an hour at most: more requests make nothing more */
	for (int i = 0; i < 7; i++)
		json_decref(call(202, "POST", "/api/auth/password-reset", NULL,
				 i % 2 ? "{\"email\":\"Reset@alpha.test\"}"
				       : "{\"email\":\"reset@alpha.test\"}"));
	ck_assert_int_eq(testdb_int(c, "%s", resets), n + 5);
	/* staff issue one (audited) and see it once; on-call may not */
	json_decref(call(403, "POST", "/api/users/reset@alpha.test/password-reset", oncall, "{}"));
	/* support acts on users' accounts only: a staff account is unknown to it */
	json_decref(call(404, "POST", "/api/users/root@ops.test/password-reset", support, "{}"));
	json_decref(call(404, "POST", "/api/users/root@ops.test/mfa-reset", support, "{}"));
	json_decref(call(404, "POST", "/api/users/root@ops.test/sign-out", support, "{}"));
	r = call(201, "POST", "/api/users/reset@alpha.test/password-reset", support, "{}");
	snprintf(token, sizeof token, "%s", jstr(r, "token"));
	ck_assert(strncmp(token, "tnr_", 4) == 0);
	ck_assert_str_eq(jstr(r, "email"), "reset@alpha.test");
	json_decref(r);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
				       "'user.password_reset_issue' AND actor = 'help@ops.test'"),
			 1);
	json_decref(
	    call(404, "POST", "/api/users/nobody@nowhere.test/password-reset", platform, "{}"));
	/* the policy, naming the field; nothing spent */
	p = confirm(422, token, "short");
	ck_assert_str_eq(jstr(p, "field"), "password");
	json_decref(p);
	p = confirm(422, token, "Password123456!");
	ck_assert_str_eq(jstr(p, "field"), "password");
	json_decref(p);
	json_decref(call(200, "GET", "/api/tenants/current", old, NULL));
	json_decref(confirm(204, token, NEW_PW));
	/* older tokens end, the old password is gone, the new one works */
	json_decref(call(401, "GET", "/api/tenants/current", old, NULL));
	json_decref(login_json(&srv, 401, "reset@alpha.test", PW, NULL, NULL));
	tok = testsrv_login(&srv, "reset@alpha.test", NEW_PW, NULL);
	ck_assert_msg(tok, "the new password does not sign in");
	json_decref(call(200, "GET", "/api/tenants/current", tok, NULL));
	free(tok);
	/* single use; an expired or unknown token is refused */
	json_decref(confirm(410, token, "yet another passphrase"));
	r = call(201, "POST", "/api/users/reset@alpha.test/password-reset", platform, "{}");
	snprintf(token, sizeof token, "%s", jstr(r, "token"));
	json_decref(r);
	testdb_exec(c, "UPDATE tenantry.password_resets SET expires_at = now() - interval '1 "
		       "second' WHERE used_at IS NULL");
	json_decref(confirm(410, token, "yet another passphrase"));
	json_decref(confirm(404, "tnr_not-a-token", "yet another passphrase"));
	tok = testsrv_login(&srv, "reset@alpha.test", NEW_PW, NULL);
	ck_assert_msg(tok, "a refused reset changed the password");
	free(tok);
	free(old);
	PQfinish(c);
}
END_TEST

/* The Retry-After of a 429 login (the test fails on another status). */
static long
login_429(const struct testsrv *s, const char *body)
{
	char *out = NULL, *hdrs = NULL, *h;
	int st = testhttp_full(s, "POST", "/api/auth/login", NULL, NULL, body, strlen(body), &out,
			       &hdrs);
	long v = -1;

	ck_assert_msg(st == 429, "wanted 429, got %d: %s", st, out ? out : "");
	if (hdrs && (h = strcasestr(hdrs, "\nRetry-After:")))
		v = strtol(h + 13, NULL, 10);
	free(out);
	free(hdrs);
	return v;
}

START_TEST(test_throttle_across_instances)
{
	struct testsrv two;
	PGconn *c = testdb_connect(db, NULL);
	const char *wrong = "{\"email\":\"throttle@alpha.test\",\"password\":\"not the password\"}";
	const char *right = "{\"email\":\"throttle@alpha.test\",\"password\":\"" PW "\"}";
	long wait;
	char *tok;

	free(invite_and_login("alpha-labs", "throttle@alpha.test", "member"));
	testsrv_start(&two, db, NULL);
	/* ten wrong passwords spread over both instances */
	for (int i = 0; i < 10; i++) {
		char *out = NULL;

		ck_assert_int_eq(
		    testhttp(i % 2 ? &two : &srv, "POST", "/api/auth/login", NULL, wrong, &out),
		    401);
		free(out);
	}
	wait = login_429(&srv, wrong);
	ck_assert_int_gt(wait, 0);
	ck_assert_int_le(wait, 900);
	/* the right password is refused too, on either instance */
	ck_assert_int_gt(login_429(&two, right), 0);
	ck_assert_int_gt(login_429(&srv, right), 0);
	/* each failure is in the audit log, on the member's tenant's chain */
	ck_assert_int_eq(testdb_int(c,
				    "SELECT count(*) FROM tenantry.audit_log WHERE action = "
				    "'auth.login_failed' AND actor = 'throttle@alpha.test' AND "
				    "tenant_id = '%s' AND new->>'reason' = 'wrong_password'",
				    alpha),
			 10);
	/* an unknown account's failure goes to the platform's chain */
	json_decref(login_json(&two, 401, "ghost@nowhere.test", "whatever it is", NULL, NULL));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
				       "'auth.login_failed' AND actor = 'ghost@nowhere.test' AND "
				       "tenant_id = '00000000-0000-0000-0000-000000000000'"),
			 1);
	/* an account id or free text is no address: signs nobody in, not audited */
	json_decref(login_json(&two, 401, "5d0c4a4e-1111-4222-8333-944455556666", "x", NULL, NULL));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log WHERE actor = "
				       "'5d0c4a4e-1111-4222-8333-944455556666'"),
			 0);
	/* once the window has passed, the right password works again */
	testdb_exec(c, "UPDATE tenantry.login_throttle SET window_start = now() - interval '1 "
		       "hour', blocked_until = now() - interval '1 second'");
	tok = testsrv_login(&two, "throttle@alpha.test", PW, NULL);
	ck_assert_msg(tok, "still refused after the window");
	free(tok);
	/* blocked again; staff lift the block (audited), on-call may not */
	for (int i = 0; i < 10; i++)
		json_decref(login_json(i % 2 ? &two : &srv, 401, "throttle@alpha.test",
				       "not the password", NULL, NULL));
	ck_assert_int_gt(login_429(&two, right), 0);
	json_decref(call(403, "POST", "/api/users/throttle@alpha.test/unlock", oncall, "{}"));
	json_decref(call(204, "POST", "/api/users/throttle@alpha.test/unlock", support, "{}"));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
				       "'user.sign_in_unlock' AND new->>'failures' = '10'"),
			 1);
	tok = testsrv_login(&two, "throttle@alpha.test", PW, NULL);
	ck_assert_msg(tok, "still refused after staff lifted the block");
	free(tok);
	json_decref(call(404, "POST", "/api/users/nobody@nowhere.test/unlock", support, "{}"));
	testsrv_stop(&two);
	PQfinish(c);
}
END_TEST

/* Enrols TOTP for the staff account of tok; the recovery codes in codes. */
static void
enrol(const char *tok, char codes[10][16])
{
	char *raw = NULL, code[8], body[64];
	size_t rawlen;
	json_t *j, *arr;

	j = call(200, "POST", "/api/auth/totp", tok, "{}");
	ck_assert(oath_base32_decode(jstr(j, "secret"), strlen(jstr(j, "secret")), &raw, &rawlen)
		  == OATH_OK);
	json_decref(j);
	ck_assert(oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	j = call(200, "POST", "/api/auth/totp/confirm", tok, body);
	arr = json_object_get(j, "recovery_codes");
	ck_assert_int_eq(json_array_size(arr), 10);
	for (int i = 0; i < 10; i++)
		snprintf(codes[i], 16, "%s", json_string_value(json_array_get(arr, (size_t)i)));
	json_decref(j);
	free(raw);
}

START_TEST(test_recovery_codes_and_mfa_reset)
{
	PGconn *c = testdb_connect(db, NULL);
	char codes[10][16], *tok;
	json_t *j;

	ck_assert(oath_init() == OATH_OK);
	tok = testsrv_staff_token(&srv, "mfa2@ops.test", "support");
	enrol(tok, codes);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.mfa_recovery_codes m JOIN "
				       "tenantry.users u ON u.id = m.user_id WHERE u.email = "
				       "'mfa2@ops.test'"),
			 10);
	/* a recovery code in place of a TOTP code works once */
	j = login_json(&srv, 200, "mfa2@ops.test", PW, codes[3], NULL);
	ck_assert_str_eq(jstr(j, "kind"), "staff");
	json_decref(j);
	json_decref(login_json(&srv, 401, "mfa2@ops.test", PW, codes[3], NULL));
	json_decref(login_json(&srv, 401, "mfa2@ops.test", PW, "zzzzz-zzzzz", NULL));
	/* new codes on request replace the old ones */
	j = call(200, "POST", "/api/auth/recovery-codes", tok, "{}");
	ck_assert_int_eq(json_array_size(json_object_get(j, "recovery_codes")), 10);
	json_decref(j);
	json_decref(login_json(&srv, 401, "mfa2@ops.test", PW, codes[4], NULL));
	/* staff reset the second factor, audited; on-call may not */
	json_decref(call(403, "POST", "/api/users/mfa2@ops.test/mfa-reset", oncall, "{}"));
	json_decref(call(204, "POST", "/api/users/mfa2@ops.test/mfa-reset", platform, "{}"));
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
				       "'user.mfa_reset' AND actor = 'root@ops.test' AND "
				       "tenant_id = '00000000-0000-0000-0000-000000000000'"),
			 1);
	json_decref(login_json(&srv, 200, "mfa2@ops.test", PW, NULL, NULL));
	/* without a second factor there is nothing to recover */
	json_decref(call(409, "POST", "/api/auth/recovery-codes", tok, "{}"));
	free(tok);
	PQfinish(c);
	oath_done();
}
END_TEST

START_TEST(test_sign_out_everywhere)
{
	char *one, *two;

	one = invite_and_login("alpha-labs", "away@alpha.test", "member");
	two = testsrv_login(&srv, "away@alpha.test", PW, NULL);
	ck_assert_ptr_nonnull(two);
	/* by the user: every token ends, the one used too */
	json_decref(call(204, "POST", "/api/auth/sign-out-everywhere", one, "{}"));
	json_decref(call(401, "GET", "/api/tenants/current", one, NULL));
	json_decref(call(401, "GET", "/api/tenants/current", two, NULL));
	free(one);
	free(two);
	/* by staff */
	one = testsrv_login(&srv, "away@alpha.test", PW, NULL);
	json_decref(call(200, "GET", "/api/tenants/current", one, NULL));
	json_decref(call(403, "POST", "/api/users/away@alpha.test/sign-out", oncall, "{}"));
	json_decref(call(204, "POST", "/api/users/away@alpha.test/sign-out", support, "{}"));
	json_decref(call(401, "GET", "/api/tenants/current", one, NULL));
	json_decref(call(404, "POST", "/api/users/nobody@nowhere.test/sign-out", support, "{}"));
	/* members and keys are not staff */
	json_decref(call(403, "POST", "/api/users/away@alpha.test/sign-out", admin, "{}"));
	free(one);
}
END_TEST

/* The same operations through the REST store (remote mode): staff issue
 * a reset token, the user sets a password with it, asks for one, signs
 * out everywhere; staff reset the second factor and sign the user out. */
START_TEST(test_rest_store_credentials)
{
	struct store_config cfg = { .url = srv.url, .token = platform };
	struct store *st = NULL, *self = NULL;
	struct password_reset pr;
	char token[96], spare[96], codes[RECOVERY_CODES][RECOVERY_CODE_LEN], *tok;
	struct err e;

	free(invite_and_login("alpha-labs", "remote@alpha.test", "member"));
	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "%s", e.message);
	/* mailed needs e-mail, which this server does not have */
	ck_assert_int_eq(store_user_password_reset(&pr, token, st, "remote@alpha.test", true, &e),
			 -1);
	ck_assert_int_eq(e.code, ERR_CONFLICT);
	ck_assert_msg(strstr(e.message, "e-mail is not set up"), "%s", e.message);
	ck_assert_msg(store_user_password_reset(&pr, token, st, "remote@alpha.test", false, &e)
			  == 0,
		      "%s", e.message);
	ck_assert(!pr.mailed);
	ck_assert(strncmp(token, "tnr_", 4) == 0);
	ck_assert_str_eq(pr.email, "remote@alpha.test");
	ck_assert_int_gt(pr.expires_at, 0);
	ck_assert_int_eq(store_user_password_reset(&pr, spare, st, "", false, &e), -1);
	ck_assert_str_eq(e.field, "user");
	ck_assert_int_eq(store_password_reset_confirm(st, token, "short", &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_str_eq(e.field, "password");
	ck_assert_msg(store_password_reset_confirm(st, token, NEW_PW, &e) == 0, "%s", e.message);
	ck_assert_int_eq(store_password_reset_confirm(st, token, NEW_PW, &e), -1);
	ck_assert_int_eq(e.code, ERR_GONE);
	/* a request tells nothing, and hands no token to the caller */
	ck_assert(store_password_reset_request(token, st, "remote@alpha.test", &e) == 0);
	ck_assert_str_eq(token, "");
	ck_assert(store_password_reset_request(token, st, "nobody@nowhere.test", &e) == 0);
	ck_assert_msg(store_user_mfa_reset(st, "remote@alpha.test", &e) == 0, "%s", e.message);
	ck_assert_int_eq(store_user_mfa_reset(st, "nobody@nowhere.test", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	/* the user's own: no second factor to recover; signing out ends the
	 * token the store uses */
	tok = testsrv_login(&srv, "remote@alpha.test", NEW_PW, NULL);
	ck_assert_ptr_nonnull(tok);
	cfg.token = tok;
	ck_assert(store_open(&self, &cfg, &e) == 0);
	ck_assert_int_eq(store_auth_recovery_new(codes, self, NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_CONFLICT);
	ck_assert_msg(store_user_sign_out(self, NULL, &e) == 0, "%s", e.message);
	json_decref(call(401, "GET", "/api/tenants/current", tok, NULL));
	/* staff sign another account out */
	free(tok);
	tok = testsrv_login(&srv, "remote@alpha.test", NEW_PW, NULL);
	ck_assert_msg(store_user_sign_out(st, "remote@alpha.test", &e) == 0, "%s", e.message);
	json_decref(call(401, "GET", "/api/tenants/current", tok, NULL));
	free(tok);
	store_close(&self);
	store_close(&st);
}
END_TEST

Suite *
suite_credentials(void)
{
	Suite *s = suite_create("credentials");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_first_admin_signs_in);
	tcase_add_test(tc, test_existing_user_second_tenant);
	tcase_add_test(tc, test_password_reset);
	tcase_add_test(tc, test_throttle_across_instances);
	tcase_add_test(tc, test_recovery_codes_and_mfa_reset);
	tcase_add_test(tc, test_sign_out_everywhere);
	tcase_add_test(tc, test_rest_store_credentials);
	suite_add_tcase(s, tc);
	return s;
}
