-- 018_staff_roles: the database holds the staff permission matrix of
-- src/core/perm.c, so a console in direct mode can do exactly what the
-- same staff role may do through tenantryd.
--
--   platform_admin  everything
--   support         every read (member e-mails, setting values, the audit
--                   log), invitations, alert acknowledgement; it no longer
--                   activates or deactivates members (members.manage)
--   oncall          tenants, quotas (and their limits), usage, alerts,
--                   the audit log, API key names; no member e-mails, no
--                   settings, no invitations
--
-- Viewing as a tenant (view_as: platform_admin and support) is SET ROLE
-- tenantry_tenant. The two roles are members of tenantry_tenant but
-- NOINHERIT, so they hold none of its rights until they switch to it, and
-- a login that is a member of exactly one staff role inherits only that
-- role's own grants (the tenant role's policies do not apply to it).
-- Nobody reads an API key's secret_hash or an invitation's token_hash:
-- the auth paths use SECURITY DEFINER functions (008_auth).
ALTER ROLE tenantry_platform NOINHERIT;
ALTER ROLE tenantry_support NOINHERIT;
GRANT tenantry_tenant TO tenantry_platform, tenantry_support;

SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- support: members.manage is not one of its permissions.
REVOKE UPDATE (active) ON tenant_users FROM tenantry_support;

-- oncall: no member e-mails (users), no settings, no invitations. Health
-- counts active members, so it keeps the columns that carry no identity.
REVOKE SELECT ON users, tenant_users, invitations, tenant_settings FROM tenantry_oncall;
REVOKE SELECT (id, email, full_name, mfa_enabled, staff_role, last_login_at, created_at)
	ON users FROM tenantry_oncall;
GRANT SELECT (tenant_id, active, last_active_at) ON tenant_users TO tenantry_oncall;

-- No role reads the hashes of API keys or invitations.
REVOKE SELECT ON api_keys, invitations FROM tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;
GRANT SELECT (tenant_id, id, prefix, name, scopes, created_by, created_at, expires_at,
	last_used_at, revoked_at) ON api_keys TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;
GRANT SELECT (tenant_id, id, email, role, invited_by, created_at, expires_at, accepted_at,
	accepted_user_id, revoked_at) ON invitations TO tenantry_tenant, tenantry_platform,
	tenantry_support;

-- The staff matrix as data, for `tenantry doctor` and the tests: which
-- permission each staff role holds (src/core/perm.c is the source; a test
-- compares the two).
CREATE TABLE staff_permissions (
	staff_role text NOT NULL CHECK (staff_role IN ('platform_admin', 'support', 'oncall')),
	permission text NOT NULL,
	PRIMARY KEY (staff_role, permission)
);
GRANT SELECT ON staff_permissions TO tenantry_platform, tenantry_support, tenantry_oncall;
INSERT INTO staff_permissions (staff_role, permission)
SELECT 'platform_admin', p FROM unnest(ARRAY['tenant.read', 'tenant.update',
	'tenant.lifecycle', 'tenant.tier', 'members.read', 'members.manage',
	'invitations.manage', 'quotas.read', 'quotas.set', 'usage.write', 'settings.read',
	'settings.write', 'secrets.reveal', 'features.set', 'apikeys.manage', 'audit.read',
	'alerts.ack', 'platform.metrics', 'tenants.create', 'tenants.list_all', 'view_as']) p
UNION ALL
SELECT 'support', p FROM unnest(ARRAY['tenant.read', 'members.read', 'quotas.read',
	'settings.read', 'audit.read', 'secrets.reveal', 'view_as', 'invitations.manage',
	'alerts.ack', 'platform.metrics', 'tenants.list_all']) p
UNION ALL
SELECT 'oncall', p FROM unnest(ARRAY['tenant.read', 'quotas.read', 'audit.read',
	'platform.metrics', 'tenants.list_all', 'quotas.set', 'alerts.ack']) p;
