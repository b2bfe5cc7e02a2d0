-- 062_webhook_notify.sql - a delivery that comes due wakes the workers.
--
-- tenantryd's webhook workers looked for due deliveries every 200 ms when
-- idle: an event waited up to that long before its first attempt, and
-- every worker of every instance ran its claim five times a second with
-- nothing to do. A delivery that is due when it is written (a new event
-- for a subscribed endpoint, a redelivery, an endpoint enabled again)
-- now notifies channel tenantry_webhook; the workers listen, claim on
-- the notification, and otherwise look once a second (retries coming due,
-- a lease run out). Like the audit's (033), the notification carries
-- nothing: a spoofed one costs a claim that finds nothing, and the
-- notifications of one transaction are folded into one.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE FUNCTION webhook_due_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	PERFORM pg_notify('tenantry_webhook', '');
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_due_notify() FROM PUBLIC;

-- The claim sets neither column, a recorded attempt sets next_at to a
-- later retry, and a parked delivery's next_at is 'infinity' (060): none
-- of these notify.
CREATE TRIGGER due_notify AFTER INSERT OR UPDATE OF state, next_at ON webhook_deliveries
	FOR EACH ROW WHEN (NEW.state = 'pending' AND NEW.next_at <= now())
	EXECUTE FUNCTION webhook_due_notify();
