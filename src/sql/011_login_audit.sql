-- 011_login_audit: a successful login is an entry in the audit log, as
-- the events that touch no tenant row are: on the tenant's chain for a
-- member, on the platform chain for staff. Actor, kind, address and user
-- agent come from the request's context like every other entry's.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

DROP FUNCTION auth_login_ok(uuid, text);

-- A successful login: stamps it, replaces an outdated password hash
-- (p_rehash NULL keeps it) and records it; p_tenant NULL for staff.
CREATE FUNCTION auth_login_ok(p_user uuid, p_rehash text, p_tenant uuid)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	UPDATE users SET last_login_at = now(),
		password_hash = coalesce(p_rehash, password_hash)
	WHERE id = p_user;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such account' USING ERRCODE = 'P0002';
	END IF;
	PERFORM audit_append(coalesce(p_tenant, '00000000-0000-0000-0000-000000000000'),
		'auth.login', 'user', p_user::text, NULL, NULL);
END
$$;

REVOKE EXECUTE ON FUNCTION auth_login_ok(uuid, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_login_ok(uuid, text, uuid) TO tenantry_auth;
