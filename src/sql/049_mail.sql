-- 049_mail: sending the e-mail of the outbox's events (047).
--
-- tenantryd's mailer (src/server/mailer.c) claims due pending mails with
-- mail_claim (FOR UPDATE SKIP LOCKED and a lease; the attempt number is
-- given at the claim and the claim names its runner, so each attempt is
-- made by one instance however many share the database) and reports each
-- attempt with mail_done. A mail is sent once, retried after a failure
-- until it is a day old, then 'failed'; a mail already older than a day
-- when first claimed is 'skipped', so a mailer configured later does not
-- send a backlog of old mail. The sealed token is cleared once a mail is
-- sent, failed or skipped.
--
-- A resent invitation (a new token for the same invitation) writes no
-- event; its mail is an outbox row of type 'invitation.resent' of its own
-- (mail only: no webhook delivery), written by the trigger below when the
-- application handed a sealed token over (tenantry.mail_token) for the
-- invitation's update.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE outbox ADD COLUMN mail_leased_by text;

-- The sealed token goes to the event whose mail carries it (an invitation
-- created, a reset requested) and is cleared then, not by the first audit
-- entry of the transaction: a tenant's creation writes tenant.create
-- before its first admin's invitation. Otherwise as in 047.
CREATE OR REPLACE FUNCTION outbox_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_type text;
	v_data jsonb;
	v_sealed text := NULLIF(current_setting('tenantry.mail_token', true), '');
	v_takes boolean;
BEGIN
	FOREACH v_type IN ARRAY event_types_of(NEW.action, NEW.old, NEW.new) LOOP
		v_data := coalesce(v_data, event_data(NEW));
		v_takes := v_sealed IS NOT NULL
			AND v_type IN ('invitation.created', 'user.password_reset_requested');
		INSERT INTO outbox (tenant_id, seq, type, at, actor, data, sealed, mail_state,
			mail_next_at)
		VALUES (NEW.tenant_id, NEW.seq, v_type, NEW.at, NEW.actor, v_data,
			CASE WHEN v_takes THEN v_sealed END,
			CASE WHEN event_mails(v_type) THEN 'pending' ELSE 'none' END,
			CASE WHEN event_mails(v_type) THEN NEW.at END);
		IF v_takes THEN
			PERFORM set_config('tenantry.mail_token', '', true);
			v_sealed := NULL;
		END IF;
		PERFORM webhook_fan_out(NEW.tenant_id, NEW.seq, v_type);
	END LOOP;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION outbox_write() FROM PUBLIC;

-- The mail of a resent invitation, before outbox_write (triggers fire in
-- name order) clears the setting.
CREATE FUNCTION mail_resend_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_sealed text := NULLIF(current_setting('tenantry.mail_token', true), '');
BEGIN
	IF v_sealed IS NULL OR NEW.new IS NULL OR NEW.new ->> 'accepted_at' IS NOT NULL
	   OR NEW.new ->> 'revoked_at' IS NOT NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO outbox (tenant_id, seq, type, at, actor, data, sealed, mail_state,
		mail_next_at)
	VALUES (NEW.tenant_id, NEW.seq, 'invitation.resent', NEW.at, NEW.actor,
		event_data(NEW), v_sealed, 'pending', NEW.at);
	PERFORM set_config('tenantry.mail_token', '', true);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION mail_resend_write() FROM PUBLIC;
CREATE TRIGGER mail_resend AFTER INSERT ON audit_log FOR EACH ROW
	WHEN (NEW.action IN ('invitation.update', 'invitation.resend')) -- 052 names it
	EXECUTE FUNCTION mail_resend_write();

