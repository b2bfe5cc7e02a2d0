-- 043_health_as_of.sql - when a tenant's health score and usage peak were
-- computed.
--
-- Both are kept on the tenant row so that the tenant list can sort and
-- page by them; they are recomputed by the health refresh (every tenant,
-- the background job's interval) and for one tenant right after a change
-- that moves them (a tier, a quota limit). health_at says when, so every
-- view that shows them can say "as of". Neither the refresh nor the time
-- is an edit of the tenant: no audit entry, updated_at stays.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE tenants ADD COLUMN health_at timestamptz;

CREATE FUNCTION refresh_not_an_edit() RETURNS trigger
LANGUAGE plpgsql SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF NEW.health_at IS DISTINCT FROM OLD.health_at THEN
		NEW.updated_at := OLD.updated_at;
	END IF;
	RETURN NEW;
END
$$;
-- BEFORE triggers run in name order: after lifecycle, which sets updated_at.
CREATE TRIGGER refresh_not_an_edit BEFORE UPDATE OF health_at ON tenants
	FOR EACH ROW EXECUTE FUNCTION refresh_not_an_edit();

DROP TRIGGER audit ON tenants;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenants
	FOR EACH ROW EXECUTE FUNCTION audit_row('tenant', 'id', 'slug',
	'{updated_at,health_score,usage_peak,search,members,health_at}');

-- on-call staff set quota limits, after which the tenant's figures are
-- recomputed in the same session
GRANT UPDATE (health_score, usage_peak, health_at) ON tenants TO tenantry_oncall;
