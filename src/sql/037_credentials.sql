-- 037_credentials: every account can get a working credential back, and
-- sign-in is throttled and audited, shared by every tenantryd.
--
-- * password_resets: single-use, expiring reset tokens, stored as their
--   SHA-256 only (like invitations). password_reset_issue is the one place
--   a token row is made (a self-service request, a staff reset); confirming
--   one sets the password and ends every token issued before it.
-- * login_throttle: failed sign-ins counted per account (the e-mail typed,
--   known or not) and per client address in fixed windows; at the limit
--   the key is refused until its window ends. Limits are database settings
--   so every instance applies the same ones:
--     tenantry.login_failures             per account and window (10)
--     tenantry.login_failures_per_address per address and window (100)
--     tenantry.login_window_seconds       the window (900)
--     tenantry.password_reset_minutes     a reset token's life (60)
--   (ALTER DATABASE ... SET tenantry.login_failures = '5').
-- * Every failed sign-in is an audit entry: on the tenant's chain for a
--   member (the tenant named, or the account's only one), else on the
--   platform's (staff, unknown accounts), as 011 does for logins.
-- * mfa_recovery_codes: one-time codes accepted in place of a TOTP code,
--   stored as SHA-256, replaced as a set.
-- * Staff resets a user's second factor, issues a reset token, signs a
--   user out everywhere or lifts its sign-in block; each is audited on the
--   platform chain.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE TABLE password_resets (
	token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	issued_by text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

CREATE TABLE login_throttle (
	key text PRIMARY KEY CHECK (length(key) <= 300),
	failures int NOT NULL DEFAULT 0,
	window_start timestamptz NOT NULL DEFAULT now(),
	blocked_until timestamptz
);

CREATE TABLE mfa_recovery_codes (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash bytea NOT NULL CHECK (octet_length(code_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	used_at timestamptz,
	PRIMARY KEY (user_id, code_hash)
);

-- Only these functions touch the three tables.
ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_resets FORCE ROW LEVEL SECURITY;
CREATE POLICY password_resets_owner ON password_resets FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY login_throttle_owner ON login_throttle FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);
ALTER TABLE mfa_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE mfa_recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY mfa_recovery_codes_owner ON mfa_recovery_codes FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);

-- A numeric database setting, or dflt when unset or not a number.
CREATE FUNCTION credential_setting(p_name text, p_dflt int) RETURNS int
LANGUAGE plpgsql STABLE SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v text := current_setting(p_name, true);
BEGIN
	IF v ~ '^[0-9]{1,9}$' AND v::int > 0 THEN
		RETURN v::int;
	END IF;
	RETURN p_dflt;
END
$$;

-- A user reference (id or e-mail) as an id, across tenants (staff, auth).
CREATE FUNCTION account_ref(p_ref text) RETURNS uuid
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT u.id FROM users u
	WHERE u.id = CASE WHEN p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		THEN p_ref::uuid END
	   OR lower(u.email) = lower(p_ref)
	LIMIT 1
$$;

-- The audit chain of an account's own events: the tenant p_tenant (id or
-- slug) when it is an active member of it, else its only active
-- membership, else the platform's.
CREATE FUNCTION account_chain(p_user uuid, p_tenant text) RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_ids uuid[];
	v_named uuid;
BEGIN
	IF p_user IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = p_user
					 AND u.staff_role <> 'none') THEN
		RETURN '00000000-0000-0000-0000-000000000000';
	END IF;
	SELECT array_agg(tu.tenant_id), max(CASE WHEN t.id::text = p_tenant
		OR t.slug = p_tenant THEN t.id::text END)::uuid
	INTO v_ids, v_named
	FROM tenant_users tu JOIN tenants t ON t.id = tu.tenant_id
	WHERE tu.user_id = p_user AND tu.active AND t.status IN ('trial', 'active');
	IF v_named IS NOT NULL THEN
		RETURN v_named;
	ELSIF cardinality(v_ids) = 1 THEN
		RETURN v_ids[1];
	END IF;
	RETURN '00000000-0000-0000-0000-000000000000';
END
$$;

