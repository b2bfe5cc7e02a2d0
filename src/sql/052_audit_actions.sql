-- 052_audit_actions: audit entries say what happened, and to what.
--
-- A row trigger used to write <resource>.update for every change: a
-- suspension, a resumption and a tier change were all tenant.update,
-- revoking an invitation was invitation.update. audit_verb() now names the
-- change from what changed (tenant.suspend, tenant.resume, tenant.tier,
-- member.role, invitation.revoke, api_key.revoke, alert.ack, …; the whole
-- list is AUDIT_ACTIONS in src/core/audit_actions.h and
-- audit_action_names() below, which a test compares).
--
-- Each entry also keeps a readable label of its resource, in the new
-- column label: a member's or invited address, an API key's prefix and
-- name, an alert's resource and threshold, an endpoint's URL, a purged
-- tenant's slug; NULL where the id is readable already (a tenant's row
-- changes are identified by its slug). The label is part of the
-- entry's hash: the canonical text gains audit_field(label) at its end
-- when label is not NULL, so the entries written before (label NULL) hash
-- as they always did, and `tenantry audit verify` checks both.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE audit_log ADD COLUMN label text;

CREATE FUNCTION audit_canonical(p_tenant uuid, p_seq bigint, p_at timestamptz,
	p_actor text, p_actor_kind text, p_action text, p_rtype text,
	p_rid text, p_old jsonb, p_new jsonb, p_ip inet, p_ua text, p_label text)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT audit_canonical(p_tenant, p_seq, p_at, p_actor, p_actor_kind, p_action,
		p_rtype, p_rid, p_old, p_new, p_ip, p_ua)
		|| CASE WHEN p_label IS NULL THEN '' ELSE audit_field(p_label) END
$$;

-- Appends one entry with its label; returns its seq. A user's entries
-- are labelled with the address when the caller gives none.
CREATE FUNCTION audit_append(p_tenant uuid, p_action text, p_rtype text,
	p_rid text, p_old jsonb, p_new jsonb, p_label text)
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
	v_label text := left(p_label, 200);
BEGIN
	IF v_label IS NULL AND p_rtype = 'user' AND p_rid ~* '^[0-9a-f-]{36}$' THEN
		SELECT u.email INTO v_label FROM users u WHERE u.id = p_rid::uuid;
	ELSIF v_label IS NULL AND p_rtype = 'tenant' AND p_rid ~* '^[0-9a-f-]{36}$' THEN
		v_label := coalesce(p_new ->> 'slug', p_old ->> 'slug'); -- a purge's entry
	END IF;
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
		p_old, p_new, v_ip, v_ua, v_label), 'UTF8'));
	INSERT INTO audit_log (tenant_id, seq, at, actor, actor_kind, action,
		resource_type, resource_id, old, new, ip, user_agent, prev_hash, hash, label)
	VALUES (p_tenant, v_seq, v_at, v_actor, v_kind, p_action, p_rtype,
		coalesce(p_rid, ''), p_old, p_new, v_ip, v_ua, v_prev, v_hash, v_label);
	UPDATE audit_heads SET seq = v_seq, hash = v_hash
		WHERE tenant_id = p_tenant;
	PERFORM pg_notify('tenantry_audit', '');
	RETURN v_seq;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_append(uuid, text, text, text, jsonb, jsonb, text) FROM PUBLIC;

