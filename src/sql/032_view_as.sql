-- 032_view_as.sql - support access ("view as a member of a tenant") is a
-- session: started with a reason and a duration (1 to 240 minutes), ended
-- by its staff member or a platform admin, or by its time running out;
-- each start and end is an audit entry on the tenant's chain, the same
-- whether the console (direct or remote) or a REST client asked.
SET LOCAL ROLE tenantry_owner;
SET LOCAL search_path = tenantry, pg_catalog;

CREATE TABLE view_as_sessions (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
	staff text NOT NULL,
	role text NOT NULL CHECK (role IN ('admin', 'manager', 'member', 'viewer')),
	reason text NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
	started_at timestamptz NOT NULL DEFAULT now(),
	ends_at timestamptz NOT NULL,
	ended_at timestamptz,
	ended_by text,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX view_as_sessions_open ON view_as_sessions (ends_at)
	WHERE ended_at IS NULL;

-- Only staff read sessions (platform admins all, support their own), and
-- only the functions below write them.
ALTER TABLE view_as_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE view_as_sessions FORCE ROW LEVEL SECURITY;
REVOKE ALL ON view_as_sessions FROM PUBLIC, tenantry_tenant, tenantry_oncall,
	tenantry_support, tenantry_platform, tenantry_auth;
GRANT SELECT ON view_as_sessions TO tenantry_platform, tenantry_support;
CREATE POLICY view_as_sessions_owner ON view_as_sessions FOR ALL
	TO tenantry_owner USING (true) WITH CHECK (true);
CREATE POLICY view_as_sessions_platform ON view_as_sessions FOR SELECT
	TO tenantry_platform USING (true);
CREATE POLICY view_as_sessions_support ON view_as_sessions FOR SELECT
	TO tenantry_support USING (staff = (SELECT current_actor()));
-- The tenant role holds no privilege on the table; this policy only says
-- so to the catalog checks.
CREATE POLICY view_as_sessions_tenant ON view_as_sessions FOR SELECT
	TO tenantry_tenant USING (false);

-- Ends the sessions whose time ran out, each with its audit entry.
CREATE FUNCTION view_as_expire() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v record;
	n int := 0;
BEGIN
	FOR v IN UPDATE view_as_sessions s SET ended_at = s.ends_at, ended_by = 'expired'
		WHERE s.ended_at IS NULL AND s.ends_at <= now()
		RETURNING s.tenant_id, s.id, s.staff, s.role
	LOOP
		PERFORM audit_event(v.tenant_id, 'support.view_as.end', 'tenant',
			v.tenant_id::text, jsonb_build_object('session', v.id,
			'staff', v.staff, 'role', v.role, 'ended_by', 'expired'));
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;

-- Starts a session of the calling staff member (the actor) in p_tenant
-- (id or slug) as p_role. 22023 for a bad duration or reason, P0002 for a
-- tenant that does not exist.
CREATE FUNCTION view_as_start(p_tenant text, p_role text, p_reason text,
	p_minutes int)
RETURNS SETOF view_as_sessions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v_tenant uuid;
	v view_as_sessions;
BEGIN
	IF p_minutes IS NULL OR p_minutes NOT BETWEEN 1 AND 240 THEN
		RAISE EXCEPTION 'minutes must be 1 to 240' USING ERRCODE = '22023',
			COLUMN = 'minutes';
	END IF;
	IF p_reason IS NULL OR char_length(btrim(p_reason)) < 3 THEN
		RAISE EXCEPTION 'a reason is required (it is audited)'
			USING ERRCODE = '22023', COLUMN = 'reason';
	END IF;
	SELECT t.id INTO v_tenant FROM tenants t
		WHERE t.id::text = p_tenant OR t.slug = lower(p_tenant);
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
	END IF;
	PERFORM view_as_expire();
	INSERT INTO view_as_sessions (tenant_id, staff, role, reason, ends_at)
	VALUES (v_tenant, current_actor(), p_role, btrim(p_reason),
		now() + make_interval(mins => p_minutes))
	RETURNING * INTO v;
	PERFORM audit_event(v_tenant, 'support.view_as.start', 'tenant',
		v_tenant::text, jsonb_build_object('session', v.id, 'staff', v.staff,
		'role', v.role, 'reason', v.reason, 'minutes', p_minutes));
	RETURN NEXT v;
END
$$;

-- Ends a session: its own staff member, or a platform admin. P0002 when
-- there is no such open session for the caller.
CREATE FUNCTION view_as_end(p_id uuid)
RETURNS SETOF view_as_sessions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
DECLARE
	v view_as_sessions;
BEGIN
	PERFORM view_as_expire();
	UPDATE view_as_sessions s SET ended_at = now(), ended_by = current_actor()
	WHERE s.id = p_id AND s.ended_at IS NULL
	  AND (s.staff = current_actor()
	       OR current_setting('role') = 'tenantry_platform')
	RETURNING * INTO v;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such view-as session' USING ERRCODE = 'P0002';
	END IF;
	PERFORM audit_event(v.tenant_id, 'support.view_as.end', 'tenant',
		v.tenant_id::text, jsonb_build_object('session', v.id, 'staff', v.staff,
		'role', v.role, 'ended_by', v.ended_by));
	RETURN NEXT v;
END
$$;

-- The open sessions the caller may see (expired ones are ended first).
CREATE FUNCTION view_as_list()
RETURNS SETOF view_as_sessions
LANGUAGE plpgsql SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
BEGIN
	PERFORM view_as_expire();
	RETURN QUERY SELECT * FROM view_as_sessions s
		WHERE s.ended_at IS NULL
		  AND (s.staff = current_actor()
		       OR current_setting('role') = 'tenantry_platform')
		ORDER BY s.started_at;
END
$$;

-- The caller's own session p_id while it is open: no row otherwise.
CREATE FUNCTION view_as_active(p_id uuid)
RETURNS SETOF view_as_sessions
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = tenantry, pg_catalog AS $$
	SELECT * FROM view_as_sessions s
	WHERE s.id = p_id AND s.staff = current_actor() AND s.ended_at IS NULL
	  AND s.ends_at > now()
$$;

REVOKE EXECUTE ON FUNCTION view_as_expire(), view_as_start(text, text, text, int),
	view_as_end(uuid), view_as_list(), view_as_active(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION view_as_start(text, text, text, int), view_as_end(uuid),
	view_as_list(), view_as_active(uuid)
	TO tenantry_platform, tenantry_support;
