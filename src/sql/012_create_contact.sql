-- 012_create_contact: a tenant's contact phone, time zone and locale can
-- be given when it is created (seed 002's registration form sends them),
-- not only by a later update. '' keeps the column's default.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

DROP FUNCTION tenant_create(text, text, text, text, text, text, text, boolean);

CREATE FUNCTION tenant_create(p_name text, p_slug text, p_domain text,
	p_tier text, p_admin_email text, p_admin_name text,
	p_billing_email text, p_trial boolean, p_contact_phone text,
	p_timezone text, p_locale text)
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
	text, boolean, text, text, text) TO tenantry_platform;
