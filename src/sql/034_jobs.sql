-- 034_jobs: background jobs, run exactly once across any number of
-- runners (tenantryd instances, `tenantry jobs run` from cron or a systemd
-- timer), and what they do.
--
-- A run is claimed in the jobs table: job_claim() takes the first due job
-- whose row no other transaction holds (FOR UPDATE SKIP LOCKED) and whose
-- lease is free or has expired, and sets the lease in the same statement,
-- so two runners never claim the same run. job_work() does the work in
-- the database (the health refresh is computed by the runner's store),
-- and job_finish() ends the run: the next run, the duration and outcome,
-- and one job.run entry on the platform's audit chain. A runner that dies
-- leaves its lease to expire; the next claim after it runs the job again
-- (every job is idempotent).
--
-- The work runs as the system actor (actor 'system', kind 'system'), so
-- what it changes is audited as such:
--   trial_end          trials that ended become active (billing ok) or
--                      suspended with status_reason 'trial_expired'
--                      (resume reverses it); an alert 3 days before
--   purge              tenant_purge_due(); each purge leaves a deletion
--                      certificate (deletion_certificates, below)
--   health_refresh     the stored health and usage peak (store's op)
--   key_expiry         API keys past expires_at get expired_at
--   invitation_expiry  open invitations past expires_at get expired_at
--   usage_rollup       usage_daily summed into usage_monthly for every
--                      month with closed days; daily rows older than 400
--                      days (already in their month) are deleted
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- ---- what the jobs mark ------------------------------------------------------

-- Why a tenant is suspended, when the platform did it ('trial_expired');
-- any status change away from suspended clears it.
ALTER TABLE tenants ADD COLUMN status_reason text
	CHECK (length(status_reason) <= 63);

CREATE FUNCTION tenant_status_reason() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status <> 'suspended' THEN
		NEW.status_reason := NULL;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER status_reason BEFORE UPDATE OF status ON tenants
	FOR EACH ROW EXECUTE FUNCTION tenant_status_reason();

ALTER TABLE api_keys ADD COLUMN expired_at timestamptz;
ALTER TABLE invitations ADD COLUMN expired_at timestamptz;

-- Alerts of other kinds than quota: trial_end's threshold is the days left.
ALTER TABLE alerts DROP CONSTRAINT alerts_threshold_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_threshold_check
	CHECK (threshold IN (80, 95, 100) OR (kind <> 'quota' AND threshold BETWEEN 0 AND 365));

-- ---- usage by month ------------------------------------------------------------

CREATE TABLE usage_monthly (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	resource text NOT NULL,
	month date NOT NULL CHECK (extract(day FROM month) = 1),
	amount bigint NOT NULL,
	days int NOT NULL,   -- days with usage
	peak bigint NOT NULL, -- the busiest day's amount
	rolled_up_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, resource, month)
);
ALTER TABLE usage_monthly ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_monthly FORCE ROW LEVEL SECURITY;
CREATE POLICY usage_monthly_owner ON usage_monthly FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);
CREATE POLICY usage_monthly_tenant ON usage_monthly FOR SELECT TO tenantry_tenant
	USING (tenant_id = (SELECT current_tenant()));
CREATE POLICY usage_monthly_staff ON usage_monthly FOR SELECT
	TO tenantry_platform, tenantry_support, tenantry_oncall USING (true);
GRANT SELECT ON usage_monthly TO tenantry_tenant, tenantry_platform, tenantry_support,
	tenantry_oncall;

-- ---- deletion certificates ------------------------------------------------------

-- A platform table: it outlives the tenant it speaks of (purged_tenant is
-- no foreign key and no tenant column; no tenant role reads it).
CREATE TABLE deletion_certificates (
	purged_tenant uuid PRIMARY KEY,
	slug text NOT NULL,
	name text NOT NULL,
	tier text NOT NULL,
	deletion_requested_at timestamptz,
	purged_at timestamptz NOT NULL,
	-- [{"table": t, "before": n, "after": 0}, ...] in table order
	tables jsonb NOT NULL,
	audit_entries bigint NOT NULL,  -- the purged chain's length
	final_hash text NOT NULL,       -- its head, hex ('' for no entry)
	platform_seq bigint NOT NULL,   -- the tenant.purge entry of the platform chain
	platform_hash text NOT NULL,    -- that entry's hash, hex
	purged_by text NOT NULL
);
CREATE INDEX deletion_certificates_slug ON deletion_certificates (slug, purged_at);
ALTER TABLE deletion_certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE deletion_certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY deletion_certificates_owner ON deletion_certificates FOR ALL
	TO tenantry_owner USING (true) WITH CHECK (true);
