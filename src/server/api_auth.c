/* api_auth.c - the routes of sign-in (throttled, failures audited), second
 * factors, recovery codes and signing out everywhere: each route's parsing,
 * store call and reply (its permission is its row in routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

/* Picks the tenant a user logs into: the one named, or the only one. */
static int
login_tenant(struct principal *p, struct store *st, const char *user, const char *wanted,
	     json_t **extra, struct err *e)
{
	struct auth_membership m[AUTH_MAX_MEMBERSHIPS];
	size_t n;

	if (store_auth_memberships(m, AUTH_MAX_MEMBERSHIPS, &n, st, user, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (wanted ? strcmp(wanted, m[i].tenant_id) == 0 || strcmp(wanted, m[i].slug) == 0
			   : n == 1) {
			memcpy(p->tenant_id, m[i].tenant_id, sizeof p->tenant_id);
			p->role = m[i].role;
			p->over = m[i].over;
			return 0;
		}
	if (n == 0 || wanted)
		return err_set(e, ERR_UNAUTHORIZED, "no active membership%s",
			       wanted ? " in that tenant" : "");
	*extra = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(*extra, json_string(m[i].slug));
	*extra = json_pack("{s:o}", "tenants", *extra);
	return err_field(e, "tenant", "this account belongs to several tenants: name one");
}

/* 429 with Retry-After: the account or the address is throttled. */
static void
throttled(struct reply *rp, int wait)
{
	struct err e;

	err_set(&e, ERR_RATE_LIMITED, "too many failed sign-ins: try again in %d seconds", wait);
	reply_error(rp, &e, NULL);
	rp->retry_after = wait;
}

/* A failed sign-in: counted, audited, answered 401 (its problem in e). */
static void
login_failed(struct req *r, struct reply *rp, const char *email, const char *tenant,
	     const char *reason, const struct err *e)
{
	struct err f;
	int wait;

	if (store_auth_login_failed(&wait, r->st, email, r->ip, tenant, reason, &f) < 0)
		return api_fail(rp, &f);
	api_fail(rp, e);
}

/* The second factor: a TOTP code, or one of the account's recovery codes
 * (anything that is not six digits), spent here. 1 passed, 0 wrong. */
static int
second_factor(struct req *r, const struct auth_account *a, const char *code, const char *tenant,
	      struct err *e)
{
	bool ok;

	if (strlen(code) == 6 && strspn(code, "0123456789") == 6)
		return auth_totp_check(a->mfa_secret, code, e);
	if (store_auth_recovery_use(&ok, r->st, a->id, code, tenant, e) < 0)
		return -1;
	return ok;
}

/* Checks the credentials of a login into *a; 0 when they hold, -1 when
 * the reply is filled (the failure counted). */
static int
login_check(struct req *r, struct reply *rp, struct auth_account *a, const char *email,
	    const char *pw, const char *totp, const char *tenant)
{
	/* A fixed hash to check against when the account does not exist, so
	 * that unknown emails take as long as wrong passwords. */
	static char dummy[PASSWORD_HASH_LEN];
	struct err e;
	int ok;

	if (!dummy[0])
		secret_password_hash("not a password", dummy, NULL);
	if (store_auth_user(a, r->st, email, &e) < 0) {
		if (e.code != ERR_NOT_FOUND)
			return api_fail(rp, &e), -1;
		secret_password_check(dummy, pw);
		err_set(&e, ERR_UNAUTHORIZED, "invalid email or password");
		return login_failed(r, rp, email, tenant, "unknown_account", &e), -1;
	}
	if (!secret_password_check(a->password_hash, pw)) {
		err_set(&e, ERR_UNAUTHORIZED, "invalid email or password");
		return login_failed(r, rp, email, tenant, "wrong_password", &e), -1;
	}
	if (!a->mfa_enabled)
		return 0;
	if (!totp) {
		err_set(&e, ERR_UNAUTHORIZED, "a second factor code is required");
		return reply_error(rp, &e, json_pack("{s:b}", "totp_required", 1)), -1;
	}
	if ((ok = second_factor(r, a, totp, tenant, &e)) < 0)
		return api_fail(rp, &e), -1;
	if (ok == 0) {
		err_set(&e, ERR_UNAUTHORIZED, "wrong second factor code");
		return login_failed(r, rp, email, tenant, "wrong_code", &e), -1;
	}
	return 0;
}

static void
h_login(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp), *extra = NULL;
	const char *email, *pw, *totp, *tenant;
	struct store_context ctx = { .role = STORE_ROLE_AUTH };
	struct auth_account a;
	struct principal p = { 0 };
	char fresh[PASSWORD_HASH_LEN] = "";
	char *token;
	int64_t expires;
	struct err e;
	int wait;

	if (!b)
		return;
	if (api_member_str(&email, b, "email", true, &e) < 0
	    || api_member_str(&pw, b, "password", true, &e) < 0
	    || api_member_str(&totp, b, "totp", false, &e) < 0
	    || api_member_str(&tenant, b, "tenant", false, &e) < 0)
		return api_fail(rp, &e);
	/* an address, not an account id or free text, is what the throttle
	 * counts and the audit log names: anything else signs nobody in */
	if (validate_email(email, "email", &e) < 0) {
		err_set(&e, ERR_UNAUTHORIZED, "invalid email or password");
		return api_fail(rp, &e);
	}
	snprintf(ctx.ip, sizeof ctx.ip, "%s", r->ip);
	api_copy_user_agent(&ctx, req_header(r, "User-Agent"));
	if (store_set_context(r->st, &ctx, &e) < 0
	    || store_auth_throttle(&wait, r->st, email, r->ip, &e) < 0)
		return api_fail(rp, &e);
	if (wait > 0)
		return throttled(rp, wait);
	if (login_check(r, rp, &a, email, pw, totp, tenant) < 0)
		return;
	snprintf(p.user_id, sizeof p.user_id, "%s", a.id);
	snprintf(p.email, sizeof p.email, "%s", a.email);
	if (a.staff_role != STAFF_NONE && !tenant) {
		p.kind = PRINCIPAL_STAFF;
		p.staff = a.staff_role;
	} else {
		p.kind = PRINCIPAL_USER;
		if (login_tenant(&p, r->st, a.id, tenant, &extra, &e) < 0)
			return reply_error(rp, &e, extra);
	}
	/* The login's audit entry names who logged in, from where. */
	snprintf(ctx.actor, sizeof ctx.actor, "%s", a.email);
	snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "%s",
		 p.kind == PRINCIPAL_STAFF ? "staff" : "user");
	if (secret_password_needs_rehash(a.password_hash)
	    && secret_password_hash(pw, fresh, NULL) < 0)
		fresh[0] = '\0';
	if (store_set_context(r->st, &ctx, &e) < 0
	    || store_auth_login_ok(r->st, a.id, p.kind == PRINCIPAL_STAFF ? NULL : p.tenant_id,
				   fresh[0] ? fresh : NULL, &e)
		   < 0)
		return api_fail(rp, &e);
	if (auth_issue(&token, &expires, &p, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200,
		   json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "token", token, "expires_at",
			     time_to_json(expires), "kind",
			     p.kind == PRINCIPAL_STAFF ? "staff" : "user", "user_id", p.user_id,
			     "email", p.email, "tenant_id", p.tenant_id, "role",
			     p.kind == PRINCIPAL_STAFF ? staff_role_name(p.staff)
						       : member_role_name(p.role)));
	free(token);
}

