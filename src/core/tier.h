/* tier.h - the default tier catalog and what a tier means for quotas,
 * downgrades and features.
 *
 * The catalog matches src/sql/007_tiers.sql (the database is the truth at
 * run time; this copy serves tests, the demo loader and offline use).
 * A limit of -1 means unlimited.
 */
#ifndef TENANTRY_TIER_H
#define TENANTRY_TIER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/types.h"

#define GIB (INT64_C(1) << 30)
#define TIB (INT64_C(1) << 40)

/* The five default tiers, by rank (free, basic, professional, business,
 * enterprise). Static storage; *n gets the count. */
const struct tier *tier_default_catalog(size_t *n);

/* The tier named name in list[0..n), or NULL. */
const struct tier *tier_find(const struct tier *list, size_t n, const char *name);

/* The tier's limit for a resource: users -> max_users, storage_bytes ->
 * storage_limit_bytes, api_calls -> api_calls_per_hour, api_keys ->
 * max_api_keys, invitations -> invitations_per_day. -1 = unlimited. */
int64_t tier_limit(const struct tier *t, enum resource r);

/* The window a resource's quota counts over: api_calls an hour,
 * invitations a day, the counted resources none. */
enum quota_window tier_window(enum resource r);

/* True when moving from `from` to `to` goes down in rank. */
bool tier_is_downgrade(const struct tier *from, const struct tier *to);

/* Fills out with the counted resources (users, storage, api keys) whose
 * usage used[r] exceeds the limit of `to`; windowed resources are left out
 * since their windows reset. Returns out->n. */
size_t tier_conflicts(struct tier_conflict *out, const struct tier *to,
		      const int64_t used[RESOURCE_COUNT]);

/* The features a tenant has: its tier's, plus the overrides switched on,
 * minus those switched off (off wins over on). */
feature_mask feature_effective(feature_mask tier, feature_mask on, feature_mask off);

/* Every feature of the catalog. */
feature_mask feature_all(void);

/* The features a tenant with the overrides on and off has on tier `from`
 * and would no longer have on tier `to` (what a downgrade turns off). */
feature_mask tier_features_lost(const struct tier *from, const struct tier *to, feature_mask on,
				feature_mask off);

/* The features of m by name, in catalog order, ", " between them ("" for
 * none), cut to what fits in size. Returns the number of features. */
int feature_list_format(char *buf, size_t size, feature_mask m);

#endif
