/* routes.h - every route tenantryd serves: the REST contract. tenantryd
 * routes requests by this table and the REST store (store_rest*.c)
 * builds every path it calls from it, so the two cannot drift apart.
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
 * it and, on routes with it, must name the same tenant (else: unknown
 * tenant). User tokens and API keys act on their own tenant; with
 * tenantryd --tenant-domain a Host naming another tenant (<slug>.<base>,
 * a verified domain) is answered as an unknown tenant. A staff token with "X-View-As: <tenant>" and "X-View-As-Role:
 * admin|manager|member|viewer" runs as that tenant's database role (view
 * as tenant; needs view_as).
 *
 * Each route's body, reply, parameters and statuses are in
 * docs/openapi.yaml, whose operationId is the route's name here; a test
 * checks the document against this table.
 */
#ifndef TENANTRY_CORE_ROUTES_H
#define TENANTRY_CORE_ROUTES_H

#include <stdbool.h>

/* X(name, method, pattern, need, permission, handler, status, query, body):
 * who may call it is part of its row, so a route cannot be added without
 * saying (a row without them does not compile); the request goes to
 * api_<handler> (server/api.h, one file per resource); status is its
 * success status, query its query parameters and body the members its
 * JSON body may have (another member is 422, naming it), comma-separated. The
 * REST store builds its calls from these rows, and a test holds
 * docs/openapi.yaml to them. need is PUBLIC (no credential), ANY (any valid
 * credential), PERM (the permission, core/perm.h), STAFF, ADMIN
 * (platform_admin) or PERSON (a user or staff token, not an API key);
 * the permission is NONE unless need is PERM. Patterns use {param}; the
 * table is matched in order, so literal segments come before parameters. */
