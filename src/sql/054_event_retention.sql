-- 054_event_retention.sql - events and their deliveries do not pile up
-- forever: the job event_retention (hourly) drops, once they are 30 days
-- old,
--   - webhook deliveries that are done (delivered, or failed for good),
--     with their attempts;
--   - outbox events that no delivery refers to any more and whose e-mail,
--     if any, is no longer pending.
-- A pending delivery (an endpoint disabled for weeks, say) keeps its event
-- and its attempts however old, so resuming loses nothing; an event can be
-- redelivered for 30 days. The audit log is not touched: its chain is the
-- record, the outbox only a queue. A run drops at most 200,000 deliveries
-- and 200,000 events, in batches of 10,000, so a first run on a large
-- backlog stays short; the next runs take the rest.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE INDEX webhook_deliveries_done ON webhook_deliveries (done_at)
	WHERE state <> 'pending';
-- an event's deliveries (the events kept for them)
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_tenant, seq, type);

INSERT INTO jobs (name, interval_seconds) VALUES ('event_retention', 3600);

CREATE FUNCTION job_event_retention() RETURNS jsonb
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_cutoff timestamptz := now() - interval '30 days';
	v_batch constant int := 10000;
	v_max constant int := 200000;
	v_deliveries bigint := 0;
	v_attempts bigint := 0;
	v_events bigint := 0;
	n bigint;
	m bigint;
BEGIN
	LOOP
		WITH d AS (
			DELETE FROM webhook_deliveries w USING (
				SELECT x.tenant_id, x.endpoint_id, x.event_tenant, x.seq, x.type
				FROM webhook_deliveries x
				WHERE x.state <> 'pending' AND x.done_at < v_cutoff
				LIMIT v_batch) x
			WHERE w.tenant_id = x.tenant_id AND w.endpoint_id = x.endpoint_id
			  AND w.event_tenant = x.event_tenant AND w.seq = x.seq
			  AND w.type = x.type
			RETURNING w.tenant_id, w.endpoint_id, w.event_tenant, w.seq, w.type
		), a AS (
			DELETE FROM webhook_attempts t USING d
			WHERE t.tenant_id = d.tenant_id AND t.endpoint_id = d.endpoint_id
			  AND t.event_tenant = d.event_tenant AND t.seq = d.seq
			  AND t.type = d.type
			RETURNING 1
		)
		SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM a) INTO n, m;
		v_deliveries := v_deliveries + n;
		v_attempts := v_attempts + m;
		EXIT WHEN n < v_batch OR v_deliveries >= v_max;
	END LOOP;
	LOOP
		DELETE FROM outbox o USING (
			SELECT x.tenant_id, x.seq, x.type FROM outbox x
			WHERE x.at < v_cutoff AND x.mail_state <> 'pending'
			  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
				WHERE d.event_tenant = x.tenant_id AND d.seq = x.seq
				  AND d.type = x.type)
			LIMIT v_batch) x
		WHERE o.tenant_id = x.tenant_id AND o.seq = x.seq AND o.type = x.type;
		GET DIAGNOSTICS n = ROW_COUNT;
		v_events := v_events + n;
		EXIT WHEN n < v_batch OR v_events >= v_max;
	END LOOP;
	RETURN jsonb_build_object('count', v_deliveries + v_events,
		'deliveries', v_deliveries, 'attempts', v_attempts, 'events', v_events);
END
$$;
REVOKE EXECUTE ON FUNCTION job_event_retention() FROM PUBLIC;

-- 034's job_work, with event_retention.
CREATE OR REPLACE FUNCTION job_work(p_name text, p_run bigint, p_runner text) RETURNS jsonb
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
	WHEN 'event_retention' THEN RETURN job_event_retention();
	ELSE RETURN jsonb_build_object('count', 0);
	END CASE;
END
$$;