-- Seconds until sign-in is allowed again for this e-mail from this
-- address; 0 when it is.
CREATE FUNCTION auth_throttle_check(p_email text, p_ip text) RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT coalesce(max(ceil(extract(epoch FROM (l.blocked_until - now()))))::int, 0)
	FROM login_throttle l
	WHERE l.key IN ('account:' || lower(left(p_email, 254)), 'address:' || coalesce(p_ip, ''))
	  AND l.blocked_until > now()
$$;

-- Counts one failure against key; the seconds it is now blocked, 0 if not.
CREATE FUNCTION throttle_count(p_key text, p_limit int, p_window int) RETURNS int
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v login_throttle;
BEGIN
	INSERT INTO login_throttle AS l (key, failures, window_start)
	VALUES (p_key, 1, now())
	ON CONFLICT (key) DO UPDATE SET
		failures = CASE WHEN l.window_start + make_interval(secs => p_window) <= now()
			THEN 1 ELSE l.failures + 1 END,
		window_start = CASE WHEN l.window_start + make_interval(secs => p_window) <= now()
			THEN now() ELSE l.window_start END,
		blocked_until = NULL
	RETURNING * INTO v;
	IF v.failures < p_limit THEN
		RETURN 0;
	END IF;
	UPDATE login_throttle l SET blocked_until = v.window_start
		+ make_interval(secs => p_window) WHERE l.key = p_key;
	RETURN greatest(1, ceil(extract(epoch FROM (v.window_start
		+ make_interval(secs => p_window) - now())))::int);
END
$$;

-- A failed sign-in: counted against the e-mail typed and the address, and
-- audited (p_reason: unknown_account, wrong_password, wrong_code, ...).
-- Returns the seconds the next attempt must wait (0: none yet).
CREATE FUNCTION auth_login_failed(p_email text, p_ip text, p_tenant text, p_reason text)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_window int := credential_setting('tenantry.login_window_seconds', 900);
	v_user uuid;
	v_a int;
	v_b int;
BEGIN
	SELECT u.id INTO v_user FROM users u WHERE lower(u.email) = lower(p_email);
	v_a := throttle_count('account:' || lower(left(p_email, 254)),
		credential_setting('tenantry.login_failures', 10), v_window);
	v_b := throttle_count('address:' || coalesce(p_ip, ''),
		credential_setting('tenantry.login_failures_per_address', 100), v_window);
	PERFORM set_config('tenantry.actor', left(p_email, 254), true);
	PERFORM set_config('tenantry.actor_kind', 'user', true);
	PERFORM audit_append(account_chain(v_user, p_tenant), 'auth.login_failed', 'user',
		coalesce(v_user::text, ''), NULL,
		jsonb_build_object('reason', p_reason, 'email', left(p_email, 254)));
	IF random() < 0.01 THEN
		DELETE FROM login_throttle l WHERE l.window_start
			< now() - make_interval(secs => 2 * v_window);
	END IF;
	RETURN greatest(v_a, v_b);
END
$$;

-- A successful login also clears the account's failures (the address's
-- stay until their window ends).
CREATE OR REPLACE FUNCTION auth_login_ok(p_user uuid, p_rehash text, p_tenant uuid)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_email text;
BEGIN
	UPDATE users SET last_login_at = now(),
		password_hash = coalesce(p_rehash, password_hash)
	WHERE id = p_user RETURNING email INTO v_email;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such account' USING ERRCODE = 'P0002';
	END IF;
	DELETE FROM login_throttle WHERE key = 'account:' || lower(left(v_email, 254));
	PERFORM audit_append(coalesce(p_tenant, '00000000-0000-0000-0000-000000000000'),
		'auth.login', 'user', p_user::text, NULL, NULL);
END
$$;

-- The one place a reset token is made: for p_user, valid
-- tenantry.password_reset_minutes. Returns its expiry.
CREATE FUNCTION password_reset_issue(p_user uuid, p_hash bytea)
RETURNS timestamptz
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_exp timestamptz := now() + make_interval(mins =>
		credential_setting('tenantry.password_reset_minutes', 60));
BEGIN
	INSERT INTO password_resets (token_hash, user_id, issued_by, expires_at)
	VALUES (p_hash, p_user, current_actor(), v_exp);
	DELETE FROM password_resets r WHERE r.user_id = p_user
		AND (r.expires_at < now() - interval '1 day');
	RETURN v_exp;
