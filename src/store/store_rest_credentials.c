/* store_rest_credentials.c - getting a credential back over tenantryd
 * (routes.h): password reset requests and confirmations, recovery codes,
 * signing out everywhere and the staff actions on an account (reset
 * token, second factor, sign-out, sign-in block). Sign-in
 * throttling and failures are tenantryd's own: ERR_METHOD here. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "store/store_rest.h"

static int
rest_auth_throttle(int *retry_after, struct store *st, const char *email, const char *ip,
		   struct err *e)
{
	(void)st, (void)email, (void)ip;
	*retry_after = 0;
	return rest_over_db(e, "checking sign-in throttling");
}

static int
rest_auth_login_failed(int *retry_after, struct store *st, const char *email, const char *ip,
		       const char *tenant, const char *reason, struct err *e)
{
	(void)st, (void)email, (void)ip, (void)tenant, (void)reason;
	*retry_after = 0;
	return rest_over_db(e, "recording a failed sign-in");
}

static int
rest_auth_recovery_use(bool *ok, struct store *st, const char *user, const char *code,
		       const char *tenant, struct err *e)
{
	(void)st, (void)user, (void)code, (void)tenant;
	*ok = false;
	return rest_over_db(e, "spending a recovery code");
}

/* New recovery codes of the signed-in account (user must be NULL: the
 * route works on the caller's own). */
static int
rest_auth_recovery_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
		       const char *user, struct err *e)
{
	struct rest_path p;
	json_t *reply, *arr;
	int rc = 0;

	memset(codes, 0, RECOVERY_CODES * RECOVERY_CODE_LEN);
	if (user)
		return err_set(e, ERR_FORBIDDEN, "recovery codes are made by their own account");
	rest_route(&p, ROUTE_AUTH_RECOVERY_CODES);
	if (rest_call(rest_of(st), &p, json_object(), &reply, e) < 0)
		return -1;
	arr = json_object_get(reply, "recovery_codes");
	if (!json_is_array(arr) || json_array_size(arr) != RECOVERY_CODES)
		rc = rest_bad_reply(e, "recovery codes", NULL);
	for (int i = 0; rc == 0 && i < RECOVERY_CODES; i++) {
		const char *c = json_string_value(json_array_get(arr, (size_t)i));

		if (!c || strlen(c) >= RECOVERY_CODE_LEN)
			rc = rest_bad_reply(e, "recovery codes", NULL);
		else
			snprintf(codes[i], RECOVERY_CODE_LEN, "%s", c);
	}
	json_decref(reply);
	return rc;
}

static int
rest_password_reset_request(char token_out[96], struct store *st, const char *email, struct err *e)
{
	struct rest_path p;
	json_t *body = json_object();

	token_out[0] = '\0';
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "email", email ? email : "", "email", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_AUTH_RESET_REQUEST);
	return rest_call(rest_of(st), &p, body, NULL, e);
}

static int
rest_password_reset_confirm(struct store *st, const char *token, const char *password,
			    struct err *e)
{
	struct rest_path p;
	json_t *body = json_object();

	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "token", token ? token : "", "token", e) < 0
	    || rest_set_str(body, "password", password ? password : "", "password", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_AUTH_RESET_CONFIRM);
	return rest_call(rest_of(st), &p, body, NULL, e);
}

static int
rest_user_password_reset(struct password_reset *out, char token_out[96], struct store *st,
			 const char *user, bool mail, struct err *e)
{
	struct rest_path p;
	json_t *reply;
	const char *tok, *id, *email;
	struct err why;
	int rc = 0;

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	if (!user || !*user)
		return err_field(e, "user", "user missing");
	rest_route(&p, ROUTE_USER_PASSWORD_RESET, user);
	if (rest_call(rest_of(st), &p, json_pack("{s:b}", "mail", mail), &reply, e) < 0)
		return -1;
	tok = mail ? "" : json_string_value(json_object_get(reply, "token"));
	id = json_string_value(json_object_get(reply, "user_id"));
	email = json_string_value(json_object_get(reply, "email"));
	if (!tok || !id || !email || strlen(tok) >= 96
	    || json_is_true(json_object_get(reply, "mailed")) != mail)
		rc = rest_bad_reply(e, "password reset", NULL);
	else if (time_from_json(&out->expires_at, json_object_get(reply, "expires_at"),
				"expires_at", &why)
		 < 0)
		rc = rest_bad_reply(e, "password reset", &why);
	if (rc == 0) {
		out->mailed = mail;
		snprintf(token_out, 96, "%s", tok);
		snprintf(out->user_id, sizeof out->user_id, "%s", id);
		snprintf(out->email, sizeof out->email, "%s", email);
	}
	json_decref(reply);
	return rc;
}

/* A staff route on user, or (user NULL, sign out only) the caller's own
 * account. */
static int
user_post(struct store *st, enum route_id staff_route, const char *user, struct err *e)
{
	struct rest_path p;

	if (user && !*user)
		return err_field(e, "user", "user missing");
	if (user)
		rest_route(&p, staff_route, user);
	else if (staff_route == ROUTE_USER_SIGN_OUT)
		rest_route(&p, ROUTE_AUTH_SIGN_OUT);
	else
		return err_field(e, "user", "user missing");
	return rest_call(rest_of(st), &p, json_object(), NULL, e);
}

static int
rest_user_mfa_reset(struct store *st, const char *user, struct err *e)
{
	return user_post(st, ROUTE_USER_MFA_RESET, user, e);
}

static int
rest_user_sign_out(struct store *st, const char *user, struct err *e)
{
	return user_post(st, ROUTE_USER_SIGN_OUT, user, e);
}

static int
rest_user_unlock(struct store *st, const char *user, struct err *e)
{
	return user_post(st, ROUTE_USER_UNLOCK, user, e);
}

void
rest_ops_credentials(struct store_ops *ops)
{
	ops->auth_throttle = rest_auth_throttle;
	ops->auth_login_failed = rest_auth_login_failed;
	ops->auth_recovery_new = rest_auth_recovery_new;
	ops->auth_recovery_use = rest_auth_recovery_use;
	ops->password_reset_request = rest_password_reset_request;
	ops->password_reset_confirm = rest_password_reset_confirm;
	ops->user_password_reset = rest_user_password_reset;
	ops->user_mfa_reset = rest_user_mfa_reset;
	ops->user_sign_out = rest_user_sign_out;
	ops->user_unlock = rest_user_unlock;
}
