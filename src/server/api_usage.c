/* api_usage.c - the routes of usage, quotas and their alerts: each route's parsing, store call
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

/* ---- quotas and usage ---------------------------------------------------------- */

static void
h_usage(struct req *r, struct reply *rp)
{
	struct usage_summary u;
	struct err e;

	if (OP(r, usage_summary, &u, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, usage_summary_to_json(&u));
}

static void
h_usage_logs(struct req *r, struct reply *rp)
{
	struct usage_day_list l;
	int64_t days;
	struct err e;

	if (api_query_int(r, "days", 1, 366, 30, &days, &e) < 0
	    || OP(r, usage_list, &l, r->st, api_tenant(r), (int)days, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(usage_day, &l), NULL));
	usage_day_list_free(&l);
}

static void
h_quota_take(struct req *r, struct reply *rp, bool consume)
{
	json_t *b = api_body(r, rp);
	struct quota_result q;
	const char *res;
	int64_t amount = 1;
	struct err e;
	int rc;

	if (!b)
		return;
	if (api_member_str2(&res, b, "resource", "resource_type", true, &e) < 0
	    || api_member_int(&amount, NULL, b, "amount", false, &e) < 0)
		return api_fail(rp, &e);
	if (amount < 1 || amount > (int64_t)1 << 40) {
		err_field(&e, "amount", "amount wants a positive integer");
		return api_fail(rp, &e);
	}
	rc = consume ? OP(r, usage_increment, &q, r->st, api_tenant(r), res, amount, &e)
		     : OP(r, quota_check, &q, r->st, api_tenant(r), res, amount, &e);
	if (rc < 0) {
		if (e.code == ERR_QUOTA_EXCEEDED)
			return reply_error(rp, &e,
					   json_pack("{s:o}", "quota", quota_to_json(&q.quota)));
		return api_fail(rp, &e);
	}
	reply_json(rp, 200, quota_result_to_json(&q));
}

static void
h_quotas_list(struct req *r, struct reply *rp)
{
	struct quota_list l;
	struct err e;

	if (OP(r, quota_list, &l, r->st, api_tenant(r), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(quota, &l), NULL));
	quota_list_free(&l);
}

static void
h_quota_set(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	struct quota q;
	int64_t limit;
	struct err e;

	if (!b)
		return;
	if (api_member_int(&limit, NULL, b, "limit", true, &e) < 0
	    || OP(r, quota_set_limit, &q, r->st, api_tenant(r), route_param(&r->match, "resource"),
		  limit, &e)
		   < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, quota_to_json(&q));
}

static void
h_alerts(struct req *r, struct reply *rp, const char *tenant)
{
	struct alert_list l;
	struct err e;
	usec_t from;

	if (api_query_time(&from, r, "since", &e) < 0)
		return api_fail(rp, &e);
	if (OP(r, alert_list, &l, r->st, tenant, api_query_flag(r, "open"), from,
	       req_query(r, "resource"), &e)
	    < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(alert, &l), NULL));
	alert_list_free(&l);
}

void
api_alerts_all(struct req *r, struct reply *rp)
{
	h_alerts(r, rp, NULL);
}

/* Every visible alert since ?since, per tenant, kind and resource. */
void
api_alert_groups(struct req *r, struct reply *rp)
{
	struct alert_group_list l;
	struct err e;
	usec_t from;

	if (api_query_time(&from, r, "since", &e) < 0)
		return api_fail(rp, &e);
	if (OP(r, alert_groups, &l, r->st, from, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(alert_group, &l), NULL));
	alert_group_list_free(&l);
}

void
api_usage(struct req *r, struct reply *rp)
{
	h_usage(r, rp);
}

void
api_usage_logs(struct req *r, struct reply *rp)
{
	h_usage_logs(r, rp);
}

void
api_usage_increment(struct req *r, struct reply *rp)
{
	h_quota_take(r, rp, true);
}

void
api_quotas_list(struct req *r, struct reply *rp)
{
	h_quotas_list(r, rp);
}

void
api_quotas_check(struct req *r, struct reply *rp)
{
	h_quota_take(r, rp, false);
}

void
api_quota_set(struct req *r, struct reply *rp)
{
	h_quota_set(r, rp);
}

void
api_alerts_list(struct req *r, struct reply *rp)
{
	h_alerts(r, rp, api_tenant(r));
}

void
api_alert_ack(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = store_alert_ack(r->st, api_tenant(r), route_param(&r->match, "alert"), &e);

	api_no_content(rp, rc, &e);
}
