/* doctor.c - the catalog checks and the live probe of `tenantry doctor`. */
#include "store/doctor.h"

#include "store/admin.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each query returns (object, message) rows, one per failure. */
static const struct {
	const char *check;
	const char *sql;
} checks[] = {
	/* Every tenant table (one with a tenant_id column, and tenants
	 * itself): RLS enabled, forced, and at least one policy. */
	{ "rls", "SELECT c.oid::regclass::text, concat_ws(', ', "
		 "CASE WHEN NOT c.relrowsecurity THEN 'row-level security is not enabled' END, "
		 "CASE WHEN NOT c.relforcerowsecurity THEN 'row-level security is not forced' END, "
		 "CASE WHEN NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) "
		 "THEN 'it has no policy' END) "
		 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		 "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p') "
		 "AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a "
		 "WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)) "
		 "AND NOT (c.relrowsecurity AND c.relforcerowsecurity "
		 "AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)) "
		 "ORDER BY 1" },
	/* Application logins: login roles that are members (directly or
	 * not) of a tenantry role. Not superuser, no BYPASSRLS, own
	 * nothing in this database. */
	{ "login",
	  "WITH RECURSIVE m(member) AS ("
	  " SELECT am.member FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid"
	  " WHERE g.rolname LIKE 'tenantry\\_%' "
	  " UNION SELECT am.member FROM pg_auth_members am JOIN m ON am.roleid = m.member), "
	  "apps AS (SELECT r.oid, r.rolname, r.rolsuper, r.rolbypassrls FROM pg_roles r "
	  " WHERE r.rolcanlogin AND r.oid IN (SELECT member FROM m) "
	  " AND r.rolname NOT LIKE 'tenantry\\_owner') "
	  "SELECT a.rolname, concat_ws(', ', "
	  "CASE WHEN a.rolsuper THEN 'is a superuser' END, "
	  "CASE WHEN a.rolbypassrls THEN 'can bypass row-level security' END, "
	  "CASE WHEN EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = a.oid) "
	  " OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = a.oid) "
	  " OR EXISTS (SELECT 1 FROM pg_namespace s WHERE s.nspowner = a.oid) "
	  " OR EXISTS (SELECT 1 FROM pg_type t WHERE t.typowner = a.oid) "
	  "THEN 'owns objects' END, "
	  "CASE WHEN pg_has_role(a.oid, 'tenantry_owner', 'MEMBER') "
	  "THEN 'is a member of the owner role' END) "
	  "FROM apps a WHERE a.rolsuper OR a.rolbypassrls "
	  "OR pg_has_role(a.oid, 'tenantry_owner', 'MEMBER') "
	  "OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = a.oid) "
	  "OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.proowner = a.oid) "
	  "OR EXISTS (SELECT 1 FROM pg_namespace s WHERE s.nspowner = a.oid) "
	  "OR EXISTS (SELECT 1 FROM pg_type t WHERE t.typowner = a.oid) "
	  "ORDER BY 1" },
	/* The group roles themselves never bypass RLS either. */
	{ "login", "SELECT rolname, concat_ws(', ', CASE WHEN rolsuper THEN 'is a superuser' END, "
		   "CASE WHEN rolbypassrls THEN 'can bypass row-level security' END) "
		   "FROM pg_roles WHERE rolname LIKE 'tenantry\\_%' AND (rolsuper OR rolbypassrls) "
		   "ORDER BY 1" },
	/* SECURITY DEFINER: a pinned search_path, no EXECUTE for PUBLIC. */
	{ "definer", "SELECT p.oid::regprocedure::text, concat_ws(', ', "
		     "CASE WHEN NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c "
		     " WHERE c LIKE 'search\\_path=%') THEN 'search_path is not pinned' END, "
		     "CASE WHEN pub.x THEN 'PUBLIC may execute it' END) "
		     "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, "
		     "LATERAL (SELECT EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, "
		     " acldefault('f', p.proowner))) a WHERE a.grantee = 0 "
		     " AND a.privilege_type = 'EXECUTE') AS x) pub "
		     "WHERE n.nspname = 'tenantry' AND p.prosecdef AND (pub.x OR NOT EXISTS "
		     "(SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\\_path=%')) "
		     "ORDER BY 1" },
	/* Views run with the caller's rights. */
	{ "view", "SELECT c.oid::regclass::text, 'is not security_invoker' "
		  "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		  "WHERE n.nspname = 'tenantry' AND c.relkind = 'v' "
		  "AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'] "
		  "OR c.reloptions @> ARRAY['security_invoker=on'] "
		  "OR c.reloptions @> ARRAY['security_invoker=1'], false) "
		  "ORDER BY 1" },
};

