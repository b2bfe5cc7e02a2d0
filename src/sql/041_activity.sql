-- 041_activity.sql - when members and API keys were last seen.
--
-- tenantryd notes each authenticated request's member or API key in
-- memory, at most once a minute each, and sends the notes here in batches
-- every few seconds (src/server/activity.c), so last_active_at and
-- last_used_at stay current without a write per request. Neither column
-- is audited (004, 030 leave them out) and a time never moves backwards
-- or past the database's clock.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Marks p_users[i] (a member of p_tenants[i]) or p_keys[i] (an API key of
-- p_tenants[i]) as seen at p_at_us[i] (microseconds since the epoch).
-- Returns the number of rows moved. Unknown members and keys are skipped.
CREATE FUNCTION activity_seen(p_tenants uuid[], p_users uuid[], p_keys uuid[],
	p_at_us bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_members integer;
	v_keys integer;
BEGIN
	IF cardinality(p_tenants) IS DISTINCT FROM cardinality(p_users)
	   OR cardinality(p_tenants) IS DISTINCT FROM cardinality(p_keys)
	   OR cardinality(p_tenants) IS DISTINCT FROM cardinality(p_at_us) THEN
		RAISE EXCEPTION 'activity_seen: arrays of different lengths'
			USING ERRCODE = '22023';
	END IF;
	WITH x AS (
		SELECT s.t, s.u, max(least(to_timestamp(s.us / 1e6), now())) AS at
		FROM unnest(p_tenants, p_users, p_at_us) AS s(t, u, us)
		WHERE s.t IS NOT NULL AND s.u IS NOT NULL AND s.us IS NOT NULL
		GROUP BY s.t, s.u
	)
	UPDATE tenant_users tu SET last_active_at = x.at
	FROM x
	WHERE tu.tenant_id = x.t AND tu.user_id = x.u
	  AND (tu.last_active_at IS NULL OR tu.last_active_at < x.at);
	GET DIAGNOSTICS v_members = ROW_COUNT;
	WITH x AS (
		SELECT s.t, s.k, max(least(to_timestamp(s.us / 1e6), now())) AS at
		FROM unnest(p_tenants, p_keys, p_at_us) AS s(t, k, us)
		WHERE s.t IS NOT NULL AND s.k IS NOT NULL AND s.us IS NOT NULL
		GROUP BY s.t, s.k
	)
	UPDATE api_keys k SET last_used_at = x.at
	FROM x
	WHERE k.tenant_id = x.t AND k.id = x.k
	  AND (k.last_used_at IS NULL OR k.last_used_at < x.at);
	GET DIAGNOSTICS v_keys = ROW_COUNT;
	RETURN v_members + v_keys;
END
$$;
REVOKE EXECUTE ON FUNCTION activity_seen(uuid[], uuid[], uuid[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION activity_seen(uuid[], uuid[], uuid[], bigint[]) TO tenantry_platform;
