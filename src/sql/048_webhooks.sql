-- 048_webhooks: endpoints, their deliveries and every attempt's outcome.
--
-- An endpoint belongs to a tenant, or to the platform (tenant_id
-- 00000000-…: it receives every tenant's events). Its signing secret is
-- sealed by the application with its master key. When an event is
-- written (047), one delivery per enabled endpoint whose filter takes the
-- event is written with it. tenantryd's delivery threads (server/deliver.c)
-- claim due deliveries with webhook_claim (FOR UPDATE SKIP LOCKED and a
-- lease; the attempt number is given at the claim, so each attempt is made
-- by one instance however many share the database) and report each
-- attempt with webhook_attempt_done. Per endpoint and per event chain one
-- delivery is in flight at a time, the oldest, so a tenant's events reach
-- an endpoint in the order they happened; a failing one holds those after
-- it until it succeeds or is abandoned.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Managing a tenant's endpoints is an admin's (src/core/perm.c).
INSERT INTO member_permissions (role, permission) VALUES ('admin', 'webhooks.manage');
INSERT INTO staff_permissions (staff_role, permission)
	VALUES ('platform_admin', 'webhooks.manage');

CREATE TABLE webhook_endpoints (
	tenant_id uuid NOT NULL, -- 00000000-…: the platform's
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	url text NOT NULL CHECK (length(url) <= 2048),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
	-- event types, or prefixes "member.*"; empty: every event
	event_types text[] NOT NULL DEFAULT '{}' CHECK (cardinality(event_types) <= 64),
	secret text NOT NULL, -- sealed "v1:…" of "whsec_<base64>"
	enabled boolean NOT NULL DEFAULT true,
	disabled_at timestamptz,
	disabled_reason text,
	failures int NOT NULL DEFAULT 0, -- failed attempts since the last success
	last_success_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL DEFAULT current_actor(),
	PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
	tenant_id uuid NOT NULL, -- the endpoint's
	endpoint_id uuid NOT NULL,
	event_tenant uuid NOT NULL, -- the event: outbox (event_tenant, seq, type)
	seq bigint NOT NULL,
	type text NOT NULL,
	state text NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'delivered', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	next_at timestamptz NOT NULL DEFAULT now(),
	lease_until timestamptz,
	leased_by text,
	done_at timestamptz,
	last_status int,
	last_error text,
	PRIMARY KEY (tenant_id, endpoint_id, event_tenant, seq, type),
	FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at)
	WHERE state = 'pending';

CREATE TABLE webhook_attempts (
	tenant_id uuid NOT NULL,
	endpoint_id uuid NOT NULL,
	event_tenant uuid NOT NULL,
	seq bigint NOT NULL,
	type text NOT NULL,
	attempt int NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	runner text NOT NULL,
	status int,          -- the HTTP status; NULL when none came back
	latency_ms int NOT NULL,
	error text,          -- why it failed, when it did
	response text,       -- the start of the response body
	PRIMARY KEY (tenant_id, endpoint_id, event_tenant, seq, type, attempt),
	FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_at ON webhook_attempts (tenant_id, endpoint_id, at);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries',
		'webhook_attempts'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO tenantry_owner '
			'USING (true) WITH CHECK (true)', t || '_owner', t);
		EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO tenantry_tenant '
			'USING (tenant_id = (SELECT current_tenant())) '
			'WITH CHECK (tenant_id = (SELECT current_tenant()))', t || '_tenant', t);
		EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO tenantry_platform '
			'USING (true) WITH CHECK (true)', t || '_platform', t);
		EXECUTE format('CREATE POLICY %I ON %I FOR SELECT '
			'TO tenantry_support, tenantry_oncall USING (true)', t || '_staff', t);
	END LOOP;
END
$$;
-- The sealed secret is read by the delivery threads through webhook_claim
-- only; writing it takes webhook_create.
GRANT SELECT (tenant_id, id, url, description, event_types, enabled, disabled_at,
	disabled_reason, failures, last_success_at, created_at, created_by)
	ON webhook_endpoints
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;
GRANT UPDATE (description, event_types, enabled, disabled_at, disabled_reason, failures)
	ON webhook_endpoints TO tenantry_tenant, tenantry_platform;
