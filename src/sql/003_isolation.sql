-- 003_isolation: tenant context, row-level security and grants.
--
-- Context is transaction-local (set_config(..., true)): tenantry.tenant_id,
-- tenantry.actor, tenantry.actor_kind, tenantry.ip, tenantry.user_agent.
-- Every tenant table has RLS enabled AND forced, and one policy per role,
-- each with WITH CHECK. Grants decide which commands a role may run.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Nothing in this schema is executable by PUBLIC unless granted.
-- (Per-schema default privileges can only add, so this is global for the
-- owner role.)
ALTER DEFAULT PRIVILEGES FOR ROLE tenantry_owner
	REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- After a transaction that set it commits, the setting reads '' (not NULL).
CREATE FUNCTION current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT NULLIF(current_setting('tenantry.tenant_id', true), '')::uuid
$$;

CREATE FUNCTION current_actor() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(NULLIF(current_setting('tenantry.actor', true), ''),
			session_user::text)
$$;

CREATE FUNCTION current_actor_kind() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(NULLIF(current_setting('tenantry.actor_kind', true), ''),
			'db')
$$;

-- A tenant reference (id or slug) as an id, NULL when unknown or not
-- visible to the caller (RLS applies: invoker rights).
CREATE FUNCTION tenant_ref(p_ref text) RETURNS uuid
LANGUAGE sql STABLE AS $$
	SELECT t.id FROM tenantry.tenants t
	WHERE t.id = CASE WHEN p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		THEN p_ref::uuid END
	UNION ALL
	SELECT t.id FROM tenantry.tenants t WHERE t.slug = p_ref
	LIMIT 1
$$;

-- Like tenant_ref, raising P0002 (not found) instead of answering NULL.
CREATE FUNCTION must_tenant(p_ref text) RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_id uuid := tenant_ref(p_ref);
BEGIN
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'no tenant %', p_ref USING ERRCODE = 'P0002';
	END IF;
	RETURN v_id;
END
$$;

-- A user reference (id or email) as an id, NULL when unknown or not
-- visible (a tenant sees only its members).
CREATE FUNCTION user_ref(p_ref text) RETURNS uuid
LANGUAGE sql STABLE AS $$
	SELECT u.id FROM tenantry.users u
	WHERE u.id = CASE WHEN p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		THEN p_ref::uuid END
	UNION ALL
	SELECT u.id FROM tenantry.users u WHERE lower(u.email) = lower(p_ref)
	LIMIT 1
$$;

-- Policies for one tenant table; `col` is its tenant column.
CREATE FUNCTION isolate(tbl text, col text) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
	EXECUTE format('ALTER TABLE tenantry.%I ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE format('ALTER TABLE tenantry.%I FORCE ROW LEVEL SECURITY', tbl);
	-- SECURITY DEFINER functions (owned by tenantry_owner) see all rows.
	EXECUTE format('CREATE POLICY %I ON tenantry.%I FOR ALL TO tenantry_owner '
		'USING (true) WITH CHECK (true)', tbl || '_owner', tbl);
	EXECUTE format('CREATE POLICY %I ON tenantry.%I FOR ALL TO tenantry_tenant '
		'USING (%I = (SELECT tenantry.current_tenant())) '
		'WITH CHECK (%I = (SELECT tenantry.current_tenant()))',
		tbl || '_tenant', tbl, col, col);
	EXECUTE format('CREATE POLICY %I ON tenantry.%I FOR ALL TO tenantry_platform '
		'USING (true) WITH CHECK (true)', tbl || '_platform', tbl);
	EXECUTE format('CREATE POLICY %I ON tenantry.%I FOR ALL '
		'TO tenantry_support, tenantry_oncall USING (true) WITH CHECK (true)',
		tbl || '_staff', tbl);
END
$f$;

SELECT isolate('tenants', 'id');
SELECT isolate('tenant_users', 'tenant_id');
SELECT isolate('invitations', 'tenant_id');
SELECT isolate('quotas', 'tenant_id');
SELECT isolate('usage_daily', 'tenant_id');
SELECT isolate('tenant_settings', 'tenant_id');
SELECT isolate('api_keys', 'tenant_id');
SELECT isolate('audit_log', 'tenant_id');
SELECT isolate('alerts', 'tenant_id');
DROP FUNCTION isolate(text, text);

-- Chain heads: only the audit functions (owner) touch them.
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_heads_owner ON audit_heads FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);