-- Who an event's mail goes to: the invitee; the account that asked for a
-- reset; a tenant's active admins and its billing address, each address
-- once (compared without case; a member's spelling first).
CREATE FUNCTION mail_recipients(p_tenant uuid, p_type text, p_data jsonb)
RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT coalesce(array_agg(x.email ORDER BY x.email), '{}') FROM (
		SELECT DISTINCT ON (lower(a.email)) a.email FROM (
			SELECT p_data -> 'object' ->> 'email' AS email, 0 AS pref
			WHERE p_type IN ('invitation.created', 'invitation.resent')
			UNION ALL
			SELECT u.email, 0 FROM users u
			WHERE p_type = 'user.password_reset_requested'
			  AND u.id::text = p_data ->> 'resource_id'
			UNION ALL
			SELECT u.email, 0 FROM tenant_users m JOIN users u ON u.id = m.user_id
			WHERE p_type IN ('quota.alert', 'tenant.trial_ending')
			  AND m.tenant_id = p_tenant AND m.active AND m.role = 'admin'
			UNION ALL
			SELECT t.billing_email, 1 FROM tenants t
			WHERE p_type IN ('quota.alert', 'tenant.trial_ending')
			  AND t.id = p_tenant
		) a
		WHERE a.email IS NOT NULL AND a.email <> ''
		ORDER BY lower(a.email), a.pref, a.email
	) x
$$;
REVOKE EXECUTE ON FUNCTION mail_recipients(uuid, text, jsonb) FROM PUBLIC;

-- Claims up to p_limit due mails for p_runner for p_lease_s seconds and
-- gives each its attempt number; first, the due mails never tried whose
-- event is older than p_max_age_s are skipped.
CREATE FUNCTION mail_claim(p_runner text, p_limit int, p_lease_s int, p_max_age_s int)
RETURNS TABLE (tenant_id uuid, seq bigint, type text, attempt int, event_id uuid,
	event_at timestamptz, data jsonb, recipients text[], tenant_name text,
	tenant_slug text, sealed text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	WITH stale AS (
		SELECT o.tenant_id, o.seq, o.type FROM outbox o
		WHERE o.mail_state = 'pending' AND o.mail_next_at <= now()
		  AND o.mail_attempts = 0
		  AND o.at < now() - make_interval(secs => p_max_age_s)
		FOR UPDATE SKIP LOCKED
	)
	UPDATE outbox o SET mail_state = 'skipped', sealed = NULL, mail_lease_until = NULL,
		mail_error = 'older than ' || (p_max_age_s / 3600) || ' h when first claimed'
	FROM stale
	WHERE o.tenant_id = stale.tenant_id AND o.seq = stale.seq AND o.type = stale.type;

	RETURN QUERY
	WITH c AS (
		SELECT o.tenant_id, o.seq, o.type FROM outbox o
		WHERE o.mail_state = 'pending' AND o.mail_next_at <= now()
		  AND (o.mail_lease_until IS NULL OR o.mail_lease_until < now())
		ORDER BY o.mail_next_at
		LIMIT greatest(p_limit, 1)
		FOR UPDATE SKIP LOCKED
	), u AS (
		UPDATE outbox o SET mail_attempts = o.mail_attempts + 1,
			mail_lease_until = now() + make_interval(secs => greatest(p_lease_s, 1)),
			mail_leased_by = left(p_runner, 128)
		FROM c
		WHERE o.tenant_id = c.tenant_id AND o.seq = c.seq AND o.type = c.type
		RETURNING o.*
	)
	SELECT u.tenant_id, u.seq, u.type, u.mail_attempts, u.id, u.at, u.data,
		mail_recipients(u.tenant_id, u.type, u.data), t.name, t.slug, u.sealed
	FROM u LEFT JOIN tenants t ON t.id = u.tenant_id
	ORDER BY u.at, u.tenant_id, u.seq, u.type;
END
$$;
REVOKE EXECUTE ON FUNCTION mail_claim(text, int, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_claim(text, int, int, int) TO tenantry_platform;

-- Records one attempt's outcome (p_outcome: sent, failed or skipped), if
-- p_runner still holds attempt p_attempt. A failure is tried again after
-- p_retry_s seconds unless the event is older than p_give_up_s: then the
-- mail is 'failed'. Returns the mail's new state, or NULL when the claim
-- was lost (its lease ran out and another runner took it).
CREATE FUNCTION mail_done(p_runner text, p_tenant uuid, p_seq bigint, p_type text,
	p_attempt int, p_outcome text, p_error text, p_retry_s double precision,
	p_give_up_s int)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v outbox;
	v_state text;
BEGIN
	IF p_outcome NOT IN ('sent', 'failed', 'skipped') THEN
		RAISE EXCEPTION 'unknown outcome %', p_outcome USING ERRCODE = '22023';
	END IF;
	SELECT * INTO v FROM outbox o
	WHERE o.tenant_id = p_tenant AND o.seq = p_seq AND o.type = p_type FOR UPDATE;
	IF NOT FOUND OR v.mail_state <> 'pending' OR v.mail_attempts <> p_attempt
	   OR v.mail_leased_by IS DISTINCT FROM left(p_runner, 128) THEN
		RETURN NULL;
	END IF;
	v_state := CASE WHEN p_outcome <> 'failed' THEN p_outcome
		WHEN v.at < now() - make_interval(secs => p_give_up_s) THEN 'failed'
		ELSE 'pending' END;
	UPDATE outbox o SET mail_state = v_state, mail_lease_until = NULL,
		mail_error = CASE WHEN p_outcome = 'sent' THEN NULL ELSE left(p_error, 500) END,
		sealed = CASE WHEN v_state = 'pending' THEN o.sealed END,
		mail_next_at = CASE WHEN v_state = 'pending'
			THEN now() + make_interval(secs => greatest(p_retry_s, 0)) ELSE o.mail_next_at END
	WHERE o.tenant_id = p_tenant AND o.seq = p_seq AND o.type = p_type;
	RETURN v_state;
END
$$;
REVOKE EXECUTE ON FUNCTION mail_done(text, uuid, bigint, text, int, text, text,
	double precision, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_done(text, uuid, bigint, text, int, text, text,
	double precision, int) TO tenantry_platform;
