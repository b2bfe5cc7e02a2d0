-- 050_tenant_hosts.sql - which tenant a request's Host names (tenantryd
-- --tenant-domain): a subdomain <slug>.<base domain>, or the tenant's own
-- domain once platform staff have verified it. domain_verified_at is set
-- by platform staff only (PUT /api/tenants/{id} {"domain_verified": true});
-- a new domain is unverified again. A Host never overrides the tenant of
-- the credential: tenantryd answers a mismatch as an unknown tenant.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE tenants ADD COLUMN domain_verified_at timestamptz;

CREATE FUNCTION domain_verification() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.domain_verified_at IS DISTINCT FROM OLD.domain_verified_at
	   AND NOT pg_has_role(current_user, 'tenantry_platform', 'USAGE') THEN
		RAISE EXCEPTION 'only platform staff verify a domain'
			USING ERRCODE = '42501';
	END IF;
	IF NEW.domain IS DISTINCT FROM OLD.domain
	   AND NEW.domain_verified_at IS NOT DISTINCT FROM OLD.domain_verified_at THEN
		NEW.domain_verified_at := NULL;
	END IF;
	IF NEW.domain IS NULL THEN
		NEW.domain_verified_at := NULL;
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION domain_verification() FROM PUBLIC;
CREATE TRIGGER domain_verification BEFORE UPDATE OF domain, domain_verified_at ON tenants
	FOR EACH ROW EXECUTE FUNCTION domain_verification();

-- The tenant whose verified domain is p_host (any case), or NULL: across
-- tenants, so SECURITY DEFINER; it answers nothing for an unverified or
-- unknown domain.
CREATE FUNCTION tenant_of_host(p_host text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT id FROM tenants
	WHERE lower(domain) = lower(p_host) AND domain_verified_at IS NOT NULL
	  AND status IN ('trial', 'active')
$$;
REVOKE EXECUTE ON FUNCTION tenant_of_host(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_of_host(text) TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;
