/* api_invitations.c - the routes of invitations: create, resend, revoke, accept: each route's parsing, store call
 * and reply (its permission is its row in routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

static void
reply_invitation(struct reply *rp, int status, const struct invitation *inv, const char *token)
{
	json_t *j = invitation_to_json(inv);

	if (j)
		json_object_set_new(j, "token", json_string(token));
	reply_json(rp, status, j);
}

static void
h_invitations_list(struct req *r, struct reply *rp)
{
	struct invitation_list l;
	struct err e;

	if (OP(r, invitation_list, &l, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(invitation, &l), NULL));
	invitation_list_free(&l);
}

static void
h_invitations_create(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *email, *role_s;
	enum member_role role = ROLE_MEMBER;
	struct invitation inv;
	char token[96];
	struct err e;

	if (!b)
		return;
	if (api_member_str(&email, b, "email", true, &e) < 0
	    || api_member_str(&role_s, b, "role", false, &e) < 0)
		return api_fail(rp, &e);
	if (role_s && member_role_parse(role_s, &role) < 0) {
		err_field(&e, "role", "unknown role %.40s", role_s);
		return api_fail(rp, &e);
	}
	if (OP(r, invitation_create, &inv, token, r->st, api_tenant(r), email, role, &e) < 0)
		return api_fail(rp, &e);
	reply_invitation(rp, 201, &inv, token);
	memset(token, 0, sizeof token);
}

static void
h_invitation_resend(struct req *r, struct reply *rp)
{
	struct invitation inv;
	char token[96];
	struct err e;

	if (OP(r, invitation_resend, &inv, token, r->st, api_tenant(r),
	       route_param(&r->match, "inv"), &e)
	    < 0)
		return api_fail(rp, &e);
	reply_invitation(rp, 200, &inv, token);
	memset(token, 0, sizeof token);
}

/* A signed-in caller (a user or staff token, optional on this public
 * route) accepts as their own account, which is then its consent. */
static int
accept_as_caller(struct req *r, struct err *e)
{
	const char *h = req_header(r, "Authorization");
	struct store_context ctx;

	if (!h)
		return 0;
	ctx = r->st->ctx;
	if (auth_verify(&r->who, h, r->st, e) < 0)
		return -1;
	api_context_credential(&ctx, &r->who);
	return store_set_context(r->st, &ctx, e);
}

static void
h_invitation_accept(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *token, *name, *pw;
	struct member m;
	struct err e;

	if (!b)
		return;
	if (api_member_str(&token, b, "token", true, &e) < 0
	    || api_member_str(&name, b, "full_name", false, &e) < 0
	    || api_member_str(&pw, b, "password", false, &e) < 0)
		return api_fail(rp, &e);
	if (accept_as_caller(r, &e) < 0
	    || OP(r, invitation_accept, &m, r->st, token, name, pw, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, member_to_json(&m));
}

void
api_invitation_accept(struct req *r, struct reply *rp)
{
	h_invitation_accept(r, rp);
}

void
api_invitations_list(struct req *r, struct reply *rp)
{
	h_invitations_list(r, rp);
}

/* One element of the bulk body as a row: an object of email and role. */
static void
bulk_row(struct invite_row *row, json_t *el, enum route_id id)
{
	json_t *em = json_object_get(el, "email"), *ro = json_object_get(el, "role");
	const char *key;
	json_t *v;

	invite_row_fill(row, json_string_value(em), json_string_value(ro));
	if (!json_is_object(el) || !json_is_string(em) || (ro && !json_is_string(ro))) {
		row->outcome = INVITE_INVALID;
		snprintf(row->detail, sizeof row->detail, "%s",
			 "each row is an object with an email and an optional role");
		return;
	}
	json_object_foreach(el, key, v) if (!route_body_allows(id, key))
	{
		char name[64];

		utf8_copy(name, sizeof name, key, strlen(key));
		row->outcome = INVITE_INVALID;
		snprintf(row->detail, sizeof row->detail, "unknown field %s", name);
		return;
	}
}

void
api_invitations_bulk(struct req *r, struct reply *rp)
{
	size_t n = json_array_size(r->body);
	struct invite_row *rows;
	json_t *items;
	struct err e;

	if (!json_is_array(r->body)) {
		err_set(&e, ERR_BAD_REQUEST, "the body must be a JSON array of {email, role}");
		return api_fail(rp, &e);
	}
	if (n > INVITE_BULK_MAX) {
		err_field(&e, "invitations", "at most %d rows at once", INVITE_BULK_MAX);
		return api_fail(rp, &e);
	}
	if (!(rows = calloc(n ? n : 1, sizeof *rows)) || !(items = json_array())) {
		free(rows);
		err_set(&e, ERR_INTERNAL, "out of memory");
		return api_fail(rp, &e);
	}
	for (size_t i = 0; i < n; i++)
		bulk_row(&rows[i], json_array_get(r->body, i), r->match.id);
	if (store_invitation_bulk(rows, n, r->st, api_tenant(r), &e) < 0) {
		json_decref(items);
		free(rows);
		return api_fail(rp, &e);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, invite_row_to_json(&rows[i]));
	explicit_bzero(rows, n * sizeof *rows); /* the tokens */
	free(rows);
	reply_json(rp, 200, api_items(items, NULL));
}

void
api_invitations_create(struct req *r, struct reply *rp)
{
	h_invitations_create(r, rp);
}

void
api_invitation_revoke(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = store_invitation_revoke(r->st, api_tenant(r), route_param(&r->match, "inv"), &e);

	api_no_content(rp, rc, &e);
}

void
api_invitation_resend(struct req *r, struct reply *rp)
{
	h_invitation_resend(r, rp);
}