/* clang-format off */
#define ROUTES(X)                                                            \
	X(AUTH_LOGIN, "POST", "/api/auth/login",                             \
	  PUBLIC, NONE, auth_login, 200, "", "email,password,totp,tenant")                                 \
	X(AUTH_TOTP, "POST", "/api/auth/totp",                               \
	  PERSON, NONE, auth_totp, 200, "", "")                                  \
	X(AUTH_TOTP_CONFIRM, "POST", "/api/auth/totp/confirm",               \
	  PERSON, NONE, auth_totp_confirm, 200, "", "code")                          \
	X(AUTH_RECOVERY_CODES, "POST", "/api/auth/recovery-codes",           \
	  PERSON, NONE, auth_recovery_codes, 200, "", "")                      \
	X(AUTH_SIGN_OUT, "POST", "/api/auth/sign-out-everywhere",            \
	  PERSON, NONE, auth_sign_out, 204, "", "")                            \
	X(AUTH_RESET_REQUEST, "POST", "/api/auth/password-reset",            \
	  PUBLIC, NONE, auth_reset_request, 202, "", "email")                  \
	X(AUTH_RESET_CONFIRM, "POST", "/api/auth/password-reset/confirm",    \
	  PUBLIC, NONE, auth_reset_confirm, 204, "", "token,password")         \
	X(USER_PASSWORD_RESET, "POST", "/api/users/{user}/password-reset",   \
	  STAFF, NONE, user_password_reset, 201, "", "mail")                   \
	X(USER_MFA_RESET, "POST", "/api/users/{user}/mfa-reset",             \
	  STAFF, NONE, user_mfa_reset, 204, "", "")                            \
	X(USER_SIGN_OUT, "POST", "/api/users/{user}/sign-out",               \
	  STAFF, NONE, user_sign_out, 204, "", "")                             \
	X(USER_UNLOCK, "POST", "/api/users/{user}/unlock",                   \
	  STAFF, NONE, user_unlock, 204, "", "")                               \
	X(TIERS_LIST, "GET", "/api/tiers",                                   \
	  ANY, NONE, tiers_list, 200, "", "")                                    \
	X(TIERS_CREATE, "POST", "/api/tiers",                                \
	  ADMIN, NONE, tiers_create, 201, "", "name,display_name,rank,price_cents,max_users,storage_limit_bytes,api_calls_per_hour,max_api_keys,invitations_per_day,trial_days,features")                                \
	X(TIERS_PUT, "PUT", "/api/tiers",                                    \
	  ADMIN, NONE, tiers_put, 200, "", "name,display_name,rank,price_cents,max_users,storage_limit_bytes,api_calls_per_hour,max_api_keys,invitations_per_day,trial_days,features")                                   \
	X(TENANTS_LIST, "GET", "/api/tenants",                               \
	  PERM, TENANT_READ, tenants_list, 200, "filter,tier,status,sort,desc,after,limit", "") \
	X(TENANTS_CREATE, "POST", "/api/tenants",                            \
	  PERM, TENANTS_CREATE, tenants_create, 201, "", "name,organization_name,admin_email,admin_name,subscription_tier,tier,tenant_tier,domain,slug,billing_email,contact_phone,timezone,locale,trial")                     \
	X(TENANT_CURRENT, "GET", "/api/tenants/current",                     \
	  PERM, TENANT_READ, tenant_current, 200, "", "")                        \
	X(METRICS_PLATFORM, "GET", "/api/tenants/metrics",                   \
	  PERM, PLATFORM_METRICS, metrics_platform, 200, "", "")                 \
	X(PLATFORM_HISTORY, "GET", "/api/platform/history",                  \
	  PERM, PLATFORM_METRICS, platform_history, 200, "", "")                 \
	X(PURGE_DUE, "POST", "/api/tenants/purge-due",                       \
	  ADMIN, NONE, purge_due, 200, "", "")                                   \
	X(HEALTH_REFRESH, "POST", "/api/health/refresh",                     \
	  ADMIN, NONE, health_refresh, 200, "", "")                              \
	X(JOBS_LIST, "GET", "/api/jobs",                                     \
	  STAFF, NONE, jobs_list, 200, "", "")                                   \
	X(DELETION_CERTIFICATE, "GET", "/api/deletion-certificates/{tenant}", \
	  STAFF, NONE, deletion_certificate, 200, "", "")                        \
	X(VIEW_AS_LIST, "GET", "/api/view-as",                               \
	  PERM, VIEW_AS, view_as_list, 200, "", "")                              \
	X(VIEW_AS_START, "POST", "/api/view-as",                             \
	  PERM, VIEW_AS, view_as_start, 201, "", "tenant,role,member,reason,minutes")                          \
	X(VIEW_AS_END, "DELETE", "/api/view-as/{session}",                   \
	  PERM, VIEW_AS, view_as_end, 204, "", "")                               \
	X(EVENT_TYPES, "GET", "/api/event-types",                            \
	  ANY, NONE, event_types, 200, "", "")                                   \
	X(WEBHOOKS_ALL, "GET", "/api/webhooks",                              \
	  STAFF, NONE, webhooks_all, 200, "", "")                                \
	X(WEBHOOKS_PLATFORM_CREATE, "POST", "/api/webhooks",                 \
	  ADMIN, NONE, webhooks_platform_create, 201, "", "url,description,events") \
	X(WEBHOOK_UPDATE, "PUT", "/api/webhooks/{hook}",                     \
	  PERM, WEBHOOKS_MANAGE, webhook_update, 200, "", "enabled")             \
	X(WEBHOOK_DELETE, "DELETE", "/api/webhooks/{hook}",                  \
	  PERM, WEBHOOKS_MANAGE, webhook_delete, 204, "", "")                    \
	X(WEBHOOK_TEST, "POST", "/api/webhooks/{hook}/test",                 \
	  PERM, WEBHOOKS_MANAGE, webhook_test, 202, "", "")                      \
	X(WEBHOOK_DELIVERIES, "GET", "/api/webhooks/{hook}/deliveries",      \
	  PERM, WEBHOOKS_MANAGE, webhook_deliveries, 200, "limit", "")           \
	X(WEBHOOK_REDELIVER, "POST", "/api/webhooks/{hook}/redeliver",       \
	  PERM, WEBHOOKS_MANAGE, webhook_redeliver, 202, "", "event_id")         \
	X(INVITATION_ACCEPT, "POST", "/api/invitations/accept",              \
	  PUBLIC, NONE, invitation_accept, 200, "", "token,full_name,password")                          \
	X(AUDIT_ALL, "GET", "/api/audit-logs",                               \
	  PERM, AUDIT_READ, audit_all, 200, "after,before,limit,newest,action,actor,cursor,since", "") \
	X(AUDIT_ALL_EVENT, "POST", "/api/audit-logs",                        \
	  STAFF, NONE, audit_all_event, 204, "", "action,resource_type,resource_id,detail")                             \
	X(AUDIT_ALL_VERIFY, "GET", "/api/audit-logs/verify",                 \
	  PERM, AUDIT_READ, audit_all_verify, 200, "", "")                       \
	X(AUDIT_ALL_STREAM, "GET", "/api/audit-logs/stream",                 \
	  PERM, AUDIT_READ, audit_all_stream, 200, "after", "")                  \
	X(ALERTS_ALL, "GET", "/api/alerts",                                  \
	  PERM, QUOTAS_READ, alerts_all, 200, "open,since,resource", "")                        \
	X(ALERT_GROUPS, "GET", "/api/alerts/groups",                         \
	  PERM, QUOTAS_READ, alert_groups, 200, "since", "")                           \
	X(TENANT_GET, "GET", "/api/tenants/{id}",                            \
	  PERM, TENANT_READ, tenant_get, 200, "", "")                            \
	X(TENANT_UPDATE, "PUT", "/api/tenants/{id}",                         \
	  PERM, TENANT_UPDATE, tenant_update, 200, "", "name,domain,billing_email,billing_status,contact_phone,timezone,locale,settings,branding,domain_verified")                       \
	X(TENANT_DELETE, "DELETE", "/api/tenants/{id}",                      \
	  PERM, TENANT_LIFECYCLE, tenant_delete, 200, "", "")                    \
	X(TENANT_STATUS, "POST", "/api/tenants/{id}/status/{status}",        \
	  PERM, TENANT_LIFECYCLE, tenant_status, 200, "", "")                    \
	X(TENANT_TIER, "POST", "/api/tenants/{id}/tier",                     \
	  PERM, TENANT_TIER, tenant_tier, 200, "", "tier,force")                           \
	X(USERS_LIST, "GET", "/api/tenants/{id}/users",                      \
	  PERM, MEMBERS_READ, users_list, 200, "role,active", "")                \
	X(USER_UPDATE, "PUT", "/api/tenants/{id}/users/{user}",              \
	  PERM, MEMBERS_MANAGE, user_update, 200, "", "role,active,permissions")                        \
	X(USER_REMOVE, "DELETE", "/api/tenants/{id}/users/{user}",           \
	  PERM, MEMBERS_MANAGE, user_remove, 204, "", "")                        \
	X(INVITATIONS_LIST, "GET", "/api/tenants/{id}/invitations",          \
	  PERM, MEMBERS_READ, invitations_list, 200, "", "")                     \
	X(INVITATIONS_CREATE, "POST", "/api/tenants/{id}/invitations",       \
	  PERM, INVITATIONS_MANAGE, invitations_create, 201, "", "email,role")             \
	X(INVITATIONS_BULK, "POST", "/api/tenants/{id}/invitations/bulk",    \
	  PERM, INVITATIONS_MANAGE, invitations_bulk, 200, "", "email,role")                \
	X(INVITATION_REVOKE, "DELETE", "/api/tenants/{id}/invitations/{inv}", \
	  PERM, INVITATIONS_MANAGE, invitation_revoke, 204, "", "")              \
	X(INVITATION_RESEND, "POST", "/api/tenants/{id}/invitations/{inv}/resend", \
	  PERM, INVITATIONS_MANAGE, invitation_resend, 200, "", "")              \
	X(USAGE, "GET", "/api/tenants/{id}/usage",                           \
	  PERM, QUOTAS_READ, usage, 200, "", "")                                 \
	X(USAGE_LOGS, "GET", "/api/tenants/{id}/usage-logs",                 \
	  PERM, QUOTAS_READ, usage_logs, 200, "days", "")                        \
	X(USAGE_INCREMENT, "POST", "/api/tenants/{id}/usage/increment",      \
	  PERM, USAGE_WRITE, usage_increment, 200, "", "resource,resource_type,amount,description")                       \
	X(QUOTAS_LIST, "GET", "/api/tenants/{id}/quotas",                    \
	  PERM, QUOTAS_READ, quotas_list, 200, "", "")                           \
	X(QUOTAS_CHECK, "POST", "/api/tenants/{id}/quotas/check",            \
	  PERM, QUOTAS_READ, quotas_check, 200, "", "resource,resource_type,amount,description")                          \
	X(QUOTA_SET, "PUT", "/api/tenants/{id}/quotas/{resource}",           \
	  PERM, QUOTAS_SET, quota_set, 200, "", "limit")                              \
	X(SETTINGS_LIST, "GET", "/api/tenants/{id}/settings",                \
	  PERM, SETTINGS_READ, settings_list, 200, "", "")                       \
	X(SETTING_GET, "GET", "/api/tenants/{id}/settings/{key}",            \
	  PERM, SETTINGS_READ, setting_get, 200, "reveal", "")                   \
	X(SETTING_PUT, "PUT", "/api/tenants/{id}/settings/{key}",            \
	  PERM, SETTINGS_WRITE, setting_put, 200, "", "value,setting_value,type,is_encrypted")                        \
	X(SETTING_DELETE, "DELETE", "/api/tenants/{id}/settings/{key}",      \
	  PERM, SETTINGS_WRITE, setting_delete, 204, "", "")                     \
	X(FEATURES_LIST, "GET", "/api/tenants/{id}/features",                \
	  PERM, TENANT_READ, features_list, 200, "", "")                         \
	X(FEATURE_SET, "PUT", "/api/tenants/{id}/features/{name}",           \
	  PERM, FEATURES_SET, feature_set, 200, "", "enabled")                          \
	X(APIKEYS_LIST, "GET", "/api/tenants/{id}/api-keys",                 \
	  PERM, TENANT_READ, apikeys_list, 200, "", "")                          \
	X(APIKEYS_CREATE, "POST", "/api/tenants/{id}/api-keys",              \
	  PERM, APIKEYS_MANAGE, apikeys_create, 201, "", "name,scopes,expires_at")                     \
	X(APIKEY_REVOKE, "DELETE", "/api/tenants/{id}/api-keys/{key}",       \
	  PERM, APIKEYS_MANAGE, apikey_revoke, 204, "", "")                      \
	X(AUDIT_LIST, "GET", "/api/tenants/{id}/audit-logs",                 \
	  PERM, AUDIT_READ, audit_list, 200, "after,before,limit,newest,action,actor,cursor,since", "") \
	X(AUDIT_EVENT, "POST", "/api/tenants/{id}/audit-logs",               \
	  STAFF, NONE, audit_event, 204, "", "action,resource_type,resource_id,detail")                                 \
	X(AUDIT_STREAM, "GET", "/api/tenants/{id}/audit-logs/stream",        \
	  PERM, AUDIT_READ, audit_stream, 200, "after", "")                      \
	X(AUDIT_VERIFY, "GET", "/api/tenants/{id}/audit-logs/verify",        \
	  PERM, AUDIT_READ, audit_verify, 200, "", "")                           \
	X(ALERTS_LIST, "GET", "/api/tenants/{id}/alerts",                    \
	  PERM, QUOTAS_READ, alerts_list, 200, "open,since,resource", "")                       \
	X(ALERT_ACK, "POST", "/api/tenants/{id}/alerts/{alert}/ack",         \
	  PERM, ALERTS_ACK, alert_ack, 204, "", "")                              \
	X(TENANT_WEBHOOKS_LIST, "GET", "/api/tenants/{id}/webhooks",         \
	  PERM, WEBHOOKS_MANAGE, tenant_webhooks_list, 200, "", "")              \
	X(TENANT_WEBHOOKS_CREATE, "POST", "/api/tenants/{id}/webhooks",      \
	  PERM, WEBHOOKS_MANAGE, tenant_webhooks_create, 201, "", "url,description,events") \
	X(HEALTH, "GET", "/api/tenants/{id}/health",                         \
	  PERM, TENANT_READ, health, 200, "", "")                                \
	X(EXPORT, "GET", "/api/tenants/{id}/export",                         \
	  PERM, TENANT_LIFECYCLE, export, 200, "", "")                           \
	X(HEALTHZ, "GET", "/healthz",                                        \
	  PUBLIC, NONE, healthz, 200, "", "")                                    \
	X(READYZ, "GET", "/readyz",                                          \
	  PUBLIC, NONE, readyz, 200, "", "")                                     \
	X(METRICS, "GET", "/metrics",                                        \
	  STAFF, NONE, metrics, 200, "", "")
