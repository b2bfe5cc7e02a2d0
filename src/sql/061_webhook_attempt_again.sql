-- 061_webhook_attempt_again.sql - an attempt's outcome recorded twice.
--
-- tenantryd records an attempt once more on a new session when the first
-- session was lost on the way (deliver.c). When that first record had
-- committed and only its reply was lost, a failed attempt (still pending,
-- the lease cleared) went on to insert its attempt a second time and hit
-- the primary key, and the worker logged that it could not record it.
-- webhook_attempt_done now answers such a repeat with the state the first
-- record left, and changes nothing.
--
-- An attempt in flight when its endpoint was disabled was rescheduled as
-- due (now + the retry) after 060 had parked it, and stayed due while the
-- endpoint was off; it is parked with the rest now. And the record locks
-- the endpoint before the delivery, as disabling and enabling do: it
-- locked them the other way round, so the two could deadlock.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE OR REPLACE FUNCTION webhook_attempt_done(p_runner text, p_tenant uuid, p_endpoint uuid,
	p_event_tenant uuid, p_seq bigint, p_type text, p_attempt int, p_ok boolean,
	p_status int, p_latency_ms int, p_error text, p_response text,
	p_retry_s double precision, p_give_up_s int, p_disable_after int)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_d webhook_deliveries;
	v_enabled boolean;
	v_state text;
	v_failures int;
	v_reason text;
BEGIN
	-- the endpoint first, then the delivery: the order of an endpoint
	-- disabled or enabled (060's trigger), so the two cannot deadlock
	SELECT w.enabled INTO v_enabled FROM webhook_endpoints w
	WHERE w.tenant_id = p_tenant AND w.id = p_endpoint
	FOR NO KEY UPDATE;
	SELECT * INTO v_d FROM webhook_deliveries d
	WHERE d.tenant_id = p_tenant AND d.endpoint_id = p_endpoint
	  AND d.event_tenant = p_event_tenant AND d.seq = p_seq AND d.type = p_type
	FOR UPDATE;
	IF NOT FOUND OR v_d.leased_by IS DISTINCT FROM p_runner OR v_d.attempts <> p_attempt THEN
		RETURN NULL;
	END IF;
	-- this runner's record of this attempt committed already: the state
	-- it left, as the first call returned it (bar '+disabled')
	IF EXISTS (SELECT 1 FROM webhook_attempts a
		   WHERE a.tenant_id = p_tenant AND a.endpoint_id = p_endpoint
		     AND a.event_tenant = p_event_tenant AND a.seq = p_seq
		     AND a.type = p_type AND a.attempt = p_attempt
		     AND a.runner = p_runner) THEN
		RETURN v_d.state;
	END IF;
	IF v_d.state <> 'pending' THEN
		RETURN NULL;
	END IF;
	INSERT INTO webhook_attempts (tenant_id, endpoint_id, event_tenant, seq, type,
		attempt, runner, status, latency_ms, error, response)
	VALUES (p_tenant, p_endpoint, p_event_tenant, p_seq, p_type, p_attempt, p_runner,
		p_status, p_latency_ms, left(p_error, 500), left(p_response, 500));
	IF p_ok THEN
		v_state := 'delivered';
		UPDATE webhook_endpoints SET failures = 0, last_success_at = now()
		WHERE tenant_id = p_tenant AND id = p_endpoint
		  AND (failures <> 0 OR last_success_at IS NULL
		       OR last_success_at < now() - interval '1 minute');
	ELSIF v_d.created_at < now() - make_interval(secs => p_give_up_s) THEN
		v_state := 'failed';
		v_reason := 'a delivery failed for ' || (p_give_up_s / 3600) || ' h';
	ELSE
		v_state := 'pending';
	END IF;
	UPDATE webhook_deliveries d SET state = v_state, lease_until = NULL,
		last_status = p_status, last_error = left(p_error, 500),
		done_at = CASE WHEN v_state <> 'pending' THEN now() END,
		next_at = CASE WHEN v_state <> 'pending' THEN d.next_at
			WHEN v_enabled THEN now() + make_interval(secs => p_retry_s)
			ELSE 'infinity' END
	WHERE d.tenant_id = p_tenant AND d.endpoint_id = p_endpoint
	  AND d.event_tenant = p_event_tenant AND d.seq = p_seq AND d.type = p_type;
	IF NOT p_ok THEN
		UPDATE webhook_endpoints SET failures = failures + 1
		WHERE tenant_id = p_tenant AND id = p_endpoint
		RETURNING failures INTO v_failures;
		IF v_reason IS NULL AND p_disable_after > 0 AND v_failures >= p_disable_after THEN
			v_reason := v_failures || ' failed attempts in a row';
		END IF;
		IF v_reason IS NOT NULL AND webhook_disable(p_tenant, p_endpoint, v_reason) THEN
			v_state := v_state || '+disabled';
		END IF;
	END IF;
	RETURN v_state;
END
$$;
