/* health.h - the health score of a tenant, 0..100, from five parts.
 *
 * Each part is a number in [0, 1]:
 *
 *   engagement         members_active_30d / members, clamped to [0, 1];
 *                      0 when there are no members
 *   feature_adoption   features_enabled / features_available, clamped;
 *                      0 when no feature is available
 *   quota_headroom     1 - clamp(usage_peak - 0.5, 0, 0.5) / 0.5: full
 *                      below a 50 % peak, falling linearly to 0 at 100 %
 *   payment            billing "ok" 1, "past_due" 0.4, "unpaid" or any
 *                      other value 0
 *   usage_consistency  1 - clamp(sd / mean, 0, 1) over the HEALTH_DAYS
 *                      daily api_calls (sd the population standard
 *                      deviation); 0 when every day is 0
 *
 * score = round(sum of weight * part) with the percent weights of
 * HEALTH_PARTS (30, 20, 20, 20, 10; they add up to 100), halves rounded up.
 * explain[i] says in one line what part i was made of, e.g.
 * "engagement 0.75: 6 of 8 members active in 30 days".
 */
#ifndef TENANTRY_HEALTH_H
#define TENANTRY_HEALTH_H

#include "core/types.h"

const char *health_part_name(enum health_part p); /* "engagement" */
int health_part_weight(enum health_part p);       /* 30 */
int health_part_parse(const char *s, enum health_part *out);

/* Fills *out (zeroed first) from in; -1 when either is NULL. */
int health_compute(const struct health_inputs *in, struct health *out);

#endif
