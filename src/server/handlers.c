/* handlers.c - every route: credentials, permission, one store operation,
 * the reply. Which rows a caller sees is decided by the database (the
 * store context carries the caller's role and tenant); here we only decide
 * which permission a route needs and translate JSON both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/server.h"

/* ---- what each route needs ------------------------------------------------- */

enum need {
	NEED_PUBLIC,   /* no credential */
	NEED_ANY,      /* any valid credential */
	NEED_PERM,     /* the permission of the route's row */
	NEED_STAFF,    /* platform staff (any role) */
	NEED_ADMIN,    /* platform_admin */
	NEED_PERSON,   /* a user or staff token, not an API key */
};
#define PERM_NONE PERM_COUNT

/* From the route table: every row names what it needs (routes.h). */
static const struct {
	enum need need;
	enum perm perm;
} needs[ROUTE_COUNT] = {
#define X(e, m, p, n, perm) [ROUTE_##e] = { NEED_##n, PERM_##perm },
	ROUTES(X)
#undef X
};
#undef PERM_NONE

bool
route_is_public(enum route_id id)
{
	return (unsigned)id < ROUTE_COUNT && needs[id].need == NEED_PUBLIC;
}

static bool
allowed(const struct principal *p, enum route_id id)
{
	switch (needs[id].need) {
	case NEED_PUBLIC:
	case NEED_ANY:
		return true;
	case NEED_PERM:
		return principal_can(p, needs[id].perm);
	case NEED_STAFF:
		return principal_is_staff(p);
	case NEED_ADMIN:
		return principal_is_staff(p) && p->staff == STAFF_PLATFORM_ADMIN;
	case NEED_PERSON:
		return p->kind == PRINCIPAL_STAFF || p->kind == PRINCIPAL_USER;
	}
	return false;
}

/* ---- small helpers ---------------------------------------------------------- */

#define OP(r, name, ...) (store_##name(__VA_ARGS__))

static void
fail(struct reply *rp, const struct err *e)
{
	reply_error(rp, e, NULL);
}

static json_t *
items(json_t *arr, const char *next)
{
	if (!arr)
		return NULL;
	return json_pack("{s:o, s:s}", "items", arr, "next", next ? next : "");
}

#define LIST_JSON(type, list)                                                \
	({                                                                   \
		json_t *a_ = json_array();                                   \
		for (size_t i_ = 0; a_ && i_ < (list)->n; i_++) {            \
			json_t *o_ = type##_to_json(&(list)->rows[i_]);      \
			if (!o_ || json_array_append_new(a_, o_) < 0) {      \
				json_decref(a_);                             \
				a_ = NULL;                                   \
			}                                                    \
		}                                                            \
		a_;                                                          \
	})

/* The body as an object; NULL after replying 400. */
static json_t *
body_object(struct req *r, struct reply *rp)
{
	struct err e;

	if (json_is_object(r->body))
		return r->body;
	err_set(&e, ERR_BAD_REQUEST, r->body ? "the body must be a JSON object"
		: "a JSON body is required");
	fail(rp, &e);
	return NULL;
}

/* A string member: required (missing -> error) or optional (NULL). */
static int
member_str(const char **out, json_t *o, const char *key, bool required,
	   struct err *e)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return err_field(e, key, "%s is required", key);
		return 0;
	}
	if (!json_is_string(v))
		return err_field(e, key, "%s must be a string", key);
	*out = json_string_value(v);
	if (strlen(*out) != json_string_length(v))
		return err_field(e, key, "%s must not contain NUL", key);
	return 0;
}

/* The seeds name some members differently; the first name present wins
 * and the error names the canonical one. */
static int
member_str2(const char **out, json_t *o, const char *key, const char *alias,
	    bool required, struct err *e)
{
	if (!json_object_get(o, key) && json_object_get(o, alias)) {
		if (member_str(out, o, alias, required, e) < 0)
			return err_field(e, key, "%s must be a string", key);
		return 0;
	}
	return member_str(out, o, key, required, e);
}

static int
member_int(int64_t *out, bool *present, json_t *o, const char *key,
	   bool required, struct err *e)
{
	json_t *v = json_object_get(o, key);

	if (present)
		*present = false;
	if (!v || json_is_null(v)) {
		if (required)
			return err_field(e, key, "%s is required", key);
		return 0;
	}
	if (!json_is_integer(v))
		return err_field(e, key, "%s must be an integer", key);
	*out = json_integer_value(v);
	if (present)
		*present = true;
	return 0;
}

