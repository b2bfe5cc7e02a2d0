/* store_rest_usage.c - quotas, usage, settings, features, API keys, audit,
 * alerts, health, metrics and export over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(quota)
REST_ONE(quota_result)
REST_ONE(usage_summary)
REST_ONE(setting)
REST_ONE(feature_state)
REST_ONE(api_key)
REST_ONE(audit_verdict)
REST_ONE(health)
REST_ONE(platform_metrics)
REST_LIST(quota)
REST_LIST(usage_day)
REST_LIST(setting)
REST_LIST(api_key)
REST_LIST(audit_entry)
REST_LIST(alert)

/* GET of a tenant's sub-resource that replies with a list. */
/* clang-format off */
#define TENANT_LIST_OP(name, T, route)                                       \
	static int name(struct T##_list *out, struct store *st,              \
			const char *tenant, struct err *e)                   \
	{                                                                    \
		struct rest_path p;                                          \
		json_t *reply;                                               \
		memset(out, 0, sizeof *out);                                 \
		REST_NEED_TENANT(tenant, e);                                 \
		rest_route(&p, route, tenant);                               \
		if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)         \
			return -1;                                           \
		return T##_items(out, reply, e);                             \
	}
/* clang-format on */
TENANT_LIST_OP(rest_quota_list, quota, ROUTE_QUOTAS_LIST)
TENANT_LIST_OP(rest_setting_list, setting, ROUTE_SETTINGS_LIST)
TENANT_LIST_OP(rest_apikey_list, api_key, ROUTE_APIKEYS_LIST)

/* ---- quotas and usage ------------------------------------------------------------- */

static int
rest_quota_set_limit(struct quota *out, struct store *st, const char *tenant, const char *resource,
		     int64_t limit, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (!resource || !*resource)
		return err_field(e, "resource", "resource missing");
	if (!(body = json_pack("{s:I}", "limit", (json_int_t)limit)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	rest_route(&p, ROUTE_QUOTA_SET, tenant, resource);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	return quota_reply(out, reply, e);
}

/* POST {resource, amount} to a quota route. A refused consumption leaves
 * the quota as it stands in the problem, like the database store does. */
static int
quota_post(struct quota_result *out, struct store *st, const char *tenant, enum route_id route,
	   const char *resource, int64_t amount, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply, *q;
	struct err why;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	if (!(body = json_pack("{s:I}", "amount", (json_int_t)amount)))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "resource", resource ? resource : "", "resource", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, route, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) == 0)
		return quota_result_reply(out, reply, e);
	q = json_object_get(rest_of(st)->problem, "quota");
	if (e && e->code == ERR_QUOTA_EXCEEDED && q && quota_from_json(&out->quota, q, &why) < 0)
		rest_bad_reply(e, "quota", &why);
	return -1;
}

static int
rest_quota_check(struct quota_result *out, struct store *st, const char *tenant,
		 const char *resource, int64_t amount, struct err *e)
{
	return quota_post(out, st, tenant, ROUTE_QUOTAS_CHECK, resource, amount, e);
}

static int
rest_usage_increment(struct quota_result *out, struct store *st, const char *tenant,
		     const char *resource, int64_t amount, struct err *e)
{
	return quota_post(out, st, tenant, ROUTE_USAGE_INCREMENT, resource, amount, e);
}

static int
rest_usage_summary(struct usage_summary *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_USAGE, tenant);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return usage_summary_reply(out, reply, e);
}

static int
rest_usage_list(struct usage_day_list *out, struct store *st, const char *tenant, int days,
		struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_USAGE_LOGS, tenant);
	rest_query_i64(&p, "days", days);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return usage_day_items(out, reply, e);
}

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

/* ---- API keys ------------------------------------------------------------------------ */

static int
rest_apikey_create(struct api_key *out, char secret_out[128], struct store *st, const char *tenant,
		   const char *name, scope_mask scopes, usec_t expires_at, struct err *e)
{
	struct rest_path p;
	json_t *body, *reply;
	const char *key;

	memset(out, 0, sizeof *out);
	secret_out[0] = '\0';
	REST_NEED_TENANT(tenant, e);
	if (!(body = json_pack("{s:o}", "scopes", scope_mask_to_json(scopes))))
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (expires_at)
		json_object_set_new(body, "expires_at", time_to_json(expires_at));
	if (rest_set_str(body, "name", name ? name : "", "name", e) < 0) {
		json_decref(body);
		return -1;
	}
	rest_route(&p, ROUTE_APIKEYS_CREATE, tenant);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	key = json_string_value(json_object_get(reply, "key"));
	if (!key || strlen(key) >= 128) {
		json_decref(reply);
		return rest_bad_reply(e, "API key", NULL);
	}
	snprintf(secret_out, 128, "%s", key);
	if (api_key_reply(out, reply, e) < 0) {
		memset(secret_out, 0, 128);
		return -1;
	}
	return 0;
}

static int
rest_apikey_revoke(struct store *st, const char *tenant, const char *key, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!key || !*key)
		return err_field(e, "key", "key missing");
	rest_route(&p, ROUTE_APIKEY_REVOKE, tenant, key);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

/* ---- audit ----------------------------------------------------------------------------- */

