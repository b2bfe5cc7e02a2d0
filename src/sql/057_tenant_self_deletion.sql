-- 057_tenant_self_deletion.sql - what tenant.lifecycle lets a tenant's own
-- admins do, in the database as in tenantryd: export the tenant (019), and
-- request its deletion: the 30-day grace of pending_deletion, as when the
-- platform deletes it, during which the tenant's tokens and keys are
-- refused and only the platform can restore it. Suspending, resuming and
-- restoring stay the platform's. The tenant role holds no UPDATE of
-- tenants.status, so a tenant's own request goes through
-- tenant_self_status(), which marks it as the tenant's (status_reason
-- 'tenant_request', kept until the status changes again).
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- 034's trigger, which keeps a reason only for suspended, keeps the
-- tenant's own deletion request too.
CREATE OR REPLACE FUNCTION tenant_status_reason() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status <> 'suspended'
	   AND NOT (NEW.status = 'pending_deletion'
		    AND NEW.status_reason IS NOT DISTINCT FROM 'tenant_request') THEN
		NEW.status_reason := NULL;
	END IF;
	RETURN NEW;
END
$$;

-- The calling tenant (its context) to p_status: only pending_deletion,
-- from trial or active. 42501 for any other change and for a member
-- without tenant.lifecycle.
CREATE FUNCTION tenant_self_status(p_status text) RETURNS SETOF tenants
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := current_tenant();
	v tenants;
BEGIN
	IF current_setting('role') <> 'tenantry_tenant' OR v_tenant IS NULL THEN
		RAISE EXCEPTION 'only a tenant''s own context changes its status this way'
			USING ERRCODE = '42501';
	END IF;
	IF NOT member_role_may('tenant.lifecycle') THEN
		RAISE EXCEPTION 'a tenant %: tenant.lifecycle is not allowed',
			current_member_role() USING ERRCODE = '42501';
	END IF;
	SELECT * INTO v FROM tenants t WHERE t.id = v_tenant FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no tenant' USING ERRCODE = 'P0002';
	END IF;
	IF p_status = v.status THEN
		RETURN NEXT v;
		RETURN;
	END IF;
	IF p_status = 'pending_deletion' AND v.status IN ('trial', 'active') THEN
		UPDATE tenants t SET status = 'pending_deletion', status_reason = 'tenant_request'
		WHERE t.id = v_tenant RETURNING * INTO v;
	ELSE
		RAISE EXCEPTION 'a tenant may only request its own deletion: % to % is the platform''s',
			v.status, p_status USING ERRCODE = '42501';
	END IF;
	RETURN NEXT v;
END
$$;
REVOKE EXECUTE ON FUNCTION tenant_self_status(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_self_status(text) TO tenantry_tenant;
