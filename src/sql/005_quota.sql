-- 005_quota: quotas, usage and threshold alerts.
--
-- usage_increment() checks and consumes in one UPDATE: the row changes only
-- while used + n <= limit (limit -1 = unlimited), and a passed window is
-- rolled in the same statement. Row locks make concurrent consumers queue
-- on the row and re-check the condition, so a limit is never exceeded.
-- Counted resources (users = active members, api_keys = live keys,
-- invitations per day) are kept by triggers in the transaction that
-- changes the row; going over raises SQLSTATE TQ001.
-- Crossing 80, 95 and 100 % inserts one alert per threshold and window
-- (unique key) and notifies channel tenantry_alert.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Start of the window containing `at` (UTC), or `since` for 'none'.
CREATE FUNCTION window_start(p_period text, p_at timestamptz, p_since timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE p_period
		WHEN 'hour' THEN date_trunc('hour', p_at, 'UTC')
		WHEN 'day' THEN date_trunc('day', p_at, 'UTC')
		WHEN 'month' THEN date_trunc('month', p_at, 'UTC')
		ELSE p_since END
$$;

GRANT EXECUTE ON FUNCTION window_start(text, timestamptz, timestamptz)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

CREATE TYPE quota_result AS (
	allowed boolean,
	resource text,
	quota_limit bigint,
	used bigint,
	period text,
	period_start timestamptz
);

-- Consumes p_amount (negative releases). One row: allowed with the row
-- after the update, or not allowed with the row as it is. No row: no such
-- quota (or tenant not visible).
CREATE FUNCTION usage_increment(p_tenant uuid, p_resource text, p_amount bigint)
RETURNS SETOF quota_result
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	r quota_result;
BEGIN
	UPDATE quotas q SET
		used = greatest(0, CASE WHEN q.period_start
			< window_start(q.period, now(), q.period_start)
			THEN 0 ELSE q.used END + p_amount),
		period_start = window_start(q.period, now(), q.period_start)
	WHERE q.tenant_id = p_tenant AND q.resource = p_resource
	  AND (q.quota_limit < 0 OR p_amount <= 0
	       OR CASE WHEN q.period_start < window_start(q.period, now(),
			q.period_start) THEN 0 ELSE q.used END
		  + p_amount <= q.quota_limit)
	RETURNING true, q.resource, q.quota_limit, q.used, q.period,
		q.period_start INTO r;
	IF NOT FOUND THEN
		SELECT false, q.resource, q.quota_limit, q.used, q.period,
			q.period_start INTO r
		FROM quotas q
		WHERE q.tenant_id = p_tenant AND q.resource = p_resource;
		IF NOT FOUND THEN
			RETURN;
		END IF;
		RETURN NEXT r;
		RETURN;
	END IF;
	-- Daily history of what is consumed; counted resources (members, keys)
	-- are states, not consumption.
	IF p_amount > 0 AND p_resource NOT IN ('users', 'api_keys') THEN
		INSERT INTO usage_daily AS u (tenant_id, resource, day, amount)
		VALUES (p_tenant, p_resource, (now() AT TIME ZONE 'UTC')::date,
			p_amount)
		ON CONFLICT (tenant_id, resource, day)
		DO UPDATE SET amount = u.amount + excluded.amount;
	END IF;
	RETURN NEXT r;
END
$$;
GRANT EXECUTE ON FUNCTION usage_increment(uuid, text, bigint)
	TO tenantry_tenant, tenantry_platform;

-- Would p_amount more fit? Reads only.
CREATE FUNCTION quota_check(p_tenant uuid, p_resource text, p_amount bigint)
RETURNS SETOF quota_result
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT (q.quota_limit < 0 OR w.used + p_amount <= q.quota_limit),
		q.resource, q.quota_limit, w.used, q.period, w.start
	FROM quotas q,
	LATERAL (SELECT window_start(q.period, now(), q.period_start) AS start) s,
	LATERAL (SELECT CASE WHEN q.period_start < s.start THEN 0
		ELSE q.used END AS used, s.start) w
	WHERE q.tenant_id = p_tenant AND q.resource = p_resource
$$;
GRANT EXECUTE ON FUNCTION quota_check(uuid, text, bigint)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

-- For triggers: consume or raise TQ001.
CREATE FUNCTION quota_take(p_tenant uuid, p_resource text, p_amount bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	r quota_result;
BEGIN
	IF is_purging(p_tenant) THEN
		RETURN;
	END IF;
	SELECT * INTO r FROM usage_increment(p_tenant, p_resource, p_amount);
	IF FOUND AND NOT r.allowed THEN
		RAISE EXCEPTION 'quota % exhausted: % of % used', p_resource,
			r.used, r.quota_limit
			USING ERRCODE = 'TQ001', DETAIL = json_build_object(
				'resource', p_resource, 'used', r.used,
				'limit', r.quota_limit)::text;
	END IF;
END
$$;

CREATE FUNCTION count_members() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_delta int := 0;
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN
		v_delta := v_delta - 1;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.active THEN
		v_delta := v_delta + 1;
	END IF;
	IF v_delta <> 0 THEN
		PERFORM quota_take(coalesce(NEW.tenant_id, OLD.tenant_id),
			'users', v_delta);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER count_members AFTER INSERT OR DELETE OR UPDATE OF active
	ON tenant_users FOR EACH ROW EXECUTE FUNCTION count_members();

CREATE FUNCTION count_api_keys() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_delta int := 0;
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.revoked_at IS NULL THEN
		v_delta := v_delta - 1;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.revoked_at IS NULL THEN
		v_delta := v_delta + 1;
	END IF;
	IF v_delta <> 0 THEN
		PERFORM quota_take(coalesce(NEW.tenant_id, OLD.tenant_id),
			'api_keys', v_delta);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER count_api_keys AFTER INSERT OR DELETE OR UPDATE OF revoked_at
	ON api_keys FOR EACH ROW EXECUTE FUNCTION count_api_keys();

-- Invitations are a rate: each one sent (or resent) takes one of the day.
CREATE FUNCTION count_invitations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF TG_OP = 'INSERT' OR NEW.token_hash IS DISTINCT FROM OLD.token_hash THEN
		PERFORM quota_take(NEW.tenant_id, 'invitations', 1);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER count_invitations AFTER INSERT OR UPDATE OF token_hash
	ON invitations FOR EACH ROW EXECUTE FUNCTION count_invitations();

-- Alerts when a quota crosses 80/95/100 %, once per threshold and window.
CREATE FUNCTION quota_alert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	t int;
	v_id uuid;
BEGIN
	IF is_purging(NEW.tenant_id) THEN
		RETURN NULL;
	END IF;
	FOREACH t IN ARRAY ARRAY[80, 95, 100] LOOP
		IF NEW.used * 100 >= NEW.quota_limit * t THEN
			INSERT INTO alerts (tenant_id, kind, resource, threshold,
				period_start)
			VALUES (NEW.tenant_id, 'quota', NEW.resource, t,
				NEW.period_start)
			ON CONFLICT DO NOTHING
			RETURNING id INTO v_id;
			IF v_id IS NOT NULL THEN
				PERFORM pg_notify('tenantry_alert', NEW.tenant_id::text
					|| ':' || NEW.resource || ':' || t);
			END IF;
			v_id := NULL;
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
-- The WHEN clause keeps the common case (no threshold crossed) free.
CREATE TRIGGER quota_alert AFTER UPDATE OF used, quota_limit, period_start
	ON quotas FOR EACH ROW
	WHEN (NEW.quota_limit > 0 AND NEW.used * 100 >= NEW.quota_limit * 80
	  AND (OLD.period_start IS DISTINCT FROM NEW.period_start
	    OR OLD.quota_limit IS DISTINCT FROM NEW.quota_limit
	    OR (OLD.used * 100 < OLD.quota_limit * 80)
	    OR (OLD.used * 100 < OLD.quota_limit * 95
	        AND NEW.used * 100 >= NEW.quota_limit * 95)
	    OR (OLD.used < OLD.quota_limit AND NEW.used >= NEW.quota_limit)))
	EXECUTE FUNCTION quota_alert();

-- Each new tenant gets one quota per resource from its tier.
CREATE FUNCTION tier_limit(t tiers, p_resource text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_resource
		WHEN 'users' THEN t.max_users
		WHEN 'storage_bytes' THEN t.storage_limit_bytes
		WHEN 'api_calls' THEN t.api_calls_per_hour
		WHEN 'api_keys' THEN t.max_api_keys
		WHEN 'invitations' THEN t.invitations_per_day END
$$;

CREATE FUNCTION resource_period(p_resource text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_resource WHEN 'api_calls' THEN 'hour'
		WHEN 'invitations' THEN 'day' ELSE 'none' END
$$;

CREATE FUNCTION tenant_quotas() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	INSERT INTO quotas (tenant_id, resource, quota_limit, period, period_start)
	SELECT NEW.id, r, tier_limit(t, r), resource_period(r),
		window_start(resource_period(r), now(), now())
	FROM tiers t,
	     unnest(ARRAY['users', 'storage_bytes', 'api_calls', 'api_keys',
		'invitations']) AS r
	WHERE t.name = NEW.tier;
	RETURN NULL;
END
$$;
CREATE TRIGGER tenant_quotas AFTER INSERT ON tenants
	FOR EACH ROW EXECUTE FUNCTION tenant_quotas();