/* The route of one tenant (one) or of every chain the caller sees (all). */
static void
tenant_or_all(struct rest_path *p, const char *tenant, enum route_id one, enum route_id all)
{
	if (tenant)
		rest_route(p, one, tenant);
	else
		rest_route(p, all);
}

static int
rest_audit_list(struct audit_entry_list *out, struct store *st, const char *tenant,
		const struct audit_query *q, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	if ((q->action && validate_utf8(q->action, "action", e) < 0)
	    || (q->actor && validate_utf8(q->actor, "actor", e) < 0))
		return -1;
	tenant_or_all(&p, tenant, ROUTE_AUDIT_LIST, ROUTE_AUDIT_ALL);
	if (q->after_seq)
		rest_query_i64(&p, "after", q->after_seq);
	if (q->before_seq)
		rest_query_i64(&p, "before", q->before_seq);
	if (q->limit)
		rest_query_i64(&p, "limit", q->limit);
	if (q->newest)
		rest_query(&p, "newest", "1");
	rest_query(&p, "action", q->action);
	rest_query(&p, "actor", q->actor);
	rest_query(&p, "cursor", q->cursor);
	if (q->since) {
		char t[40];

		time_format(t, sizeof t, q->since);
		rest_query(&p, "since", t);
	}
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return audit_entry_items(out, reply, e);
}

static int
rest_audit_event(struct store *st, const char *tenant, const char *action, const char *rtype,
		 const char *rid, const char *detail, struct err *e)
{
	struct rest_path p;
	json_t *body, *d = NULL;

	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	if (!action || !*action)
		return err_field(e, "action", "action missing");
	if (detail && !(d = json_loads(detail, JSON_DECODE_ANY, NULL)))
		return err_set(e, ERR_BAD_JSON, "detail is not valid JSON");
	if (!(body = json_object())) {
		json_decref(d);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (d)
		json_object_set_new(body, "detail", d);
	if (rest_set_str(body, "action", action, "action", e) < 0
	    || rest_set_str(body, "resource_type", rtype, "resource_type", e) < 0
	    || rest_set_str(body, "resource_id", rid, "resource_id", e) < 0) {
		json_decref(body);
		return -1;
	}
	tenant_or_all(&p, tenant, ROUTE_AUDIT_EVENT, ROUTE_AUDIT_ALL_EVENT);
	return rest_call(rest_of(st), &p, body, NULL, e);
}

static int
rest_audit_verify(struct audit_verdict *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	tenant_or_all(&p, tenant, ROUTE_AUDIT_VERIFY, ROUTE_AUDIT_ALL_VERIFY);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return audit_verdict_reply(out, reply, e);
}

/* ---- alerts, health, metrics, export ------------------------------------------------------ */

static int
rest_alert_list(struct alert_list *out, struct store *st, const char *tenant, bool open_only,
		struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	tenant_or_all(&p, tenant, ROUTE_ALERTS_LIST, ROUTE_ALERTS_ALL);
	if (open_only)
		rest_query(&p, "open", "1");
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return alert_items(out, reply, e);
}

static int
rest_alert_ack(struct store *st, const char *tenant, const char *alert, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!alert || !*alert)
		return err_field(e, "alert", "alert missing");
	rest_route(&p, ROUTE_ALERT_ACK, tenant, alert);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

static int
rest_health_get(struct health *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_HEALTH, tenant);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return health_reply(out, reply, e);
}

static int
rest_metrics(struct platform_metrics *out, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	rest_route(&p, ROUTE_METRICS_PLATFORM);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return platform_metrics_reply(out, reply, e);
}

/* The export document as tenantryd wrote it, checked to be JSON. */
static int
rest_tenant_export(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *doc;

	*json_out = NULL;
	REST_NEED_TENANT(tenant, e);
	rest_route(&p, ROUTE_EXPORT, tenant);
	if (rest_call_text(rest_of(st), &p, json_out, e) < 0)
		return -1;
	if (!(doc = json_loads(*json_out, 0, NULL)) || !json_is_object(doc)) {
		json_decref(doc);
		free(*json_out);
		*json_out = NULL;
		return rest_bad_reply(e, "export document", NULL);
	}
	json_decref(doc);
	return 0;
}

void
rest_ops_usage(struct store_ops *ops)
{
	ops->quota_list = rest_quota_list;
	ops->quota_set_limit = rest_quota_set_limit;
	ops->quota_check = rest_quota_check;
	ops->usage_increment = rest_usage_increment;
	ops->usage_summary = rest_usage_summary;
	ops->usage_list = rest_usage_list;
	ops->setting_list = rest_setting_list;
	ops->setting_get = rest_setting_get;
	ops->setting_put = rest_setting_put;
	ops->setting_delete = rest_setting_delete;
	ops->feature_list = rest_feature_list;
	ops->feature_set = rest_feature_set;
	ops->apikey_list = rest_apikey_list;
	ops->apikey_create = rest_apikey_create;
	ops->apikey_revoke = rest_apikey_revoke;
	ops->audit_list = rest_audit_list;
	ops->audit_event = rest_audit_event;
	ops->audit_verify = rest_audit_verify;
	ops->audit_verify_all = store_verify_each;
	ops->alert_list = rest_alert_list;
	ops->alert_ack = rest_alert_ack;
	ops->health_get = rest_health_get;
	ops->metrics = rest_metrics;
	ops->tenant_export = rest_tenant_export;
}
