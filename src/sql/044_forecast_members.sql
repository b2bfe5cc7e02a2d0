-- 044_forecast_members.sql - what quota forecasts read of members.
--
-- Members are counted, not consumed: the forecast of a tenant's users quota
-- takes its daily amounts from the days its members still active joined
-- (store_pg.h, PG_FORECAST_DAYS). The oncall role reads the columns of
-- tenant_users that carry no identity (018); when a member joined is one
-- more of them.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

GRANT SELECT (joined_at) ON tenant_users TO tenantry_oncall;
