/* store_rest_tenants.c - tiers, tenants, members and invitations over
 * tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(tenant)
REST_ONE(member)
REST_ONE(invitation)
REST_LIST(tier)
REST_LIST(tenant)
REST_LIST(member)
REST_LIST(invitation)

/* ---- tiers ------------------------------------------------------------------ */

static int
rest_tier_list(struct tier_list *out, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	rest_route(&p, ROUTE_TIERS_LIST);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return tier_items(out, reply, e);
}

static int
rest_tier_put(struct store *st, const struct tier *t, struct err *e)
{
	struct rest_path p;
	json_t *body;

	if (validate_utf8(t->name, "name", e) < 0
	    || validate_utf8(t->display_name, "display_name", e) < 0)
		return -1;
	if (!(body = tier_to_json(t)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	rest_route(&p, ROUTE_TIERS_PUT);
	return rest_call(rest_of(st), &p, body, NULL, e);
}

/* ---- tenants ---------------------------------------------------------------- */

static int
rest_tenant_list(struct tenant_list *out, struct store *st, const struct tenant_query *q,
		 struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (q->filter && validate_utf8(q->filter, "filter", e) < 0)
		return -1;
	if (q->tier && validate_utf8(q->tier, "tier", e) < 0)
		return -1;
	if (q->status >= TENANT_STATUS_COUNT || q->status < -1)
		return err_field(e, "status", "unknown status");
	if ((unsigned)q->sort >= TENANT_SORT_COUNT)
		return err_field(e, "sort", "unknown sort");
	rest_route(&p, ROUTE_TENANTS_LIST);
	rest_query(&p, "filter", q->filter);
	rest_query(&p, "tier", q->tier);
	if (q->status >= 0)
		rest_query(&p, "status", tenant_status_name((enum tenant_status)q->status));
	rest_query(&p, "sort", tenant_sort_name(q->sort));
	if (q->desc)
		rest_query(&p, "desc", "1");
	rest_query(&p, "after", q->after);
	if (q->limit) /* 0 is the store's default page, as in store_pg */
		rest_query_i64(&p, "limit", q->limit);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return tenant_items(out, reply, e);
}

static int
rest_tenant_get(struct tenant *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_TENANT_GET, tenant);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return tenant_reply(out, reply, e);
}

static int
rest_tenant_create(struct tenant *out, struct store *st, const struct tenant_new *t, struct err *e)
{
	struct rest_path p;
	json_t *body = json_object(), *reply;

	memset(out, 0, sizeof *out);
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "name", t->name ? t->name : "", "name", e) < 0
	    || rest_set_str(body, "admin_email", t->admin_email ? t->admin_email : "",
			    "admin_email", e)
		   < 0
	    || rest_set_str(body, "admin_name", t->admin_name, "admin_name", e) < 0
	    || rest_set_str(body, "subscription_tier", t->tier && *t->tier ? t->tier : NULL, "tier",
			    e)
		   < 0
	    || rest_set_str(body, "domain", t->domain && *t->domain ? t->domain : NULL, "domain", e)
		   < 0
	    || rest_set_str(body, "slug", t->slug && *t->slug ? t->slug : NULL, "slug", e) < 0
	    || rest_set_str(body, "billing_email",
			    t->billing_email && *t->billing_email ? t->billing_email : NULL,
			    "billing_email", e)
		   < 0
	    || rest_set_str(body, "contact_phone",
			    t->contact_phone && *t->contact_phone ? t->contact_phone : NULL,
			    "contact_phone", e)
		   < 0
	    || rest_set_str(body, "timezone", t->timezone && *t->timezone ? t->timezone : NULL,
			    "timezone", e)
		   < 0
	    || rest_set_str(body, "locale", t->locale && *t->locale ? t->locale : NULL, "locale", e)
		   < 0
	    || json_object_set_new(body, "trial", json_boolean(t->trial)) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_TENANTS_CREATE);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return tenant_reply(out, reply, e);
}

/* An embedded JSON text of the patch as a value of the body; the field is
 * named as the store names it (settings_json, branding_json). */
