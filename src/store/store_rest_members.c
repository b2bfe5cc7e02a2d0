/* store_rest_members.c - a tenant's members over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(member)
REST_LIST(member)

/* ---- members ------------------------------------------------------------------ */

static int
rest_member_list(struct member_list *out, struct store *st, const char *tenant,
		 const struct member_query *q, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (q && (q->role < -1 || q->role >= ROLE_COUNT))
		return err_field(e, "role", "unknown role");
	rest_route(&p, ROUTE_USERS_LIST, tenant);
	if (q && q->role >= 0)
		rest_query(&p, "role", member_role_name((enum member_role)q->role));
	if (q && q->active >= 0)
		rest_query(&p, "active", q->active ? "1" : "0");
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return member_items(out, reply, e);
}

static int
rest_member_update(struct member *out, struct store *st, const char *tenant, const char *user,
		   const enum member_role *role, int active, const struct perm_overrides *over,
		   struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (role && (unsigned)*role >= ROLE_COUNT)
		return err_field(e, "role", "unknown role");
	if (!user || !*user)
		return err_field(e, "user", "user missing");
	if (!(body = json_object()))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (role)
		json_object_set_new(body, "role", json_string(member_role_name(*role)));
	if (active >= 0)
		json_object_set_new(body, "active", json_boolean(active));
	if (over)
		json_object_set_new(body, "permissions", perm_overrides_to_json(over));
	rest_route(&p, ROUTE_USER_UPDATE, tenant, user);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return member_reply(out, reply, e);
}

static int
rest_member_remove(struct store *st, const char *tenant, const char *user, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!user || !*user)
		return err_field(e, "user", "user missing");
	rest_route(&p, ROUTE_USER_REMOVE, tenant, user);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

void
rest_ops_members(struct store_ops *ops)
{
	ops->member_list = rest_member_list;
	ops->member_update = rest_member_update;
	ops->member_remove = rest_member_remove;
}
