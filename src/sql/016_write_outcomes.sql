-- 016_write_outcomes: a commit-ordered cursor over every audit chain, and
-- idempotency keys kept with the writes they answer for.
--
-- The audit cursor. A chain's seq is in commit order (appends to one chain
-- hold its head's row lock until commit), but chains have no common order,
-- and neither has a sequence: a transaction that took number 10 may commit
-- after the one that took 11. Each entry records its transaction's id
-- (xid) and a global number (gseq). A reader that takes only entries of
-- transactions older than the oldest one still running
-- (pg_snapshot_xmin), in (xid, gseq) order, never sees an entry appear
-- before its cursor later: every transaction that can still commit has an
-- xid at or above that horizon. The cursor "xid-gseq" is what the streams
-- send as the event id and take back as Last-Event-ID.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE SEQUENCE audit_gseq;
ALTER TABLE audit_log ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE audit_log ADD COLUMN gseq bigint;
-- Entries written before this migration: one old transaction, in time order.
UPDATE audit_log a SET gseq = o.n
FROM (SELECT tenant_id, seq, row_number() OVER (ORDER BY at, tenant_id, seq) AS n
      FROM audit_log) o
WHERE a.tenant_id = o.tenant_id AND a.seq = o.seq;
SELECT setval('audit_gseq', coalesce((SELECT max(gseq) FROM audit_log), 0) + 1, false);
ALTER TABLE audit_log ALTER COLUMN gseq SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN gseq SET DEFAULT nextval('tenantry.audit_gseq');
ALTER TABLE audit_log ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_cursor_idx ON audit_log (xid, gseq);

-- The horizon: entries of transactions below it are final.
CREATE FUNCTION audit_horizon() RETURNS xid8
LANGUAGE sql STABLE AS $$
	SELECT pg_snapshot_xmin(pg_current_snapshot())
$$;
GRANT EXECUTE ON FUNCTION audit_horizon() TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;

-- Idempotency keys (the Idempotency-Key header of tenantryd). A key
-- belongs to one caller of one tenant (the platform's nil uuid for staff
-- outside a tenant) and holds the first successful answer for 24 hours.
-- The row is written in the transaction of the write it answers for, so
-- it exists exactly when the write committed; while that transaction runs
-- it holds an advisory lock on the key, and a second request with the
-- same key is told that the first is still running.
CREATE TABLE idempotency_keys (
	tenant_id uuid NOT NULL,
	caller text NOT NULL,
	key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	fingerprint text NOT NULL,
	status int NOT NULL,
	content_type text NOT NULL DEFAULT 'application/json',
	body text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
-- Only the functions below (SECURITY DEFINER) read and write the keys.
CREATE POLICY idempotency_keys_owner ON idempotency_keys FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);

-- The tenant a key belongs to: a tenant role's own, else the platform's.
CREATE FUNCTION idem_tenant() RETURNS uuid
LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_tenant(), '00000000-0000-0000-0000-000000000000'::uuid)
$$;

-- Claims a key for the current transaction. Returns 'new' (the lock is
-- held until the transaction ends), 'busy' (another transaction holds
-- it), 'reused' (the key answered a different request) or 'replay' with
-- the stored answer.
CREATE FUNCTION idem_claim(p_caller text, p_key text, p_fingerprint text,
	OUT state text, OUT status int, OUT content_type text, OUT body text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := idem_tenant();
	r idempotency_keys;
BEGIN
	IF NOT pg_try_advisory_xact_lock(hashtextextended(
			v_tenant::text || '/' || p_caller || '/' || p_key, 16)) THEN
		state := 'busy';
		RETURN;
	END IF;
	SELECT * INTO r FROM idempotency_keys k
	WHERE k.tenant_id = v_tenant AND k.caller = p_caller AND k.key = p_key
	  AND k.created_at > now() - interval '24 hours';
	IF NOT FOUND THEN
		state := 'new';
	ELSIF r.fingerprint <> p_fingerprint THEN
		state := 'reused';
	ELSE
		state := 'replay';
		status := r.status;
		content_type := r.content_type;
		body := r.body;
	END IF;
END
$$;

-- Records the answer of a claimed key; runs in the write's transaction.
-- Keys older than 24 hours are forgotten here, a few at a time.
CREATE FUNCTION idem_record(p_caller text, p_key text, p_fingerprint text,
	p_status int, p_content_type text, p_body text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := idem_tenant();
BEGIN
	INSERT INTO idempotency_keys (tenant_id, caller, key, fingerprint, status,
		content_type, body)
	VALUES (v_tenant, p_caller, p_key, p_fingerprint, p_status, p_content_type, p_body)
	ON CONFLICT (tenant_id, caller, key) DO UPDATE SET fingerprint = excluded.fingerprint,
		status = excluded.status, content_type = excluded.content_type,
		body = excluded.body, created_at = excluded.created_at;
	DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM idempotency_keys
		WHERE created_at < now() - interval '24 hours' LIMIT 8));
END
$$;
REVOKE EXECUTE ON FUNCTION idem_claim(text, text, text), idem_record(text, text,
	text, int, text, text), idem_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION idem_claim(text, text, text), idem_record(text, text,
	text, int, text, text) TO tenantry_tenant, tenantry_platform, tenantry_support,
	tenantry_oncall, tenantry_auth;
