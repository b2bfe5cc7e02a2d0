-- 060_webhook_backlog.sql - a disabled endpoint's backlog costs the
-- delivery workers nothing.
--
-- Deliveries of a disabled endpoint stay pending, to be made when it is
-- enabled again (048). Their next_at was long due, so every claim (each
-- worker, every poll) walked them all in next_at order before reaching
-- the deliveries it could make: an endpoint off for a day with a busy
-- tenant behind it made each claim scan its whole backlog. Disabling an
-- endpoint now parks its pending deliveries (next_at 'infinity'), and
-- enabling it makes them due at once, in their order. The claim's
-- clean-up of deliveries whose event went with a purged tenant looks at
-- the runner's leased deliveries through an index of its own instead of
-- every pending one.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (leased_by)
	WHERE state = 'pending' AND lease_until IS NOT NULL;

CREATE FUNCTION webhook_endpoint_parked() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.enabled THEN
		UPDATE webhook_deliveries d SET next_at = now()
		WHERE d.tenant_id = NEW.tenant_id AND d.endpoint_id = NEW.id
		  AND d.state = 'pending' AND d.next_at = 'infinity';
	ELSE
		UPDATE webhook_deliveries d SET next_at = 'infinity'
		WHERE d.tenant_id = NEW.tenant_id AND d.endpoint_id = NEW.id
		  AND d.state = 'pending';
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION webhook_endpoint_parked() FROM PUBLIC;
CREATE TRIGGER parked AFTER UPDATE OF enabled ON webhook_endpoints FOR EACH ROW
	WHEN (OLD.enabled IS DISTINCT FROM NEW.enabled)
	EXECUTE FUNCTION webhook_endpoint_parked();

-- the backlogs of endpoints disabled before
UPDATE webhook_deliveries d SET next_at = 'infinity'
FROM webhook_endpoints w
WHERE w.tenant_id = d.tenant_id AND w.id = d.endpoint_id AND NOT w.enabled
  AND d.state = 'pending';
