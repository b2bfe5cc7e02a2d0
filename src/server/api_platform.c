/* api_platform.c - the routes of what only the platform does: metrics over every tenant, the purge and the health refresh: each route's parsing, store call
 * and reply (its permission is its row in routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_history.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

static void
h_metrics_platform(struct req *r, struct reply *rp)
{
	struct platform_metrics m;
	struct err e;

	if (OP(r, metrics, &m, r->st, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, platform_metrics_to_json(&m));
}

void
api_metrics_platform(struct req *r, struct reply *rp)
{
	h_metrics_platform(r, rp);
}

void
api_platform_history(struct req *r, struct reply *rp)
{
	struct platform_history h;
	struct err e;

	if (OP(r, platform_history, &h, r->st, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, platform_history_to_json(&h));
}

void
api_purge_due(struct req *r, struct reply *rp)
{
	struct err e;
	int n;

	if (store_tenant_purge_due(&n, r->st, &e) < 0)
		return api_fail(rp, &e);
	api_count(rp, "purged", n);
}

void
api_health_refresh(struct req *r, struct reply *rp)
{
	struct err e;
	int n;

	if (store_health_refresh(&n, r->st, &e) < 0)
		return api_fail(rp, &e);
	api_count(rp, "updated", n);
}