END
$$;

-- Self-service: a reset for the account of p_email, if there is one (the
-- caller answers the same either way). Returns the account, or NULL when
-- there is none or it already had 5 requests in the last hour (a flood of
-- requests makes no more tokens, mails or audit entries).
CREATE FUNCTION password_reset_request(p_email text, p_hash bytea)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_user uuid;
BEGIN
	SELECT u.id INTO v_user FROM users u WHERE lower(u.email) = lower(p_email);
	IF NOT FOUND OR (SELECT count(*) FROM password_resets r WHERE r.user_id = v_user
			 AND lower(r.issued_by) = lower(left(p_email, 254))
			 AND r.created_at > now() - interval '1 hour') >= 5 THEN
		RETURN NULL;
	END IF;
	PERFORM set_config('tenantry.actor', left(p_email, 254), true);
	PERFORM set_config('tenantry.actor_kind', 'user', true);
	PERFORM password_reset_issue(v_user, p_hash);
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'user.password_reset_request', 'user', v_user::text, NULL, NULL);
	RETURN v_user;
END
$$;

-- Staff: a reset token for a user (id or e-mail); P0002 when unknown.
CREATE FUNCTION user_password_reset(p_ref text, p_hash bytea)
RETURNS TABLE (user_id uuid, email text, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_user uuid := account_ref(p_ref);
	v_exp timestamptz;
BEGIN
	IF v_user IS NULL THEN
		RAISE EXCEPTION 'no such user' USING ERRCODE = 'P0002';
	END IF;
	v_exp := password_reset_issue(v_user, p_hash);
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'user.password_reset_issue', 'user', v_user::text, NULL,
		jsonb_build_object('expires_at', v_exp));
	RETURN QUERY SELECT u.id, u.email, v_exp FROM users u WHERE u.id = v_user;
END
$$;

-- Sets a new password with a reset token: P0002 unknown token, TG001 used
-- or expired. Every token of the account issued before ends, its other
-- reset tokens are spent and its failed sign-ins are forgotten.
CREATE FUNCTION password_reset_confirm(p_hash bytea, p_password_hash text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v password_resets;
	v_email text;
BEGIN
	SELECT * INTO v FROM password_resets r WHERE r.token_hash = p_hash FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such reset token' USING ERRCODE = 'P0002';
	ELSIF v.used_at IS NOT NULL THEN
		RAISE EXCEPTION 'reset token already used' USING ERRCODE = 'TG001';
	ELSIF v.expires_at <= now() THEN
		RAISE EXCEPTION 'reset token expired' USING ERRCODE = 'TG001';
	END IF;
	IF p_password_hash IS NULL OR p_password_hash = '' THEN
		RAISE EXCEPTION 'a password is required'
			USING ERRCODE = '23502', COLUMN = 'password';
	END IF;
	UPDATE users u SET password_hash = p_password_hash, tokens_valid_after = now()
	WHERE u.id = v.user_id RETURNING u.email INTO v_email;
	UPDATE password_resets r SET used_at = now()
	WHERE r.user_id = v.user_id AND r.used_at IS NULL;
	DELETE FROM login_throttle WHERE key = 'account:' || lower(left(v_email, 254));
	PERFORM set_config('tenantry.actor', v_email, true);
	PERFORM set_config('tenantry.actor_kind', 'user', true);
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'user.password_reset', 'user', v.user_id::text, NULL, NULL);
	RETURN v.user_id;
END
$$;

-- Ends every token of a user (id or e-mail) issued until now: "sign out
-- everywhere", by the user (tenantryd passes the verified account) or by
-- staff. P0002 when unknown.
CREATE FUNCTION user_sign_out(p_ref text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_user uuid := account_ref(p_ref);
BEGIN
	IF v_user IS NULL THEN
		RAISE EXCEPTION 'no such user' USING ERRCODE = 'P0002';
	END IF;
	UPDATE users SET tokens_valid_after = now() WHERE id = v_user;
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'user.sign_out_everywhere', 'user', v_user::text, NULL, NULL);
	RETURN v_user;
END
$$;

