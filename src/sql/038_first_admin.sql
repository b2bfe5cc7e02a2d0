-- 038_first_admin: a new tenant's first admin is invited, never made: the
-- tenant is created with an invitation (role admin) for the admin e-mail,
-- whose token the caller shows once. Accepting it sets a new account's
-- password; an existing account joins only with its consent (030), as for
-- any invitation. No account without a password is created.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

DROP FUNCTION tenant_create(text, text, text, text, text, text, text, boolean,
	text, text, text);

-- p_invite_hash: the SHA-256 of the invitation token the caller made.
CREATE FUNCTION tenant_create(p_name text, p_slug text, p_domain text,
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
	INSERT INTO invitations (tenant_id, email, role, invited_by, token_hash)
	VALUES (v_tenant.id, p_admin_email, 'admin', current_actor(), p_invite_hash);
	SELECT * INTO v_tenant FROM tenants WHERE id = v_tenant.id;
	RETURN NEXT v_tenant;
END
$$;
GRANT EXECUTE ON FUNCTION tenant_create(text, text, text, text, text, text,
	text, boolean, text, text, text, bytea) TO tenantry_platform;
