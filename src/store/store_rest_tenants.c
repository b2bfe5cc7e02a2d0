/* store_rest_tenants.c - tiers and tenants over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(tenant)
REST_LIST(tier)
REST_LIST(tenant)

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

/* The first admin's invitation of a create's reply ("invitation", with
 * its token), taken out of it for the caller (tenant_new). */
static int
first_admin(const struct tenant_new *t, json_t *reply, struct err *e)
{
	json_t *inv = json_object_get(reply, "invitation");
	const char *token = json_string_value(json_object_get(inv, "token"));
	struct err why;
	int rc = 0;

	if (!json_is_object(inv) || !token || strlen(token) >= 96)
		return rest_bad_reply(e, "tenant's first admin invitation", NULL);
	if (t->invitation_token)
		snprintf(t->invitation_token, 96, "%s", token);
	json_object_del(inv, "token");
	if (t->invitation && invitation_from_json(t->invitation, inv, &why) < 0)
		rc = rest_bad_reply(e, "tenant's first admin invitation", &why);
	json_object_del(reply, "invitation");
	return rc;
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
	if (first_admin(t, reply, e) < 0) {
		json_decref(reply);
		return -1;
	}
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
}
