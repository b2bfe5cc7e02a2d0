-- 046_override_gains.sql - what an override change gives a member is
-- checked whichever way it gives it, and on-call staff do not write
-- tenants' derived figures.
--
-- 042 checked the permissions granted (true entries) against the acting
-- member's own; taking a revoke (a false entry) away gives a permission
-- back just as well, so a manager could undo a revoke an admin placed on
-- them. Every permission a change makes the member hold now needs the
-- acting member to hold it (API keys, which act for the tenant's admins,
-- may still take revokes away, never grant). 043 let on-call staff write
-- health_score, usage_peak and health_at directly, unaudited; that grant
-- goes: after an on-call quota change the tenant's figures wait for the
-- next refresh, and their health_at says so.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Refuses overrides that name no tenant permission or hold no boolean
-- (23514 on the column), and changes beyond the actor's own (42501).
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
REVOKE UPDATE (health_score, usage_peak, health_at) ON tenants FROM tenantry_oncall;
