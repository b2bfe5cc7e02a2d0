/* forecast.h - when a quota will reach 80, 95 and 100 % of its limit,
 * projected from its daily usage.
 *
 * The rate is the least-squares slope of cumulative consumption over the
 * FORECAST_DAYS complete UTC days before today: the fit runs through the
 * 15 day boundaries from the start of today - 14 to the start of today,
 * the first at 0 and each next one higher by that day's amount
 * (usage_daily). Constant use of a units a day gives exactly a; no use at
 * all is flat (0). Today is left out: its amount is not complete.
 *
 * A level is reached when used * 100 >= limit * pct and used > 0, as in
 * quota_level. For each of 80, 95 and 100 %:
 *   - unlimited quota: FORECAST_NONE;
 *   - already reached: FORECAST_REACHED;
 *   - rate <= 0 (flat), or the level further than FORECAST_HORIZON_DAYS
 *     away: FORECAST_NONE;
 *   - a quota without a window (storage_bytes, users, api_keys) grows as
 *     used + rate * t: FORECAST_PROJECTED at now + t;
 *   - a quota with a window (api_calls an hour, invitations a day) has the
 *     window's usage grow at the same daily rate: FORECAST_PROJECTED when
 *     the level is reached before the window resets, else
 *     FORECAST_RESETS_FIRST.
 */
#ifndef TENANTRY_FORECAST_H
#define TENANTRY_FORECAST_H

#include <stddef.h>

#include "core/types.h"

#define FORECAST_DAYS 14
#define FORECAST_HORIZON_DAYS 3650

const char *forecast_state_name(enum forecast_state s); /* "projected" */
int forecast_state_parse(const char *s, enum forecast_state *out);
/* The percentage of level i (0..FORECAST_LEVELS-1): 80, 95, 100. */
int forecast_level_pct(int i);

/* The rate of consumption, units a day, from amounts[0] (today - 14) to
 * amounts[FORECAST_DAYS - 1] (yesterday). */
double forecast_rate(const int64_t amounts[FORECAST_DAYS]);

/* The smallest used that reaches pct % of limit (used * 100 >= limit *
 * pct, used > 0); -1 when unlimited. */
int64_t forecast_threshold(int64_t limit, int pct);

/* Projects q (its limit, used as of now and window) at per_day units a
 * day into *out, as of now. */
void forecast_quota(struct quota_forecast *out, const struct quota *q, double per_day, usec_t now);

/* Orders forecasts by when they reach 100 %: reached first, then the
 * soonest projected, then the rest. A key for an ascending sort. */
int64_t forecast_full_key(const struct quota_forecast *f);

/* A duration for a reader: "45 min", "5 h", "3 d" (rounded down, at
 * least "1 min"). Returns as snprintf. */
int forecast_format_in(char *buf, size_t size, usec_t dt);

/* One line for a quota gauge, with durations from now: "80% in 2 d,
 * 100% in 6 d", "100% in 5 h", "at 100%", "flat", "not this hour"
 * (the window resets before the next level), "slow" (beyond the
 * horizon), "unlimited"; "" when the quota carries no forecast. */
int forecast_describe(char *buf, size_t size, const struct quota *q, usec_t now);

/* forecast_describe when it fits in width columns; else, of its two
 * parts, "100% in 6 d" when projected and it fits, else the first when it
 * fits ("80% in 24 min" before "100% not this hour"); else
 * forecast_describe_full when that fits; else "". */
int forecast_describe_fit(char *buf, size_t size, const struct quota *q, usec_t now, int width);

/* When 100 % comes, for a list: "full in 3 d", "at 100%", "flat",
 * "resets first" (the window's end comes first), "-" (no forecast,
 * unlimited or beyond the horizon). */
int forecast_describe_full(char *buf, size_t size, const struct quota_forecast *f, usec_t now);

#endif