static void
h_totp_enrol(struct req *r, struct reply *rp)
{
	char *sealed, b32[64], uri[512], *enc_email;
	struct err e;
	int rc;

	if (auth_totp_new(&sealed, b32, &e) < 0)
		return api_fail(rp, &e);
	rc = store_auth_mfa_set(r->st, r->who.user_id, sealed, false, &e);
	free(sealed);
	if (rc < 0)
		return api_fail(rp, &e);
	/* The account name is the email; '@' and '.' are safe in a URI path. */
	enc_email = r->who.email;
	snprintf(
	    uri, sizeof uri,
	    "otpauth://totp/tenantry:%s?secret=%s&issuer=tenantry&algorithm=SHA1&digits=6&period=30",
	    enc_email, b32);
	reply_json(rp, 200, json_pack("{s:s, s:s}", "secret", b32, "otpauth_uri", uri));
}

/* {"recovery_codes": [...]}: new codes for the caller's account, shown
 * this once. */
static void
reply_recovery_codes(struct req *r, struct reply *rp, int status)
{
	char codes[RECOVERY_CODES][RECOVERY_CODE_LEN];
	json_t *arr;
	struct err e;

	if (store_auth_recovery_new(codes, r->st, r->who.user_id, &e) < 0)
		return api_fail(rp, &e);
	arr = json_array();
	for (int i = 0; arr && i < RECOVERY_CODES; i++)
		json_array_append_new(arr, json_string(codes[i]));
	memset(codes, 0, sizeof codes);
	reply_json(rp, status, json_pack("{s:o}", "recovery_codes", arr));
}

