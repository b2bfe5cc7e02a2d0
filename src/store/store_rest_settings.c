/* store_rest_settings.c - typed settings and feature flags over tenantryd
 * (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(setting)
REST_ONE(feature_state)
REST_LIST(setting)

REST_TENANT_LIST_OP(rest_setting_list, setting, ROUTE_SETTINGS_LIST)

/* ---- settings ---------------------------------------------------------------------- */

static int
rest_setting_get(struct setting *out, struct store *st, const char *tenant, const char *key,
		 bool reveal, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (!key || !*key)
		return err_field(e, "key", "key missing");
	rest_route(&p, ROUTE_SETTING_GET, tenant, key);
	if (reveal)
		rest_query(&p, "reveal", "1");
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return setting_reply(out, reply, e);
}

static int
rest_setting_put(struct setting *out, struct store *st, const char *tenant, const char *key,
		 enum setting_type type, const char *value, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (!key || !*key)
		return err_field(e, "key", "key missing");
	if ((unsigned)type >= SETTING_TYPE_COUNT)
		return err_field(e, "type", "unknown setting type");
	if (!(body = json_pack("{s:s}", "type", setting_type_name(type))))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "value", value ? value : "", "value", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_SETTING_PUT, tenant, key);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return setting_reply(out, reply, e);
}

static int
rest_setting_delete(struct store *st, const char *tenant, const char *key, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!key || !*key)
		return err_field(e, "key", "key missing");
	rest_route(&p, ROUTE_SETTING_DELETE, tenant, key);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

/* ---- features ------------------------------------------------------------------------ */

static int
rest_feature_list(struct feature_state *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_FEATURES_LIST, tenant);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return feature_state_reply(out, reply, e);
}

static int
rest_feature_set(struct feature_state *out, struct store *st, const char *tenant, enum feature f,
		 int state, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if ((unsigned)f >= FEATURE_COUNT)
		return err_field(e, "feature", "unknown feature");
	if (state < -1 || state > 1)
		return err_field(e, "state", "state must be 1 (on), 0 (off) or -1 (tier default)");
	body = json_pack("{s:o}", "enabled", state < 0 ? json_null() : json_boolean(state));
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	rest_route(&p, ROUTE_FEATURE_SET, tenant, feature_name(f));
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return feature_state_reply(out, reply, e);
}

void
rest_ops_settings(struct store_ops *ops)
{
	ops->setting_list = rest_setting_list;
	ops->setting_get = rest_setting_get;
	ops->setting_put = rest_setting_put;
	ops->setting_delete = rest_setting_delete;
	ops->feature_list = rest_feature_list;
	ops->feature_set = rest_feature_set;
}
