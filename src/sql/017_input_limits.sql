-- 017_input_limits: JSON values nest at most 32 levels and hold at most
-- 32 KiB, in the database as in tenantryd (src/core/json_limit.h).
--
-- A reader parses a stored value to send it on, and a value nested a few
-- thousand levels deep took the reader down with it (issue 16). So the
-- database refuses such values however they are written, psql included:
-- settings and branding of a tenant, a member's permissions, a setting
-- of type json and an audit event's detail. The old constraints were
-- created NOT VALID in their place: a row written before this migration
-- is not checked (and tenantry shows a stored value nested deeper than 64
-- levels as {"error":"nested_too_deep"} instead of parsing it).
--
-- jsonb_depth() counts levels as tenantry does: a scalar is 0, {} is 1,
-- {"a": []} is 2. It walks the value breadth first, not by recursion, and
-- stops one level past `stop`.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE FUNCTION jsonb_depth(j jsonb, stop int DEFAULT 64) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	WITH RECURSIVE walk(v, d) AS (
		SELECT j, 1 WHERE jsonb_typeof(j) IN ('object', 'array')
		UNION ALL
		SELECT c.v, w.d + 1
		FROM walk w, LATERAL (
			SELECT value FROM jsonb_each(CASE WHEN jsonb_typeof(w.v) = 'object'
				THEN w.v ELSE '{}' END)
			UNION ALL
			SELECT value FROM jsonb_array_elements(CASE
				WHEN jsonb_typeof(w.v) = 'array' THEN w.v ELSE '[]' END)
		) c(v)
		WHERE w.d <= stop AND jsonb_typeof(c.v) IN ('object', 'array')
	)
	SELECT coalesce(max(d), 0) FROM walk
$$;
GRANT EXECUTE ON FUNCTION jsonb_depth(jsonb, int)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

-- The limits of one stored value; the constraints keep their names, so an
-- error still names the column (settings, branding, permissions, value).
CREATE FUNCTION json_within_limits(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT j IS NULL OR (octet_length(j::text) <= 32768 AND tenantry.jsonb_depth(j, 32) <= 32)
$$;
GRANT EXECUTE ON FUNCTION json_within_limits(jsonb)
	TO tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall;

ALTER TABLE tenants DROP CONSTRAINT tenants_settings_check,
	ADD CONSTRAINT tenants_settings_check CHECK (jsonb_typeof(settings) = 'object'
		AND json_within_limits(settings)) NOT VALID,
	DROP CONSTRAINT tenants_branding_check,
	ADD CONSTRAINT tenants_branding_check CHECK (jsonb_typeof(branding) = 'object'
		AND json_within_limits(branding)) NOT VALID;

ALTER TABLE tenant_users DROP CONSTRAINT tenant_users_permissions_check,
	ADD CONSTRAINT tenant_users_permissions_check
		CHECK (jsonb_typeof(permissions) = 'object'
		AND json_within_limits(permissions)) NOT VALID;

ALTER TABLE tenant_settings DROP CONSTRAINT tenant_settings_value_check,
	ADD CONSTRAINT tenant_settings_value_check CHECK (octet_length(value) <= 65536
		AND (type <> 'json' OR json_within_limits(value::jsonb))) NOT VALID;

-- audit_event() as in 004_audit, with the detail and the resource held to
-- the limits (a row's own audit entries hold what its table's constraints
-- let in). A violation is SQLSTATE 23514 naming the argument.
CREATE OR REPLACE FUNCTION audit_event(p_tenant uuid, p_action text, p_rtype text,
	p_rid text, p_detail jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid := coalesce(p_tenant, '00000000-0000-0000-0000-000000000000');
BEGIN
	IF p_action !~ '^[a-z_]+\.[a-z_.]+$' OR length(p_action) > 63 THEN
		RAISE EXCEPTION 'invalid audit action %', p_action
			USING ERRCODE = '22023';
	END IF;
	IF NOT json_within_limits(p_detail) THEN
		RAISE EXCEPTION 'detail nests deeper than 32 levels or is longer than 32768 bytes'
			USING ERRCODE = '23514', CONSTRAINT = 'detail';
	END IF;
	IF octet_length(p_rid) > 127 THEN
		RAISE EXCEPTION 'resource_id is longer than 127 bytes'
			USING ERRCODE = '23514', CONSTRAINT = 'resource_id';
	END IF;
	IF octet_length(p_rtype) > 31 THEN
		RAISE EXCEPTION 'resource_type is longer than 31 bytes'
			USING ERRCODE = '23514', CONSTRAINT = 'resource_type';
	END IF;
	IF current_setting('role') = 'tenantry_tenant'
	   AND v_tenant IS DISTINCT FROM current_tenant() THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	IF p_tenant IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = p_tenant) THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	RETURN audit_append(v_tenant, p_action, p_rtype, p_rid, NULL, p_detail);
END
$$;