GRANT DELETE ON webhook_endpoints TO tenantry_tenant, tenantry_platform;
GRANT SELECT ON webhook_deliveries, webhook_attempts
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;
CREATE TRIGGER member_guard BEFORE UPDATE OR DELETE ON webhook_endpoints
	FOR EACH STATEMENT EXECUTE FUNCTION member_guard('webhooks.manage');

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints
	FOR EACH ROW EXECUTE FUNCTION audit_row('webhook', 'tenant_id', 'id',
	'{secret,failures,last_success_at}');

-- True when an endpoint's filter takes an event type.
CREATE FUNCTION webhook_filter_takes(p_filter text[], p_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT cardinality(p_filter) = 0 OR p_type = ANY (p_filter)
		OR EXISTS (SELECT 1 FROM unnest(p_filter) f
			   WHERE f LIKE '%.*' AND p_type LIKE left(f, -1) || '%')
$$;

-- One delivery of a new event to each enabled endpoint that takes it: the
-- platform's, and the event's tenant's own. A test event goes only to the
-- endpoint it tests (webhook_test).
CREATE FUNCTION webhook_fan_out(p_tenant uuid, p_seq bigint, p_type text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_tenant, seq, type)
	SELECT w.tenant_id, w.id, p_tenant, p_seq, p_type FROM webhook_endpoints w
	WHERE w.tenant_id IN ('00000000-0000-0000-0000-000000000000', p_tenant)
	  AND w.enabled AND webhook_filter_takes(w.event_types, p_type);
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_fan_out(uuid, bigint, text) FROM PUBLIC;

CREATE TRIGGER outbox AFTER INSERT ON audit_log FOR EACH ROW
	WHEN (NEW.resource_type IN ('tenant', 'member', 'invitation', 'api_key', 'alert')
	      OR NEW.action = 'user.password_reset_request')
	EXECUTE FUNCTION outbox_write();

-- ---- managing endpoints -----------------------------------------------------------

-- A new endpoint p_id of p_tenant (NULL: the platform's) with its sealed secret.
-- The URL's scheme and address are checked by the application first.
CREATE FUNCTION webhook_create(p_id uuid, p_tenant uuid, p_url text, p_description text,
	p_types text[], p_secret text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000');
	v_id uuid;
	v_bad text;
BEGIN
	IF current_setting('role') = 'tenantry_tenant'
	   AND v_tenant IS DISTINCT FROM current_tenant() THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	PERFORM caller_require('webhooks.manage');
	IF p_tenant IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant) THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	SELECT f INTO v_bad FROM unnest(p_types) f
	WHERE NOT (f = ANY (event_type_names()))
	  AND NOT (f LIKE '%.*' AND EXISTS (SELECT 1 FROM unnest(event_type_names()) n
					    WHERE n LIKE left(f, -1) || '%'))
	LIMIT 1;
	IF v_bad IS NOT NULL THEN
		RAISE EXCEPTION 'unknown event type %', v_bad USING ERRCODE = '22023';
	END IF;
	INSERT INTO webhook_endpoints (tenant_id, id, url, description, event_types, secret)
	VALUES (v_tenant, p_id, p_url, coalesce(p_description, ''), coalesce(p_types, '{}'),
		p_secret)
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_create(uuid, uuid, text, text, text[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_create(uuid, uuid, text, text, text[], text)
	TO tenantry_tenant, tenantry_platform;

-- A test event (webhook.test) for one endpoint only; returns its id.
CREATE FUNCTION webhook_test(p_tenant uuid, p_endpoint uuid) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000');
	v_seq bigint;
	v_id uuid;
BEGIN
	IF current_setting('role') = 'tenantry_tenant'
	   AND v_tenant IS DISTINCT FROM current_tenant() THEN
		RAISE EXCEPTION 'no such endpoint' USING ERRCODE = 'P0002';
	END IF;
	PERFORM caller_require('webhooks.manage');
	IF NOT EXISTS (SELECT 1 FROM webhook_endpoints
		       WHERE tenant_id = v_tenant AND id = p_endpoint) THEN
		RAISE EXCEPTION 'no such endpoint' USING ERRCODE = 'P0002';
	END IF;
	v_seq := audit_append(v_tenant, 'webhook.test', 'webhook', p_endpoint::text,
		NULL, NULL);
	INSERT INTO outbox (tenant_id, seq, type, at, actor, data)
	VALUES (v_tenant, v_seq, 'webhook.test', clock_timestamp(), current_actor(),
		jsonb_build_object('resource_type', 'webhook', 'resource_id', p_endpoint))
	RETURNING id INTO v_id;
	INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_tenant, seq, type)
	VALUES (v_tenant, p_endpoint, v_tenant, v_seq, 'webhook.test');
	RETURN v_id;
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_test(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_test(uuid, uuid) TO tenantry_tenant, tenantry_platform;

-- Delivers an event to an endpoint again: a delivery already made or
-- abandoned is made pending, due now. False when the endpoint has no
-- delivery of that event (by its id).
CREATE FUNCTION webhook_redeliver(p_tenant uuid, p_endpoint uuid, p_event uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000');
BEGIN
	IF current_setting('role') = 'tenantry_tenant'
	   AND v_tenant IS DISTINCT FROM current_tenant() THEN
		RETURN false;
	END IF;
	PERFORM caller_require('webhooks.manage');
	UPDATE webhook_deliveries d SET state = 'pending', next_at = now(),
		lease_until = NULL, done_at = NULL
	FROM outbox o
	WHERE d.tenant_id = v_tenant AND d.endpoint_id = p_endpoint
	  AND o.tenant_id = d.event_tenant AND o.seq = d.seq AND o.type = d.type
	  AND o.id = p_event AND d.state <> 'pending';
	IF FOUND THEN
		PERFORM audit_append(v_tenant, 'webhook.redeliver', 'webhook',
			p_endpoint::text, NULL, jsonb_build_object('event', p_event));
		RETURN true;
	END IF;
	RETURN EXISTS (SELECT 1 FROM webhook_deliveries d JOIN outbox o
		ON o.tenant_id = d.event_tenant AND o.seq = d.seq AND o.type = d.type
		WHERE d.tenant_id = v_tenant AND d.endpoint_id = p_endpoint AND o.id = p_event);
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_redeliver(uuid, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_redeliver(uuid, uuid, uuid)
	TO tenantry_tenant, tenantry_platform;

-- ---- delivering -----------------------------------------------------------------

-- Claims up to p_limit due deliveries for p_runner for p_lease_s seconds,
-- each the oldest pending one of its endpoint and chain, and gives each its
-- attempt number. Deliveries whose event was purged with its tenant are
-- closed as failed on the way.
CREATE FUNCTION webhook_claim(p_runner text, p_limit int, p_lease_s int)
RETURNS TABLE (tenant_id uuid, endpoint_id uuid, event_tenant uuid, seq bigint,
	type text, attempt int, event_id uuid, event_at timestamptz, data jsonb,
	url text, secret text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	RETURN QUERY
	WITH c AS (
		SELECT d.tenant_id, d.endpoint_id, d.event_tenant, d.seq, d.type
		FROM webhook_deliveries d
		JOIN webhook_endpoints w ON w.tenant_id = d.tenant_id AND w.id = d.endpoint_id
		WHERE d.state = 'pending' AND d.next_at <= now() AND w.enabled
		  AND (d.lease_until IS NULL OR d.lease_until < now())
		  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
			WHERE e.tenant_id = d.tenant_id AND e.endpoint_id = d.endpoint_id
			  AND e.event_tenant = d.event_tenant AND e.state = 'pending'
			  AND (e.seq, e.type) < (d.seq, d.type))
		ORDER BY d.next_at
		LIMIT p_limit
		FOR UPDATE OF d SKIP LOCKED
	), u AS (
		UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
			lease_until = now() + make_interval(secs => p_lease_s),
			leased_by = p_runner
		FROM c
		WHERE d.tenant_id = c.tenant_id AND d.endpoint_id = c.endpoint_id
		  AND d.event_tenant = c.event_tenant AND d.seq = c.seq AND d.type = c.type
		RETURNING d.*
	)
	SELECT u.tenant_id, u.endpoint_id, u.event_tenant, u.seq, u.type, u.attempts,
		o.id, o.at, o.data, w.url, w.secret
	FROM u
	JOIN webhook_endpoints w ON w.tenant_id = u.tenant_id AND w.id = u.endpoint_id
	JOIN outbox o ON o.tenant_id = u.event_tenant AND o.seq = u.seq AND o.type = u.type
	ORDER BY u.event_tenant, u.seq, u.type;
	-- claimed just now, but their event went with its purged tenant
	UPDATE webhook_deliveries d SET state = 'failed', done_at = now(), lease_until = NULL,
		last_error = 'the event was purged with its tenant'
	WHERE d.leased_by = p_runner AND d.state = 'pending' AND d.lease_until > now()
	  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.tenant_id = d.event_tenant
			  AND o.seq = d.seq AND o.type = d.type);
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_claim(text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_claim(text, int, int) TO tenantry_platform;

-- Records one attempt's outcome, if p_runner still holds it. p_retry_s is
-- when to try again after a failure (the caller's schedule); a delivery
-- first tried more than p_give_up_s ago is abandoned instead, and an
-- endpoint whose delivery was abandoned, or that failed p_disable_after
-- times in a row (0: never for that), is disabled with an alert.
-- Returns the delivery's new state ('+disabled' after it when this
-- attempt disabled the endpoint), or NULL when the claim was lost.
CREATE FUNCTION webhook_attempt_done(p_runner text, p_tenant uuid, p_endpoint uuid,
	p_event_tenant uuid, p_seq bigint, p_type text, p_attempt int, p_ok boolean,
	p_status int, p_latency_ms int, p_error text, p_response text,
	p_retry_s double precision, p_give_up_s int, p_disable_after int)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_d webhook_deliveries;
	v_state text;
	v_failures int;
	v_reason text;
BEGIN
	SELECT * INTO v_d FROM webhook_deliveries d
	WHERE d.tenant_id = p_tenant AND d.endpoint_id = p_endpoint
	  AND d.event_tenant = p_event_tenant AND d.seq = p_seq AND d.type = p_type
	FOR UPDATE;
	IF NOT FOUND OR v_d.leased_by IS DISTINCT FROM p_runner
	   OR v_d.attempts <> p_attempt OR v_d.state <> 'pending' THEN
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
		next_at = CASE WHEN v_state = 'pending'
			THEN now() + make_interval(secs => p_retry_s) ELSE d.next_at END
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
REVOKE EXECUTE ON FUNCTION webhook_attempt_done(text, uuid, uuid, uuid, bigint, text, int,
	boolean, int, int, text, text, double precision, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_attempt_done(text, uuid, uuid, uuid, bigint, text, int,
	boolean, int, int, text, text, double precision, int, int) TO tenantry_platform;

-- Disables an endpoint for a reason and says so: an alert of kind
-- 'webhook' on its tenant, its resource the first 8 characters of the
-- endpoint's id (the platform's endpoints have none: tenantryd's log and
-- the audit entry say it), and the audit entry of the change.
CREATE FUNCTION webhook_disable(p_tenant uuid, p_endpoint uuid, p_reason text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	PERFORM set_config('tenantry.actor', 'tenantryd', true);
	PERFORM set_config('tenantry.actor_kind', 'system', true);
	UPDATE webhook_endpoints SET enabled = false, disabled_at = now(),
		disabled_reason = p_reason
	WHERE tenant_id = p_tenant AND id = p_endpoint AND enabled;
	IF NOT FOUND THEN
		RETURN false; -- disabled already
	END IF;
	IF p_tenant <> '00000000-0000-0000-0000-000000000000' THEN
		INSERT INTO alerts (tenant_id, kind, resource, threshold, period_start)
		VALUES (p_tenant, 'webhook', left(p_endpoint::text, 8), 0, now())
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN true;
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_disable(uuid, uuid, text) FROM PUBLIC;
