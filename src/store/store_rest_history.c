/* store_rest_history.c - the platform over time over tenantryd
 * (GET /api/platform/history, routes.h). */
#include <string.h>

#include "core/json_history.h"
#include "store/store_rest.h"

REST_ONE(platform_history)

static int
rest_history(struct platform_history *out, struct store *st, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	rest_route(&p, ROUTE_PLATFORM_HISTORY);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return platform_history_reply(out, reply, e);
}

void
rest_ops_history(struct store_ops *ops)
{
	ops->platform_history = rest_history;
}
