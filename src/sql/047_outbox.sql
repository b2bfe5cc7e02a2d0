-- 047_outbox: every event, written in the transaction of its change.
--
-- An event is read off the audit entry that its change wrote (every change
-- that makes an event is audited, by the row triggers of 004 or by an
-- explicit audit_append), by a trigger on audit_log: so an event exists
-- exactly when its change committed, and a rolled-back change leaves none.
-- It is keyed by that entry, (tenant_id, seq) of its chain, plus its type
-- (one entry can make two events: a trial's end is also a status change).
-- A chain's appends are serialised by the row lock on its head until
-- commit, so a chain's seq order is its commit order: deliveries made in
-- seq order are made in the order the changes happened.
--
-- The event types are one list, EVENT_TYPES in src/core/events.h;
-- event_type_names() below must say the same (a test compares them).
--
-- outbox.sealed carries, for the mailer only, a secret that the e-mail of
-- the event must contain (an invitation's or a reset's token), sealed by
-- the application with its master key (the database never sees it
-- plain) and handed over in the transaction-local setting
-- tenantry.mail_token; the mailer clears it once the mail is sent or
-- abandoned. Webhooks never carry it.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE TABLE outbox (
	tenant_id uuid NOT NULL, -- the chain: 00000000-… for platform events
	seq bigint NOT NULL,     -- the audit entry
	type text NOT NULL,
	id uuid NOT NULL DEFAULT gen_random_uuid(), -- webhook-id "evt_<hex>"
	at timestamptz NOT NULL,
	actor text NOT NULL,
	data jsonb NOT NULL,
	sealed text,
	-- e-mail: none (not an event that mails), pending, sent, failed, skipped
	mail_state text NOT NULL DEFAULT 'none'
		CHECK (mail_state IN ('none', 'pending', 'sent', 'failed', 'skipped')),
	mail_attempts int NOT NULL DEFAULT 0,
	mail_next_at timestamptz,
	mail_lease_until timestamptz,
	mail_error text,
	PRIMARY KEY (tenant_id, seq, type),
	UNIQUE (tenant_id, id)
);
CREATE INDEX outbox_at ON outbox (at);
CREATE INDEX outbox_mail ON outbox (mail_next_at) WHERE mail_state = 'pending';
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_owner ON outbox FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);
CREATE POLICY outbox_tenant ON outbox FOR SELECT TO tenantry_tenant
	USING (tenant_id = (SELECT current_tenant()));
CREATE POLICY outbox_staff ON outbox FOR SELECT
	TO tenantry_platform, tenantry_support, tenantry_oncall USING (true);
GRANT SELECT (tenant_id, seq, type, id, at, actor, data, mail_state, mail_attempts,
	mail_next_at, mail_error) ON outbox
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

-- The event types, as EVENT_TYPES in src/core/events.h.
CREATE FUNCTION event_type_names() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT ARRAY['tenant.created', 'tenant.status_changed', 'tenant.tier_changed',
		'tenant.trial_ending', 'tenant.trial_ended', 'tenant.purged',
		'member.added', 'member.removed', 'member.role_changed',
		'invitation.created', 'invitation.accepted', 'invitation.revoked',
		'api_key.created', 'api_key.revoked', 'quota.alert',
		'user.password_reset_requested', 'webhook.test']
$$;

-- The events an audit entry makes: none for most. Changes are told apart
-- by what they changed (old and new), whatever the entry's verb.
CREATE FUNCTION event_types_of(p_action text, p_old jsonb, p_new jsonb)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v text[] := '{}';
	v_res text := split_part(p_action, '.', 1);
	v_verb text := substr(p_action, length(v_res) + 2);
	v_change boolean := p_old IS NOT NULL AND p_new IS NOT NULL;
