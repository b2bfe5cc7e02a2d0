/* isolation.h - what the isolation suites (test_isolation.c,
 * test_isolation_catalog.c) share: the tenant tables with what the tenant
 * role may do to each, and the name of the test's database. Each suite
 * that includes it has a database name of its own. */
#ifndef TENANTRY_TEST_ISOLATION_H
#define TENANTRY_TEST_ISOLATION_H

#include <stdbool.h>
#include <stddef.h>

/* The tenant tables and what tenantry_tenant may do to each. `ins` is an
 * INSERT whose only %s is the tenant id; `upd` a harmless SET clause. */
static const struct table {
	const char *name;
	const char *col;
	const char *upd; /* NULL: the tenant role may not update */
	bool can_insert;
	bool can_delete;
	const char *ins;
} tables[] = {
	{ "tenants", "id", "name = name", false, false,
	  "INSERT INTO tenantry.tenants (id, slug, name, tier) "
	  "VALUES ('%s', 'probe-tenant', 'Probe', 'free')" },
	{ "tenant_users", "tenant_id", "active = active", false, true,
	  "INSERT INTO tenantry.tenant_users (tenant_id, user_id) "
	  "VALUES ('%s', gen_random_uuid())" },
	{ "invitations", "tenant_id", "expires_at = expires_at", true, false,
	  "INSERT INTO tenantry.invitations (tenant_id, email, token_hash) "
	  "VALUES ('%s', 'probe@probe.example', sha256('probe'))" },
	{ "quotas", "tenant_id", NULL, false, false, /* usage_increment() only */
	  "INSERT INTO tenantry.quotas (tenant_id, resource, quota_limit) "
	  "VALUES ('%s', 'probe', 1)" },
	{ "usage_daily", "tenant_id", NULL, false, false,
	  "INSERT INTO tenantry.usage_daily (tenant_id, resource, day, amount) "
	  "VALUES ('%s', 'api_calls', DATE '2001-01-01', 1)" },
	{ "tenant_settings", "tenant_id", "value = value", true, true,
	  "INSERT INTO tenantry.tenant_settings (tenant_id, key, value) "
	  "VALUES ('%s', 'probe.key', 'v')" },
	{ "api_keys", "tenant_id", "name = name", true, false,
	  "INSERT INTO tenantry.api_keys (tenant_id, prefix, secret_hash) "
	  "VALUES ('%s', 'abcdef0123', sha256('probe'))" },
	{ "audit_log", "tenant_id", NULL, false, false,
	  "INSERT INTO tenantry.audit_log (tenant_id, seq, at, actor, actor_kind, "
	  "action, resource_type, prev_hash, hash) VALUES ('%s', 999, now(), "
	  "'x', 'x', 'x.forged', 'x', '\\x', '\\x')" },
	{ "usage_monthly", "tenant_id", NULL, false, false, /* the usage_rollup job only */
	  "INSERT INTO tenantry.usage_monthly (tenant_id, resource, month, amount, days, peak) "
	  "VALUES ('%s', 'api_calls', DATE '2001-01-01', 1, 1, 1)" },
	{ "tenant_terms", "tenant_id", NULL, false, false,
	  "INSERT INTO tenantry.tenant_terms (term, name, tenant_id) "
	  "VALUES ('prb', 'Probe', '%s')" },
	{ "alerts", "tenant_id", "acknowledged_by = acknowledged_by", false, false,
	  "INSERT INTO tenantry.alerts (tenant_id, resource, threshold, period_start) "
	  "VALUES ('%s', 'users', 80, now())" },
	{ "outbox", "tenant_id", NULL, false, false, /* the audit trigger only */
	  "INSERT INTO tenantry.outbox (tenant_id, seq, type, at, actor, data) "
	  "VALUES ('%s', 1, 'tenant.created', now(), 'x', '{}')" },
	{ "webhook_endpoints", "tenant_id", "description = description", false, true,
	  "INSERT INTO tenantry.webhook_endpoints (tenant_id, url, secret) "
	  "VALUES ('%s', 'https://probe.example/', 'v1:x')" },
	{ "webhook_deliveries", "tenant_id", NULL, false, false, /* the trigger only */
	  "INSERT INTO tenantry.webhook_deliveries (tenant_id, endpoint_id, event_tenant, seq, "
	  "type) VALUES ('%s', gen_random_uuid(), gen_random_uuid(), 1, 'x')" },
	{ "webhook_attempts", "tenant_id", NULL, false, false, /* webhook_attempt_done only */
	  "INSERT INTO tenantry.webhook_attempts (tenant_id, endpoint_id, event_tenant, seq, "
	  "type, attempt, runner, latency_ms) VALUES ('%s', gen_random_uuid(), "
	  "gen_random_uuid(), 1, 'x', 1, 'x', 1)" },
};
#define NTABLES (sizeof tables / sizeof tables[0])

/* The test's fresh copy of the migrated template. */
static char dbname[64];

#endif