CREATE POLICY deletion_certificates_staff ON deletion_certificates FOR SELECT
	TO tenantry_platform, tenantry_support, tenantry_oncall USING (true);
GRANT SELECT ON deletion_certificates TO tenantry_platform, tenantry_support,
	tenantry_oncall;

-- The tables that hold a tenant's rows: tenants itself and every table
-- with a uuid tenant_id (the purging marker aside).
CREATE FUNCTION tenant_tables() RETURNS SETOF text
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT 'tenants'
	UNION ALL
	(SELECT c.relname::text FROM pg_class c
	 JOIN pg_namespace n ON n.oid = c.relnamespace
	 JOIN pg_attribute a ON a.attrelid = c.oid
	 WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p')
	   AND a.attname = 'tenant_id' AND NOT a.attisdropped
	   AND a.atttypid = 'uuid'::regtype AND c.relname <> 'purging'
	 ORDER BY c.relname)
$$;

-- Rows of p_tenant in each of tenant_tables(): {"table": count}.
CREATE FUNCTION tenant_row_counts(p_tenant uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_t text;
	v_n bigint;
	v_out jsonb := '{}';
BEGIN
	FOR v_t IN SELECT tenant_tables() LOOP
		EXECUTE format('SELECT count(*) FROM tenantry.%I WHERE %I = $1', v_t,
			CASE WHEN v_t = 'tenants' THEN 'id' ELSE 'tenant_id' END)
			INTO v_n USING p_tenant;
		v_out := v_out || jsonb_build_object(v_t, v_n);
	END LOOP;
	RETURN v_out;
END
$$;

-- The purge of 006, now counting each table's rows of the tenant before
-- and after (deleting what no foreign key cascades to: idempotency keys,
-- search terms) and keeping the counts, the final hash of the purged
-- chain and the platform entry's hash as the tenant's deletion
-- certificate. A count left above zero aborts the purge.
CREATE OR REPLACE FUNCTION tenant_purge(p_tenant uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant tenants;
	v_head audit_heads;
	v_before jsonb;
	v_after jsonb;
	v_tables jsonb := '[]';
	v_t text;
	v_seq bigint;
	v_hash bytea;
BEGIN
	SELECT * INTO v_tenant FROM tenants WHERE id = p_tenant FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF v_tenant.status <> 'pending_deletion'
	   OR v_tenant.deletion_due_at > now() THEN
		RAISE EXCEPTION 'tenant % is not due for deletion', v_tenant.slug
			USING ERRCODE = 'TL001';
	END IF;
	SELECT * INTO v_head FROM audit_heads WHERE tenant_id = p_tenant FOR UPDATE;
	v_before := tenant_row_counts(p_tenant);
	INSERT INTO purging VALUES (p_tenant);
	DELETE FROM tenants WHERE id = p_tenant;
	DELETE FROM audit_log WHERE tenant_id = p_tenant;
	DELETE FROM audit_heads WHERE tenant_id = p_tenant;
	FOR v_t IN SELECT tenant_tables() LOOP
		IF v_t <> 'tenants' THEN
			EXECUTE format('DELETE FROM tenantry.%I WHERE tenant_id = $1', v_t)
				USING p_tenant;
		END IF;
	END LOOP;
	DELETE FROM purging WHERE tenant_id = p_tenant;
	v_after := tenant_row_counts(p_tenant);
	FOR v_t IN SELECT tenant_tables() LOOP
		IF (v_after ->> v_t)::bigint <> 0 THEN
			RAISE EXCEPTION 'purge of % left % rows in %', v_tenant.slug,
				v_after ->> v_t, v_t USING ERRCODE = 'XX000';
		END IF;
		v_tables := v_tables || jsonb_build_array(jsonb_build_object('table', v_t,
			'before', (v_before ->> v_t)::bigint, 'after', (v_after ->> v_t)::bigint));
	END LOOP;
	v_seq := audit_append('00000000-0000-0000-0000-000000000000', 'tenant.purge',
		'tenant', p_tenant::text, to_jsonb(v_tenant)
			- '{settings,branding,features}'::text[],
		jsonb_build_object('tenant_id', p_tenant, 'slug', v_tenant.slug,
			'entries', coalesce(v_head.seq, 0),
			'final_hash', encode(coalesce(v_head.hash, '\x'), 'hex')));
	SELECT hash INTO v_hash FROM audit_log
		WHERE tenant_id = '00000000-0000-0000-0000-000000000000' AND seq = v_seq;
	INSERT INTO deletion_certificates (purged_tenant, slug, name, tier,
		deletion_requested_at, purged_at, tables, audit_entries, final_hash,
		platform_seq, platform_hash, purged_by)
	VALUES (p_tenant, v_tenant.slug, v_tenant.name, v_tenant.tier,
		v_tenant.deletion_due_at - interval '30 days', clock_timestamp(), v_tables,
		coalesce(v_head.seq, 0), encode(coalesce(v_head.hash, '\x'), 'hex'),
		v_seq, encode(v_hash, 'hex'), current_actor());
END
$$;

-- A tenant's deletion certificate by the purged tenant's id or slug (the
-- latest purge of that slug), as one JSON document; NULL when none.
CREATE FUNCTION deletion_certificate(p_ref text) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = tenantry, pg_catalog AS $$
	SELECT jsonb_build_object('format', 'tenantry-deletion-certificate-1',
		'tenant_id', d.purged_tenant, 'slug', d.slug, 'name', d.name,
		'tier', d.tier, 'deletion_requested_at', d.deletion_requested_at,
		'purged_at', d.purged_at, 'purged_by', d.purged_by, 'tables', d.tables,
		'rows_before', (SELECT coalesce(sum((x ->> 'before')::bigint), 0)
			FROM jsonb_array_elements(d.tables) x),
		'rows_after', (SELECT coalesce(sum((x ->> 'after')::bigint), 0)
			FROM jsonb_array_elements(d.tables) x),
		'audit_chain', jsonb_build_object('entries', d.audit_entries,
			'final_hash', d.final_hash),
		'platform_entry', jsonb_build_object('chain',
			'00000000-0000-0000-0000-000000000000', 'seq', d.platform_seq,
			'action', 'tenant.purge', 'hash', d.platform_hash))
	FROM deletion_certificates d
	WHERE d.purged_tenant = CASE WHEN p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		THEN p_ref::uuid END
	   OR d.slug = p_ref
	ORDER BY d.purged_at DESC
	LIMIT 1
$$;
GRANT EXECUTE ON FUNCTION deletion_certificate(text) TO tenantry_platform,
	tenantry_support, tenantry_oncall;

-- ---- the jobs table ------------------------------------------------------------------

CREATE TABLE jobs (
	name text PRIMARY KEY CHECK (name ~ '^[a-z_]{1,31}$'),
	interval_seconds int NOT NULL CHECK (interval_seconds BETWEEN 1 AND 31 * 86400),
	next_run_at timestamptz NOT NULL DEFAULT now(),
	runs bigint NOT NULL DEFAULT 0,         -- claims so far; a run's number
	last_run_at timestamptz,                -- when the latest run was claimed
	last_finished_at timestamptz,
	last_duration_ms bigint,
	last_outcome text CHECK (last_outcome IN ('ok', 'failed')),
	last_error text CHECK (length(last_error) <= 500),
	last_count bigint,                      -- what the latest run changed
	last_detail jsonb,
	running_by text CHECK (length(running_by) <= 128),
	lease_until timestamptz
);
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_owner ON jobs FOR ALL TO tenantry_owner USING (true) WITH CHECK (true);
CREATE POLICY jobs_staff ON jobs FOR SELECT
	TO tenantry_platform, tenantry_support, tenantry_oncall USING (true);
GRANT SELECT ON jobs TO tenantry_platform, tenantry_support, tenantry_oncall;

INSERT INTO jobs (name, interval_seconds) VALUES
	('trial_end', 3600), ('purge', 3600), ('health_refresh', 900),
	('key_expiry', 3600), ('invitation_expiry', 3600), ('usage_rollup', 86400);

-- Claims one run: p_name's (NULL: the first due job), when due (or
-- p_force) and not leased to a live runner. No row when there is none.
CREATE FUNCTION job_claim(p_runner text, p_name text, p_force boolean,
	p_lease_seconds int)
RETURNS TABLE (name text, run bigint, interval_seconds int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	UPDATE jobs j SET running_by = left(p_runner, 128), runs = j.runs + 1,
		last_run_at = now(),
		lease_until = now() + make_interval(secs => greatest(p_lease_seconds, 1))
	WHERE j.name = (SELECT x.name FROM jobs x
		WHERE (p_name IS NULL OR x.name = p_name)
		  AND (p_force OR x.next_run_at <= now())
		  AND (x.lease_until IS NULL OR x.lease_until < now())
		ORDER BY x.next_run_at, x.name
		LIMIT 1 FOR UPDATE SKIP LOCKED)
	  AND (p_force OR j.next_run_at <= now())
	  AND (j.lease_until IS NULL OR j.lease_until < now())
	RETURNING j.name, j.runs, j.interval_seconds;
END
$$;

-- Ends run p_run of p_name for its runner: frees the lease, sets the
-- next run (p_interval seconds on, or the row's; a failure retries after
-- at most 5 minutes) and audits the run on the platform chain. False when
-- the run is no longer the runner's (its lease expired and another took
-- it): nothing is written then.
CREATE FUNCTION job_finish(p_name text, p_run bigint, p_runner text, p_ok boolean,
	p_error text, p_count bigint, p_duration_ms bigint, p_interval int, p_detail jsonb)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_interval int;
BEGIN
	UPDATE jobs j SET running_by = NULL, lease_until = NULL,
		interval_seconds = CASE WHEN p_interval > 0 THEN p_interval
			ELSE j.interval_seconds END,
		last_finished_at = now(), last_duration_ms = greatest(p_duration_ms, 0),
		last_outcome = CASE WHEN p_ok THEN 'ok' ELSE 'failed' END,
		last_error = CASE WHEN p_ok THEN NULL ELSE left(coalesce(p_error, ''), 500) END,
		last_count = p_count, last_detail = p_detail
	WHERE j.name = p_name AND j.runs = p_run AND j.running_by = left(p_runner, 128)
	RETURNING j.interval_seconds INTO v_interval;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE jobs j SET next_run_at = now() + make_interval(secs => CASE WHEN p_ok
		THEN v_interval ELSE least(v_interval, 300) END)
	WHERE j.name = p_name;
	PERFORM set_config('tenantry.actor', 'system', true);
	PERFORM set_config('tenantry.actor_kind', 'system', true);
	PERFORM audit_append('00000000-0000-0000-0000-000000000000', 'job.run', 'job',
		p_name, NULL, jsonb_build_object('run', p_run, 'runner', p_runner,
			'outcome', CASE WHEN p_ok THEN 'ok' ELSE 'failed' END,
			'error', CASE WHEN p_ok THEN NULL ELSE p_error END,
			'count', p_count, 'duration_ms', p_duration_ms, 'detail', p_detail));
	RETURN true;
END
$$;

-- ---- the work ------------------------------------------------------------------

CREATE FUNCTION job_trial_end() RETURNS jsonb
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_alerts bigint;
	v_active bigint := 0;
	v_suspended bigint := 0;
	v_t tenants;
BEGIN
	INSERT INTO alerts (tenant_id, kind, resource, threshold, period_start)
	SELECT t.id, 'trial_end', 'trial', 3, t.trial_ends_at FROM tenants t
	WHERE t.status = 'trial' AND t.trial_ends_at > now()
	  AND t.trial_ends_at <= now() + interval '3 days'
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS v_alerts = ROW_COUNT;
	FOR v_t IN SELECT * FROM tenants t WHERE t.status = 'trial'
		AND t.trial_ends_at <= now() ORDER BY t.trial_ends_at FOR UPDATE SKIP LOCKED LOOP
		IF v_t.billing_status = 'ok' THEN
			UPDATE tenants SET status = 'active' WHERE id = v_t.id;
			v_active := v_active + 1;
		ELSE
			UPDATE tenants SET status = 'suspended', status_reason = 'trial_expired'
			WHERE id = v_t.id;
			v_suspended := v_suspended + 1;
		END IF;
	END LOOP;
	RETURN jsonb_build_object('count', v_active + v_suspended, 'activated', v_active,
		'suspended', v_suspended, 'alerts', v_alerts);
END
$$;

CREATE FUNCTION job_key_expiry() RETURNS jsonb
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	n bigint;
BEGIN
	UPDATE api_keys SET expired_at = now()
	WHERE expired_at IS NULL AND revoked_at IS NULL AND expires_at <= now();
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN jsonb_build_object('count', n);
END
$$;

CREATE FUNCTION job_invitation_expiry() RETURNS jsonb
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	n bigint;
BEGIN
	UPDATE invitations SET expired_at = now()
	WHERE expired_at IS NULL AND accepted_at IS NULL AND revoked_at IS NULL
	  AND expires_at <= now();
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN jsonb_build_object('count', n);
END
$$;

-- Every month with closed days (before today, UTC) is summed again from
-- usage_daily: all of them the first time, the last two after (days are
-- only ever counted on the current day, so older ones are final).
CREATE FUNCTION job_usage_rollup() RETURNS jsonb
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_today date := (now() AT TIME ZONE 'UTC')::date;
	v_from date;
	v_months bigint;
	v_pruned bigint;
BEGIN
	v_from := CASE WHEN EXISTS (SELECT 1 FROM usage_monthly) THEN
		date_trunc('month', v_today - 31)::date ELSE '-infinity'::date END;
	INSERT INTO usage_monthly AS m (tenant_id, resource, month, amount, days, peak)
	SELECT d.tenant_id, d.resource, date_trunc('month', d.day)::date, sum(d.amount),
		count(*), max(d.amount)
	FROM usage_daily d WHERE d.day < v_today AND d.day >= v_from
	GROUP BY 1, 2, 3
	ON CONFLICT (tenant_id, resource, month) DO UPDATE
		SET amount = excluded.amount, days = excluded.days, peak = excluded.peak,
		    rolled_up_at = now()
		WHERE (m.amount, m.days, m.peak)
		      IS DISTINCT FROM (excluded.amount, excluded.days, excluded.peak);
	GET DIAGNOSTICS v_months = ROW_COUNT;
	DELETE FROM usage_daily d WHERE d.day < v_today - 400
	  AND EXISTS (SELECT 1 FROM usage_monthly m WHERE m.tenant_id = d.tenant_id
		AND m.resource = d.resource AND m.month = date_trunc('month', d.day)::date);
	GET DIAGNOSTICS v_pruned = ROW_COUNT;
	RETURN jsonb_build_object('count', v_months, 'months', v_months,
		'pruned_days', v_pruned);
END
$$;

CREATE FUNCTION job_purge() RETURNS jsonb
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	n int := tenant_purge_due();
BEGIN
	RETURN jsonb_build_object('count', n, 'purged', n);
END
$$;

-- The database's part of run p_run of p_name, as the system actor: what
-- it did as {"count": n, ...}. Only for the runner holding the run.
CREATE FUNCTION job_work(p_name text, p_run bigint, p_runner text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	PERFORM 1 FROM jobs j WHERE j.name = p_name AND j.runs = p_run
		AND j.running_by = left(p_runner, 128) AND j.lease_until > now();
	IF NOT FOUND THEN
		RAISE EXCEPTION 'run % of job % is not held by %', p_run, p_name, p_runner
			USING ERRCODE = 'TC001';
	END IF;
	PERFORM set_config('tenantry.actor', 'system', true);
	PERFORM set_config('tenantry.actor_kind', 'system', true);
	CASE p_name
	WHEN 'trial_end' THEN RETURN job_trial_end();
	WHEN 'purge' THEN RETURN job_purge();
	WHEN 'key_expiry' THEN RETURN job_key_expiry();
	WHEN 'invitation_expiry' THEN RETURN job_invitation_expiry();
	WHEN 'usage_rollup' THEN RETURN job_usage_rollup();
	ELSE RETURN jsonb_build_object('count', 0);
	END CASE;
END
$$;

GRANT EXECUTE ON FUNCTION job_claim(text, text, boolean, int),
	job_finish(text, bigint, text, boolean, text, bigint, bigint, int, jsonb),
	job_work(text, bigint, text) TO tenantry_platform;
