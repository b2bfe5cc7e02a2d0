-- 053_view_as_member.sql - support access as one member of a tenant, not
-- only as a role: a session may name the member (p_member: e-mail or user
-- id) whose role and permission overrides (042) it takes. They are read
-- when the session starts and kept on it, so every request of the session,
-- direct or through tenantryd, holds the same rights; the start's audit
-- entry names the member.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE view_as_sessions
	ADD COLUMN member text,
	ADD COLUMN permissions jsonb NOT NULL DEFAULT '{}'
		CHECK (jsonb_typeof(permissions) = 'object');

DROP FUNCTION view_as_start(text, text, text, int);

-- Starts a session of the calling staff member (the actor) in p_tenant
-- (id or slug) as p_role, or as the active member p_member (their role:
-- p_role may only repeat it). 22023 for a bad duration, reason or role,
-- P0002 for a tenant or member that does not exist, TC001 for a member
-- whose membership is off.
CREATE FUNCTION view_as_start(p_tenant text, p_role text, p_reason text,
	p_minutes int, p_member text DEFAULT NULL)
RETURNS SETOF view_as_sessions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid;
	v_slug text;
	v_role text := p_role;
	v_email text;
	v_perms jsonb := '{}';
	v_active boolean;
	v view_as_sessions;
BEGIN
	IF p_minutes IS NULL OR p_minutes NOT BETWEEN 1 AND 240 THEN
		RAISE EXCEPTION 'minutes must be 1 to 240' USING ERRCODE = '22023',
			COLUMN = 'minutes';
	END IF;
	IF p_reason IS NULL OR char_length(btrim(p_reason)) < 3 THEN
		RAISE EXCEPTION 'a reason is required (it is audited)'
			USING ERRCODE = '22023', COLUMN = 'reason';
	END IF;
	SELECT t.id, t.slug INTO v_tenant, v_slug FROM tenants t
		WHERE t.id::text = p_tenant OR t.slug = lower(p_tenant);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF nullif(btrim(p_member), '') IS NOT NULL THEN
		SELECT u.email, tu.role, tu.permissions, tu.active
		INTO v_email, v_role, v_perms, v_active
		FROM tenant_users tu JOIN users u ON u.id = tu.user_id
		WHERE tu.tenant_id = v_tenant
		  AND (lower(u.email) = lower(btrim(p_member)) OR u.id::text = btrim(p_member));
		IF NOT FOUND THEN
			RAISE EXCEPTION '% is not a member of %', btrim(p_member), v_slug
				USING ERRCODE = 'P0002', COLUMN = 'member';
		END IF;
		IF NOT v_active THEN
			RAISE EXCEPTION '% is not an active member of %', v_email, v_slug
				USING ERRCODE = 'TC001';
		END IF;
		IF p_role IS NOT NULL AND p_role <> v_role THEN
			RAISE EXCEPTION '% is % in %: the role comes from the member',
				v_email, v_role, v_slug USING ERRCODE = '22023', COLUMN = 'role';
		END IF;
	END IF;
	PERFORM view_as_expire();
	INSERT INTO view_as_sessions (tenant_id, staff, role, reason, ends_at, member,
		permissions)
	VALUES (v_tenant, current_actor(), coalesce(v_role, 'viewer'), btrim(p_reason),
		now() + make_interval(mins => p_minutes), v_email, v_perms)
	RETURNING * INTO v;
	PERFORM audit_event(v_tenant, 'support.view_as.start', 'tenant',
		v_tenant::text, jsonb_build_object('session', v.id, 'staff', v.staff,
		'role', v.role, 'reason', v.reason, 'minutes', p_minutes)
		|| CASE WHEN v_email IS NULL THEN '{}'::jsonb
			ELSE jsonb_build_object('member', v_email, 'permissions', v_perms) END);
	RETURN NEXT v;
END
$$;

REVOKE EXECUTE ON FUNCTION view_as_start(text, text, text, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION view_as_start(text, text, text, int, text)
	TO tenantry_platform, tenantry_support;
