-- 040_api_calls_served.sql - API calls served by tenantryd, counted in
-- batches.
--
-- Every tenantryd keeps a local count of the calls it serves for each
-- tenant and adds it here every few hundred milliseconds (or sooner after
-- a burst): the api_calls quota row is the counter all instances share,
-- and what each reads back is the count of every instance. The calls were
-- already served, so the addition is not refused at the limit (unlike
-- usage_increment, which asks before consuming): used may pass the limit
-- by the bound tenantryd(8) states. The day's usage_daily row gets the same
-- calls, so quota and usage views show them. Windows roll as in
-- usage_increment.
--
-- The tenant role may not write quotas or usage (020), so the function is
-- SECURITY DEFINER and a tenant's context counts only its own calls (the
-- others are left out, as if not visible); tenantryd's flusher runs as the
-- platform.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE TYPE api_calls_count AS (
	tenant_id uuid,
	quota_limit bigint,
	used bigint,
	period_start timestamptz
);

-- Adds p_calls[i] served calls to tenant p_tenants[i] (0 only reads) and
-- returns each visible tenant's api_calls quota as it is afterwards.
-- Tenants that are not visible, or have no such quota, are left out.
CREATE FUNCTION api_calls_served(p_tenants uuid[], p_calls bigint[])
RETURNS SETOF api_calls_count
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF cardinality(p_tenants) IS DISTINCT FROM cardinality(p_calls) THEN
		RAISE EXCEPTION 'api_calls_served: % tenants, % counts',
			cardinality(p_tenants), cardinality(p_calls)
			USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM unnest(p_calls) c WHERE c IS NULL OR c < 0
		OR c > (1::bigint << 40)) THEN
		RAISE EXCEPTION 'api_calls_served: a count is negative or too large'
			USING ERRCODE = '22023';
	END IF;
	RETURN QUERY
	WITH d AS (
		SELECT x.t, sum(x.c)::bigint AS n
		FROM unnest(p_tenants, p_calls) AS x(t, c)
		WHERE x.t IS NOT NULL
		  AND (current_setting('role') <> 'tenantry_tenant'
		       OR x.t = current_tenant())
		GROUP BY x.t
	), counted AS (
		UPDATE quotas q SET
			used = CASE WHEN q.period_start
				< window_start(q.period, now(), q.period_start)
				THEN 0 ELSE q.used END + d.n,
			period_start = window_start(q.period, now(), q.period_start)
		FROM d
		WHERE d.n > 0 AND q.tenant_id = d.t AND q.resource = 'api_calls'
		RETURNING q.tenant_id, q.quota_limit, q.used, q.period_start, d.n
	), daily AS (
		INSERT INTO usage_daily AS u (tenant_id, resource, day, amount)
		SELECT c.tenant_id, 'api_calls', (now() AT TIME ZONE 'UTC')::date,
			c.n
		FROM counted c
		ON CONFLICT (tenant_id, resource, day)
		DO UPDATE SET amount = u.amount + excluded.amount
	)
	SELECT c.tenant_id, c.quota_limit, c.used, c.period_start
	FROM counted c
	UNION ALL
	SELECT q.tenant_id, q.quota_limit,
		CASE WHEN q.period_start < w.start THEN 0 ELSE q.used END,
		w.start
	FROM d
	JOIN quotas q ON q.tenant_id = d.t AND q.resource = 'api_calls',
	LATERAL (SELECT window_start(q.period, now(), q.period_start) AS start) w
	WHERE d.n = 0;
END
$$;
REVOKE EXECUTE ON FUNCTION api_calls_served(uuid[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_calls_served(uuid[], bigint[])
	TO tenantry_tenant, tenantry_platform;
