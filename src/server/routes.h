/* routes.h - every route tenantryd serves, and the REST contract that
 * store_rest.c speaks.
 *
 * Bodies and replies are the JSON codecs of core/json.h: a record is its
 * X_to_json object, a list is {"items": [...], "next": "<cursor>"} ("next"
 * is "" at the end; only the tenant list pages). {id} accepts a tenant id
 * or slug. Errors are application/problem+json:
 *   {"type": "about:blank", "title", "status", "detail", "code", "field"?}
 * plus "conflicts" (tier_conflict JSON) for downgrade_blocked and "quota"
 * (quota JSON) for quota_exceeded. 204 replies have no body.
 *
 * Credentials: "Authorization: Bearer <JWT>" from /api/auth/login, or
 * "Authorization: Bearer tnt_..." (a tenant API key). Staff tokens act on
 * the tenant named in the path; "X-Tenant-ID" names one for routes without
 * it. A staff token with "X-View-As: <tenant>" and "X-View-As-Role:
 * admin|manager|member|viewer" runs as that tenant's database role (view
 * as tenant; needs view_as).
 *
 * Request bodies per route (reply in brackets):
 *   POST /api/auth/login            {email, password, totp?, tenant?}
 *                                   [{token, expires_at, kind, user_id,
 *                                     email, tenant_id?, role}]
 *   POST /api/auth/totp             {} [{secret, otpauth_uri}] (enrol)
 *   POST /api/auth/totp/confirm     {code} [204] (turns the factor on)
 *   GET  /api/tiers                 [{items: [tier]}]
 *   POST /api/tiers, PUT /api/tiers tier [tier] (create 201 / upsert)
 *   GET  /api/tenants               ?filter=&tier=&status=&sort=&desc=1
 *                                   &after=&limit= [{items, next}]
 *   POST /api/tenants               {name, admin_email, admin_name?,
 *                                   subscription_tier (or tier), domain?,
 *                                   slug?, billing_email?, trial?} [201 tenant]
 *   GET  /api/tenants/current       [tenant] (the credential's tenant)
 *   GET  /api/tenants/metrics       [platform_metrics]
 *   POST /api/tenants/purge-due     [{purged}]
 *   POST /api/health/refresh        [{updated}]
 *   GET  /api/tenants/{id}          [tenant with settings and branding]
 *   PUT  /api/tenants/{id}          {name?, domain?, billing_email?,
 *                                   billing_status?, contact_phone?,
 *                                   timezone?, locale?, settings?,
 *                                   branding?} [tenant]
 *   DELETE /api/tenants/{id}        [tenant] (status deleted, with grace)
 *   POST /api/tenants/{id}/status/{status}  [tenant]
 *   POST /api/tenants/{id}/tier     {tier, force?} [tenant]
 *   GET  .../users?role=&active=    [{items: [member]}]
 *   PUT  .../users/{user}           {role?, active?} [member]
 *   DELETE .../users/{user}         [204]
 *   GET  .../invitations            [{items: [invitation]}]
 *   POST .../invitations            {email, role} [201 invitation + token]
 *   POST .../invitations/{inv}/resend  [invitation + token]
 *   DELETE .../invitations/{inv}    [204]
 *   POST /api/invitations/accept    {token, full_name?, password?} [member]
 *   GET  .../usage                  [usage_summary: the seed's shape]
 *   GET  .../usage-logs?days=       [{items: [usage_day]}]
 *   POST .../usage/increment        {resource, amount} [quota_result]
 *   GET  .../quotas                 [{items: [quota]}]
 *   PUT  .../quotas/{resource}      {limit} [quota]
 *   POST .../quotas/check           {resource, amount} [quota_result]
 *   GET  .../settings               [{items: [setting]}]
 *   GET  .../settings/{key}?reveal=1   [setting]
 *   PUT  .../settings/{key}         {type, value} (value a string) [setting]
 *   DELETE .../settings/{key}       [204]
 *   GET  .../features               [feature_state]
 *   PUT  .../features/{name}        {enabled: true|false|null} [feature_state]
 *   GET  .../api-keys               [{items: [api_key]}]
 *   POST .../api-keys               {name, scopes: [..], expires_at?}
 *                                   [201 api_key + key]
 *   DELETE .../api-keys/{key}       [204]
 *   GET  .../audit-logs             ?after=&before=&limit=&newest=1&action=
 *                                   &actor= [{items: [audit_entry]}]
 *   POST .../audit-logs             {action, resource_type?, resource_id?,
 *                                   detail?} [204] (staff only)
 *   GET  .../audit-logs/stream      text/event-stream, Last-Event-ID
 *   GET  .../audit-logs/verify      [audit_verdict]
 *   GET  /api/audit-logs, /api/audit-logs/verify, .../stream, POST
 *   /api/audit-logs:
 *                                   the same over every visible chain
 *   GET  .../alerts?open=1, GET /api/alerts?open=1  [{items: [alert]}]
 *   POST .../alerts/{alert}/ack     [204]
 *   GET  .../health                 [health]
 *   GET  .../export                 [the export document]
 */
#ifndef TENANTRY_ROUTES_H
#define TENANTRY_ROUTES_H

#include <stdbool.h>

/* X(name, method, pattern). Patterns use {param}; the table is matched in
 * order, so literal segments come before parameters. */