static int
set_json_text(json_t *body, const char *key, const char *text, const char *field, struct err *e)
{
	json_error_t je;
	json_t *v;

	if (!text)
		return 0;
	if (!(v = json_loads(text, JSON_DECODE_ANY, &je)))
		return err_field(e, field, "%s is not valid JSON: %s", field, je.text);
	if (json_object_set_new(body, key, v) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	return 0;
}

static int
rest_tenant_update(struct tenant *out, struct store *st, const char *tenant,
		   const struct tenant_patch *t, struct err *e)
{
	struct rest_path p;
	json_t *body = json_object(), *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "name", t->name, "name", e) < 0
	    || rest_set_str(body, "domain", t->domain, "domain", e) < 0
	    || rest_set_str(body, "billing_email", t->billing_email, "billing_email", e) < 0
	    || rest_set_str(body, "billing_status", t->billing_status, "billing_status", e) < 0
	    || rest_set_str(body, "contact_phone", t->contact_phone, "contact_phone", e) < 0
	    || rest_set_str(body, "timezone", t->timezone, "timezone", e) < 0
	    || rest_set_str(body, "locale", t->locale, "locale", e) < 0
	    || set_json_text(body, "settings", t->settings_json, "settings_json", e) < 0
	    || set_json_text(body, "branding", t->branding_json, "branding_json", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_TENANT_UPDATE, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return tenant_reply(out, reply, e);
}

static int
rest_tenant_set_status(struct tenant *out, struct store *st, const char *tenant,
		       enum tenant_status status, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if ((unsigned)status >= TENANT_STATUS_COUNT)
		return err_field(e, "status", "unknown status");
	rest_route(&p, ROUTE_TENANT_STATUS, tenant, tenant_status_name(status));
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return tenant_reply(out, reply, e);
}

/* A refused downgrade carries its conflicts in the problem. */
static void
read_conflicts(struct tier_conflict *conflict, struct reststore *s, struct err *e)
{
	json_t *c = json_object_get(s->problem, "conflicts");
	struct err why;

	if (!conflict || !e || e->code != ERR_DOWNGRADE_BLOCKED || !c)
		return;
	if (tier_conflict_from_json(conflict, c, &why) < 0)
		rest_bad_reply(e, "list of conflicts", &why);
}

static int
rest_tenant_set_tier(struct tenant *out, struct tier_conflict *conflict, struct store *st,
		     const char *tenant, const char *tier, bool force, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	memset(out, 0, sizeof *out);
	if (conflict)
		memset(conflict, 0, sizeof *conflict);
	REST_NEED_TENANT(tenant, e);
	if (!(body = json_pack("{s:b}", "force", force)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "tier", tier ? tier : "", "tier", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_TENANT_TIER, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0) {
		read_conflicts(conflict, rest_of(st), e);
		return -1;
	}
	return tenant_reply(out, reply, e);
}

/* A reply {"<key>": n} of the maintenance routes. */
static int
count_reply(int *out, json_t *reply, const char *key, struct err *e)
{
	json_t *n = json_object_get(reply, key);

	if (!json_is_integer(n)) {
		json_decref(reply);
		return rest_bad_reply(e, key, NULL);
	}
	*out = (int)json_integer_value(n);
	json_decref(reply);
	return 0;
}

static int
rest_tenant_purge_due(int *purged, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	*purged = 0;
	rest_route(&p, ROUTE_PURGE_DUE);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return count_reply(purged, reply, "purged", e);
}

static int
rest_health_refresh(int *updated, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	*updated = 0;
	rest_route(&p, ROUTE_HEALTH_REFRESH);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return count_reply(updated, reply, "updated", e);
}

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
		   const enum member_role *role, int active, struct err *e)
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

void
rest_ops_tenants(struct store_ops *ops)
{
	ops->tier_list = rest_tier_list;
	ops->tier_put = rest_tier_put;
	ops->tenant_list = rest_tenant_list;
	ops->tenant_get = rest_tenant_get;
	ops->tenant_create = rest_tenant_create;
	ops->tenant_update = rest_tenant_update;
	ops->tenant_set_status = rest_tenant_set_status;
	ops->tenant_set_tier = rest_tenant_set_tier;
	ops->tenant_purge_due = rest_tenant_purge_due;
	ops->health_refresh = rest_health_refresh;
	ops->member_list = rest_member_list;
	ops->member_update = rest_member_update;
	ops->member_remove = rest_member_remove;
	ops->invitation_list = rest_invitation_list;
	ops->invitation_create = rest_invitation_create;
	ops->invitation_resend = rest_invitation_resend;
	ops->invitation_revoke = rest_invitation_revoke;
	ops->invitation_accept = rest_invitation_accept;
}