-- users is global: a tenant sees the users who are its members.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_owner ON users FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);
CREATE POLICY users_tenant ON users FOR SELECT TO tenantry_tenant
	USING (EXISTS (SELECT 1 FROM tenantry.tenant_users tu
		WHERE tu.user_id = users.id
		  AND tu.tenant_id = (SELECT tenantry.current_tenant())));
CREATE POLICY users_platform ON users FOR ALL TO tenantry_platform
	USING (true) WITH CHECK (true);
CREATE POLICY users_staff ON users FOR SELECT TO tenantry_support, tenantry_oncall
	USING (true);

-- ---- grants -----------------------------------------------------------------
-- Column lists leave out secrets: no role reads password_hash or
-- mfa_secret; login and token checks go through SECURITY DEFINER functions.

GRANT SELECT ON tiers TO tenantry_tenant, tenantry_support, tenantry_oncall;
GRANT SELECT, INSERT, UPDATE ON tiers TO tenantry_platform;

GRANT SELECT (id, email, full_name, mfa_enabled, staff_role, last_login_at,
	created_at) ON users TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;
GRANT INSERT (id, email, full_name, staff_role), UPDATE (full_name,
	staff_role, tokens_valid_after) ON users TO tenantry_platform;

-- tenant: its own tenant row (not tier or status), its members, invitations,
-- settings, keys; consumes quotas; reads audit and alerts.
GRANT SELECT, UPDATE (name, domain, billing_email, contact_phone, timezone,
	locale, settings, branding, updated_at) ON tenants TO tenantry_tenant;
GRANT SELECT, UPDATE (role, permissions, active, last_active_at), DELETE
	ON tenant_users TO tenantry_tenant;
GRANT SELECT, INSERT, UPDATE (token_hash, expires_at, revoked_at)
	ON invitations TO tenantry_tenant;
GRANT SELECT, UPDATE (used, period_start) ON quotas TO tenantry_tenant;
GRANT SELECT, INSERT, UPDATE (amount) ON usage_daily TO tenantry_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_settings TO tenantry_tenant;
GRANT SELECT, INSERT, UPDATE (name, scopes, expires_at, last_used_at,
	revoked_at) ON api_keys TO tenantry_tenant;
GRANT SELECT ON audit_log TO tenantry_tenant;
GRANT SELECT, UPDATE (acknowledged_at, acknowledged_by) ON alerts
	TO tenantry_tenant;

-- platform: everything but the audit log, which nobody writes directly.
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, tenant_users, invitations,
	quotas, usage_daily, tenant_settings, api_keys, alerts
	TO tenantry_platform;
GRANT SELECT ON audit_log TO tenantry_platform;

-- support: read everything, plus support actions.
GRANT SELECT ON tenants, tenant_users, invitations, quotas, usage_daily,
	tenant_settings, api_keys, audit_log, alerts TO tenantry_support;
GRANT UPDATE (active) ON tenant_users TO tenantry_support;
GRANT INSERT, UPDATE (token_hash, expires_at, revoked_at) ON invitations
	TO tenantry_support;
GRANT UPDATE (acknowledged_at, acknowledged_by) ON alerts TO tenantry_support;

-- oncall: read everything, acknowledge alerts.
GRANT SELECT ON tenants, tenant_users, invitations, quotas, usage_daily,
	tenant_settings, api_keys, audit_log, alerts TO tenantry_oncall;
GRANT UPDATE (acknowledged_at, acknowledged_by) ON alerts TO tenantry_oncall;

GRANT EXECUTE ON FUNCTION current_tenant(), current_actor(),
	current_actor_kind(), tenant_ref(text), must_tenant(text), user_ref(text) TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;
