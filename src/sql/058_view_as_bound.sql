-- 058_view_as_bound.sql - the member rights of a tenant context come from
-- whoever may vouch for them, not from any session that sets them.
--
-- A transaction says which member it acts as in tenantry.member_role
-- (019, 042). tenantryd's login (a member of tenantry_app) sets it from a
-- verified token or view-as session, and a platform admin's own login
-- holds every right anyway: for those the setting stands. A support
-- login may SET ROLE tenantry_tenant (to view as a tenant, 018), and
-- could set the member role to admin itself, in any tenant, unaudited
-- (`tenantry --as tenant:ID` did exactly that). For such a login the
-- member role and overrides are now those of its own open view-as
-- session in that tenant (started by the same login: the new column
-- login), and without one it holds no member permission at all.
--
-- Staff viewing as a member are also held, when they change a member's
-- overrides, to what that member could grant (046 let any staff actor
-- through, so a support session as a manager could grant beyond it).
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- the login that started a session (sessions from before: none)
ALTER TABLE view_as_sessions ADD COLUMN login text;
ALTER TABLE view_as_sessions ALTER COLUMN login SET DEFAULT session_user;
CREATE INDEX view_as_sessions_login ON view_as_sessions (login, tenant_id)
	WHERE ended_at IS NULL;

-- A support login's member setting in the current tenant: its newest open
-- view-as session's "role;+a,-b", or "none;" (no member permission).
CREATE FUNCTION view_as_member_setting() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT coalesce((
		SELECT s.role || ';' || coalesce((SELECT string_agg(
				CASE WHEN p.value = 'true'::jsonb THEN '+' ELSE '-' END || p.key, ','
				ORDER BY p.key)
			FROM jsonb_each(s.permissions) p), '')
		FROM view_as_sessions s
		WHERE s.tenant_id = current_tenant() AND s.login = session_user
		  AND s.ended_at IS NULL AND s.ends_at > now()
		ORDER BY s.started_at DESC LIMIT 1), 'none;')
$$;
REVOKE EXECUTE ON FUNCTION view_as_member_setting() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION view_as_member_setting() TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;

-- The member setting the transaction may use (see above).
CREATE FUNCTION member_setting() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN pg_has_role(session_user, 'tenantry_platform', 'MEMBER')
		THEN coalesce(current_setting('tenantry.member_role', true), '')
		ELSE tenantry.view_as_member_setting() END
$$;
GRANT EXECUTE ON FUNCTION member_setting() TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;

CREATE OR REPLACE FUNCTION current_member_role() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(NULLIF(split_part(tenantry.member_setting(), ';', 1), ''), 'admin')
$$;

CREATE OR REPLACE FUNCTION current_member_overrides() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT ',' || split_part(tenantry.member_setting(), ';', 2) || ','
$$;

-- 046's check, with staff viewing as a member held to that member.
CREATE OR REPLACE FUNCTION member_overrides_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_kind text := coalesce(current_setting('tenantry.actor_kind', true), '');
	v_actor text := coalesce(current_setting('tenantry.actor', true), '');
	v_old jsonb := CASE TG_OP WHEN 'UPDATE' THEN OLD.permissions ELSE '{}' END;
	v_key text;
	v_val jsonb;
	v_own text;
	v_own_over jsonb;
BEGIN
	FOR v_key, v_val IN SELECT key, value FROM jsonb_each(NEW.permissions) LOOP
		IF NOT EXISTS (SELECT 1 FROM member_permissions m
			       WHERE m.role = 'admin' AND m.permission = v_key) THEN
			RAISE EXCEPTION '"%" is not a tenant permission', left(v_key, 64)
				USING ERRCODE = '23514', COLUMN = 'permissions';
		END IF;
		IF jsonb_typeof(v_val) <> 'boolean' THEN
			RAISE EXCEPTION '"%" wants true (grant) or false (revoke)', v_key
				USING ERRCODE = '23514', COLUMN = 'permissions';
		END IF;
	END LOOP;
	IF NEW.permissions = v_old OR current_setting('tenantry.granting', true) = 'invitation'
	   OR v_kind NOT IN ('user', 'api_key', 'staff')
	   OR (v_kind = 'staff' AND current_setting('role') <> 'tenantry_tenant') THEN
		RETURN NEW; -- staff in their own role, the system, the demo
	END IF;
	IF v_kind = 'staff' THEN -- viewing as a member: as that member
		v_own := current_member_role();
		SELECT coalesce(jsonb_object_agg(substr(x, 2), substr(x, 1, 1) = '+'), '{}')
		INTO v_own_over
		FROM unnest(string_to_array(current_member_overrides(), ',')) x WHERE x <> '';
		v_kind := 'user';
	ELSIF v_kind = 'user' THEN
		SELECT tu.role, tu.permissions INTO v_own, v_own_over
		FROM tenant_users tu JOIN users u ON u.id = tu.user_id
		WHERE tu.tenant_id = NEW.tenant_id AND lower(u.email) = lower(v_actor)
		  AND tu.active;
	END IF;
	IF NEW.role = 'admin' AND v_own IS DISTINCT FROM 'admin' THEN
		RAISE EXCEPTION 'only an admin changes an admin''s permissions'
			USING ERRCODE = '42501';
	END IF;
	FOR v_key IN SELECT key FROM jsonb_each(NEW.permissions)
		WHERE value = 'true'::jsonb AND (v_old -> key) IS DISTINCT FROM 'true'::jsonb LOOP
		IF v_kind = 'api_key' THEN
			RAISE EXCEPTION 'an API key does not grant permissions'
				USING ERRCODE = '42501';
		END IF;
	END LOOP;
	-- Every permission the member gains, by a grant or by a revoke taken
	-- away, must be the acting member's own.
	FOR v_key IN SELECT k FROM (SELECT jsonb_object_keys(NEW.permissions) AS k
		UNION SELECT jsonb_object_keys(v_old)) keys
		WHERE member_holds(NEW.role, NEW.permissions, k)
		  AND NOT member_holds(NEW.role, v_old, k) LOOP
		IF v_kind = 'user' AND NOT member_holds(v_own, v_own_over, v_key) THEN
			RAISE EXCEPTION '% is not yours to grant', v_key USING ERRCODE = '42501';
		END IF;
	END LOOP;
	RETURN NEW;
END
$$;
