/* store_rest_usage.c - quotas and usage over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(quota)
REST_ONE(quota_result)
REST_ONE(usage_summary)
REST_LIST(quota)
REST_LIST(usage_day)

REST_TENANT_LIST_OP(rest_quota_list, quota, ROUTE_QUOTAS_LIST)

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

static int
rest_api_calls_served(struct api_calls_count *rows, size_t n, struct store *st, struct err *e)
{
	(void)st;
	for (size_t i = 0; i < n; i++)
		rows[i].found = false;
	return rest_over_db(e, "counting served API calls");
}

static int
rest_activity_seen(const struct activity_mark *rows, size_t n, struct store *st, struct err *e)
{
	(void)rows;
	(void)n;
	(void)st;
	return rest_over_db(e, "recording activity");
}

void
rest_ops_usage(struct store_ops *ops)
{
	ops->activity_seen = rest_activity_seen;
	ops->quota_list = rest_quota_list;
	ops->quota_set_limit = rest_quota_set_limit;
	ops->quota_check = rest_quota_check;
	ops->usage_increment = rest_usage_increment;
	ops->usage_summary = rest_usage_summary;
	ops->usage_list = rest_usage_list;
	ops->api_calls_served = rest_api_calls_served;
}
