-- 063_first_admin_name.sql - a new tenant's first admin keeps the name
-- given for them.
--
-- Since the first admin is invited rather than made (038), tenant_create
-- took the admin's name (admin_name in REST, --admin-name in the CLI, the
-- console's form) and dropped it: the account made on accepting had the
-- name typed then, or none. The invitation now keeps the name, and
-- accepting without one gives the new account that name. An account that
-- exists keeps its own.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE invitations ADD COLUMN full_name text NOT NULL DEFAULT ''
	CHECK (length(full_name) <= 200);
GRANT SELECT (full_name) ON invitations TO tenantry_tenant, tenantry_platform,
	tenantry_support;

CREATE OR REPLACE FUNCTION tenant_create(p_name text, p_slug text, p_domain text,
	p_tier text, p_admin_email text, p_admin_name text,
	p_billing_email text, p_trial boolean, p_contact_phone text,
	p_timezone text, p_locale text, p_invite_hash bytea)
RETURNS SETOF tenants
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tier tiers;
	v_tenant tenants;
BEGIN
	SELECT * INTO v_tier FROM tiers WHERE name = p_tier;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown tier %', p_tier USING ERRCODE = 'P0002',
			COLUMN = 'tier';
	END IF;
	INSERT INTO tenants (slug, name, domain, tier, status, trial_ends_at,
		billing_email, contact_phone, timezone, locale)
	VALUES (p_slug, p_name, NULLIF(p_domain, ''), p_tier,
		CASE WHEN p_trial AND v_tier.trial_days > 0 THEN 'trial'
			ELSE 'active' END,
		CASE WHEN p_trial AND v_tier.trial_days > 0
			THEN now() + make_interval(days => v_tier.trial_days) END,
		coalesce(NULLIF(p_billing_email, ''), p_admin_email),
		NULLIF(p_contact_phone, ''),
		coalesce(NULLIF(p_timezone, ''), 'UTC'),
		coalesce(NULLIF(p_locale, ''), 'en-US'))
	RETURNING * INTO v_tenant;
	INSERT INTO invitations (tenant_id, email, full_name, role, invited_by, token_hash)
	VALUES (v_tenant.id, p_admin_email, coalesce(p_admin_name, ''), 'admin',
		current_actor(), p_invite_hash);
	SELECT * INTO v_tenant FROM tenants WHERE id = v_tenant.id;
	RETURN NEXT v_tenant;
END
$$;

CREATE OR REPLACE FUNCTION invitation_accept(p_token_hash bytea, p_full_name text,
	p_password_hash text, p_user uuid)
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
	IF FOUND AND p_user IS DISTINCT FROM v_user THEN
		RAISE EXCEPTION 'sign in as the invited account, or give its password'
			USING ERRCODE = 'TA001';
	ELSIF NOT FOUND THEN
		IF p_password_hash IS NULL OR p_password_hash = '' THEN
			RAISE EXCEPTION 'a password is required'
				USING ERRCODE = '23502', COLUMN = 'password';
		END IF;
		INSERT INTO users (email, full_name, password_hash)
		VALUES (v_inv.email, coalesce(NULLIF(p_full_name, ''), v_inv.full_name),
			p_password_hash)
		RETURNING id INTO v_user;
	END IF;
	PERFORM set_config('tenantry.granting', 'invitation', true);
	INSERT INTO tenant_users AS tu (tenant_id, user_id, role)
	VALUES (v_inv.tenant_id, v_user, v_inv.role)
	ON CONFLICT ON CONSTRAINT tenant_users_pkey
	DO UPDATE SET role = excluded.role, active = true;
	PERFORM set_config('tenantry.granting', '', true);
	UPDATE invitations i SET accepted_at = now(), accepted_user_id = v_user
	WHERE i.tenant_id = v_inv.tenant_id AND i.id = v_inv.id;
	RETURN QUERY SELECT tu.tenant_id, tu.user_id, u.email, u.full_name,
		tu.role, tu.active, tu.joined_at, tu.last_active_at
	FROM tenant_users tu JOIN users u ON u.id = tu.user_id
	WHERE tu.tenant_id = v_inv.tenant_id AND tu.user_id = v_user;
END
$$;