#define ROUTES(X)                                                            \
	X(AUTH_LOGIN, "POST", "/api/auth/login")                             \
	X(AUTH_TOTP, "POST", "/api/auth/totp")                               \
	X(AUTH_TOTP_CONFIRM, "POST", "/api/auth/totp/confirm")               \
	X(TIERS_LIST, "GET", "/api/tiers")                                   \
	X(TIERS_CREATE, "POST", "/api/tiers")                                \
	X(TIERS_PUT, "PUT", "/api/tiers")                                    \
	X(TENANTS_LIST, "GET", "/api/tenants")                               \
	X(TENANTS_CREATE, "POST", "/api/tenants")                            \
	X(TENANT_CURRENT, "GET", "/api/tenants/current")                     \
	X(METRICS_PLATFORM, "GET", "/api/tenants/metrics")                   \
	X(PURGE_DUE, "POST", "/api/tenants/purge-due")                       \
	X(HEALTH_REFRESH, "POST", "/api/health/refresh")                     \
	X(INVITATION_ACCEPT, "POST", "/api/invitations/accept")              \
	X(AUDIT_ALL, "GET", "/api/audit-logs")                               \
	X(AUDIT_ALL_EVENT, "POST", "/api/audit-logs")                        \
	X(AUDIT_ALL_VERIFY, "GET", "/api/audit-logs/verify")                 \
	X(AUDIT_ALL_STREAM, "GET", "/api/audit-logs/stream")                 \
	X(ALERTS_ALL, "GET", "/api/alerts")                                  \
	X(TENANT_GET, "GET", "/api/tenants/{id}")                            \
	X(TENANT_UPDATE, "PUT", "/api/tenants/{id}")                         \
	X(TENANT_DELETE, "DELETE", "/api/tenants/{id}")                      \
	X(TENANT_STATUS, "POST", "/api/tenants/{id}/status/{status}")        \
	X(TENANT_TIER, "POST", "/api/tenants/{id}/tier")                     \
	X(USERS_LIST, "GET", "/api/tenants/{id}/users")                      \
	X(USER_UPDATE, "PUT", "/api/tenants/{id}/users/{user}")              \
	X(USER_REMOVE, "DELETE", "/api/tenants/{id}/users/{user}")           \
	X(INVITATIONS_LIST, "GET", "/api/tenants/{id}/invitations")          \
	X(INVITATIONS_CREATE, "POST", "/api/tenants/{id}/invitations")       \
	X(INVITATION_REVOKE, "DELETE", "/api/tenants/{id}/invitations/{inv}") \
	X(INVITATION_RESEND, "POST",                                         \
	  "/api/tenants/{id}/invitations/{inv}/resend")                      \
	X(USAGE, "GET", "/api/tenants/{id}/usage")                           \
	X(USAGE_LOGS, "GET", "/api/tenants/{id}/usage-logs")                 \
	X(USAGE_INCREMENT, "POST", "/api/tenants/{id}/usage/increment")      \
	X(QUOTAS_LIST, "GET", "/api/tenants/{id}/quotas")                    \
	X(QUOTAS_CHECK, "POST", "/api/tenants/{id}/quotas/check")            \
	X(QUOTA_SET, "PUT", "/api/tenants/{id}/quotas/{resource}")           \
	X(SETTINGS_LIST, "GET", "/api/tenants/{id}/settings")                \
	X(SETTING_GET, "GET", "/api/tenants/{id}/settings/{key}")            \
	X(SETTING_PUT, "PUT", "/api/tenants/{id}/settings/{key}")            \
	X(SETTING_DELETE, "DELETE", "/api/tenants/{id}/settings/{key}")      \
	X(FEATURES_LIST, "GET", "/api/tenants/{id}/features")                \
	X(FEATURE_SET, "PUT", "/api/tenants/{id}/features/{name}")           \
	X(APIKEYS_LIST, "GET", "/api/tenants/{id}/api-keys")                 \
	X(APIKEYS_CREATE, "POST", "/api/tenants/{id}/api-keys")              \
	X(APIKEY_REVOKE, "DELETE", "/api/tenants/{id}/api-keys/{key}")       \
	X(AUDIT_LIST, "GET", "/api/tenants/{id}/audit-logs")                 \
	X(AUDIT_EVENT, "POST", "/api/tenants/{id}/audit-logs")               \
	X(AUDIT_STREAM, "GET", "/api/tenants/{id}/audit-logs/stream")        \
	X(AUDIT_VERIFY, "GET", "/api/tenants/{id}/audit-logs/verify")        \
	X(ALERTS_LIST, "GET", "/api/tenants/{id}/alerts")                    \
	X(ALERT_ACK, "POST", "/api/tenants/{id}/alerts/{alert}/ack")         \
	X(HEALTH, "GET", "/api/tenants/{id}/health")                         \
	X(EXPORT, "GET", "/api/tenants/{id}/export")                         \
	X(HEALTHZ, "GET", "/healthz")                                        \
	X(READYZ, "GET", "/readyz")                                          \
	X(METRICS, "GET", "/metrics")

enum route_id {
#define X(e, m, p) ROUTE_##e,
	ROUTES(X)
#undef X
	ROUTE_COUNT
};

#define ROUTE_MAX_PARAMS 3

struct route_match {
	enum route_id id;
	int nparams;
	struct {
		const char *name;    /* "id", "user" ... (static) */
		char value[160];     /* percent-decoded */
	} param[ROUTE_MAX_PARAMS];
	bool path_known;             /* the path exists for another method */
};

const char *route_name(enum route_id r);     /* "TENANT_GET" */
const char *route_method(enum route_id r);
const char *route_pattern(enum route_id r);
/* Finds the route for method and path (no query string). 0 on a match;
 * -1 when nothing matches (m->path_known tells 405 from 404). */
int route_find(struct route_match *m, const char *method, const char *path);
/* The value of a path parameter, or NULL. */
const char *route_param(const struct route_match *m, const char *name);

#endif
