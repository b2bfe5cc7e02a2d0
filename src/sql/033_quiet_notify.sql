-- 033_quiet_notify.sql - notifications say that something happened, never
-- what or to whom.
--
-- Any session may LISTEN on any channel and NOTIFY on it: a payload of
-- '<tenant id>:<seq>' told every listener which tenants were busy, and a
-- listener that trusted a payload could be fed false ones. Now the audit
-- and alert notifications carry nothing: a listener re-reads what its own
-- role and context may see (the feeds read by cursor or seq through
-- row-level security), so a spoofed notification costs one read and
-- changes nothing. Identical notifications of one transaction are also
-- folded into one by PostgreSQL: a bulk write wakes the readers once.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE OR REPLACE FUNCTION audit_append(p_tenant uuid, p_action text, p_rtype text,
	p_rid text, p_old jsonb, p_new jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_seq bigint;
	v_prev bytea;
	v_hash bytea;
	v_at timestamptz := clock_timestamp();
	v_actor text := current_actor();
	v_kind text := current_actor_kind();
	v_ip inet := NULLIF(current_setting('tenantry.ip', true), '')::inet;
	v_ua text := NULLIF(current_setting('tenantry.user_agent', true), '');
BEGIN
	SELECT seq, hash INTO v_seq, v_prev FROM audit_heads
		WHERE tenant_id = p_tenant FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO audit_heads (tenant_id, seq, hash)
			VALUES (p_tenant, 0, '\x') ON CONFLICT DO NOTHING;
		SELECT seq, hash INTO v_seq, v_prev FROM audit_heads
			WHERE tenant_id = p_tenant FOR UPDATE;
	END IF;
	v_seq := v_seq + 1;
	v_hash := sha256(v_prev || convert_to(audit_canonical(p_tenant, v_seq,
		v_at, v_actor, v_kind, p_action, p_rtype, coalesce(p_rid, ''),
		p_old, p_new, v_ip, v_ua), 'UTF8'));
	INSERT INTO audit_log (tenant_id, seq, at, actor, actor_kind, action,
		resource_type, resource_id, old, new, ip, user_agent, prev_hash, hash)
	VALUES (p_tenant, v_seq, v_at, v_actor, v_kind, p_action, p_rtype,
		coalesce(p_rid, ''), p_old, p_new, v_ip, v_ua, v_prev, v_hash);
	UPDATE audit_heads SET seq = v_seq, hash = v_hash
		WHERE tenant_id = p_tenant;
	PERFORM pg_notify('tenantry_audit', '');
	RETURN v_seq;
END
$$;

CREATE OR REPLACE FUNCTION quota_alert() RETURNS trigger
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
				PERFORM pg_notify('tenantry_alert', '');
			END IF;
			v_id := NULL;
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
