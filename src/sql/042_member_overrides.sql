-- 042_member_overrides.sql - single permissions granted or revoked per
-- member, on top of the member's role.
--
-- tenant_users.permissions holds them as {"<permission>": true | false}:
-- true grants a tenant permission the role lacks, false revokes one it
-- has. Only tenant permissions (the admin role's) may appear, so an
-- override never reaches a platform permission, and a grant never goes
-- beyond what the granter holds: a member grants only what they hold
-- themselves, only admins change an admin's, and an API key never grants
-- (revoking stays open to whoever manages members). A change ends that
-- membership's tokens, as a role change does (030), so the overrides a
-- token carries are the database's.
--
-- The transaction's tenantry.member_role setting carries them after the
-- role: "manager;+secrets.reveal,-audit.read". member_may and caller_may
-- read both, so the database holds a member to the same rights as
-- tenantryd (core/perm.c perm_member_with).
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE OR REPLACE FUNCTION current_member_role() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(NULLIF(split_part(coalesce(current_setting('tenantry.member_role', true),
		''), ';', 1), ''), 'admin')
$$;

-- The transaction member's overrides as ",+a,-b," ("," for none).
CREATE FUNCTION current_member_overrides() RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT ',' || split_part(coalesce(current_setting('tenantry.member_role', true), ''),
		';', 2) || ','
$$;

-- May the transaction's member role, with its overrides, do p?
CREATE FUNCTION member_role_may(p text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN strpos(tenantry.current_member_overrides(), ',-' || p || ',') > 0 THEN false
		WHEN strpos(tenantry.current_member_overrides(), ',+' || p || ',') > 0 THEN
			EXISTS (SELECT 1 FROM tenantry.member_permissions m
				WHERE m.role = 'admin' AND m.permission = p)
		ELSE EXISTS (SELECT 1 FROM tenantry.member_permissions m
			WHERE m.role = tenantry.current_member_role() AND m.permission = p)
	END
$$;
GRANT EXECUTE ON FUNCTION current_member_overrides(), member_role_may(text)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

CREATE OR REPLACE FUNCTION member_may(p text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT current_user <> 'tenantry_tenant' OR tenantry.member_role_may(p)
$$;

CREATE OR REPLACE FUNCTION caller_may(p text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT CASE current_setting('role')
		WHEN 'tenantry_tenant' THEN member_role_may(p)
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

-- Does a member with role and overrides hold p?
CREATE FUNCTION member_holds(p_role text, p_over jsonb, p text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT CASE p_over -> p
		WHEN 'true'::jsonb THEN true
		WHEN 'false'::jsonb THEN false
		ELSE EXISTS (SELECT 1 FROM member_permissions m
			WHERE m.role = p_role AND m.permission = p)
	END
$$;

-- Refuses overrides that name no tenant permission or hold no boolean
-- (23514 on the column), and changes beyond the actor's own (42501).
CREATE FUNCTION member_overrides_check() RETURNS trigger
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
	IF NEW.permissions = v_old OR v_kind NOT IN ('user', 'api_key')
	   OR current_setting('tenantry.granting', true) = 'invitation' THEN
		RETURN NEW; -- staff, the system, the demo
	END IF;
	IF v_kind = 'user' THEN
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
		IF NOT member_holds(v_own, v_own_over, v_key) THEN
			RAISE EXCEPTION '% is not yours to grant', v_key USING ERRCODE = '42501';
		END IF;
	END LOOP;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION member_overrides_check() FROM PUBLIC;
CREATE TRIGGER overrides_check BEFORE INSERT OR UPDATE OF permissions ON tenant_users
	FOR EACH ROW EXECUTE FUNCTION member_overrides_check();

-- A change of overrides ends the membership's tokens, as a role change.
CREATE OR REPLACE FUNCTION member_revoke_tokens() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.role IS DISTINCT FROM OLD.role
	   OR NEW.active IS DISTINCT FROM OLD.active
	   OR NEW.permissions IS DISTINCT FROM OLD.permissions THEN
		NEW.tokens_valid_after := now();
	END IF;
	RETURN NEW;
END
$$;

-- A login's memberships, with each one's overrides (the token carries them).
DROP FUNCTION auth_memberships(uuid);
CREATE FUNCTION auth_memberships(p_user uuid)
RETURNS TABLE (tenant_id uuid, slug text, role text, permissions text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT t.id, t.slug, tu.role, tu.permissions::text
	FROM tenant_users tu JOIN tenants t ON t.id = tu.tenant_id
	WHERE tu.user_id = p_user AND tu.active
	  AND t.status IN ('trial', 'active')
	ORDER BY t.slug
$$;
REVOKE EXECUTE ON FUNCTION auth_memberships(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_memberships(uuid) TO tenantry_auth;
