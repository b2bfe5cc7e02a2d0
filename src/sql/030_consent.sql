-- 030_consent.sql - membership is consented and scoped; a credential's
-- claims are checked against the database.
--
-- * Revocation per membership: a member whose role or active flag changes
--   loses the tokens of that tenant only (tenant_users.tokens_valid_after);
--   users.tokens_valid_after stays the account's own (sign out everywhere,
--   a staff role changed).
-- * Roles are granted only up to the granter's own: an API key never makes
--   an admin, a member never grants above their own role, only admins make
--   or change admins. Staff and the system grant any role.
-- * An invitation for an existing account joins it only when that account
--   authenticated (the caller passes the account it verified).
-- * auth_check takes the kind and role the credential claims and refuses a
--   claim that goes beyond the database's row: claims may only narrow.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE tenant_users
	ADD COLUMN tokens_valid_after timestamptz NOT NULL DEFAULT '-infinity';

-- Not a change worth an audit entry of its own (the role change is).
DROP TRIGGER audit ON tenant_users;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenant_users
	FOR EACH ROW EXECUTE FUNCTION audit_row('member', 'tenant_id', 'user_id',
	'{last_active_at,tokens_valid_after}');

DROP TRIGGER tenant_users_revoke ON tenant_users;
DROP FUNCTION member_revoke_tokens();
CREATE FUNCTION member_revoke_tokens() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.role IS DISTINCT FROM OLD.role
	   OR NEW.active IS DISTINCT FROM OLD.active THEN
		NEW.tokens_valid_after := now();
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER tenant_users_revoke BEFORE UPDATE ON tenant_users
	FOR EACH ROW EXECUTE FUNCTION member_revoke_tokens();

-- The rank of a member role: admin 4 .. viewer 1.
CREATE FUNCTION member_role_rank(p_role text) RETURNS int
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
	SELECT CASE p_role WHEN 'admin' THEN 4 WHEN 'manager' THEN 3
		WHEN 'member' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END
$$;