BEGIN
	IF p_action = 'user.password_reset_request' THEN
		RETURN '{user.password_reset_requested}';
	ELSIF v_verb = 'create' THEN
		RETURN CASE v_res WHEN 'tenant' THEN '{tenant.created}'::text[]
			WHEN 'member' THEN '{member.added}'::text[]
			WHEN 'invitation' THEN '{invitation.created}'::text[]
			WHEN 'api_key' THEN '{api_key.created}'::text[]
			WHEN 'alert' THEN CASE p_new ->> 'kind'
				WHEN 'quota' THEN '{quota.alert}'::text[]
				WHEN 'trial_end' THEN '{tenant.trial_ending}'::text[]
				ELSE '{}'::text[] END
			ELSE '{}'::text[] END;
	ELSIF p_action = 'tenant.purge' THEN
		RETURN '{tenant.purged}';
	ELSIF p_action = 'member.delete' THEN
		RETURN '{member.removed}';
	ELSIF NOT v_change THEN
		RETURN v;
	END IF;
	CASE v_res
	WHEN 'tenant' THEN
		IF p_old ->> 'status' = 'trial' AND p_new ->> 'status' <> 'trial' THEN
			v := v || 'tenant.trial_ended'::text;
		END IF;
		IF p_old ->> 'status' IS DISTINCT FROM p_new ->> 'status' THEN
			v := v || 'tenant.status_changed'::text;
		END IF;
		IF p_old ->> 'tier' IS DISTINCT FROM p_new ->> 'tier' THEN
			v := v || 'tenant.tier_changed'::text;
		END IF;
	WHEN 'member' THEN
		IF p_old ->> 'role' IS DISTINCT FROM p_new ->> 'role' THEN
			v := '{member.role_changed}';
		END IF;
	WHEN 'invitation' THEN
		IF p_old ->> 'accepted_at' IS NULL AND p_new ->> 'accepted_at' IS NOT NULL THEN
			v := '{invitation.accepted}';
		ELSIF p_old ->> 'revoked_at' IS NULL AND p_new ->> 'revoked_at' IS NOT NULL THEN
			v := '{invitation.revoked}';
		END IF;
	WHEN 'api_key' THEN
		IF p_old ->> 'revoked_at' IS NULL AND p_new ->> 'revoked_at' IS NOT NULL THEN
			v := '{api_key.revoked}';
		END IF;
	ELSE
	END CASE;
	RETURN v;
END
$$;

-- What an event says: the resource, its state after the change (before,
-- for a removal) and, for a change, the fields it changed from.
CREATE FUNCTION event_data(p_entry audit_log) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'tenant_id', CASE WHEN p_entry.tenant_id
			= '00000000-0000-0000-0000-000000000000' THEN NULL
			ELSE p_entry.tenant_id END,
		'resource_type', p_entry.resource_type,
		'resource_id', p_entry.resource_id,
		'object', coalesce(p_entry.new, p_entry.old),
		'previous', CASE WHEN p_entry.old IS NOT NULL AND p_entry.new IS NOT NULL THEN
			(SELECT jsonb_object_agg(o.key, o.value) FROM jsonb_each(p_entry.old) o
			 WHERE p_entry.new -> o.key IS DISTINCT FROM o.value) END))
$$;

-- E-mail goes out for these (src/server/mailer.c).
CREATE FUNCTION event_mails(p_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_type IN ('invitation.created', 'user.password_reset_requested',
		'quota.alert', 'tenant.trial_ending')
$$;

-- The events of one new audit entry, and their webhook deliveries
-- (webhook_fan_out, 048).
CREATE FUNCTION outbox_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_type text;
	v_data jsonb;
	v_sealed text := NULLIF(current_setting('tenantry.mail_token', true), '');
BEGIN
	FOREACH v_type IN ARRAY event_types_of(NEW.action, NEW.old, NEW.new) LOOP
		v_data := coalesce(v_data, event_data(NEW));
		INSERT INTO outbox (tenant_id, seq, type, at, actor, data, sealed, mail_state,
			mail_next_at)
		VALUES (NEW.tenant_id, NEW.seq, v_type, NEW.at, NEW.actor, v_data,
			CASE WHEN event_mails(v_type) THEN v_sealed END,
			CASE WHEN event_mails(v_type) THEN 'pending' ELSE 'none' END,
			CASE WHEN event_mails(v_type) THEN NEW.at END);
		PERFORM webhook_fan_out(NEW.tenant_id, NEW.seq, v_type);
	END LOOP;
	IF v_sealed IS NOT NULL THEN
		PERFORM set_config('tenantry.mail_token', '', true);
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION outbox_write() FROM PUBLIC;
