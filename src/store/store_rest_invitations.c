/* store_rest_invitations.c - invitations over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(member)
REST_ONE(invitation)
REST_LIST(invitation)

/* ---- invitations ---------------------------------------------------------------- */

static int
rest_invitation_list(struct invitation_list *out, struct store *st, const char *tenant,
		     struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_INVITATIONS_LIST, tenant);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return invitation_items(out, reply, e);
}

/* An invitation with its one-time token beside it. */
static int
invitation_token_reply(struct invitation *out, char token_out[96], json_t *reply, struct err *e)
{
	const char *token = json_string_value(json_object_get(reply, "token"));

	if (!token || strlen(token) >= 96) {
		json_decref(reply);
		return rest_bad_reply(e, "invitation", NULL);
	}
	snprintf(token_out, 96, "%s", token);
	if (invitation_reply(out, reply, e) < 0) {
		memset(token_out, 0, 96);
		return -1;
	}
	return 0;
}

static int
rest_invitation_create(struct invitation *out, char token_out[96], struct store *st,
		       const char *tenant, const char *email, enum member_role role, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	REST_NEED_TENANT(tenant, e);
	if ((unsigned)role >= ROLE_COUNT)
		return err_field(e, "role", "unknown role");
	if (!(body = json_pack("{s:s}", "role", member_role_name(role))))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "email", email ? email : "", "email", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_INVITATIONS_CREATE, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return invitation_token_reply(out, token_out, reply, e);
}

static int
rest_invitation_resend(struct invitation *out, char token_out[96], struct store *st,
		       const char *tenant, const char *invitation, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	REST_NEED_TENANT(tenant, e);
	if (!invitation || !*invitation)
		return err_field(e, "invitation", "invitation missing");
	rest_route(&p, ROUTE_INVITATION_RESEND, tenant, invitation);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return invitation_token_reply(out, token_out, reply, e);
}

static int
rest_invitation_revoke(struct store *st, const char *tenant, const char *invitation, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!invitation || !*invitation)
		return err_field(e, "invitation", "invitation missing");
	rest_route(&p, ROUTE_INVITATION_REVOKE, tenant, invitation);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

static int
rest_invitation_accept(struct member *out, struct store *st, const char *token,
		       const char *full_name, const char *password, struct err *e)
{
	struct rest_path p;
	json_t *body = json_object(), *reply;

	memset(out, 0, sizeof *out);
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "token", token ? token : "", "token", e) < 0
	    || rest_set_str(body, "full_name", full_name, "full_name", e) < 0
	    || rest_set_str(body, "password", password, "password", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_INVITATION_ACCEPT);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return member_reply(out, reply, e);
}

/* The rows to try, as the bulk route's array body. */
static json_t *
bulk_body(const struct invite_row *rows, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		if (rows[i].outcome == INVITE_PENDING
		    && json_array_append_new(arr, json_pack("{s:s, s:s}", "email", rows[i].email,
							    "role", member_role_name(rows[i].role)))
			   < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* The reply's items, in the order of the pending rows. */
static int
bulk_results(struct invite_row *rows, size_t n, json_t *reply, struct err *e)
{
	json_t *items = json_object_get(reply, "items");
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (rows[i].outcome != INVITE_PENDING)
			continue;
		if (k >= json_array_size(items)
		    || invite_row_from_json(&rows[i], json_array_get(items, k++), e) < 0)
			rc = rest_bad_reply(e, "bulk invitation", NULL);
	}
	json_decref(reply);
	return rc;
}

static int
rest_invitation_bulk(struct invite_row *rows, size_t n, struct store *st, const char *tenant,
		     struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	REST_NEED_TENANT(tenant, e);
	if (!(body = bulk_body(rows, n)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (json_array_size(body) == 0) {
		json_decref(body);
		return 0;
	}
	rest_route(&p, ROUTE_INVITATIONS_BULK, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0) {
		if (e->code != ERR_OUTCOME_UNKNOWN)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (rows[i].outcome == INVITE_PENDING) {
				rows[i].outcome = INVITE_UNKNOWN;
				utf8_copy(rows[i].detail, sizeof rows[i].detail, e->message,
					  strlen(e->message));
			}
		return 0;
	}
	return bulk_results(rows, n, reply, e);
}

void
rest_ops_invitations(struct store_ops *ops)
{
	ops->invitation_bulk = rest_invitation_bulk;
	ops->invitation_list = rest_invitation_list;
	ops->invitation_create = rest_invitation_create;
	ops->invitation_resend = rest_invitation_resend;
	ops->invitation_revoke = rest_invitation_revoke;
	ops->invitation_accept = rest_invitation_accept;
}
