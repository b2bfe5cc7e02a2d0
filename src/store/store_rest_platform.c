/* store_rest_platform.c - health, platform metrics, export and the health
 * refresh over tenantryd (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(health)
REST_ONE(platform_metrics)

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

/* ---- alerts, health, metrics, export ------------------------------------------------------ */

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

void
rest_ops_platform(struct store_ops *ops)
{
	ops->health_get = rest_health_get;
	ops->metrics = rest_metrics;
	ops->tenant_export = rest_tenant_export;
	ops->health_refresh = rest_health_refresh;
	ops->tenant_purge_due = rest_tenant_purge_due;
}
