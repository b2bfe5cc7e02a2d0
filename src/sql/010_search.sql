-- 010_search: the tenant filter's haystack as a stored column.
--
-- The substring filter matched lower(slug || ' ' || name || ' ' || domain),
-- computed again for every row it looked at. Stored, it is computed once
-- per write, and the name index carries it (INCLUDE), so walking tenants in
-- name order to find the first page of matches is an index-only scan: no
-- heap page is read for a name that does not match. The trigram index
-- moves to the column; it was an index on the same expression.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE tenants ADD COLUMN search text NOT NULL
	GENERATED ALWAYS AS (lower(slug || ' ' || name || ' ' || coalesce(domain, ''))) STORED;

DROP INDEX tenants_search_trgm;
CREATE INDEX tenants_search_trgm ON tenants USING gin (search gin_trgm_ops);
DROP INDEX tenants_name_idx;
CREATE INDEX tenants_name_idx ON tenants (name, id) INCLUDE (search);

-- A derived column is not a change worth an audit entry.
DROP TRIGGER audit ON tenants;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON tenants
	FOR EACH ROW EXECUTE FUNCTION audit_row('tenant', 'id', 'slug',
	'{updated_at,health_score,usage_peak,search}');
