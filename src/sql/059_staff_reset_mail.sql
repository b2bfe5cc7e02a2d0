-- 059_staff_reset_mail.sql - a password reset that staff issue can be
-- mailed to the account instead of shown to them: the application hands
-- the token over sealed (tenantry.mail_token, as for the account's own
-- request, 049), and the staff reset's audit entry then writes the mail:
-- an outbox row of type user.password_reset_requested, mail only (staff
-- resets are no webhook event), whose recipient is the account. Without
-- a sealed token nothing is mailed and the token is the caller's.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE FUNCTION mail_staff_reset_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_sealed text := NULLIF(current_setting('tenantry.mail_token', true), '');
BEGIN
	IF v_sealed IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO outbox (tenant_id, seq, type, at, actor, data, sealed, mail_state,
		mail_next_at)
	VALUES (NEW.tenant_id, NEW.seq, 'user.password_reset_requested', NEW.at, NEW.actor,
		event_data(NEW), v_sealed, 'pending', NEW.at);
	PERFORM set_config('tenantry.mail_token', '', true);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION mail_staff_reset_write() FROM PUBLIC;
CREATE TRIGGER mail_staff_reset AFTER INSERT ON audit_log FOR EACH ROW
	WHEN (NEW.action = 'user.password_reset_issue')
	EXECUTE FUNCTION mail_staff_reset_write();
