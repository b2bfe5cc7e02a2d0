-- 045_staff_targets.sql - support staff act on users' accounts, not on
-- staff accounts.
--
-- The staff account actions of 037 (password reset token, second factor
-- reset, sign out, unlock) find their target with account_ref. Support
-- may use them for users; a staff account (platform admin, support,
-- on-call) is the platform's to act on, else a support login could reset
-- a platform admin's second factor, take a reset token for it and sign
-- in as it. The target is refused as unknown (P0002), as a missing one.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE OR REPLACE FUNCTION account_ref(p_ref text) RETURNS uuid
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT u.id FROM users u
	WHERE (u.id = CASE WHEN p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		THEN p_ref::uuid END
	       OR lower(u.email) = lower(p_ref))
	  AND (u.staff_role = 'none' OR current_setting('role') = 'tenantry_platform')
	LIMIT 1
$$;
