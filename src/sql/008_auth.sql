-- 008_auth: credentials for tenantryd.
--
-- No role reads password_hash, mfa_secret or an API key's hash directly;
-- tenantryd's login and credential checks go through these SECURITY
-- DEFINER functions, executable by tenantry_auth (granted to tenantry_app)
-- and, for the per-request check, by the four working roles.
--
-- Revocation: a JWT carries its issue time in microseconds; auth_check()
-- runs inside every request's transaction and refuses tokens issued before
-- the user's tokens_valid_after, tokens of inactive members, keys that are
-- revoked or expired, and every credential of a suspended or deleted
-- tenant. Changing a member's role or active flag moves tokens_valid_after,
-- so a token never outlives the role it was issued for.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenantry_auth') THEN
		CREATE ROLE tenantry_auth NOLOGIN NOBYPASSRLS;
	END IF;
END $$;
GRANT tenantry_auth TO tenantry_app;
GRANT USAGE ON SCHEMA tenantry TO tenantry_auth;

SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- The account behind an email, secrets included (login only).
CREATE FUNCTION auth_user(p_email text)
RETURNS TABLE (id uuid, email text, full_name text, password_hash text,
	mfa_secret text, mfa_enabled boolean, staff_role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT u.id, u.email, u.full_name, u.password_hash, u.mfa_secret,
	       u.mfa_enabled, u.staff_role
	FROM users u WHERE lower(u.email) = lower(p_email)
$$;

-- The account behind an id (TOTP enrolment on a verified token).
CREATE FUNCTION auth_user_by_id(p_id uuid)
RETURNS TABLE (id uuid, email text, full_name text, password_hash text,
	mfa_secret text, mfa_enabled boolean, staff_role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT u.id, u.email, u.full_name, u.password_hash, u.mfa_secret,
	       u.mfa_enabled, u.staff_role
	FROM users u WHERE u.id = p_id
$$;

-- The tenants a user may log into: active memberships of tenants that are
-- not suspended or deleted.
CREATE FUNCTION auth_memberships(p_user uuid)
RETURNS TABLE (tenant_id uuid, slug text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT t.id, t.slug, tu.role
	FROM tenant_users tu JOIN tenants t ON t.id = tu.tenant_id
	WHERE tu.user_id = p_user AND tu.active
	  AND t.status IN ('trial', 'active')
	ORDER BY t.slug
$$;

-- A successful login: stamps it, replaces an outdated password hash.
CREATE FUNCTION auth_login_ok(p_user uuid, p_rehash text)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	UPDATE users SET last_login_at = now(),
		password_hash = coalesce(p_rehash, password_hash)
	WHERE id = p_user
$$;

-- The second factor: p_secret NULL keeps the stored one.
CREATE FUNCTION auth_mfa_set(p_user uuid, p_secret text, p_enabled boolean)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	UPDATE users SET mfa_secret = coalesce(p_secret, mfa_secret),
		mfa_enabled = p_enabled
	WHERE id = p_user
$$;

-- An API key by its prefix (the hash is compared by the caller in
-- constant time).
CREATE FUNCTION auth_api_key(p_prefix text)
RETURNS TABLE (tenant_id uuid, id uuid, secret_hash bytea, scopes text[],
	expires_at timestamptz, revoked_at timestamptz, status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT k.tenant_id, k.id, k.secret_hash, k.scopes, k.expires_at,
	       k.revoked_at, t.status
	FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
	WHERE k.prefix = lower(p_prefix)
$$;

-- Re-checks a verified credential inside the request's transaction.
-- p_user + p_issued_us: a JWT (p_tenant set for tenant users);
-- p_key: an API key. Raises TA001 when the credential no longer holds.
CREATE FUNCTION auth_check(p_user uuid, p_issued_us bigint, p_key uuid,
	p_tenant uuid)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
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

-- A platform staff account: created, or its role and password replaced.
CREATE FUNCTION staff_add(p_email text, p_name text, p_role text,
	p_password_hash text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_id uuid;
BEGIN
	IF p_role NOT IN ('platform_admin', 'support', 'oncall', 'none') THEN
		RAISE EXCEPTION 'unknown staff role %', p_role
			USING ERRCODE = '23514', CONSTRAINT = 'users_staff_role_check';
	END IF;
	INSERT INTO users (email, full_name, staff_role, password_hash)
		VALUES (p_email, coalesce(p_name, ''), p_role, p_password_hash)
	ON CONFLICT (lower(email)) DO UPDATE SET staff_role = excluded.staff_role,
		password_hash = coalesce(excluded.password_hash, users.password_hash),
		tokens_valid_after = now()
	RETURNING id INTO v_id;
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'staff.add', 'user', v_id::text, NULL,
		jsonb_build_object('email', p_email, 'staff_role', p_role));
	RETURN v_id;
END
$$;

-- A member whose role or active flag changes loses the tokens issued
-- before the change.
CREATE FUNCTION member_revoke_tokens() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF TG_OP = 'DELETE' OR NEW.role IS DISTINCT FROM OLD.role
	   OR NEW.active IS DISTINCT FROM OLD.active THEN
		UPDATE users SET tokens_valid_after = now() WHERE id = OLD.user_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER tenant_users_revoke AFTER UPDATE OR DELETE ON tenant_users
	FOR EACH ROW EXECUTE FUNCTION member_revoke_tokens();

REVOKE EXECUTE ON FUNCTION auth_user(text), auth_user_by_id(uuid),
	auth_memberships(uuid), auth_login_ok(uuid, text),
	auth_mfa_set(uuid, text, boolean), auth_api_key(text),
	auth_check(uuid, bigint, uuid, uuid), staff_add(text, text, text, text),
	member_revoke_tokens() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_user(text), auth_user_by_id(uuid),
	auth_memberships(uuid), auth_login_ok(uuid, text),
	auth_mfa_set(uuid, text, boolean), auth_api_key(text)
	TO tenantry_auth;
GRANT EXECUTE ON FUNCTION auth_check(uuid, bigint, uuid, uuid)
	TO tenantry_auth, tenantry_tenant, tenantry_platform, tenantry_support,
	tenantry_oncall;
GRANT EXECUTE ON FUNCTION staff_add(text, text, text, text)
	TO tenantry_platform;
-- Accepting an invitation is the one write an anonymous caller makes: the
-- token is the credential.
GRANT EXECUTE ON FUNCTION invitation_accept(bytea, text, text) TO tenantry_auth;
