-- 015_search_terms: the substring filter's trigrams, kept in name order.
--
-- The filter answers "the first page, in name order, of the tenants whose
-- haystack (010_search) contains this text". The trigram index finds every
-- match but not in order: for a term that 1 tenant in 32 carries, all of
-- them were read from the table and sorted, one table page per match
-- (3,125 pages at 100,000 tenants), before the first 50 could be shown.
--
-- tenant_terms holds each tenant's distinct three-character substrings of
-- its haystack with its name: (term, name, tenant_id) is the primary key,
-- so the tenants carrying one trigram are an index range in name order. A
-- match carries every trigram of the filter text, so the filter starts at
-- the latest of the trigrams' first entries, walks the rarest trigram's
-- range from there and checks each tenant's haystack until the page is
-- full. A trigger keeps the rows; about 34 per tenant.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

-- The distinct three-character substrings of a text (characters, not
-- bytes). The filter takes its trigrams with the same function. PL/pgSQL,
-- so that its plan is kept for the session and the filter's own plan does
-- not depend on the text: a SQL function would be inlined, and the filter
-- planned again for every text.
CREATE FUNCTION search_terms(p text) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE ROWS 8 AS $$
BEGIN
	RETURN QUERY SELECT DISTINCT substr(p, i, 3) FROM generate_series(1, length(p) - 2) i;
END
$$;
GRANT EXECUTE ON FUNCTION search_terms(text) TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;

-- No foreign key: its check on a tenant's delete would look rows up by
-- tenant_id, which would need a second index as large as the table. The
-- trigger deletes by the primary key instead.
CREATE TABLE tenant_terms (
	term text NOT NULL,
	name text NOT NULL,
	tenant_id uuid NOT NULL,
	PRIMARY KEY (term, name, tenant_id)
);

ALTER TABLE tenant_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_terms_owner ON tenant_terms FOR ALL TO tenantry_owner
	USING (true) WITH CHECK (true);
CREATE POLICY tenant_terms_tenant ON tenant_terms FOR SELECT TO tenantry_tenant
	USING (tenant_id = (SELECT current_tenant()));
CREATE POLICY tenant_terms_staff ON tenant_terms FOR SELECT
	TO tenantry_platform, tenantry_support, tenantry_oncall USING (true);
GRANT SELECT ON tenant_terms TO tenantry_tenant, tenantry_platform, tenantry_support,
	tenantry_oncall;

CREATE FUNCTION keep_terms() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		DELETE FROM tenant_terms
		WHERE term IN (SELECT search_terms(OLD.search))
		AND name = OLD.name AND tenant_id = OLD.id;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO tenant_terms (term, name, tenant_id)
		SELECT g, NEW.name, NEW.id FROM search_terms(NEW.search) g;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER keep_terms AFTER INSERT OR DELETE ON tenants
	FOR EACH ROW EXECUTE FUNCTION keep_terms();
CREATE TRIGGER keep_terms_update AFTER UPDATE OF slug, name, domain ON tenants
	FOR EACH ROW WHEN (OLD.search IS DISTINCT FROM NEW.search
			   OR OLD.name IS DISTINCT FROM NEW.name)
	EXECUTE FUNCTION keep_terms();

INSERT INTO tenant_terms (term, name, tenant_id)
SELECT g, t.name, t.id FROM tenants t, search_terms(t.search) g
ORDER BY 1, 2, 3;
