-- 014_audit_inline: the functions on every audited write planned once.
--
-- A SQL function that the planner does not inline is parsed and planned
-- again in every transaction that calls it from PL/pgSQL (its cache lives
-- only as long as the calling expression's state); PL/pgSQL keeps its
-- plans for the session (as 009_refs found for tenant_ref).
--
-- audit_append() hashes audit_canonical(), which is inlined, and that
-- calls audit_field() on each field. audit_field was IMMUTABLE, and an
-- immutable function is not inlined over a stable argument (the time
-- stamp's to_char), so that one call was parsed and planned in every
-- appending transaction: about 6 % of the machine at 8 clients.
-- Declared STABLE, which is all the canonical text needs, it inlines like
-- the other eleven: appends at 8 clients went from about 1,300/s to about
-- 2,200/s on a 2-core machine.
--
-- is_purging(), asked by the audit trigger on every audited row and by the
-- member and key counters, is SECURITY DEFINER with a search_path, which a
-- SQL function never inlines: as PL/pgSQL it saves about 65 us a call
-- (pgbench of the call alone: 0.19 ms -> 0.13 ms a transaction).
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER FUNCTION audit_field(text) STABLE;

CREATE OR REPLACE FUNCTION is_purging(p_tenant uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM tenantry.purging WHERE tenant_id = p_tenant);
END
$$;