static int
add(struct doctor_report *r, const char *check, const char *object, const char *message)
{
	struct doctor_failure *f = realloc(r->fail, (r->n + 1) * sizeof *f);

	if (!f)
		return -1;
	r->fail = f;
	f += r->n++;
	snprintf(f->check, sizeof f->check, "%s", check);
	snprintf(f->object, sizeof f->object, "%s", object);
	snprintf(f->message, sizeof f->message, "%s", message);
	return 0;
}

static int
failed(struct err *e, PGresult *r)
{
	const char *m = PQresultErrorMessage(r);

	err_set(e, ERR_INTERNAL, "doctor: %.*s", (int)strcspn(m, "\n"), m);
	PQclear(r);
	return -1;
}

/* In tenant a's context (the tenant role), rows of tenant b in table t
 * (counted by the statement sql, which takes b's id): one failure when any
 * is visible. A table the tenant role may not read at all shows nothing,
 * which is as it should. */
static int
probe_table(PGconn *c, struct doctor_report *out, const char *t, const char *sql, const char *a,
	    const char *b, struct err *e)
{
	const char *p[2] = { a, b };
	char msg[200];
	PGresult *r;

	PQclear(PQexec(c, "SAVEPOINT probe"));
	PQclear(PQexecParams(c,
			     "SELECT set_config('role', 'tenantry_tenant', true), "
			     "set_config('tenantry.tenant_id', $1, true)",
			     1, NULL, p, NULL, NULL, 0));
	r = PQexecParams(c, sql, 1, NULL, p + 1, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && atol(PQgetvalue(r, 0, 0)) > 0) {
		snprintf(msg, sizeof msg, "tenant %s's context sees %s of tenant %s's rows", a,
			 PQgetvalue(r, 0, 0), b);
		if (add(out, "probe", t, msg) < 0) {
			PQclear(r);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
	}
	PQclear(r);
	PQclear(PQexec(c, "ROLLBACK TO SAVEPOINT probe"));
	return 0;
}

/* Two tenants' contexts see none of each other's rows in any tenant
 * table. Without two tenants there is nothing to probe. */
static int
probe(PGconn *c, struct doctor_report *out, struct err *e)
{
	PGresult *ten, *tabs;
	int rc = 0;

	ten = PQexec(c, "SELECT id::text FROM tenantry.tenants ORDER BY created_at, id LIMIT 2");
	if (PQresultStatus(ten) != PGRES_TUPLES_OK)
		return failed(e, ten);
	/* each table's probe is built by format() from the catalog */
	tabs = PQexec(c, "SELECT c.oid::regclass::text, format('SELECT count(*) FROM %s "
			 "WHERE %I = $1::uuid', c.oid::regclass, CASE WHEN c.relname = 'tenants' "
			 "THEN 'id' ELSE 'tenant_id' END) FROM pg_class c "
			 "JOIN pg_namespace n ON n.oid = c.relnamespace "
			 "WHERE n.nspname = 'tenantry' AND c.relkind IN ('r', 'p', 'v') "
			 "AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a "
			 "WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' "
			 "AND NOT a.attisdropped)) ORDER BY 1");
	if (PQresultStatus(tabs) != PGRES_TUPLES_OK) {
		PQclear(ten);
		return failed(e, tabs);
	}
	if (PQntuples(ten) == 2) {
		PQclear(PQexec(c, "BEGIN"));
		for (int i = 0; i < PQntuples(tabs) && rc == 0; i++)
			for (int k = 0; k < 2 && rc == 0; k++)
				rc = probe_table(c, out, PQgetvalue(tabs, i, 0),
						 PQgetvalue(tabs, i, 1), PQgetvalue(ten, k, 0),
						 PQgetvalue(ten, 1 - k, 0), e);
		PQclear(PQexec(c, "ROLLBACK"));
	}
	PQclear(ten);
	PQclear(tabs);
	return rc;
}

int
doctor_run(struct doctor_report *out, const char *conninfo, struct err *e)
{
	PGconn *c;

	memset(out, 0, sizeof *out);
	if (!(c = admin_connect(conninfo, "tenantry-doctor", e)))
		return -1;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		PGresult *r = PQexec(c, checks[i].sql);

		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			failed(e, r);
			goto fail;
		}
		out->checks++;
		for (int k = 0; k < PQntuples(r); k++)
			if (add(out, checks[i].check, PQgetvalue(r, k, 0), PQgetvalue(r, k, 1))
			    < 0) {
				PQclear(r);
				err_set(e, ERR_INTERNAL, "out of memory");
				goto fail;
			}
		PQclear(r);
	}
	if (probe(c, out, e) < 0)
		goto fail;
	out->checks++;
	PQfinish(c);
	return 0;
fail:
	PQfinish(c);
	doctor_free(out);
	return -1;
}

void
doctor_free(struct doctor_report *r)
{
	free(r->fail);
	r->fail = NULL;
	r->n = 0;
}
