/* api_members.c - the routes of a tenant's members and their roles: each route's parsing, store call
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

/* ---- members and invitations ------------------------------------------------ */

static void
h_users_list(struct req *r, struct reply *rp)
{
	struct member_query q = { .role = -1, .active = -1 };
	struct member_list l;
	const char *v;
	struct err e;

	if ((v = req_query(r, "role")) && *v
	    && member_role_parse(v, (enum member_role *)&q.role) < 0) {
		err_field(&e, "role", "unknown role %.40s", v);
		return api_fail(rp, &e);
	}
	if ((v = req_query(r, "active")) && *v) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			q.active = 1;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			q.active = 0;
		else {
			err_field(&e, "active", "active wants true or false");
			return api_fail(rp, &e);
		}
	}
	if (OP(r, member_list, &l, r->st, api_tenant(r), &q, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(member, &l), NULL));
	member_list_free(&l);
}

static void
h_user_update(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *role_s;
	enum member_role role;
	bool active = false;
	json_t *av, *pv;
	struct perm_overrides over;
	struct member m;
	struct err e;

	if (!b)
		return;
	pv = json_object_get(b, "permissions");
	if (pv && perm_overrides_from_json(&over, pv, "permissions", &e) < 0)
		return api_fail(rp, &e);
	if (api_member_str(&role_s, b, "role", false, &e) < 0
	    || api_member_bool(&active, b, "active", &e) < 0)
		return api_fail(rp, &e);
	if (role_s && member_role_parse(role_s, &role) < 0) {
		err_field(&e, "role", "unknown role %.40s", role_s);
		return api_fail(rp, &e);
	}
	av = json_object_get(b, "active");
	if (OP(r, member_update, &m, r->st, api_tenant(r), route_param(&r->match, "user"),
	       role_s ? &role : NULL, json_is_boolean(av) ? active : -1, pv ? &over : NULL, &e)
	    < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, member_to_json(&m));
}

void
api_users_list(struct req *r, struct reply *rp)
{
	h_users_list(r, rp);
}

void
api_user_update(struct req *r, struct reply *rp)
{
	h_user_update(r, rp);
}

void
api_user_remove(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = store_member_remove(r->st, api_tenant(r), route_param(&r->match, "user"), &e);

	api_no_content(rp, rc, &e);
}