/* clang-format on */

enum route_id {
#define X(e, m, p, n, perm, fn, st, q, b) ROUTE_##e,
	ROUTES(X)
#undef X
	    ROUTE_COUNT
};

#define ROUTE_MAX_PARAMS 3

struct route_match {
	enum route_id id;
	int nparams;
	struct {
		const char *name; /* "id", "user" ... (static) */
		char value[160];  /* percent-decoded */
	} param[ROUTE_MAX_PARAMS];
	bool path_known; /* the path exists for another method */
};

const char *route_name(enum route_id r); /* "TENANT_GET" */
const char *route_method(enum route_id r);
const char *route_pattern(enum route_id r);
/* The success status (200, 201, 204) and the query parameters
 * ("filter,tier", "" for none) of the route's row. */
int route_status(enum route_id r);
const char *route_query(enum route_id r);
/* The members a route's JSON body may have, comma-separated ("" none). */
const char *route_body(enum route_id r);
/* Whether key is one of them. */
bool route_body_allows(enum route_id r, const char *key);
/* Is name one of the route's query parameters? */
bool route_has_query(enum route_id r, const char *name);
/* Finds the route for method and path (no query string). 0 on a match;
 * -1 when nothing matches (m->path_known tells 405 from 404). */
int route_find(struct route_match *m, const char *method, const char *path);
/* The value of a path parameter, or NULL. */
const char *route_param(const struct route_match *m, const char *name);

#endif
