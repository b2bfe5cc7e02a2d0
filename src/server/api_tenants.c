/* api_tenants.c - the routes of tiers and tenants: the catalog, the list, one tenant, its lifecycle, tier, health and export: each route's parsing, store call
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

/* ---- tiers and tenants ----------------------------------------------------- */

static void
h_tiers_list(struct req *r, struct reply *rp)
{
	struct tier_list l;
	struct err e;

	if (OP(r, tier_list, &l, r->st, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(tier, &l), NULL));
	tier_list_free(&l);
}

static void
h_tier_put(struct req *r, struct reply *rp, int status)
{
	json_t *b = api_body(r, rp);
	struct tier t;
	struct err e;

	if (!b)
		return;
	if (tier_from_json(&t, b, &e) < 0 || OP(r, tier_put, r->st, &t, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, status, tier_to_json(&t));
}

static void
h_tenants_list(struct req *r, struct reply *rp)
{
	struct tenant_query q = { .status = -1, .limit = 50 };
	struct jtext j = { 0 };
	const char *v;
	struct tenant_list l;
	int64_t limit;
	struct err e;

	q.filter = req_query(r, "filter");
	q.tier = req_query(r, "tier");
	q.after = req_query(r, "after");
	q.desc = api_query_flag(r, "desc");
	if (api_query_int(r, "limit", 1, 500, 50, &limit, &e) < 0)
		return api_fail(rp, &e);
	q.limit = (int)limit;
	if ((v = req_query(r, "status")) && *v
	    && tenant_status_parse(v, (enum tenant_status *)&q.status) < 0) {
		err_field(&e, "status", "unknown status %.40s", v);
		return api_fail(rp, &e);
	}
	if ((v = req_query(r, "sort")) && *v && tenant_sort_parse(v, &q.sort) < 0) {
		err_field(&e, "sort", "unknown sort %.40s", v);
		return api_fail(rp, &e);
	}
	if (OP(r, tenant_list, &l, r->st, &q, &e) < 0)
		return api_fail(rp, &e);
	tenant_page_json_text(&j, l.rows, l.n, l.next);
	reply_json_text(rp, 200, jt_take(&j));
	tenant_list_free(&l);
}

static void
reply_tenant(struct reply *rp, int status, struct tenant *t)
{
	struct jtext j = { 0 };

	tenant_json_text(&j, t);
	reply_json_text(rp, status, jt_take(&j));
	tenant_clear(t);
}

/* A created tenant, with its first admin's invitation and the token
 * (shown this once) as "invitation". */
static void
reply_created(struct reply *rp, struct tenant *t, const struct invitation *inv, const char *token)
{
	json_t *j = tenant_to_json(t), *i = invitation_to_json(inv);

	tenant_clear(t);
	if (j && i) {
		json_object_set_new(i, "token", json_string(token));
		json_object_set_new(j, "invitation", i);
		i = NULL;
	}
	json_decref(i);
	reply_json(rp, 201, j);
}

static void
h_tenants_create(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	struct tenant_new n = { 0 };
	const char *tier2 = NULL;
	struct invitation inv;
	char token[96];
	struct tenant t;
	struct err e;

	if (!b)
		return;
	if (api_member_str2(&n.name, b, "name", "organization_name", true, &e) < 0
	    || api_member_str(&n.admin_email, b, "admin_email", false, &e) < 0
	    || api_member_str(&n.admin_name, b, "admin_name", false, &e) < 0
	    || api_member_str(&n.tier, b, "subscription_tier", false, &e) < 0
	    || api_member_str2(&tier2, b, "tier", "tenant_tier", false, &e) < 0
	    || api_member_str(&n.domain, b, "domain", false, &e) < 0
	    || api_member_str(&n.slug, b, "slug", false, &e) < 0
	    || api_member_str(&n.billing_email, b, "billing_email", false, &e) < 0
	    || api_member_str(&n.contact_phone, b, "contact_phone", false, &e) < 0
	    || api_member_str(&n.timezone, b, "timezone", false, &e) < 0
	    || api_member_str(&n.locale, b, "locale", false, &e) < 0
	    || api_member_bool(&n.trial, b, "trial", &e) < 0)
		return api_fail(rp, &e);
	if (!n.tier)
		n.tier = tier2;
	if (!n.admin_email && !n.billing_email) {
		err_field(&e, "admin_email", "admin_email is required");
		return api_fail(rp, &e);
	}
	if (!n.admin_email) /* a seed creates the tenant with billing only */
		n.admin_email = n.billing_email;
	n.invitation = &inv;
	n.invitation_token = token;
	if (OP(r, tenant_create, &t, r->st, &n, &e) < 0)
		return api_fail(rp, &e);
	reply_created(rp, &t, &inv, token);
	memset(token, 0, sizeof token);
}

static void
h_tenant_get(struct req *r, struct reply *rp, const char *tenant)
{
	struct tenant t;
	struct err e;

	if (!tenant || !*tenant) {
		err_set(&e, ERR_BAD_REQUEST, "name a tenant with X-Tenant-ID");
		return api_fail(rp, &e);
	}
	if (OP(r, tenant_get, &t, r->st, tenant, &e) < 0)
		return api_fail(rp, &e);
	reply_tenant(rp, 200, &t);
}

/* An embedded JSON object member as compact text (owned). */
static int
member_json_text(char **out, json_t *o, const char *key, struct err *e)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return err_field(e, key, "%s must be an object", key);
	return json_value_text(out, v, key, e); /* depth and size limits */
}

