-- 004_audit: the tamper-evident audit log.
--
-- Entries are written by triggers on every tenant table (so psql, the
-- console and tenantryd are all audited) and by audit_event() for events
-- that touch no row. Per tenant they form a chain:
--   hash = sha256(prev_hash || canonical text of the entry)
-- where the canonical text is each field as "<octet length>:<text>;" in the
-- order of audit_canonical() (tenantry audit verify recomputes it in C).
-- Appends are serialised per tenant by the row lock on audit_heads.
-- Each append notifies channel tenantry_audit with '<tenant_id>:<seq>'.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- Tenants being purged, for the length of the purge's transaction. Only
-- tenant_purge() (owner) writes it; triggers consult it through
-- is_purging(), so no session setting can switch auditing or counting off.
CREATE TABLE purging (tenant_id uuid PRIMARY KEY);
ALTER TABLE purging ENABLE ROW LEVEL SECURITY;
ALTER TABLE purging FORCE ROW LEVEL SECURITY;
CREATE POLICY purging_owner ON purging FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);

CREATE FUNCTION is_purging(p_tenant uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT EXISTS (SELECT 1 FROM tenantry.purging WHERE tenant_id = p_tenant)
$$;

CREATE FUNCTION audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT octet_length(coalesce(v, '')) || ':' || coalesce(v, '') || ';'
$$;

CREATE FUNCTION audit_canonical(p_tenant uuid, p_seq bigint, p_at timestamptz,
	p_actor text, p_actor_kind text, p_action text, p_rtype text,
	p_rid text, p_old jsonb, p_new jsonb, p_ip inet, p_ua text)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT audit_field(p_tenant::text) || audit_field(p_seq::text)
		|| audit_field(to_char(p_at AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
		|| audit_field(p_actor) || audit_field(p_actor_kind)
		|| audit_field(p_action) || audit_field(p_rtype)
		|| audit_field(p_rid) || audit_field(p_old::text)
		|| audit_field(p_new::text) || audit_field(host(p_ip))
		|| audit_field(p_ua)
$$;

-- Appends one entry to p_tenant's chain; returns its seq.
CREATE FUNCTION audit_append(p_tenant uuid, p_action text, p_rtype text,
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
	PERFORM pg_notify('tenantry_audit', p_tenant::text || ':' || v_seq);
	RETURN v_seq;
END
$$;

-- An event that touches no row (secret revealed, export, login, view-as).
-- A tenant context may only write to its own chain; p_tenant NULL is the
-- platform chain, which tenant roles cannot write.
CREATE FUNCTION audit_event(p_tenant uuid, p_action text, p_rtype text,
	p_rid text, p_detail jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000');
BEGIN
	IF p_action !~ '^[a-z_]+\.[a-z_.]+$' OR length(p_action) > 63 THEN
		RAISE EXCEPTION 'invalid audit action %', p_action
			USING ERRCODE = '22023';
	END IF;
	IF current_setting('role') = 'tenantry_tenant'
	   AND v_tenant IS DISTINCT FROM current_tenant() THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF p_tenant IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant) THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	RETURN audit_append(v_tenant, p_action, p_rtype, p_rid, NULL, p_detail);
END
$$;
GRANT EXECUTE ON FUNCTION audit_event(uuid, text, text, text, jsonb)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

-- Row trigger. Arguments: resource type, tenant column, id column,
-- columns left out of old/new (secrets and counters).
CREATE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_old jsonb;
	v_new jsonb;
	v_row jsonb;
	v_skip text[] := TG_ARGV[3]::text[];
	v_tenant uuid;
	v_verb text;
BEGIN
	IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD) - v_skip; END IF;
	IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW) - v_skip; END IF;
	IF TG_OP = 'UPDATE' AND v_old = v_new THEN
		RETURN NULL;  -- only left-out columns changed
	END IF;
	v_row := coalesce(v_new, v_old);
	v_tenant := (v_row ->> TG_ARGV[1])::uuid;
	IF is_purging(v_tenant) THEN
		RETURN NULL;  -- the tenant is being purged
	END IF;
	-- Secret values never reach the log.
	IF (v_row ->> 'encrypted')::boolean THEN
		v_old := jsonb_set(v_old, '{value}', '"********"', false);
		v_new := jsonb_set(v_new, '{value}', '"********"', false);
	END IF;
	v_verb := CASE TG_OP WHEN 'INSERT' THEN 'create'
		WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
	PERFORM audit_append(v_tenant, TG_ARGV[0] || '.' || v_verb, TG_ARGV[0],
		v_row ->> TG_ARGV[2], v_old, v_new);
	RETURN NULL;
END
$$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenants
	FOR EACH ROW EXECUTE FUNCTION audit_row('tenant', 'id', 'slug',
	'{updated_at,health_score,usage_peak}');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenant_users
	FOR EACH ROW EXECUTE FUNCTION audit_row('member', 'tenant_id', 'user_id',
	'{last_active_at}');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON invitations
	FOR EACH ROW EXECUTE FUNCTION audit_row('invitation', 'tenant_id', 'id',
	'{token_hash}');
CREATE TRIGGER audit AFTER INSERT OR DELETE ON quotas
	FOR EACH ROW EXECUTE FUNCTION audit_row('quota', 'tenant_id', 'resource',
	'{used,period_start}');
-- Counting usage is not audited per call: only limit changes are.
CREATE TRIGGER audit_limit AFTER UPDATE ON quotas FOR EACH ROW
	WHEN (OLD.quota_limit IS DISTINCT FROM NEW.quota_limit
	      OR OLD.period IS DISTINCT FROM NEW.period)
	EXECUTE FUNCTION audit_row('quota', 'tenant_id', 'resource',
	'{used,period_start}');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenant_settings
	FOR EACH ROW EXECUTE FUNCTION audit_row('setting', 'tenant_id', 'key',
	'{updated_at,key_id}');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON api_keys
	FOR EACH ROW EXECUTE FUNCTION audit_row('api_key', 'tenant_id', 'id',
	'{secret_hash,last_used_at}');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON alerts
	FOR EACH ROW EXECUTE FUNCTION audit_row('alert', 'tenant_id', 'id', '{}');

-- Append-only for every role; only a purge may delete a tenant's entries.
CREATE FUNCTION audit_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF TG_OP = 'DELETE'
	   AND is_purging(OLD.tenant_id) THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_guard();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_guard();