-- Refuses (42501) a role granted beyond what the actor holds in the
-- tenant. p_old is the role being replaced (NULL for a new grant).
CREATE FUNCTION grant_check(p_tenant uuid, p_new text, p_old text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_kind text := coalesce(current_setting('tenantry.actor_kind', true), '');
	v_actor text := coalesce(current_setting('tenantry.actor', true), '');
	v_own text;
BEGIN
	IF current_setting('tenantry.granting', true) = 'invitation' THEN
		RETURN; -- the invitation's role, checked when it was made
	END IF;
	IF v_kind = 'api_key' THEN
		IF p_new = 'admin' OR p_old = 'admin' THEN
			RAISE EXCEPTION 'only an admin makes or changes an admin'
				USING ERRCODE = '42501';
		END IF;
		RETURN;
	END IF;
	IF v_kind <> 'user' THEN
		RETURN; -- staff, the system, the demo
	END IF;
	SELECT tu.role INTO v_own FROM tenant_users tu JOIN users u ON u.id = tu.user_id
		WHERE tu.tenant_id = p_tenant AND lower(u.email) = lower(v_actor)
		  AND tu.active;
	IF (p_new = 'admin' OR p_old = 'admin') AND v_own IS DISTINCT FROM 'admin' THEN
		RAISE EXCEPTION 'only an admin makes or changes an admin'
			USING ERRCODE = '42501';
	END IF;
	IF member_role_rank(p_new) > member_role_rank(v_own)
	   OR member_role_rank(p_old) > member_role_rank(v_own) THEN
		RAISE EXCEPTION 'a role above your own (%) cannot be granted', coalesce(v_own, 'none')
			USING ERRCODE = '42501';
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION grant_check(uuid, text, text) FROM PUBLIC;

CREATE FUNCTION grant_check_member() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM grant_check(NEW.tenant_id, NEW.role, NULL);
	ELSIF NEW.role IS DISTINCT FROM OLD.role THEN
		PERFORM grant_check(NEW.tenant_id, NEW.role, OLD.role);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER grant_check BEFORE INSERT OR UPDATE OF role ON tenant_users
	FOR EACH ROW EXECUTE FUNCTION grant_check_member();
CREATE TRIGGER grant_check BEFORE INSERT OR UPDATE OF role ON invitations
	FOR EACH ROW EXECUTE FUNCTION grant_check_member();
REVOKE EXECUTE ON FUNCTION grant_check_member() FROM PUBLIC;

-- The account an invitation would join, for the caller to authenticate:
-- its id and password hash, no row when no account has the invited
-- e-mail or the invitation cannot be accepted.
CREATE FUNCTION invitation_account(p_token_hash bytea)
RETURNS TABLE (user_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT u.id, coalesce(u.password_hash, '')
	FROM invitations i JOIN users u ON lower(u.email) = lower(i.email)
	WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL
	  AND i.revoked_at IS NULL AND i.expires_at > now()
$$;
REVOKE EXECUTE ON FUNCTION invitation_account(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_account(bytea)
	TO tenantry_auth, tenantry_tenant, tenantry_platform, tenantry_support;

-- Accepts an invitation by the SHA-256 of its token. Unknown tokens raise
-- P0002, used/revoked/expired ones TG001 (gone), a suspended tenant TL001.
-- A new account is created with p_password_hash (required, 23502); an
-- existing account joins only when p_user names it, the account the caller
-- authenticated (TA001 otherwise), and keeps its password.
DROP FUNCTION invitation_accept(bytea, text, text);
CREATE FUNCTION invitation_accept(p_token_hash bytea, p_full_name text,
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
		VALUES (v_inv.email, coalesce(p_full_name, ''), p_password_hash)
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
REVOKE EXECUTE ON FUNCTION invitation_accept(bytea, text, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_accept(bytea, text, text, uuid)
	TO tenantry_auth, tenantry_tenant, tenantry_platform, tenantry_support;

-- Re-checks a verified credential inside the request's transaction.
-- p_user + p_issued_us: a JWT, which claims p_kind ('user' with p_tenant,
-- or 'staff') and p_role (the member or staff role); p_key: an API key.
-- Raises TA001 when the credential no longer holds or claims more than the
-- database gives: a member role above the membership's, a staff role the
-- account does not have.
CREATE FUNCTION auth_check(p_user uuid, p_issued_us bigint, p_key uuid,
	p_tenant uuid, p_kind text, p_role text)
RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	-- A tenant context asks about itself, or about the staff member
	-- viewing it; anything else is revoked without looking (020).
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
			    <= p_issued_us
			AND (p_kind IS DISTINCT FROM 'staff' OR u.staff_role = p_role
			     OR (u.staff_role = 'platform_admin'
				 AND p_role IN ('support', 'oncall')));
		IF NOT FOUND THEN
			RAISE EXCEPTION 'credentials revoked' USING ERRCODE = 'TA001';
		END IF;
		IF p_tenant IS NOT NULL THEN
			PERFORM 1 FROM tenant_users tu JOIN tenants t ON t.id = tu.tenant_id
				WHERE tu.tenant_id = p_tenant AND tu.user_id = p_user
				  AND tu.active AND t.status IN ('trial', 'active')
				  AND (extract(epoch FROM tu.tokens_valid_after) * 1e6)::numeric
				      <= p_issued_us
				  AND member_role_rank(tu.role) >= member_role_rank(p_role);
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
REVOKE EXECUTE ON FUNCTION auth_check(uuid, bigint, uuid, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_check(uuid, bigint, uuid, uuid, text, text)
	TO tenantry_auth, tenantry_tenant, tenantry_platform, tenantry_support,
	tenantry_oncall;
DROP FUNCTION auth_check(uuid, bigint, uuid, uuid);