static int
member_bool(bool *out, json_t *o, const char *key, struct err *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return err_field(e, key, "%s must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* An integer query parameter in lo..hi (absent = dflt). */
static int
query_int(struct req *r, const char *name, int64_t lo, int64_t hi,
	  int64_t dflt, int64_t *out, struct err *e)
{
	const char *v = req_query(r, name);
	char *end;
	long long n;

	*out = dflt;
	if (!v || !*v)
		return 0;
	n = strtoll(v, &end, 10);
	if (*end || n < lo || n > hi)
		return err_field(e, name, "%s wants an integer in %lld..%lld", name,
				 (long long)lo, (long long)hi);
	*out = n;
	return 0;
}

static bool
query_flag(struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0
		     || strcmp(v, "yes") == 0);
}

static const char *
tenant_param(struct req *r)
{
	return route_param(&r->match, "id");
}

/* ---- tiers and tenants ----------------------------------------------------- */

static void
h_tiers_list(struct req *r, struct reply *rp)
{
	struct tier_list l;
	struct err e;

	if (OP(r, tier_list, &l, r->st, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(tier, &l), NULL));
	tier_list_free(&l);
}

static void
h_tier_put(struct req *r, struct reply *rp, int status)
{
	json_t *b = body_object(r, rp);
	struct tier t;
	struct err e;

	if (!b)
		return;
	if (tier_from_json(&t, b, &e) < 0 || OP(r, tier_put, r->st, &t, &e) < 0)
		return fail(rp, &e);
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
	q.desc = query_flag(r, "desc");
	if (query_int(r, "limit", 1, 500, 50, &limit, &e) < 0)
		return fail(rp, &e);
	q.limit = (int)limit;
	if ((v = req_query(r, "status")) && *v
	    && tenant_status_parse(v, (enum tenant_status *)&q.status) < 0) {
		err_field(&e, "status", "unknown status %.40s", v);
		return fail(rp, &e);
	}
	if ((v = req_query(r, "sort")) && *v && tenant_sort_parse(v, &q.sort) < 0) {
		err_field(&e, "sort", "unknown sort %.40s", v);
		return fail(rp, &e);
	}
	if (OP(r, tenant_list, &l, r->st, &q, &e) < 0)
		return fail(rp, &e);
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

static void
h_tenants_create(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	struct tenant_new n = { 0 };
	const char *tier2 = NULL;
	struct tenant t;
	struct err e;

	if (!b)
		return;
	if (member_str2(&n.name, b, "name", "organization_name", true, &e) < 0
	    || member_str(&n.admin_email, b, "admin_email", false, &e) < 0
	    || member_str(&n.admin_name, b, "admin_name", false, &e) < 0
	    || member_str(&n.tier, b, "subscription_tier", false, &e) < 0
	    || member_str2(&tier2, b, "tier", "tenant_tier", false, &e) < 0
	    || member_str(&n.domain, b, "domain", false, &e) < 0
	    || member_str(&n.slug, b, "slug", false, &e) < 0
	    || member_str(&n.billing_email, b, "billing_email", false, &e) < 0
	    || member_str(&n.contact_phone, b, "contact_phone", false, &e) < 0
	    || member_str(&n.timezone, b, "timezone", false, &e) < 0
	    || member_str(&n.locale, b, "locale", false, &e) < 0
	    || member_bool(&n.trial, b, "trial", &e) < 0)
		return fail(rp, &e);
	if (!n.tier)
		n.tier = tier2;
	if (!n.admin_email && !n.billing_email) {
		err_field(&e, "admin_email", "admin_email is required");
		return fail(rp, &e);
	}
	if (!n.admin_email)  /* a seed creates the tenant with billing only */
		n.admin_email = n.billing_email;
	if (OP(r, tenant_create, &t, r->st, &n, &e) < 0)
		return fail(rp, &e);
	reply_tenant(rp, 201, &t);
}

static void
h_tenant_get(struct req *r, struct reply *rp, const char *tenant)
{
	struct tenant t;
	struct err e;

	if (!tenant || !*tenant) {
		err_set(&e, ERR_BAD_REQUEST, "name a tenant with X-Tenant-ID");
		return fail(rp, &e);
	}
	if (OP(r, tenant_get, &t, r->st, tenant, &e) < 0)
		return fail(rp, &e);
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
	return json_value_text(out, v, key, e);  /* depth and size limits */
}

static void
h_tenant_update(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	struct tenant_patch p = { 0 };
	char *settings = NULL, *branding = NULL;
	struct tenant t;
	struct err e;
	int rc;

	if (!b)
		return;
	rc = member_str(&p.name, b, "name", false, &e) < 0
		|| member_str(&p.domain, b, "domain", false, &e) < 0
		|| member_str(&p.billing_email, b, "billing_email", false, &e) < 0
		|| member_str(&p.billing_status, b, "billing_status", false, &e) < 0
		|| member_str(&p.contact_phone, b, "contact_phone", false, &e) < 0
		|| member_str(&p.timezone, b, "timezone", false, &e) < 0
		|| member_str(&p.locale, b, "locale", false, &e) < 0
		|| member_json_text(&settings, b, "settings", &e) < 0
		|| member_json_text(&branding, b, "branding", &e) < 0;
	p.settings_json = settings;
	p.branding_json = branding;
	if (!rc)
		rc = OP(r, tenant_update, &t, r->st, tenant_param(r), &p, &e) < 0;
	free(settings);
	free(branding);
	if (rc)
		return fail(rp, &e);
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
		return fail(rp, &e);
	}
	if (OP(r, tenant_set_status, &t, r->st, tenant_param(r), s, &e) < 0)
		return fail(rp, &e);
	reply_tenant(rp, 200, &t);
}

static void
h_tenant_tier(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	struct tier_conflict c = { 0 };
	const char *tier;
	bool force = false;
	struct tenant t;
	struct err e;

	if (!b)
		return;
	if (member_str(&tier, b, "tier", true, &e) < 0
	    || member_bool(&force, b, "force", &e) < 0)
		return fail(rp, &e);
	if (OP(r, tenant_set_tier, &t, &c, r->st, tenant_param(r), tier, force, &e) < 0) {
		if (e.code == ERR_DOWNGRADE_BLOCKED)
			return reply_error(rp, &e, json_pack("{s:o}", "conflicts",
							     tier_conflict_to_json(&c)));
		return fail(rp, &e);
	}
	reply_tenant(rp, 200, &t);
}

static void
h_count(struct reply *rp, const char *key, int n)
{
	reply_json(rp, 200, json_pack("{s:i}", key, n));
}

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
		return fail(rp, &e);
	}
	if ((v = req_query(r, "active")) && *v) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			q.active = 1;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			q.active = 0;
		else {
			err_field(&e, "active", "active wants true or false");
			return fail(rp, &e);
		}
	}
	if (OP(r, member_list, &l, r->st, tenant_param(r), &q, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(member, &l), NULL));
	member_list_free(&l);
}

