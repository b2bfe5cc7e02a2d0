-- 001_roles: the roles and the schema.
--
-- tenantry_owner     NOLOGIN; owns every object. Nothing connects as it.
-- tenantry_tenant    sees exactly one tenant (tenantry.tenant_id).
-- tenantry_platform  platform admin: every tenant, read and write.
-- tenantry_support   every tenant, read + support actions.
-- tenantry_oncall    every tenant, read-only (+ acknowledge alerts).
-- tenantry_app       tenantryd's login: owns nothing, NOINHERIT, may only
--                    SET ROLE to one of the four groups per request.
-- Roles are cluster-wide, so they are created only when missing.
DO $$
DECLARE r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['tenantry_owner', 'tenantry_tenant',
		'tenantry_platform', 'tenantry_support', 'tenantry_oncall'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', r);
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenantry_app') THEN
		CREATE ROLE tenantry_app LOGIN NOINHERIT NOBYPASSRLS;
	END IF;
END $$;

GRANT tenantry_tenant, tenantry_platform, tenantry_support, tenantry_oncall
	TO tenantry_app;

CREATE SCHEMA IF NOT EXISTS tenantry AUTHORIZATION tenantry_owner;
REVOKE ALL ON SCHEMA tenantry FROM PUBLIC;
GRANT USAGE ON SCHEMA tenantry TO tenantry_tenant, tenantry_platform,
	tenantry_support, tenantry_oncall;

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA tenantry;

CREATE TABLE IF NOT EXISTS tenantry.schema_migrations (
	name text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenantry.schema_migrations OWNER TO tenantry_owner;
GRANT SELECT ON tenantry.schema_migrations TO tenantry_platform,
	tenantry_support, tenantry_oncall;
