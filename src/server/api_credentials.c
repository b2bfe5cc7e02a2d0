/* api_credentials.c - getting a credential back: password reset by the
 * account's owner (request, confirm) and the staff actions on an account
 * (issue a reset token, reset the second factor, sign out everywhere,
 * lift a sign-in block).
 * Each route's parsing, store call and reply; its row in routes.h says who
 * may call it, and the database's grants decide among staff roles. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "server/api.h"
#include "server/log.h"

static void
h_reset_request(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *email;
	char token[96];
	struct err e;

	if (!b)
		return;
	if (api_member_str(&email, b, "email", true, &e) < 0)
		return api_fail(rp, &e);
	if (store_password_reset_request(token, r->st, email, &e) < 0)
		return api_fail(rp, &e);
	/* The token is not sent from here: the request's audit entry wrote
	 * the reset's mail to the outbox with the token sealed, and the
	 * mailer (mailer.c) sends it when e-mail is on. */
	memset(token, 0, sizeof token);
	/* The same answer whether or not the account exists. */
	reply_json(rp, 202,
		   json_pack("{s:s}", "detail",
			     server_cfg && server_cfg->smtp_url && *server_cfg->smtp_url
				 ? "if an account has this e-mail, a reset link is sent to it"
				 : "if an account has this e-mail, a reset is requested for it "
				   "(staff deliver the token: e-mail is not set up)"));
}

static void
h_reset_confirm(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *token, *pw;
	struct err e;

	if (!b)
		return;
	if (api_member_str(&token, b, "token", true, &e) < 0
	    || api_member_str(&pw, b, "password", true, &e) < 0)
		return api_fail(rp, &e);
	api_no_content(rp, store_password_reset_confirm(r->st, token, pw, &e), &e);
}

/* A reset token for a user: shown to the staff member, or with
 * {"mail": true} mailed to the account and shown to nobody. */
static void
h_user_password_reset(struct req *r, struct reply *rp)
{
	struct password_reset pr;
	char token[96];
	bool mail = false;
	json_t *j;
	struct err e;

	if (r->body && api_member_bool(&mail, r->body, "mail", &e) < 0)
		return api_fail(rp, &e);
	if (mail && !(server_cfg && server_cfg->smtp_url && *server_cfg->smtp_url)) {
		err_set(&e, ERR_CONFLICT,
			"e-mail is not set up (smtp-url): without \"mail\" the "
			"token is given to you to deliver");
		return api_fail(rp, &e);
	}
	if (store_user_password_reset(&pr, token, r->st, route_param(&r->match, "user"), mail, &e)
	    < 0)
		return api_fail(rp, &e);
	j = json_pack("{s:s, s:s, s:o, s:b}", "user_id", pr.user_id, "email", pr.email,
		      "expires_at", time_to_json(pr.expires_at), "mailed", pr.mailed);
	if (j && !pr.mailed)
		json_object_set_new(j, "token", json_string(token));
	reply_json(rp, 201, j);
	memset(token, 0, sizeof token);
}

void
api_auth_reset_request(struct req *r, struct reply *rp)
{
	h_reset_request(r, rp);
}

void
api_auth_reset_confirm(struct req *r, struct reply *rp)
{
	h_reset_confirm(r, rp);
}

void
api_user_password_reset(struct req *r, struct reply *rp)
{
	h_user_password_reset(r, rp);
}

void
api_user_mfa_reset(struct req *r, struct reply *rp)
{
	struct err e;

	api_no_content(rp, store_user_mfa_reset(r->st, route_param(&r->match, "user"), &e), &e);
}

void
api_user_sign_out(struct req *r, struct reply *rp)
{
	struct err e;

	api_no_content(rp, store_user_sign_out(r->st, route_param(&r->match, "user"), &e), &e);
}

void
api_user_unlock(struct req *r, struct reply *rp)
{
	struct err e;

	api_no_content(rp, store_user_unlock(r->st, route_param(&r->match, "user"), &e), &e);
}