static void
h_user_update(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	const char *role_s;
	enum member_role role;
	bool active = false;
	json_t *av;
	struct member m;
	struct err e;

	if (!b)
		return;
	if (member_str(&role_s, b, "role", false, &e) < 0
	    || member_bool(&active, b, "active", &e) < 0)
		return fail(rp, &e);
	if (role_s && member_role_parse(role_s, &role) < 0) {
		err_field(&e, "role", "unknown role %.40s", role_s);
		return fail(rp, &e);
	}
	av = json_object_get(b, "active");
	if (OP(r, member_update, &m, r->st, tenant_param(r),
	       route_param(&r->match, "user"), role_s ? &role : NULL,
	       json_is_boolean(av) ? active : -1, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, member_to_json(&m));
}

static void
h_no_content(struct reply *rp, int rc, const struct err *e)
{
	if (rc < 0)
		return fail(rp, e);
	reply_json(rp, 204, NULL);
}

static void
reply_invitation(struct reply *rp, int status, const struct invitation *inv,
		 const char *token)
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

	if (OP(r, invitation_list, &l, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(invitation, &l), NULL));
	invitation_list_free(&l);
}

static void
h_invitations_create(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	const char *email, *role_s;
	enum member_role role = ROLE_MEMBER;
	struct invitation inv;
	char token[96];
	struct err e;

	if (!b)
		return;
	if (member_str(&email, b, "email", true, &e) < 0
	    || member_str(&role_s, b, "role", false, &e) < 0)
		return fail(rp, &e);
	if (role_s && member_role_parse(role_s, &role) < 0) {
		err_field(&e, "role", "unknown role %.40s", role_s);
		return fail(rp, &e);
	}
	if (OP(r, invitation_create, &inv, token, r->st, tenant_param(r), email,
	       role, &e) < 0)
		return fail(rp, &e);
	reply_invitation(rp, 201, &inv, token);
	memset(token, 0, sizeof token);
}

static void
h_invitation_resend(struct req *r, struct reply *rp)
{
	struct invitation inv;
	char token[96];
	struct err e;

	if (OP(r, invitation_resend, &inv, token, r->st, tenant_param(r),
	       route_param(&r->match, "inv"), &e) < 0)
		return fail(rp, &e);
	reply_invitation(rp, 200, &inv, token);
	memset(token, 0, sizeof token);
}

