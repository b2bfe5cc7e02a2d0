-- 051_citus_keys.sql - every unique key of a tenant table holds tenant_id,
-- so that each table can be distributed by tenant_id (tenantry doctor
-- --citus; docs/operations.md, "Beyond one database server").
--
-- view_as_sessions had UNIQUE (id) beside its primary key (tenant_id, id):
-- a sharded database can enforce a unique key only within one shard, so a
-- key without the distribution column cannot exist there. The id is a
-- random UUID, unique without the constraint; the sessions are still found
-- by id alone (view_as_end), through a plain index.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

ALTER TABLE view_as_sessions DROP CONSTRAINT view_as_sessions_id_key;
CREATE INDEX view_as_sessions_id ON view_as_sessions (id);