/* "domain_verified": true or false, platform staff only (a verified
 * domain names its tenant from a request's Host). */
static int
domain_verified(struct tenant_patch *p, struct req *r, json_t *b, struct err *e)
{
	json_t *v = json_object_get(b, "domain_verified");

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return err_field(e, "domain_verified", "domain_verified must be true or false");
	if (!principal_is_staff(&r->who) || r->who.staff != STAFF_PLATFORM_ADMIN)
		return err_set(e, ERR_FORBIDDEN, "only platform staff verify a domain");
	p->domain_verified_at = json_is_true(v) ? "true" : "false";
	return 0;
}

static void
h_tenant_update(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	struct tenant_patch p = { 0 };
	char *settings = NULL, *branding = NULL;
	struct tenant t;
	struct err e;
	int rc;

	if (!b)
		return;
	rc = api_member_str(&p.name, b, "name", false, &e) < 0
	     || api_member_str(&p.domain, b, "domain", false, &e) < 0
	     || api_member_str(&p.billing_email, b, "billing_email", false, &e) < 0
	     || api_member_str(&p.billing_status, b, "billing_status", false, &e) < 0
	     || api_member_str(&p.contact_phone, b, "contact_phone", false, &e) < 0
	     || api_member_str(&p.timezone, b, "timezone", false, &e) < 0
	     || api_member_str(&p.locale, b, "locale", false, &e) < 0
	     || member_json_text(&settings, b, "settings", &e) < 0
	     || member_json_text(&branding, b, "branding", &e) < 0
	     || domain_verified(&p, r, b, &e) < 0;
	p.settings_json = settings;
	p.branding_json = branding;
	if (!rc)
		rc = OP(r, tenant_update, &t, r->st, api_tenant(r), &p, &e) < 0;
	free(settings);
	free(branding);
	if (rc)
		return api_fail(rp, &e);
	reply_tenant(rp, 200, &t);
}

static void
h_tenant_status(struct req *r, struct reply *rp, const char *status_name)
{
	enum tenant_status s;
	struct tenant t;
	struct err e;

	if (tenant_status_parse(status_name, &s) < 0) {
		err_field(&e, "status", "unknown status %.40s", status_name);
		return api_fail(rp, &e);
	}
	if (OP(r, tenant_set_status, &t, r->st, api_tenant(r), s, &e) < 0)
		return api_fail(rp, &e);
	reply_tenant(rp, 200, &t);
}

static void
h_tenant_tier(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	struct tier_conflict c = { 0 };
	const char *tier;
	bool force = false;
	struct tenant t;
	struct err e;

	if (!b)
		return;
	if (api_member_str(&tier, b, "tier", true, &e) < 0
	    || api_member_bool(&force, b, "force", &e) < 0)
		return api_fail(rp, &e);
	if (OP(r, tenant_set_tier, &t, &c, r->st, api_tenant(r), tier, force, &e) < 0) {
		if (e.code == ERR_DOWNGRADE_BLOCKED)
			return reply_error(
			    rp, &e, json_pack("{s:o}", "conflicts", tier_conflict_to_json(&c)));
		return api_fail(rp, &e);
	}
	reply_tenant(rp, 200, &t);
}

static void
h_health(struct req *r, struct reply *rp)
{
	struct health h;
	struct err e;

	if (OP(r, health_get, &h, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, health_to_json(&h));
}

static void
h_export(struct req *r, struct reply *rp)
{
	char *doc;
	struct err e;

	if (OP(r, tenant_export, &doc, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	/* The store builds the document; it goes out as it is. */
	rp->status = 200;
	rp->text = doc;
	rp->content_type = "application/json";
}

void
api_tiers_list(struct req *r, struct reply *rp)
{
	h_tiers_list(r, rp);
}

void
api_tiers_create(struct req *r, struct reply *rp)
{
	h_tier_put(r, rp, 201);
}

void
api_tiers_put(struct req *r, struct reply *rp)
{
	h_tier_put(r, rp, 200);
}

void
api_tenants_list(struct req *r, struct reply *rp)
{
	h_tenants_list(r, rp);
}

void
api_tenants_create(struct req *r, struct reply *rp)
{
	h_tenants_create(r, rp);
}

void
api_tenant_current(struct req *r, struct reply *rp)
{
	h_tenant_get(r, rp, r->who.tenant_id[0] ? r->who.tenant_id : req_header(r, "X-Tenant-ID"));
}

void
api_tenant_get(struct req *r, struct reply *rp)
{
	h_tenant_get(r, rp, api_tenant(r));
}

void
api_tenant_update(struct req *r, struct reply *rp)
{
	h_tenant_update(r, rp);
}

void
api_tenant_delete(struct req *r, struct reply *rp)
{
	h_tenant_status(r, rp, "pending_deletion");
}

void
api_tenant_status(struct req *r, struct reply *rp)
{
	h_tenant_status(r, rp, route_param(&r->match, "status"));
}

void
api_tenant_tier(struct req *r, struct reply *rp)
{
	h_tenant_tier(r, rp);
}

void
api_health(struct req *r, struct reply *rp)
{
	h_health(r, rp);
}

void
api_export(struct req *r, struct reply *rp)
{
	h_export(r, rp);
}
