/* json_history.h - the JSON of the platform's history (struct
 * platform_history): GET /api/platform/history. */
#ifndef TENANTRY_JSON_HISTORY_H
#define TENANTRY_JSON_HISTORY_H

#include <jansson.h>

#include "core/err.h"
#include "core/types.h"

/* {"by_status": {"active": [24 counts], ...}, "sign_ins": [24],
 * "writes": [24], "churn": [{"month", "left", "upgrades", "downgrades"}
 * x 6]}, oldest first. A new reference. */
json_t *platform_history_to_json(const struct platform_history *h);
/* Reads what platform_history_to_json writes; -1 with e naming the first
 * field that is missing or of the wrong shape. */
int platform_history_from_json(struct platform_history *out, json_t *j, struct err *e);

#endif