-- Staff: turns a user's second factor off and drops its recovery codes
-- (the user enrols again). P0002 when unknown.
CREATE FUNCTION user_mfa_reset(p_ref text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_user uuid := account_ref(p_ref);
	v_was boolean;
BEGIN
	IF v_user IS NULL THEN
		RAISE EXCEPTION 'no such user' USING ERRCODE = 'P0002';
	END IF;
	SELECT mfa_enabled INTO v_was FROM users WHERE id = v_user;
	UPDATE users SET mfa_secret = NULL, mfa_enabled = false WHERE id = v_user;
	DELETE FROM mfa_recovery_codes WHERE user_id = v_user;
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'user.mfa_reset', 'user', v_user::text,
		jsonb_build_object('mfa_enabled', v_was),
		jsonb_build_object('mfa_enabled', false));
	RETURN v_user;
END
$$;

-- Staff: lifts a user's sign-in block (id or e-mail): the failures
-- counted against its e-mail are forgotten; its addresses' stay. P0002
-- when unknown.
CREATE FUNCTION user_unlock(p_ref text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_user uuid := account_ref(p_ref);
	v_failures int;
BEGIN
	IF v_user IS NULL THEN
		RAISE EXCEPTION 'no such user' USING ERRCODE = 'P0002';
	END IF;
	DELETE FROM login_throttle l USING users u
	WHERE u.id = v_user AND l.key = 'account:' || lower(left(u.email, 254))
	RETURNING l.failures INTO v_failures;
	PERFORM audit_append('00000000-0000-0000-0000-000000000000',
		'user.sign_in_unlock', 'user', v_user::text, NULL,
		jsonb_build_object('failures', coalesce(v_failures, 0)));
	RETURN v_user;
END
$$;

-- Replaces a user's recovery codes with these hashes (shown once).
CREATE FUNCTION auth_recovery_set(p_user uuid, p_hashes bytea[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_user) THEN
		RAISE EXCEPTION 'no such account' USING ERRCODE = 'P0002';
	END IF;
	DELETE FROM mfa_recovery_codes WHERE user_id = p_user;
	INSERT INTO mfa_recovery_codes (user_id, code_hash)
	SELECT p_user, h FROM unnest(p_hashes) h ON CONFLICT DO NOTHING;
	PERFORM audit_append(account_chain(p_user, NULL), 'user.recovery_codes', 'user',
		p_user::text, NULL, jsonb_build_object('count', cardinality(p_hashes)));
END
$$;

-- Spends one recovery code; false when it is unknown or used.
CREATE FUNCTION auth_recovery_use(p_user uuid, p_hash bytea, p_tenant text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	UPDATE mfa_recovery_codes SET used_at = now()
	WHERE user_id = p_user AND code_hash = p_hash AND used_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM audit_append(account_chain(p_user, p_tenant), 'auth.recovery_code_used',
		'user', p_user::text, NULL, jsonb_build_object('left',
		(SELECT count(*) FROM mfa_recovery_codes c WHERE c.user_id = p_user
			AND c.used_at IS NULL)));
	RETURN true;
END
$$;

REVOKE EXECUTE ON FUNCTION credential_setting(text, int), account_ref(text),
	account_chain(uuid, text), auth_throttle_check(text, text),
	throttle_count(text, int, int), auth_login_failed(text, text, text, text),
	password_reset_issue(uuid, bytea), password_reset_request(text, bytea),
	user_password_reset(text, bytea), password_reset_confirm(bytea, text),
	user_sign_out(text), user_mfa_reset(text), user_unlock(text), auth_recovery_set(uuid, bytea[]),
	auth_recovery_use(uuid, bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_throttle_check(text, text),
	auth_login_failed(text, text, text, text), password_reset_request(text, bytea),
	auth_recovery_set(uuid, bytea[]), auth_recovery_use(uuid, bytea, text)
	TO tenantry_auth;
GRANT EXECUTE ON FUNCTION password_reset_confirm(bytea, text), user_sign_out(text)
	TO tenantry_auth, tenantry_platform, tenantry_support;
GRANT EXECUTE ON FUNCTION user_password_reset(text, bytea), user_mfa_reset(text),
	user_unlock(text) TO tenantry_platform, tenantry_support;