static void
h_invitation_accept(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	const char *token, *name, *pw;
	struct member m;
	struct err e;

	if (!b)
		return;
	if (member_str(&token, b, "token", true, &e) < 0
	    || member_str(&name, b, "full_name", false, &e) < 0
	    || member_str(&pw, b, "password", false, &e) < 0)
		return fail(rp, &e);
	if (OP(r, invitation_accept, &m, r->st, token, name, pw, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, member_to_json(&m));
}

/* ---- quotas and usage ---------------------------------------------------------- */

static void
h_usage(struct req *r, struct reply *rp)
{
	struct usage_summary u;
	struct err e;

	if (OP(r, usage_summary, &u, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, usage_summary_to_json(&u));
}

static void
h_usage_logs(struct req *r, struct reply *rp)
{
	struct usage_day_list l;
	int64_t days;
	struct err e;

	if (query_int(r, "days", 1, 366, 30, &days, &e) < 0
	    || OP(r, usage_list, &l, r->st, tenant_param(r), (int)days, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(usage_day, &l), NULL));
	usage_day_list_free(&l);
}

static void
h_quota_take(struct req *r, struct reply *rp, bool consume)
{
	json_t *b = body_object(r, rp);
	struct quota_result q;
	const char *res;
	int64_t amount = 1;
	struct err e;
	int rc;

	if (!b)
		return;
	if (member_str2(&res, b, "resource", "resource_type", true, &e) < 0
	    || member_int(&amount, NULL, b, "amount", false, &e) < 0)
		return fail(rp, &e);
	if (amount < 1 || amount > (int64_t)1 << 40) {
		err_field(&e, "amount", "amount wants a positive integer");
		return fail(rp, &e);
	}
	rc = consume ? OP(r, usage_increment, &q, r->st, tenant_param(r), res, amount, &e)
		: OP(r, quota_check, &q, r->st, tenant_param(r), res, amount, &e);
	if (rc < 0) {
		if (e.code == ERR_QUOTA_EXCEEDED)
			return reply_error(rp, &e, json_pack("{s:o}", "quota",
							     quota_to_json(&q.quota)));
		return fail(rp, &e);
	}
	reply_json(rp, 200, quota_result_to_json(&q));
}

static void
h_quotas_list(struct req *r, struct reply *rp)
{
	struct quota_list l;
	struct err e;

	if (OP(r, quota_list, &l, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(quota, &l), NULL));
	quota_list_free(&l);
}

static void
h_quota_set(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	struct quota q;
	int64_t limit;
	struct err e;

	if (!b)
		return;
	if (member_int(&limit, NULL, b, "limit", true, &e) < 0
	    || OP(r, quota_set_limit, &q, r->st, tenant_param(r),
		  route_param(&r->match, "resource"), limit, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, quota_to_json(&q));
}

/* ---- settings and features ------------------------------------------------------ */

static void
h_settings_list(struct req *r, struct reply *rp)
{
	struct setting_list l;
	struct err e;

	if (OP(r, setting_list, &l, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(setting, &l), NULL));
	setting_list_free(&l);
}

static void
reply_setting(struct reply *rp, struct setting *s)
{
	reply_json(rp, 200, setting_to_json(s));
	setting_clear(s);
}

static void
h_setting_get(struct req *r, struct reply *rp)
{
	bool reveal = query_flag(r, "reveal");
	struct setting s;
	struct err e;

	if (reveal && !principal_can(&r->who, PERM_SECRETS_REVEAL)) {
		err_set(&e, ERR_FORBIDDEN, "revealing secrets is not allowed");
		return fail(rp, &e);
	}
	if (OP(r, setting_get, &s, r->st, tenant_param(r),
	       route_param(&r->match, "key"), reveal, &e) < 0)
		return fail(rp, &e);
	reply_setting(rp, &s);
}

static void
h_setting_put(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	const char *type_s, *value;
	enum setting_type type;
	bool encrypted = false;
	struct setting s;
	struct err e;

	if (!b)
		return;
	if (member_str2(&value, b, "value", "setting_value", true, &e) < 0
	    || member_str(&type_s, b, "type", false, &e) < 0
	    || member_bool(&encrypted, b, "is_encrypted", &e) < 0)
		return fail(rp, &e);
	if (!type_s)  /* the seeds' shape: a string, or a secret when encrypted */
		type_s = encrypted ? "secret" : "string";
	if (setting_type_parse(type_s, &type) < 0) {
		err_field(&e, "type", "unknown setting type %.40s", type_s);
		return fail(rp, &e);
	}
	if (OP(r, setting_put, &s, r->st, tenant_param(r),
	       route_param(&r->match, "key"), type, value, &e) < 0)
		return fail(rp, &e);
	reply_setting(rp, &s);
}

static void
h_features_list(struct req *r, struct reply *rp)
{
	struct feature_state f;
	struct err e;

	if (OP(r, feature_list, &f, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, feature_state_to_json(&f));
}

static void
h_feature_set(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp), *v;
	struct feature_state f;
	enum feature feat;
	const char *name = route_param(&r->match, "name");
	int state;
	struct err e;

	if (!b)
		return;
	v = json_object_get(b, "enabled");
	if (!v) {
		err_field(&e, "enabled", "enabled is required (true, false or null)");
		return fail(rp, &e);
	}
	if (!json_is_boolean(v) && !json_is_null(v)) {
		err_field(&e, "enabled", "enabled must be true, false or null");
		return fail(rp, &e);
	}
	state = json_is_null(v) ? -1 : json_is_true(v);
	if (feature_parse(name, &feat) < 0) {
		err_set(&e, ERR_NOT_FOUND, "no such feature");
		return fail(rp, &e);
	}
	if (OP(r, feature_set, &f, r->st, tenant_param(r), feat, state, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, feature_state_to_json(&f));
}

/* ---- API keys --------------------------------------------------------------------- */

static void
h_apikeys_list(struct req *r, struct reply *rp)
{
	struct api_key_list l;
	struct err e;

	if (OP(r, apikey_list, &l, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(api_key, &l), NULL));
	api_key_list_free(&l);
}

static void
h_apikeys_create(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp), *j;
	const char *name;
	scope_mask scopes = 0;
	usec_t expires = 0;
	struct api_key k;
	char secret[128];
	struct err e;

	if (!b)
		return;
	if (member_str(&name, b, "name", true, &e) < 0)
		return fail(rp, &e);
	if (!json_object_get(b, "scopes")) {
		err_field(&e, "scopes", "scopes is required");
		return fail(rp, &e);
	}
	if (scope_mask_from_json(&scopes, json_object_get(b, "scopes"), "scopes", &e) < 0)
		return fail(rp, &e);
	j = json_object_get(b, "expires_at");
	if (j && !json_is_null(j) && time_from_json(&expires, j, "expires_at", &e) < 0)
		return fail(rp, &e);
	if (OP(r, apikey_create, &k, secret, r->st, tenant_param(r), name, scopes,
	       expires, &e) < 0)
		return fail(rp, &e);
	j = api_key_to_json(&k);
	if (j)
		json_object_set_new(j, "key", json_string(secret));
	memset(secret, 0, sizeof secret);
	reply_json(rp, 201, j);
}

/* ---- audit, alerts, health, export ------------------------------------------------ */

static void
h_audit_list(struct req *r, struct reply *rp, const char *tenant)
{
	struct audit_query q = { 0 };
	struct audit_entry_list l;
	int64_t after, before, limit;
	const char *since;
	struct err e;

	if (query_int(r, "after", 0, INT64_MAX, 0, &after, &e) < 0
	    || query_int(r, "before", 0, INT64_MAX, 0, &before, &e) < 0
	    || query_int(r, "limit", 1, 1000, 100, &limit, &e) < 0)
		return fail(rp, &e);
	q.after_seq = after;
	q.before_seq = before;
	q.limit = (int)limit;
	q.newest = query_flag(r, "newest");
	q.action = req_query(r, "action");
	q.actor = req_query(r, "actor");
	q.cursor = req_query(r, "cursor");
	if ((since = req_query(r, "since")) && time_parse(&q.since, since, "since", &e) < 0)
		return fail(rp, &e);
	if (since && !q.cursor) {
		err_field(&e, "since", "since goes with cursor");
		return fail(rp, &e);
	}
	if (q.cursor && (after || before || q.newest)) {
		err_field(&e, "cursor", "cursor does not go with after, before or newest");
		return fail(rp, &e);
	}
	if (q.action && !*q.action)
		q.action = NULL;
	if (q.actor && !*q.actor)
		q.actor = NULL;
	if (OP(r, audit_list, &l, r->st, tenant, &q, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(audit_entry, &l), l.next));
	audit_entry_list_free(&l);
}

static void
h_audit_event(struct req *r, struct reply *rp, const char *tenant)
{
	json_t *b = body_object(r, rp), *detail;
	const char *action, *rtype, *rid;
	char *detail_text = NULL;
	struct err e;
	int rc;

	if (!b)
		return;
	if (member_str(&action, b, "action", true, &e) < 0
	    || member_str(&rtype, b, "resource_type", false, &e) < 0
	    || member_str(&rid, b, "resource_id", false, &e) < 0)
		return fail(rp, &e);
	detail = json_object_get(b, "detail");
	if (detail && !json_is_null(detail)) {
		if (!json_is_object(detail)) {
			err_field(&e, "detail", "detail must be an object");
			return fail(rp, &e);
		}
		if (json_value_text(&detail_text, detail, "detail", &e) < 0)
			return fail(rp, &e);
	}
	rc = OP(r, audit_event, r->st, tenant, action, rtype ? rtype : "",
		rid ? rid : "", detail_text, &e);
	free(detail_text);
	h_no_content(rp, rc, &e);
}

static void
h_audit_verify(struct req *r, struct reply *rp, const char *tenant)
{
	struct audit_verdict v;
	struct err e;

	if (OP(r, audit_verify, &v, r->st, tenant, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, audit_verdict_to_json(&v));
}

static void
h_alerts(struct req *r, struct reply *rp, const char *tenant)
{
	struct alert_list l;
	struct err e;

	if (OP(r, alert_list, &l, r->st, tenant, query_flag(r, "open"), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, items(LIST_JSON(alert, &l), NULL));
	alert_list_free(&l);
}

static void
h_health(struct req *r, struct reply *rp)
{
	struct health h;
	struct err e;

	if (OP(r, health_get, &h, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, health_to_json(&h));
}

static void
h_metrics_platform(struct req *r, struct reply *rp)
{
	struct platform_metrics m;
	struct err e;

	if (OP(r, metrics, &m, r->st, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, platform_metrics_to_json(&m));
}

static void
h_export(struct req *r, struct reply *rp)
{
	char *doc;
	struct err e;

	if (OP(r, tenant_export, &doc, r->st, tenant_param(r), &e) < 0)
		return fail(rp, &e);
	/* The store builds the document; it goes out as it is. */
	rp->status = 200;
	rp->text = doc;
	rp->content_type = "application/json";
}

/* ---- auth ------------------------------------------------------------------------ */

/* The client's User-Agent for the audit log: cut at a character boundary
 * when it is longer than the context holds; left out unless UTF-8. */
static void
copy_user_agent(struct store_context *ctx, const char *ua)
{
	if (ua && validate_utf8(ua, "User-Agent", NULL) == 0)
		utf8_copy(ctx->user_agent, sizeof ctx->user_agent, ua, strlen(ua));
	else
		ctx->user_agent[0] = '\0';
}

/* Picks the tenant a user logs into: the one named, or the only one. */
static int
login_tenant(struct principal *p, struct store *st, const char *user,
	     const char *wanted, json_t **extra, struct err *e)
{
	struct auth_membership m[AUTH_MAX_MEMBERSHIPS];
	size_t n;

	if (store_auth_memberships(m, AUTH_MAX_MEMBERSHIPS, &n, st, user, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (wanted ? strcmp(wanted, m[i].tenant_id) == 0
			     || strcmp(wanted, m[i].slug) == 0 : n == 1) {
			memcpy(p->tenant_id, m[i].tenant_id, sizeof p->tenant_id);
			p->role = m[i].role;
			return 0;
		}
	if (n == 0 || wanted)
		return err_set(e, ERR_UNAUTHORIZED, "no active membership%s",
			       wanted ? " in that tenant" : "");
	*extra = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(*extra, json_string(m[i].slug));
	*extra = json_pack("{s:o}", "tenants", *extra);
	return err_field(e, "tenant", "this account belongs to several tenants: name one");
}

static void
h_login(struct req *r, struct reply *rp)
{
	/* A fixed hash to check against when the account does not exist, so
	 * that unknown emails take as long as wrong passwords. */
	static char dummy[PASSWORD_HASH_LEN];
	json_t *b = body_object(r, rp), *extra = NULL;
	const char *email, *pw, *totp, *tenant;
	struct store_context ctx = { .role = STORE_ROLE_AUTH };
	struct auth_account a;
	struct principal p = { 0 };
	char fresh[PASSWORD_HASH_LEN] = "";
	char *token;
	int64_t expires;
	struct err e;
	int ok;

	if (!b)
		return;
	if (member_str(&email, b, "email", true, &e) < 0
	    || member_str(&pw, b, "password", true, &e) < 0
	    || member_str(&totp, b, "totp", false, &e) < 0
	    || member_str(&tenant, b, "tenant", false, &e) < 0)
		return fail(rp, &e);
	snprintf(ctx.ip, sizeof ctx.ip, "%s", r->ip);
	if (store_set_context(r->st, &ctx, &e) < 0)
		return fail(rp, &e);
	if (!dummy[0])
		secret_password_hash("not a password", dummy, NULL);
	if (store_auth_user(&a, r->st, email, &e) < 0) {
		if (e.code != ERR_NOT_FOUND)
			return fail(rp, &e);
		secret_password_check(dummy, pw);
		err_set(&e, ERR_UNAUTHORIZED, "invalid email or password");
		return fail(rp, &e);
	}
	if (!secret_password_check(a.password_hash, pw)) {
		err_set(&e, ERR_UNAUTHORIZED, "invalid email or password");
		return fail(rp, &e);
	}
	if (a.mfa_enabled) {
		if (!totp) {
			err_set(&e, ERR_UNAUTHORIZED, "a second factor code is required");
			return reply_error(rp, &e, json_pack("{s:b}", "totp_required", 1));
		}
		if ((ok = auth_totp_check(a.mfa_secret, totp, &e)) <= 0) {
			if (ok == 0)
				err_set(&e, ERR_UNAUTHORIZED, "wrong second factor code");
			return fail(rp, &e);
		}
	}
	snprintf(p.user_id, sizeof p.user_id, "%s", a.id);
	snprintf(p.email, sizeof p.email, "%s", a.email);
	if (a.staff_role != STAFF_NONE && !tenant) {
		p.kind = PRINCIPAL_STAFF;
		p.staff = a.staff_role;
	} else {
		p.kind = PRINCIPAL_USER;
		if (login_tenant(&p, r->st, a.id, tenant, &extra, &e) < 0)
			return reply_error(rp, &e, extra);
	}
	/* The login's audit entry names who logged in, from where. */
	snprintf(ctx.actor, sizeof ctx.actor, "%s", a.email);
	snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "%s",
		 p.kind == PRINCIPAL_STAFF ? "staff" : "user");
	copy_user_agent(&ctx, req_header(r, "User-Agent"));
	if (secret_password_needs_rehash(a.password_hash)
	    && secret_password_hash(pw, fresh, NULL) < 0)
		fresh[0] = '\0';
	if (store_set_context(r->st, &ctx, &e) < 0
	    || store_auth_login_ok(r->st, a.id,
					 p.kind == PRINCIPAL_STAFF ? NULL : p.tenant_id,
					 fresh[0] ? fresh : NULL, &e) < 0)
		return fail(rp, &e);
	if (auth_issue(&token, &expires, &p, &e) < 0)
		return fail(rp, &e);
	reply_json(rp, 200, json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s}",
				      "token", token, "expires_at", time_to_json(expires),
				      "kind", p.kind == PRINCIPAL_STAFF ? "staff" : "user",
				      "user_id", p.user_id, "email", p.email,
				      "tenant_id", p.tenant_id, "role",
				      p.kind == PRINCIPAL_STAFF ? staff_role_name(p.staff)
				      : member_role_name(p.role)));
	free(token);
}

static void
h_totp_enrol(struct req *r, struct reply *rp)
{
	char *sealed, b32[64], uri[512], *enc_email;
	struct err e;
	int rc;

	if (auth_totp_new(&sealed, b32, &e) < 0)
		return fail(rp, &e);
	rc = store_auth_mfa_set(r->st, r->who.user_id, sealed, false, &e);
	free(sealed);
	if (rc < 0)
		return fail(rp, &e);
	/* The account name is the email; '@' and '.' are safe in a URI path. */
	enc_email = r->who.email;
	snprintf(uri, sizeof uri,
		 "otpauth://totp/tenantry:%s?secret=%s&issuer=tenantry&algorithm=SHA1&digits=6&period=30",
		 enc_email, b32);
	reply_json(rp, 200, json_pack("{s:s, s:s}", "secret", b32, "otpauth_uri", uri));
}

static void
h_totp_confirm(struct req *r, struct reply *rp)
{
	json_t *b = body_object(r, rp);
	struct auth_account a;
	const char *code;
	struct err e;
	int ok;

	if (!b)
		return;
	if (member_str(&code, b, "code", true, &e) < 0)
		return fail(rp, &e);
	if (store_auth_user(&a, r->st, r->who.user_id, &e) < 0)
		return fail(rp, &e);
	if (!a.mfa_secret[0]) {
		err_set(&e, ERR_CONFLICT, "enrol first (POST /api/auth/totp)");
		return fail(rp, &e);
	}
	if ((ok = auth_totp_check(a.mfa_secret, code, &e)) <= 0) {
		if (ok == 0)
			err_field(&e, "code", "wrong code");
		return fail(rp, &e);
	}
	h_no_content(rp, store_auth_mfa_set(r->st, a.id, NULL, true, &e), &e);
}

/* ---- dispatch --------------------------------------------------------------------- */

static void
dispatch(struct req *r, struct reply *rp)
{
	const char *t = tenant_param(r);
	struct err e;
	int rc, n;

	switch (r->match.id) {
	case ROUTE_AUTH_LOGIN: return h_login(r, rp);
	case ROUTE_AUTH_TOTP: return h_totp_enrol(r, rp);
	case ROUTE_AUTH_TOTP_CONFIRM: return h_totp_confirm(r, rp);
	case ROUTE_TIERS_LIST: return h_tiers_list(r, rp);
	case ROUTE_TIERS_CREATE: return h_tier_put(r, rp, 201);
	case ROUTE_TIERS_PUT: return h_tier_put(r, rp, 200);
	case ROUTE_TENANTS_LIST: return h_tenants_list(r, rp);
	case ROUTE_TENANTS_CREATE: return h_tenants_create(r, rp);
	case ROUTE_TENANT_CURRENT:
		return h_tenant_get(r, rp, r->who.tenant_id[0] ? r->who.tenant_id
				    : req_header(r, "X-Tenant-ID"));
	case ROUTE_METRICS_PLATFORM: return h_metrics_platform(r, rp);
	case ROUTE_PURGE_DUE:
		if (OP(r, tenant_purge_due, &n, r->st, &e) < 0)
			return fail(rp, &e);
		return h_count(rp, "purged", n);
	case ROUTE_HEALTH_REFRESH:
		if (OP(r, health_refresh, &n, r->st, &e) < 0)
			return fail(rp, &e);
		return h_count(rp, "updated", n);
	case ROUTE_INVITATION_ACCEPT: return h_invitation_accept(r, rp);
	case ROUTE_AUDIT_ALL: return h_audit_list(r, rp, NULL);
	case ROUTE_AUDIT_ALL_EVENT: return h_audit_event(r, rp, NULL);
	case ROUTE_AUDIT_ALL_VERIFY: return h_audit_verify(r, rp, NULL);
	case ROUTE_AUDIT_ALL_STREAM: return sse_start(r, rp, NULL);
	case ROUTE_ALERTS_ALL: return h_alerts(r, rp, NULL);
	case ROUTE_TENANT_GET: return h_tenant_get(r, rp, t);
	case ROUTE_TENANT_UPDATE: return h_tenant_update(r, rp);
	case ROUTE_TENANT_DELETE:
		return h_tenant_status(r, rp, "pending_deletion");
	case ROUTE_TENANT_STATUS:
		return h_tenant_status(r, rp, route_param(&r->match, "status"));
	case ROUTE_TENANT_TIER: return h_tenant_tier(r, rp);
	case ROUTE_USERS_LIST: return h_users_list(r, rp);
	case ROUTE_USER_UPDATE: return h_user_update(r, rp);
	case ROUTE_USER_REMOVE:
		rc = OP(r, member_remove, r->st, t, route_param(&r->match, "user"), &e);
		return h_no_content(rp, rc, &e);
	case ROUTE_INVITATIONS_LIST: return h_invitations_list(r, rp);
	case ROUTE_INVITATIONS_CREATE: return h_invitations_create(r, rp);
	case ROUTE_INVITATION_REVOKE:
		rc = OP(r, invitation_revoke, r->st, t, route_param(&r->match, "inv"), &e);
		return h_no_content(rp, rc, &e);
	case ROUTE_INVITATION_RESEND: return h_invitation_resend(r, rp);
	case ROUTE_USAGE: return h_usage(r, rp);
	case ROUTE_USAGE_LOGS: return h_usage_logs(r, rp);
	case ROUTE_USAGE_INCREMENT: return h_quota_take(r, rp, true);
	case ROUTE_QUOTAS_LIST: return h_quotas_list(r, rp);
	case ROUTE_QUOTAS_CHECK: return h_quota_take(r, rp, false);
	case ROUTE_QUOTA_SET: return h_quota_set(r, rp);
	case ROUTE_SETTINGS_LIST: return h_settings_list(r, rp);
	case ROUTE_SETTING_GET: return h_setting_get(r, rp);
	case ROUTE_SETTING_PUT: return h_setting_put(r, rp);
	case ROUTE_SETTING_DELETE:
		rc = OP(r, setting_delete, r->st, t, route_param(&r->match, "key"), &e);
		return h_no_content(rp, rc, &e);
	case ROUTE_FEATURES_LIST: return h_features_list(r, rp);
	case ROUTE_FEATURE_SET: return h_feature_set(r, rp);
	case ROUTE_APIKEYS_LIST: return h_apikeys_list(r, rp);
	case ROUTE_APIKEYS_CREATE: return h_apikeys_create(r, rp);
	case ROUTE_APIKEY_REVOKE:
		rc = OP(r, apikey_revoke, r->st, t, route_param(&r->match, "key"), &e);
		return h_no_content(rp, rc, &e);
	case ROUTE_AUDIT_LIST: return h_audit_list(r, rp, t);
	case ROUTE_AUDIT_EVENT: return h_audit_event(r, rp, t);
	case ROUTE_AUDIT_STREAM: return sse_start(r, rp, t);
	case ROUTE_AUDIT_VERIFY: return h_audit_verify(r, rp, t);
	case ROUTE_ALERTS_LIST: return h_alerts(r, rp, t);
	case ROUTE_ALERT_ACK:
		rc = OP(r, alert_ack, r->st, t, route_param(&r->match, "alert"), &e);
		return h_no_content(rp, rc, &e);
	case ROUTE_HEALTH: return h_health(r, rp);
	case ROUTE_EXPORT: return h_export(r, rp);
	case ROUTE_HEALTHZ:
	case ROUTE_READYZ:
	case ROUTE_METRICS:
	case ROUTE_COUNT:
		break;
	}
	err_set(&e, ERR_NOT_FOUND, "no such resource");
	fail(rp, &e);
}

/* ---- the caller's context ----------------------------------------------------------- */

static enum store_role
staff_store_role(enum staff_role s)
{
	switch (s) {
	case STAFF_PLATFORM_ADMIN: return STORE_ROLE_PLATFORM;
	case STAFF_SUPPORT: return STORE_ROLE_SUPPORT;
	default: return STORE_ROLE_ONCALL;
	}
}

/* Staff "view as tenant": X-View-As names the tenant, X-View-As-Role the
 * member role whose rights apply. The request then runs as the tenant
 * database role in that tenant's context. */
static int
view_as(struct req *r, struct store_context *ctx, struct err *e)
{
	const char *tenant = req_header(r, "X-View-As");
	const char *role = req_header(r, "X-View-As-Role");
	struct tenant t;

	if (!tenant)
		return 0;
	if (!principal_can(&r->who, PERM_VIEW_AS))
		return err_set(e, ERR_FORBIDDEN, "viewing as a tenant is not allowed");
	if (member_role_parse(role ? role : "viewer", &r->who.role) < 0)
		return err_field(e, "X-View-As-Role", "unknown role");
	if (store_tenant_get(&t, r->st, tenant, e) < 0)
		return -1;
	snprintf(ctx->tenant_id, sizeof ctx->tenant_id, "%s", t.id);
	snprintf(r->who.tenant_id, sizeof r->who.tenant_id, "%s", t.id);
	tenant_clear(&t);
	ctx->role = STORE_ROLE_TENANT;
	r->who.view_as = true;
	return store_set_context(r->st, ctx, e);
}

static int
set_context(struct req *r, struct err *e)
{
	const struct principal *p = &r->who;
	struct store_context ctx = { .role = STORE_ROLE_AUTH };
	const char *ua = req_header(r, "User-Agent");

	snprintf(ctx.ip, sizeof ctx.ip, "%s", r->ip);
	copy_user_agent(&ctx, ua);
	snprintf(ctx.actor, sizeof ctx.actor, "%s", p->email);
	switch (p->kind) {
	case PRINCIPAL_STAFF:
		ctx.role = staff_store_role(p->staff);
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "staff");
		break;
	case PRINCIPAL_USER:
		ctx.role = STORE_ROLE_TENANT;
		ctx.auth_member = true;
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "user");
		break;
	case PRINCIPAL_KEY:
		ctx.role = STORE_ROLE_TENANT;
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "api_key");
		snprintf(ctx.auth_key, sizeof ctx.auth_key, "%s", p->key_id);
		break;
	case PRINCIPAL_NONE:
		snprintf(ctx.actor_kind, sizeof ctx.actor_kind, "system");
		break;
	}
	if (p->kind == PRINCIPAL_STAFF || p->kind == PRINCIPAL_USER) {
		snprintf(ctx.auth_user, sizeof ctx.auth_user, "%s", p->user_id);
		ctx.auth_issued_us = p->issued_us;
	}
	snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", p->tenant_id);
	/* Second-factor enrolment works on the account, not on tenant data. */
	if (r->match.id == ROUTE_AUTH_TOTP || r->match.id == ROUTE_AUTH_TOTP_CONFIRM) {
		ctx.role = STORE_ROLE_AUTH;
		ctx.auth_member = false;
	}
	if (store_set_context(r->st, &ctx, e) < 0)
		return -1;
	if (p->kind == PRINCIPAL_STAFF)
		return view_as(r, &ctx, e);
	return 0;
}

static void
h_readyz(struct reply *rp)
{
	struct err e;
	struct store *st = pool_get(&e);
	int rc = -1;

	if (st) {
		struct store_context ctx = { .role = STORE_ROLE_AUTH };

		rc = store_set_context(st, &ctx, &e) < 0 ? -1 : store_ping(st, &e);
		pool_put(st);
	}
	if (rc < 0)
		return reply_error(rp, &e, NULL);
	reply_json(rp, 200, json_pack("{s:s}", "status", "ready"));
}

void
handle(struct req *r, struct reply *rp)
{
	enum route_id id = r->match.id;
	struct err e;
	int retry;

	if (id == ROUTE_HEALTHZ)
		return reply_json(rp, 200, json_pack("{s:s}", "status", "ok"));
	if (id == ROUTE_READYZ)
		return h_readyz(rp);
	if (id == ROUTE_METRICS) {
		rp->status = 200;
		rp->text = metrics_render();
		rp->content_type = "text/plain; version=0.0.4; charset=utf-8";
		return;
	}
	if (!(r->st = pool_get(&e)))
		return fail(rp, &e);
	if (!route_is_public(id)) {
		if (auth_verify(&r->who, req_header(r, "Authorization"), r->st, &e) < 0)
			goto failed;
		if (!allowed(&r->who, id)) {
			err_set(&e, ERR_FORBIDDEN, "not allowed");
			goto failed;
		}
	}
	if (set_context(r, &e) < 0)
		goto failed;
	/* view-as changes the rights: check again under the tenant's role */
	if (r->who.view_as && !allowed(&r->who, id)) {
		err_set(&e, ERR_FORBIDDEN, "not allowed for the role being viewed as");
		goto failed;
	}
	if ((r->who.kind == PRINCIPAL_USER || r->who.kind == PRINCIPAL_KEY)
	    && ratelimit_take(r->who.tenant_id, r->st, &retry)) {
		metrics_rate_limited();
		err_set(&e, ERR_RATE_LIMITED, "the tenant's hourly API rate is used up");
		reply_error(rp, &e, NULL);
		rp->retry_after = retry;
		pool_put(r->st);
		return;
	}
	idem_run(r, rp, dispatch);
	/* A read whose session was lost may simply run again; a write never
	 * does without its Idempotency-Key. */
	if (strcmp(r->method, "GET") == 0 && rp->status == 503 && !rp->stream) {
		reply_clear(rp);
		dispatch(r, rp);
	}
	pool_put(r->st);
	return;
failed:
	pool_put(r->st);
	fail(rp, &e);
}
