/* json.h - the JSON form of every record and result (types.h), shared by the CLI's --json, tenant export, tenantryd and the
 * REST store, so what one side writes the other reads back exactly.
 *
 * Conventions:
 *  - times are ISO-8601 UTC strings (text.h's time_format), null for 0;
 *  - enums are their names; feature and scope masks are arrays of names in
 *    catalog order;
 *  - reals are JSON numbers that jansson prints with 17 significant digits
 *    (15.7 shows as 15.699999999999999), so they read back bit for bit;
 *    an integer is accepted where a real is expected;
 *  - owned JSON texts (settings, branding, audit old/new) are embedded as
 *    JSON values and read back as compact text (JSON_COMPACT, keys in
 *    their order), null or absent for NULL;
 *  - X_to_json returns a new reference, or NULL when out of memory or a
 *    text is not valid UTF-8 (or an embedded JSON text does not parse);
 *  - X_from_json zeroes *out, then requires every key X_to_json writes
 *    (except the owned texts, which may be absent) with the right JSON
 *    type (health's weights, being fixed, are written but not read); keys
 *    it does not know are ignored. On failure it returns -1
 *    with e = ERR_INVALID_FIELD naming the field ("users.limit",
 *    "tiers[2].mrr_cents") and *out holds nothing owned. On success the
 *    owned texts of tenant, setting and audit_entry belong to the caller
 *    (tenant_clear, setting_clear, audit_entry_clear).
 */
#ifndef TENANTRY_JSON_H
#define TENANTRY_JSON_H

#include <jansson.h>

#include "core/err.h"
#include "core/types.h"

json_t *time_to_json(usec_t t);
int time_from_json(usec_t *out, json_t *j, const char *field, struct err *e);
json_t *feature_mask_to_json(feature_mask m);
int feature_mask_from_json(feature_mask *out, json_t *j, const char *field, struct err *e);
json_t *scope_mask_to_json(scope_mask m);
int scope_mask_from_json(scope_mask *out, json_t *j, const char *field, struct err *e);
/* A member's overrides: {"settings.write": true, "audit.read": false}. */
json_t *perm_overrides_to_json(const struct perm_overrides *o);
/* A quota forecast (json_forecast.c); null when none was made. */
json_t *forecast_to_json(const struct quota_forecast *f);
int
perm_overrides_from_json(struct perm_overrides *out, json_t *j, const char *field, struct err *e);

/* clang-format off */
#define JSON_CODEC(type)                                                     \
	json_t *type##_to_json(const struct type *v);                        \
	int type##_from_json(struct type *out, json_t *j, struct err *e);
/* clang-format on */

JSON_CODEC(tier)
JSON_CODEC(tenant)
JSON_CODEC(member)
JSON_CODEC(invitation)
/* {"email", "role", "result", "detail"?, "invitation"?, "token"?} */
JSON_CODEC(invite_row)
JSON_CODEC(quota)
JSON_CODEC(usage_day)
JSON_CODEC(usage_summary)
JSON_CODEC(setting)
JSON_CODEC(api_key)
JSON_CODEC(view_session)
JSON_CODEC(audit_entry)
JSON_CODEC(alert)
JSON_CODEC(alert_group)
JSON_CODEC(health)
JSON_CODEC(platform_metrics)
JSON_CODEC(feature_state)
JSON_CODEC(tier_conflict) /* an array of {resource, used, limit} */
JSON_CODEC(audit_verdict)
JSON_CODEC(quota_result)

#undef JSON_CODEC

#endif
