-- 019_member_roles: a tenant context holds the rights of its member role.
--
-- Every tenant context runs as tenantry_tenant; what its member role
-- (admin, manager, member, viewer) may do is the member matrix of
-- src/core/perm.c, kept here as member_permissions (a test compares the
-- two). The store sets the role as the transaction-local setting
-- tenantry.member_role next to tenantry.tenant_id (tenantryd from the
-- verified token or the staff member's view-as role; '' = admin, which is
-- what the API gives an API key, whose scopes tenantryd checks). Writes
-- are held to it by statement triggers, the audit log's reads by a policy,
-- and the audited reads (secret reveal, export) in audit_event(): each
-- refusal is SQLSTATE 42501, as a missing grant is. The setting narrows a
-- tenant context and never widens one: tenantry_tenant's grants and
-- policies still bound every member role.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE TABLE member_permissions (
	role text NOT NULL CHECK (role IN ('admin', 'manager', 'member', 'viewer')),
	permission text NOT NULL,
	PRIMARY KEY (role, permission)
);
GRANT SELECT ON member_permissions TO tenantry_tenant, tenantry_platform, tenantry_support,
	tenantry_oncall;
INSERT INTO member_permissions (role, permission)
SELECT 'admin', p FROM unnest(ARRAY['tenant.read', 'tenant.update', 'tenant.lifecycle',
	'members.read', 'members.manage', 'invitations.manage', 'quotas.read', 'usage.write',
	'settings.read', 'settings.write', 'secrets.reveal', 'apikeys.manage', 'audit.read',
	'alerts.ack']) p
UNION ALL
SELECT 'manager', p FROM unnest(ARRAY['tenant.read', 'tenant.update', 'members.read',
	'members.manage', 'invitations.manage', 'quotas.read', 'usage.write', 'settings.read',
	'audit.read', 'alerts.ack']) p
UNION ALL
SELECT 'member', p FROM unnest(ARRAY['tenant.read', 'members.read', 'quotas.read',
	'settings.read', 'usage.write']) p
UNION ALL
SELECT 'viewer', p FROM unnest(ARRAY['tenant.read', 'members.read', 'quotas.read',
	'settings.read']) p;

-- The member role of the transaction ('' = admin).
CREATE FUNCTION current_member_role() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(NULLIF(current_setting('tenantry.member_role', true), ''), 'admin')
$$;

-- May the current member role do p? Always true outside a tenant context
-- (staff roles are bounded by their grants, and SECURITY DEFINER functions
-- run as the owner).
CREATE FUNCTION member_may(p text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT current_user <> 'tenantry_tenant'
	    OR EXISTS (SELECT 1 FROM tenantry.member_permissions m
		       WHERE m.role = tenantry.current_member_role() AND m.permission = p)
$$;

CREATE FUNCTION member_require(p text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT tenantry.member_may(p) THEN
		RAISE EXCEPTION 'a tenant %: % is not allowed', tenantry.current_member_role(), p
			USING ERRCODE = '42501';
	END IF;
	RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION current_member_role(), member_may(text), member_require(text)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

-- May the caller do p, whatever runs now (SECURITY DEFINER functions ask
-- this about their caller)? The role tenantryd switched to (the member
-- role for a tenant context), else the staff roles the login itself holds
-- (a direct-mode session; a superuser may do anything).
CREATE FUNCTION caller_may(p text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT CASE current_setting('role')
		WHEN 'tenantry_tenant' THEN EXISTS (SELECT 1 FROM member_permissions m
			WHERE m.role = current_member_role() AND m.permission = p)
		WHEN 'tenantry_platform' THEN true
		WHEN 'tenantry_support' THEN EXISTS (SELECT 1 FROM staff_permissions s
			WHERE s.staff_role = 'support' AND s.permission = p)
		WHEN 'tenantry_oncall' THEN EXISTS (SELECT 1 FROM staff_permissions s
			WHERE s.staff_role = 'oncall' AND s.permission = p)
		WHEN 'none' THEN (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
			OR pg_has_role(session_user, 'tenantry_platform', 'USAGE')
			OR EXISTS (SELECT 1 FROM staff_permissions s
				WHERE s.permission = p AND pg_has_role(session_user,
					CASE s.staff_role WHEN 'support' THEN 'tenantry_support'
					ELSE 'tenantry_oncall' END, 'USAGE')
				AND s.staff_role <> 'platform_admin')
		ELSE false END
$$;

CREATE FUNCTION caller_require(p text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NOT caller_may(p) THEN
		RAISE EXCEPTION '% is not allowed', p USING ERRCODE = '42501';
	END IF;
	RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION caller_may(text), caller_require(text)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

-- BEFORE ... FOR EACH STATEMENT: refused even when no row would change.
CREATE FUNCTION member_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tenantry.member_require(TG_ARGV[0]);
	RETURN NULL;
END
$$;

CREATE TRIGGER member_guard BEFORE UPDATE ON tenants
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('tenant.update');
CREATE TRIGGER member_guard BEFORE UPDATE OR DELETE ON tenant_users
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('members.manage');
CREATE TRIGGER member_guard BEFORE INSERT OR UPDATE ON invitations
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('invitations.manage');
CREATE TRIGGER member_guard BEFORE INSERT OR UPDATE OR DELETE ON tenant_settings
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('settings.write');
CREATE TRIGGER member_guard BEFORE INSERT OR UPDATE OR DELETE ON api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('apikeys.manage');
CREATE TRIGGER member_guard BEFORE UPDATE ON alerts
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('alerts.ack');

-- The audit log is read with audit.read (evaluated once per statement).
CREATE POLICY audit_log_member ON audit_log AS RESTRICTIVE FOR SELECT TO tenantry_tenant
	USING ((SELECT tenantry.member_require('audit.read')));

-- audit_event() as in 017_input_limits, and the audited reads held to
-- their permissions, for staff and members alike: revealing a secret
-- (secrets.reveal) and exporting the tenant (tenant.lifecycle, as the
-- route).
CREATE OR REPLACE FUNCTION audit_event(p_tenant uuid, p_action text, p_rtype text,
	p_rid text, p_detail jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000');
	v_need text := CASE p_action WHEN 'secret.reveal' THEN 'secrets.reveal'
		WHEN 'tenant.export' THEN 'tenant.lifecycle' END;
BEGIN
	IF p_action !~ '^[a-z_]+\.[a-z_.]+$' OR length(p_action) > 63 THEN
		RAISE EXCEPTION 'invalid audit action %', p_action
			USING ERRCODE = '22023';
	END IF;
	IF NOT json_within_limits(p_detail) THEN
		RAISE EXCEPTION 'detail nests deeper than 32 levels or is longer than 32768 bytes'
			USING ERRCODE = '23514', CONSTRAINT = 'detail';
	END IF;
	IF octet_length(p_rid) > 127 THEN
		RAISE EXCEPTION 'resource_id is longer than 127 bytes'
			USING ERRCODE = '23514', CONSTRAINT = 'resource_id';
	END IF;
	IF octet_length(p_rtype) > 31 THEN
		RAISE EXCEPTION 'resource_type is longer than 31 bytes'
			USING ERRCODE = '23514', CONSTRAINT = 'resource_type';
	END IF;
	IF current_setting('role') = 'tenantry_tenant'
	   AND v_tenant IS DISTINCT FROM current_tenant() THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF v_need IS NOT NULL THEN
		PERFORM caller_require(v_need);
	END IF;
	IF p_tenant IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant) THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	RETURN audit_append(v_tenant, p_action, p_rtype, p_rid, NULL, p_detail);
END
$$;
