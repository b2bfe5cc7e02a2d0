-- 020_tenant_bounds: the tenant role holds exactly what the API gives a
-- tenant.
--
-- * Quotas and usage change only through the checked functions: the
--   tenant role no longer updates quotas.used or writes usage_daily, and
--   usage_increment() (now SECURITY DEFINER) refuses negative amounts,
--   callers without usage.write and tenants other than the context's.
--   Releasing counted resources (members, keys) is the triggers' business,
--   through usage_apply(), which no role may call.
-- * auth_check() in a tenant context answers only about that tenant (and
--   about the staff member viewing it): another tenant's membership or
--   keys are "revoked", whatever they are.
-- * Domains are unique whatever their case, and a domain another tenant
--   holds is refused like a malformed one (23514 on the domain), never as
--   "already in use".
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

REVOKE UPDATE (used, period_start) ON quotas FROM tenantry_tenant;
REVOKE INSERT, UPDATE ON usage_daily FROM tenantry_tenant;

-- The old usage_increment() under a name no role may call: consumes or
-- releases (negative) p_amount for the triggers.
ALTER FUNCTION usage_increment(uuid, text, bigint) RENAME TO usage_apply;
ALTER FUNCTION usage_apply(uuid, text, bigint) SECURITY DEFINER;
REVOKE EXECUTE ON FUNCTION usage_apply(uuid, text, bigint)
	FROM PUBLIC, tenantry_tenant, tenantry_platform;

CREATE OR REPLACE FUNCTION quota_take(p_tenant uuid, p_resource text, p_amount bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	r quota_result;
BEGIN
	IF is_purging(p_tenant) THEN
		RETURN;
	END IF;
	SELECT * INTO r FROM usage_apply(p_tenant, p_resource, p_amount);
	IF FOUND AND NOT r.allowed THEN
		RAISE EXCEPTION 'quota % exhausted: % of % used', p_resource,
			r.used, r.quota_limit
			USING ERRCODE = 'TQ001', DETAIL = json_build_object(
				'resource', p_resource, 'used', r.used,
				'limit', r.quota_limit)::text;
	END IF;
END
$$;

-- Consumes p_amount (>= 0) of a quota the caller may see.
CREATE FUNCTION usage_increment(p_tenant uuid, p_resource text, p_amount bigint)
RETURNS SETOF quota_result
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF p_amount IS NULL OR p_amount < 0 THEN
		RAISE EXCEPTION 'amount must not be negative' USING ERRCODE = '22023';
	END IF;
	PERFORM caller_require('usage.write');
	IF current_setting('role') = 'tenantry_tenant'
	   AND p_tenant IS DISTINCT FROM current_tenant() THEN
		RETURN;  -- not visible: no such quota
	END IF;
	RETURN QUERY SELECT * FROM usage_apply(p_tenant, p_resource, p_amount);
END
$$;
REVOKE EXECUTE ON FUNCTION usage_increment(uuid, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION usage_increment(uuid, text, bigint)
	TO tenantry_tenant, tenantry_platform;

CREATE OR REPLACE FUNCTION auth_check(p_user uuid, p_issued_us bigint, p_key uuid,
	p_tenant uuid)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	-- A tenant context asks about itself, or about the staff member
	-- viewing it; anything else is revoked without looking.
	IF current_setting('role') = 'tenantry_tenant' THEN
		IF (p_tenant IS NOT NULL AND p_tenant IS DISTINCT FROM current_tenant())
		   OR (p_tenant IS NULL AND (p_key IS NOT NULL OR NOT EXISTS (SELECT 1
			FROM users u WHERE u.id = p_user AND u.staff_role <> 'none'))) THEN
			RAISE EXCEPTION 'credentials revoked' USING ERRCODE = 'TA001';
		END IF;
	END IF;
	IF p_user IS NOT NULL THEN
		PERFORM 1 FROM users u WHERE u.id = p_user
			AND (extract(epoch FROM u.tokens_valid_after) * 1e6)::numeric
			    <= p_issued_us;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'credentials revoked' USING ERRCODE = 'TA001';
		END IF;
		IF p_tenant IS NOT NULL THEN
			PERFORM 1 FROM tenant_users tu JOIN tenants t ON t.id = tu.tenant_id
				WHERE tu.tenant_id = p_tenant AND tu.user_id = p_user
				  AND tu.active AND t.status IN ('trial', 'active');
			IF NOT FOUND THEN
				RAISE EXCEPTION 'credentials revoked' USING ERRCODE = 'TA001';
			END IF;
		END IF;
	END IF;
	IF p_key IS NOT NULL THEN
		PERFORM 1 FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
			WHERE k.tenant_id = p_tenant AND k.id = p_key
			  AND k.revoked_at IS NULL
			  AND (k.expires_at IS NULL OR k.expires_at > now())
			  AND t.status IN ('trial', 'active');
		IF NOT FOUND THEN
			RAISE EXCEPTION 'credentials revoked' USING ERRCODE = 'TA001';
		END IF;
	END IF;
END
$$;

-- Domains: one owner whatever the case.
CREATE UNIQUE INDEX tenants_domain_lower_key ON tenants (lower(domain));

CREATE FUNCTION domain_free() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.domain IS NOT NULL AND EXISTS (SELECT 1 FROM tenants t
		WHERE lower(t.domain) = lower(NEW.domain) AND t.id <> NEW.id) THEN
		RAISE EXCEPTION 'not a domain this tenant may use'
			USING ERRCODE = '23514', CONSTRAINT = 'tenants_domain_check',
			TABLE = 'tenants', COLUMN = 'domain';
	END IF;
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION domain_free() FROM PUBLIC;
CREATE TRIGGER domain_free BEFORE INSERT OR UPDATE OF domain ON tenants
	FOR EACH ROW EXECUTE FUNCTION domain_free();
