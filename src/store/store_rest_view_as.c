/* store_rest_view_as.c - support access sessions over tenantryd: start,
 * list and end (routes.h); the session's id then travels as X-View-As
 * (store_rest.c). Whether a session is open is tenantryd's check of each
 * request, so view_as_get is the database's only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "store/store_rest.h"

REST_ONE(view_session)
REST_LIST(view_session)

static int
rest_view_as_start(struct view_session *out, struct store *st, const char *tenant,
		   enum member_role role, const char *member, const char *reason, int minutes,
		   struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;
	bool as_member = member && *member;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (!(body = json_pack("{s:i}", "minutes", minutes)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "tenant", tenant, "tenant", e) < 0
	    || rest_set_str(body, "reason", reason ? reason : "", "reason", e) < 0
	    || rest_set_str(body, as_member ? "member" : "role",
			    as_member ? member : member_role_name(role),
			    as_member ? "member" : "role", e)
		   < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_VIEW_AS_START);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return view_session_reply(out, reply, e);
}

static int
rest_view_as_get(struct view_session *out, struct store *st, const char *session, struct err *e)
{
	(void)st, (void)session;
	memset(out, 0, sizeof *out);
	return err_set(e, ERR_METHOD, "an open view-as session is checked by tenantryd");
}

static int
rest_view_as_list(struct view_session_list *out, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	rest_route(&p, ROUTE_VIEW_AS_LIST);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return view_session_items(out, reply, e);
}

static int
rest_view_as_end(struct store *st, const char *session, struct err *e)
{
	struct rest_path p;

	if (!session || !*session)
		return err_field(e, "session", "session missing");
	rest_route(&p, ROUTE_VIEW_AS_END, session);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

void
rest_ops_view_as(struct store_ops *ops)
{
	ops->view_as_start = rest_view_as_start;
	ops->view_as_get = rest_view_as_get;
	ops->view_as_list = rest_view_as_list;
	ops->view_as_end = rest_view_as_end;
}
