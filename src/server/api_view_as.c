/* api_view_as.c - the routes of support access: start a view-as session
 * (a tenant, a member role or one member, a reason, minutes), list the open ones, end
 * one. Requests then carry "X-View-As: <session id>" (handlers.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "server/api.h"

#define VIEW_AS_DEFAULT_MINUTES 30

void
api_view_as_start(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *tenant, *role, *member, *reason;
	int64_t minutes = VIEW_AS_DEFAULT_MINUTES;
	bool have_minutes;
	enum member_role mr = ROLE_VIEWER;
	struct view_session v;
	struct err e;

	if (!b)
		return;
	if (api_member_str(&tenant, b, "tenant", true, &e) < 0
	    || api_member_str(&role, b, "role", false, &e) < 0
	    || api_member_str(&member, b, "member", false, &e) < 0
	    || api_member_str(&reason, b, "reason", true, &e) < 0
	    || api_member_int(&minutes, &have_minutes, b, "minutes", false, &e) < 0)
		return api_fail(rp, &e);
	if (!have_minutes)
		minutes = VIEW_AS_DEFAULT_MINUTES;
	if (role && member_role_parse(role, &mr) < 0) {
		err_field(&e, "role", "role must be admin, manager, member or viewer");
		return api_fail(rp, &e);
	}
	if (role && member) {
		err_field(&e, "role", "a role or a member, not both (a member's role is theirs)");
		return api_fail(rp, &e);
	}
	if (minutes < 1 || minutes > 240) {
		err_field(&e, "minutes", "minutes must be 1 to 240");
		return api_fail(rp, &e);
	}
	if (OP(r, view_as_start, &v, r->st, tenant, mr, member, reason, (int)minutes, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 201, view_session_to_json(&v));
}

void
api_view_as_list(struct req *r, struct reply *rp)
{
	struct view_session_list l;
	struct err e;

	if (OP(r, view_as_list, &l, r->st, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(view_session, &l), NULL));
	view_session_list_free(&l);
}

void
api_view_as_end(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = OP(r, view_as_end, r->st, route_param(&r->match, "session"), &e);

	api_no_content(rp, rc, &e);
}