/* Account routes work on the caller's account, not on tenant data: the
 * credential lookups' role, the token still re-checked. */
static int
account_context(struct req *r, struct err *e)
{
	struct store_context ctx = r->st->ctx;

	ctx.role = STORE_ROLE_AUTH;
	ctx.auth_member = false;
	return store_set_context(r->st, &ctx, e);
}

static void
h_totp_confirm(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	struct auth_account a;
	const char *code;
	struct err e;
	int ok;

	if (!b)
		return;
	if (api_member_str(&code, b, "code", true, &e) < 0)
		return api_fail(rp, &e);
	if (store_auth_user(&a, r->st, r->who.user_id, &e) < 0)
		return api_fail(rp, &e);
	if (!a.mfa_secret[0]) {
		err_set(&e, ERR_CONFLICT, "enrol first (POST /api/auth/totp)");
		return api_fail(rp, &e);
	}
	if ((ok = auth_totp_check(a.mfa_secret, code, &e)) <= 0) {
		if (ok == 0)
			err_field(&e, "code", "wrong code");
		return api_fail(rp, &e);
	}
	if (store_auth_mfa_set(r->st, a.id, NULL, true, &e) < 0)
		return api_fail(rp, &e);
	reply_recovery_codes(r, rp, 200);
}

static void
h_recovery_codes(struct req *r, struct reply *rp)
{
	struct auth_account a;
	struct err e;

	if (account_context(r, &e) < 0 || store_auth_user(&a, r->st, r->who.user_id, &e) < 0)
		return api_fail(rp, &e);
	if (!a.mfa_enabled) {
		err_set(&e, ERR_CONFLICT,
			"no second factor to recover: enrol one first (POST /api/auth/totp)");
		return api_fail(rp, &e);
	}
	reply_recovery_codes(r, rp, 200);
}

static void
h_sign_out(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = account_context(r, &e);

	if (rc == 0)
		rc = store_user_sign_out(r->st, r->who.user_id, &e);
	api_no_content(rp, rc, &e);
}

void
api_auth_login(struct req *r, struct reply *rp)
{
	h_login(r, rp);
}

void
api_auth_totp(struct req *r, struct reply *rp)
{
	h_totp_enrol(r, rp);
}

void
api_auth_totp_confirm(struct req *r, struct reply *rp)
{
	h_totp_confirm(r, rp);
}

void
api_auth_recovery_codes(struct req *r, struct reply *rp)
{
	h_recovery_codes(r, rp);
}

void
api_auth_sign_out(struct req *r, struct reply *rp)
{
	h_sign_out(r, rp);
}