-- Without a label (PL/pgSQL, whose plan is kept for the session).
CREATE OR REPLACE FUNCTION audit_append(p_tenant uuid, p_action text, p_rtype text,
	p_rid text, p_old jsonb, p_new jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	RETURN audit_append(p_tenant, p_action, p_rtype, p_rid, p_old, p_new, NULL::text);
END
$$;

-- What a row change was, by what it changed.
CREATE FUNCTION audit_verb(p_rtype text, p_op text, p_old jsonb, p_new jsonb)
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_op = 'INSERT' THEN
		RETURN 'create';
	ELSIF p_op = 'DELETE' THEN
		RETURN 'delete';
	END IF;
	CASE p_rtype
	WHEN 'tenant' THEN
		IF p_old ->> 'status' IS DISTINCT FROM p_new ->> 'status' THEN
			RETURN CASE
				WHEN p_new ->> 'status' = 'suspended' THEN 'suspend'
				WHEN p_old ->> 'status' = 'suspended' AND p_new ->> 'status' = 'active'
					THEN 'resume'
				WHEN p_old ->> 'status' = 'trial' AND p_new ->> 'status' = 'active'
					THEN 'activate'
				WHEN p_new ->> 'status' = 'pending_deletion' THEN 'delete_request'
				WHEN p_old ->> 'status' = 'pending_deletion' THEN 'restore'
				ELSE 'status' END;
		ELSIF p_old ->> 'tier' IS DISTINCT FROM p_new ->> 'tier' THEN
			RETURN 'tier';
		ELSIF p_old -> 'features' IS DISTINCT FROM p_new -> 'features' THEN
			RETURN 'features';
		END IF;
	WHEN 'member' THEN
		IF p_old ->> 'role' IS DISTINCT FROM p_new ->> 'role' THEN
			RETURN 'role';
		ELSIF p_old ->> 'active' IS DISTINCT FROM p_new ->> 'active' THEN
			RETURN CASE WHEN (p_new ->> 'active')::boolean THEN 'activate'
				ELSE 'deactivate' END;
		ELSIF p_old -> 'permissions' IS DISTINCT FROM p_new -> 'permissions' THEN
			RETURN 'permissions';
		END IF;
	WHEN 'invitation' THEN
		IF p_old ->> 'revoked_at' IS NULL AND p_new ->> 'revoked_at' IS NOT NULL THEN
			RETURN 'revoke';
		ELSIF p_old ->> 'accepted_at' IS NULL AND p_new ->> 'accepted_at' IS NOT NULL THEN
			RETURN 'accept';
		ELSIF p_old ->> 'expired_at' IS NULL AND p_new ->> 'expired_at' IS NOT NULL THEN
			RETURN 'expire';
		ELSIF p_old ->> 'expires_at' IS DISTINCT FROM p_new ->> 'expires_at' THEN
			RETURN 'resend';
		END IF;
	WHEN 'api_key' THEN
		IF p_old ->> 'revoked_at' IS NULL AND p_new ->> 'revoked_at' IS NOT NULL THEN
			RETURN 'revoke';
		ELSIF p_old ->> 'expired_at' IS NULL AND p_new ->> 'expired_at' IS NOT NULL THEN
			RETURN 'expire';
		END IF;
	WHEN 'alert' THEN
		IF p_old ->> 'acknowledged_at' IS NULL AND p_new ->> 'acknowledged_at' IS NOT NULL THEN
			RETURN 'ack';
		END IF;
	WHEN 'quota' THEN
		RETURN 'limit';
	WHEN 'webhook' THEN
		IF p_old ->> 'enabled' IS DISTINCT FROM p_new ->> 'enabled' THEN
			RETURN CASE WHEN (p_new ->> 'enabled')::boolean THEN 'enable'
				ELSE 'disable' END;
		END IF;
	ELSE
	END CASE;
	RETURN 'update';
END
$$;

-- A readable label of a row's resource, or NULL where its id reads well
-- (a tenant's: its slug).
CREATE FUNCTION audit_label(p_rtype text, p_row jsonb) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	RETURN CASE p_rtype
		WHEN 'member' THEN (SELECT u.email FROM users u
				    WHERE u.id = (p_row ->> 'user_id')::uuid)
		WHEN 'invitation' THEN p_row ->> 'email'
		WHEN 'api_key' THEN 'tnt_' || (p_row ->> 'prefix')
			|| CASE WHEN coalesce(p_row ->> 'name', '') <> ''
				THEN ' ' || (p_row ->> 'name') ELSE '' END
		WHEN 'alert' THEN (p_row ->> 'kind') || ' ' || (p_row ->> 'resource')
			|| CASE WHEN p_row ->> 'kind' = 'quota'
				THEN ' ' || (p_row ->> 'threshold') || '%' ELSE '' END
		WHEN 'webhook' THEN p_row ->> 'url'
		END;
END
$$;
REVOKE EXECUTE ON FUNCTION audit_label(text, jsonb) FROM PUBLIC;

-- The row trigger of 004, with the change's own verb and the label.
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_old jsonb;
	v_new jsonb;
	v_row jsonb;
	v_skip text[] := TG_ARGV[3]::text[];
	v_tenant uuid;
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
	PERFORM audit_append(v_tenant,
		TG_ARGV[0] || '.' || audit_verb(TG_ARGV[0], TG_OP, v_old, v_new), TG_ARGV[0],
		v_row ->> TG_ARGV[2], v_old, v_new, audit_label(TG_ARGV[0], v_row));
	RETURN NULL;
END
$$;

-- The actions tenantry writes, as AUDIT_ACTIONS in src/core/audit_actions.h.
CREATE FUNCTION audit_action_names() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ARRAY['tenant.create', 'tenant.update', 'tenant.suspend', 'tenant.resume',
		'tenant.activate', 'tenant.delete_request', 'tenant.restore', 'tenant.status',
		'tenant.tier', 'tenant.features', 'tenant.delete', 'tenant.purge',
		'tenant.export', 'member.create', 'member.update', 'member.role',
		'member.activate', 'member.deactivate', 'member.permissions', 'member.delete',
		'invitation.create', 'invitation.update', 'invitation.revoke',
		'invitation.accept', 'invitation.expire', 'invitation.resend',
		'invitation.delete', 'api_key.create', 'api_key.update', 'api_key.revoke',
		'api_key.expire', 'api_key.delete', 'setting.create', 'setting.update',
		'setting.delete', 'secret.reveal', 'quota.create', 'quota.limit', 'quota.delete',
		'alert.create', 'alert.update', 'alert.ack', 'alert.delete', 'webhook.create',
		'webhook.update', 'webhook.enable', 'webhook.disable', 'webhook.delete',
		'webhook.test', 'webhook.redeliver', 'auth.login', 'auth.login_failed',
		'auth.recovery_code_used', 'user.password_reset_request',
		'user.password_reset_issue', 'user.password_reset', 'user.mfa_reset',
		'user.recovery_codes', 'user.sign_in_unlock', 'user.sign_out_everywhere',
		'staff.add', 'support.view_as.start', 'support.view_as.end', 'job.run']
$$;

-- An event carries its entry's label too.
CREATE OR REPLACE FUNCTION event_data(p_entry audit_log) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'tenant_id', CASE WHEN p_entry.tenant_id
			= '00000000-0000-0000-0000-000000000000' THEN NULL
			ELSE p_entry.tenant_id END,
		'resource_type', p_entry.resource_type,
		'resource_id', p_entry.resource_id,
		'label', p_entry.label,
		'object', coalesce(p_entry.new, p_entry.old),
		'previous', CASE WHEN p_entry.old IS NOT NULL AND p_entry.new IS NOT NULL THEN
			(SELECT jsonb_object_agg(o.key, o.value) FROM jsonb_each(p_entry.old) o
			 WHERE p_entry.new -> o.key IS DISTINCT FROM o.value) END))
$$;
