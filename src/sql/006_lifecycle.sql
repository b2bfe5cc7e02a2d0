-- 006_lifecycle: tenant creation, status transitions, tier changes,
-- invitations and the purge.
--
--   trial -> active | suspended | pending_deletion
--   active <-> suspended;  active | suspended -> pending_deletion
--   pending_deletion -> active | suspended   (restore within the grace)
--   pending_deletion -> (purge after 30 days)  rows deleted, one platform
--                                              audit entry keeps the hash
-- Invalid transitions raise SQLSTATE TL001; a downgrade below current usage
-- raises TD001 with the offending resources as JSON in DETAIL.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE FUNCTION tenant_lifecycle() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NEW.status NOT IN ('trial', 'active') THEN
			RAISE EXCEPTION 'a new tenant starts as trial or active'
				USING ERRCODE = 'TL001';
		END IF;
		RETURN NEW;
	END IF;
	NEW.updated_at := now();
	IF NEW.status = OLD.status THEN
		RETURN NEW;
	END IF;
	IF NOT (OLD.status, NEW.status) IN (
		('trial', 'active'), ('trial', 'suspended'),
		('trial', 'pending_deletion'), ('active', 'suspended'),
		('suspended', 'active'), ('active', 'pending_deletion'),
		('suspended', 'pending_deletion'),
		('pending_deletion', 'active'),
		('pending_deletion', 'suspended')) THEN
		IF NEW.status = 'deleted' THEN
			RAISE EXCEPTION 'cannot go from % to deleted', OLD.status
				USING ERRCODE = 'TL001', HINT = 'tenants are deleted '
				'by the purge, 30 days after entering pending_deletion';
		END IF;
		RAISE EXCEPTION 'cannot go from % to %', OLD.status, NEW.status
			USING ERRCODE = 'TL001';
	END IF;
	IF NEW.status = 'pending_deletion' THEN
		NEW.deletion_due_at := now() + interval '30 days';
	ELSE
		NEW.deletion_due_at := NULL;
	END IF;
	IF OLD.status = 'trial' THEN
		NEW.trial_ends_at := least(OLD.trial_ends_at, now());
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER lifecycle BEFORE INSERT OR UPDATE ON tenants
	FOR EACH ROW EXECUTE FUNCTION tenant_lifecycle();

-- Creates a tenant, its admin user (when the email is new) and the admin
-- membership. Runs with the caller's rights: only roles allowed to insert
-- tenants can call it usefully.
CREATE FUNCTION tenant_create(p_name text, p_slug text, p_domain text,
	p_tier text, p_admin_email text, p_admin_name text,
	p_billing_email text, p_trial boolean)
RETURNS SETOF tenants
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tier tiers;
	v_tenant tenants;
	v_user uuid;
BEGIN
	SELECT * INTO v_tier FROM tiers WHERE name = p_tier;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown tier %', p_tier USING ERRCODE = 'P0002',
			COLUMN = 'tier';
	END IF;
	INSERT INTO tenants (slug, name, domain, tier, status, trial_ends_at,
		billing_email)
	VALUES (p_slug, p_name, NULLIF(p_domain, ''), p_tier,
		CASE WHEN p_trial AND v_tier.trial_days > 0 THEN 'trial'
			ELSE 'active' END,
		CASE WHEN p_trial AND v_tier.trial_days > 0
			THEN now() + make_interval(days => v_tier.trial_days) END,
		coalesce(NULLIF(p_billing_email, ''), p_admin_email))
	RETURNING * INTO v_tenant;
	SELECT id INTO v_user FROM users WHERE lower(email) = lower(p_admin_email);
	IF NOT FOUND THEN
		INSERT INTO users (email, full_name)
		VALUES (p_admin_email, coalesce(p_admin_name, ''))
		RETURNING id INTO v_user;
	END IF;
	INSERT INTO tenant_users (tenant_id, user_id, role)
	VALUES (v_tenant.id, v_user, 'admin');
	RETURN NEXT v_tenant;
END
$$;
GRANT EXECUTE ON FUNCTION tenant_create(text, text, text, text, text, text,
	text, boolean) TO tenantry_platform;

-- Usage of the counted resources over the limits of p_tier.
CREATE FUNCTION tier_conflicts(p_tenant uuid, p_tier text)
RETURNS TABLE (resource text, used bigint, quota_limit bigint)
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT q.resource, q.used, tier_limit(t, q.resource)
	FROM quotas q JOIN tiers t ON t.name = p_tier
	WHERE q.tenant_id = p_tenant AND q.period = 'none'
	  AND tier_limit(t, q.resource) >= 0
	  AND q.used > tier_limit(t, q.resource)
	ORDER BY q.resource
