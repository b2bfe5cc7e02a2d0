/* api_settings.c - the routes of typed settings and feature overrides: each route's parsing, store call
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

/* ---- settings and features ------------------------------------------------------ */

static void
h_settings_list(struct req *r, struct reply *rp)
{
	struct setting_list l;
	struct err e;

	if (OP(r, setting_list, &l, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(setting, &l), NULL));
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
	bool reveal = api_query_flag(r, "reveal");
	struct setting s;
	struct err e;

	if (reveal && !principal_can(&r->who, PERM_SECRETS_REVEAL)) {
		err_set(&e, ERR_FORBIDDEN, "revealing secrets is not allowed");
		return api_fail(rp, &e);
	}
	if (OP(r, setting_get, &s, r->st, api_tenant(r), route_param(&r->match, "key"), reveal, &e)
	    < 0)
		return api_fail(rp, &e);
	reply_setting(rp, &s);
}

static void
h_setting_put(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *type_s, *value;
	enum setting_type type;
	bool encrypted = false;
	struct setting s;
	struct err e;

	if (!b)
		return;
	if (api_member_str2(&value, b, "value", "setting_value", true, &e) < 0
	    || api_member_str(&type_s, b, "type", false, &e) < 0
	    || api_member_bool(&encrypted, b, "is_encrypted", &e) < 0)
		return api_fail(rp, &e);
	if (!type_s) /* the seeds' shape: a string, or a secret when encrypted */
		type_s = encrypted ? "secret" : "string";
	if (setting_type_parse(type_s, &type) < 0) {
		err_field(&e, "type", "unknown setting type %.40s", type_s);
		return api_fail(rp, &e);
	}
	if (OP(r, setting_put, &s, r->st, api_tenant(r), route_param(&r->match, "key"), type, value,
	       &e)
	    < 0)
		return api_fail(rp, &e);
	reply_setting(rp, &s);
}

static void
h_features_list(struct req *r, struct reply *rp)
{
	struct feature_state f;
	struct err e;

	if (OP(r, feature_list, &f, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, feature_state_to_json(&f));
}

static void
h_feature_set(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp), *v;
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
		return api_fail(rp, &e);
	}
	if (!json_is_boolean(v) && !json_is_null(v)) {
		err_field(&e, "enabled", "enabled must be true, false or null");
		return api_fail(rp, &e);
	}
	state = json_is_null(v) ? -1 : json_is_true(v);
	if (feature_parse(name, &feat) < 0) {
		err_set(&e, ERR_NOT_FOUND, "no such feature");
		return api_fail(rp, &e);
	}
	if (OP(r, feature_set, &f, r->st, api_tenant(r), feat, state, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, feature_state_to_json(&f));
}

void
api_settings_list(struct req *r, struct reply *rp)
{
	h_settings_list(r, rp);
}

void
api_setting_get(struct req *r, struct reply *rp)
{
	h_setting_get(r, rp);
}

void
api_setting_put(struct req *r, struct reply *rp)
{
	h_setting_put(r, rp);
}

void
api_setting_delete(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = store_setting_delete(r->st, api_tenant(r), route_param(&r->match, "key"), &e);

	api_no_content(rp, rc, &e);
}

void
api_features_list(struct req *r, struct reply *rp)
{
	h_features_list(r, rp);
}

void
api_feature_set(struct req *r, struct reply *rp)
{
	h_feature_set(r, rp);
}
