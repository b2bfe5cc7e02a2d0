-- 013_members: a tenant's member count kept on its row.
--
-- Every tenant list page and filter page showed the count by looking up the
-- tenant's 'users' quota, one index descent into a table five times the size
-- of tenants for each row of the page: at 100,000 tenants that lookup was
-- two thirds of a page's execution, and the part that grew with the
-- platform. The membership counter (count_members) now keeps the same
-- number in tenants.members, in the transaction that changes a membership,
-- so the row carries it. The quota row stays what enforces the limit.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE tenants ADD COLUMN members integer NOT NULL DEFAULT 0
	CHECK (members >= 0);

UPDATE tenants t SET members = m.n
FROM (SELECT tenant_id, count(*) AS n FROM tenant_users WHERE active
      GROUP BY tenant_id) m
WHERE m.tenant_id = t.id;

-- The tenant row first, then the quota: the order tier changes take too, so
-- two of them never wait on each other. A purge deletes memberships with
-- their tenant; nothing is counted then.
CREATE OR REPLACE FUNCTION count_members() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_delta int := 0;
	v_tenant uuid := coalesce(NEW.tenant_id, OLD.tenant_id);
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN
		v_delta := v_delta - 1;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.active THEN
		v_delta := v_delta + 1;
	END IF;
	IF v_delta <> 0 AND NOT is_purging(v_tenant) THEN
		UPDATE tenants SET members = members + v_delta WHERE id = v_tenant;
		PERFORM quota_take(v_tenant, 'users', v_delta);
	END IF;
	RETURN NULL;
END
$$;

-- The count moving is not an edit of the tenant: updated_at stays. (BEFORE
-- triggers run in name order: this one after lifecycle, which sets it.)
CREATE FUNCTION members_not_an_edit() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.members IS DISTINCT FROM OLD.members THEN
		NEW.updated_at := OLD.updated_at;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER members_not_an_edit BEFORE UPDATE OF members ON tenants
	FOR EACH ROW EXECUTE FUNCTION members_not_an_edit();

-- A derived column is not a change worth an audit entry.
DROP TRIGGER audit ON tenants;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenants
	FOR EACH ROW EXECUTE FUNCTION audit_row('tenant', 'id', 'slug',
	'{updated_at,health_score,usage_peak,search,members}');

-- The new tenant as it is after its admin joined: one member.
CREATE OR REPLACE FUNCTION tenant_create(p_name text, p_slug text, p_domain text,
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
	SELECT * INTO v_tenant FROM tenants WHERE id = v_tenant.id;
	RETURN NEXT v_tenant;
END
$$;