$$;
GRANT EXECUTE ON FUNCTION tier_limit(tiers, text), resource_period(text)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;
GRANT EXECUTE ON FUNCTION tier_conflicts(uuid, text) TO tenantry_platform,
	tenantry_support, tenantry_oncall;

CREATE FUNCTION tenant_set_tier(p_tenant uuid, p_tier text, p_force boolean)
RETURNS SETOF tenants
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tier tiers;
	v_conflicts json;
BEGIN
	SELECT * INTO v_tier FROM tiers WHERE name = p_tier;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown tier %', p_tier USING ERRCODE = 'P0002',
			COLUMN = 'tier';
	END IF;
	PERFORM 1 FROM tenants WHERE id = p_tenant FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF NOT p_force THEN
		SELECT json_agg(c) INTO v_conflicts
		FROM tier_conflicts(p_tenant, p_tier) c;
		IF v_conflicts IS NOT NULL THEN
			RAISE EXCEPTION 'downgrade to % would exceed its limits', p_tier
				USING ERRCODE = 'TD001', DETAIL = v_conflicts::text;
		END IF;
	END IF;
	UPDATE quotas q SET quota_limit = tier_limit(v_tier, q.resource)
	WHERE q.tenant_id = p_tenant
	  AND q.resource IN ('users', 'storage_bytes', 'api_calls', 'api_keys',
		'invitations');
	RETURN QUERY UPDATE tenants SET tier = p_tier WHERE id = p_tenant
		RETURNING *;
END
$$;
GRANT EXECUTE ON FUNCTION tenant_set_tier(uuid, text, boolean)
	TO tenantry_platform;

