/* json_forecast.c - the JSON of a quota forecast (json_read.h), carried
 * by quotas, alerts, the usage summary and the platform's nearest list:
 *
 *   {"per_day": 120.5, "as_of": "2026-12-07T12:00:00Z",
 *    "warn80": {"state": "projected", "at": "2026-12-09T08:00:00Z"},
 *    "warn95": {"state": "projected", "at": ...},
 *    "full": {"state": "resets_first", "at": null}}
 *
 * null when no forecast was made (as_of 0).
 */
#include <string.h>

#include "core/forecast.h"
#include "core/json.h"
#include "core/json_read.h"
#include "core/quota.h"

static const char *
level_key(int i)
{
	return quota_level_name((enum quota_level)(QUOTA_WARN80 + i));
}

json_t *
forecast_to_json(const struct quota_forecast *f)
{
	json_t *j;

	if (f->as_of == 0)
		return json_null();
	j = json_pack("{s:f, s:o}", "per_day", f->per_day, "as_of", time_to_json(f->as_of));
	for (int i = 0; j && i < FORECAST_LEVELS; i++)
		if (json_object_set_new(j, level_key(i),
					json_pack("{s:s, s:o}", "state",
						  forecast_state_name(f->state[i]), "at",
						  time_to_json(f->at[i])))
		    < 0) {
			json_decref(j);
			return NULL;
		}
	return j;
}

void
rd_forecast(struct rd *r, const char *key, struct quota_forecast *out)
{
	json_t *v = r->obj ? json_object_get(r->obj, key) : NULL;
	struct rd f, level;

	memset(out, 0, sizeof *out);
	if (!v || json_is_null(v))
		return;
	rd_child(&f, r, key);
	rd_real(&f, "per_day", &out->per_day);
	rd_time(&f, "as_of", &out->as_of);
	for (int i = 0; i < FORECAST_LEVELS; i++) {
		rd_child(&level, &f, level_key(i));
		RD_ENUM(&level, "state", forecast_state_parse, &out->state[i]);
		rd_time(&level, "at", &out->at[i]);
	}
}