-- Deletes every row of a tenant whose grace has passed, its audit chain
-- included, and appends one entry to the platform chain with the final
-- hash so the chain's existence stays provable. Executable by the
-- platform role only (EXECUTE is granted, never PUBLIC).
CREATE FUNCTION tenant_purge(p_tenant uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant tenants;
	v_head audit_heads;
BEGIN
	SELECT * INTO v_tenant FROM tenants WHERE id = p_tenant FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF v_tenant.status <> 'pending_deletion'
	   OR v_tenant.deletion_due_at > now() THEN
		RAISE EXCEPTION 'tenant % is not due for deletion', v_tenant.slug
			USING ERRCODE = 'TL001';
	END IF;
	SELECT * INTO v_head FROM audit_heads WHERE tenant_id = p_tenant FOR UPDATE;
	INSERT INTO purging VALUES (p_tenant);
	DELETE FROM tenants WHERE id = p_tenant;
	DELETE FROM audit_log WHERE tenant_id = p_tenant;
	DELETE FROM audit_heads WHERE tenant_id = p_tenant;
	DELETE FROM purging WHERE tenant_id = p_tenant;
	PERFORM audit_append('00000000-0000-0000-0000-000000000000', 'tenant.purge',
		'tenant', p_tenant::text, to_jsonb(v_tenant)
			- '{settings,branding,features}'::text[],
		jsonb_build_object('tenant_id', p_tenant, 'slug', v_tenant.slug,
			'entries', coalesce(v_head.seq, 0),
			'final_hash', encode(coalesce(v_head.hash, '\x'), 'hex')));
END
$$;
GRANT EXECUTE ON FUNCTION tenant_purge(uuid) TO tenantry_platform;

-- Purges every tenant whose grace has passed; returns how many.
CREATE FUNCTION tenant_purge_due() RETURNS int
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_id uuid;
	n int := 0;
BEGIN
	FOR v_id IN SELECT id FROM tenants WHERE status = 'pending_deletion'
		AND deletion_due_at <= now() ORDER BY deletion_due_at LOOP
		PERFORM tenant_purge(v_id);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION tenant_purge_due() TO tenantry_platform;

-- Accepts an invitation by the SHA-256 of its token. Unknown tokens raise
-- P0002, used/revoked/expired ones TG001 (gone), a suspended tenant TL001.
-- A new user needs a password hash (computed by the application).
CREATE FUNCTION invitation_accept(p_token_hash bytea, p_full_name text,
	p_password_hash text)
RETURNS TABLE (tenant_id uuid, user_id uuid, email text, full_name text,
	role text, active boolean, joined_at timestamptz,
	last_active_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_inv invitations;
	v_status text;
	v_user uuid;
BEGIN
	SELECT * INTO v_inv FROM invitations i WHERE i.token_hash = p_token_hash
		FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such invitation' USING ERRCODE = 'P0002';
	END IF;
	IF v_inv.accepted_at IS NOT NULL THEN
		RAISE EXCEPTION 'invitation already accepted' USING ERRCODE = 'TG001';
	ELSIF v_inv.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'invitation revoked' USING ERRCODE = 'TG001';
	ELSIF v_inv.expires_at <= now() THEN
		RAISE EXCEPTION 'invitation expired' USING ERRCODE = 'TG001';
	END IF;
	SELECT t.status INTO v_status FROM tenants t WHERE t.id = v_inv.tenant_id;
	IF v_status NOT IN ('trial', 'active') THEN
		RAISE EXCEPTION 'tenant is %', v_status USING ERRCODE = 'TL001';
	END IF;
	PERFORM set_config('tenantry.actor', v_inv.email, true);
	PERFORM set_config('tenantry.actor_kind', 'user', true);
	SELECT u.id INTO v_user FROM users u
		WHERE lower(u.email) = lower(v_inv.email);
	IF NOT FOUND THEN
		IF p_password_hash IS NULL OR p_password_hash = '' THEN
			RAISE EXCEPTION 'a new user needs a password'
				USING ERRCODE = '23502', COLUMN = 'password';
		END IF;
		INSERT INTO users (email, full_name, password_hash)
		VALUES (v_inv.email, coalesce(p_full_name, ''), p_password_hash)
		RETURNING id INTO v_user;
	END IF;
	INSERT INTO tenant_users AS tu (tenant_id, user_id, role)
	VALUES (v_inv.tenant_id, v_user, v_inv.role)
	ON CONFLICT ON CONSTRAINT tenant_users_pkey
	DO UPDATE SET role = excluded.role, active = true;
	UPDATE invitations i SET accepted_at = now(), accepted_user_id = v_user
	WHERE i.tenant_id = v_inv.tenant_id AND i.id = v_inv.id;
	RETURN QUERY SELECT tu.tenant_id, tu.user_id, u.email, u.full_name,
		tu.role, tu.active, tu.joined_at, tu.last_active_at
	FROM tenant_users tu JOIN users u ON u.id = tu.user_id
	WHERE tu.tenant_id = v_inv.tenant_id AND tu.user_id = v_user;
END
$$;
GRANT EXECUTE ON FUNCTION invitation_accept(bytea, text, text)
	TO tenantry_tenant, tenantry_platform, tenantry_support;

-- Every tenant keeps at least one active admin: demoting, deactivating or
-- removing the last one raises TC001 (conflict).
CREATE FUNCTION keep_an_admin() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF is_purging(OLD.tenant_id)
	   OR NOT (OLD.role = 'admin' AND OLD.active) THEN
		RETURN coalesce(NEW, OLD);
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.role = 'admin' AND NEW.active THEN
		RETURN NEW;
	END IF;
	PERFORM 1 FROM tenants WHERE id = OLD.tenant_id FOR UPDATE;
	IF NOT EXISTS (SELECT 1 FROM tenant_users m
		WHERE m.tenant_id = OLD.tenant_id AND m.user_id <> OLD.user_id
		  AND m.role = 'admin' AND m.active) THEN
		RAISE EXCEPTION 'the last active admin of a tenant cannot be '
			'demoted, deactivated or removed' USING ERRCODE = 'TC001';
	END IF;
	RETURN coalesce(NEW, OLD);
END
$$;
CREATE TRIGGER keep_an_admin BEFORE UPDATE OF role, active OR DELETE
	ON tenant_users FOR EACH ROW EXECUTE FUNCTION keep_an_admin();

-- The head of a chain (seq, hash), for verification by readers that may
-- not see audit_heads.
CREATE FUNCTION audit_head(p_tenant uuid, OUT seq bigint, OUT hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT h.seq, encode(h.hash, 'hex') FROM audit_heads h
	WHERE h.tenant_id = p_tenant
	  AND (current_setting('role') <> 'tenantry_tenant'
	       OR p_tenant = current_tenant())
$$;
GRANT EXECUTE ON FUNCTION audit_head(uuid) TO tenantry_tenant,
	tenantry_platform, tenantry_support, tenantry_oncall;
