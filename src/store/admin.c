/* admin.c - migration, login roles and bulk demo data over libpq. */
#include "store/admin.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"

static PGconn *
open_conn(const char *conninfo, struct err *e)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { conninfo ? conninfo : "", "tenantry-admin", NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);

	if (!c || PQstatus(c) != CONNECTION_OK) {
		const char *m = c ? PQerrorMessage(c) : "out of memory";

		err_set(e, ERR_UNAVAILABLE, "cannot connect to the database: %.*s",
			(int)strcspn(m, "\n"), m);
		PQfinish(c);
		return NULL;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

/* Runs one parameterised statement; the number of rows it touched. */
static long
run(PGconn *c, const char *sql, int n, const char *const *params, struct err *e)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);
	long rows = -1;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		rows = s == PGRES_TUPLES_OK ? PQntuples(r) : atol(PQcmdTuples(r));
	} else {
		const char *m = PQresultErrorMessage(r);

		err_set(e, ERR_INTERNAL, "%.*s", (int)strcspn(m, "\n"), m);
	}
	PQclear(r);
	return rows;
}

int
admin_migrate(const char *conninfo, int *applied, int *total, struct err *e)
{
	PGconn *c = open_conn(conninfo, e);
	int rc;

	if (!c)
		return -1;
	rc = migrate_run(c, applied, e);
	if (total)
		*total = migration_count;
	PQfinish(c);
	return rc;
}

/* The group role behind a staff role. */
const char *
admin_staff_group(enum staff_role r)
{
	switch (r) {
	case STAFF_PLATFORM_ADMIN:
		return "tenantry_platform";
	case STAFF_SUPPORT:
		return "tenantry_support";
	case STAFF_ONCALL:
		return "tenantry_oncall";
	default:
		return NULL;
	}
}

int
admin_operator(const char *conninfo, const char *role, enum staff_role staff, const char *password,
	       struct err *e)
{
	static const char *const groups[] = { "tenantry_platform", "tenantry_support",
					      "tenantry_oncall", "tenantry_tenant" };
	const char *group = admin_staff_group(staff);
	PGconn *c;
	const char *p[1] = { role };
	char *id = NULL, *pw = NULL, sql[512];
	long exists;
	int rc = -1;

	if (!group)
		return err_field(e, "role",
				 "the staff role must be platform_admin, support or oncall");
	if (!(c = open_conn(conninfo, e)))
		return -1;
	/* DDL takes no parameters: the name and password are quoted by libpq. */
	id = PQescapeIdentifier(c, role, strlen(role));
	if (password)
		pw = PQescapeLiteral(c, password, strlen(password));
	if (!id || (password && !pw)) {
		err_set(e, ERR_BAD_REQUEST, "cannot quote role name or password");
		goto out;
	}
	exists = run(c, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, p, e);
	if (exists < 0 || run(c, "BEGIN", 0, NULL, e) < 0
	    || run(c, "SET LOCAL client_min_messages = error", 0, NULL, e) < 0)
		goto out;
	snprintf(sql, sizeof sql, "%s ROLE %s LOGIN INHERIT NOBYPASSRLS%s%s",
		 exists ? "ALTER" : "CREATE", id, pw ? " PASSWORD " : "", pw ? pw : "");
	if (run(c, sql, 0, NULL, e) < 0)
		goto out;
	/* Exactly one staff role: an earlier one (or the old all-roles
	 * operator's) is taken away in the same transaction. */
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		if (strcmp(groups[i], group) == 0)
			continue;
		snprintf(sql, sizeof sql, "REVOKE %s FROM %s", groups[i], id);
		if (run(c, sql, 0, NULL, e) < 0)
			goto out;
	}
	snprintf(sql, sizeof sql, "GRANT %s TO %s", group, id);
	if (run(c, sql, 0, NULL, e) < 0 || run(c, "COMMIT", 0, NULL, e) < 0)
		goto out;
	rc = 0;
out:
	PQfreemem(id);
	PQfreemem(pw);
	PQfinish(c);
	return rc;
}

static const char DEMO_USERS[] =
    "INSERT INTO tenantry.users (email, full_name, created_at) "
    "SELECT lower(f) || '.' || lower(l) || g || '@' || d, f || ' ' || l, "
    "now() - random() * interval '400 days' "
    "FROM generate_series(1, $1::int) g, "
    "LATERAL (SELECT (ARRAY['Alice','Bob','Carol','Dmitri','Eve','Farah','Gustav',"
    "'Hana','Ivan','Jade','Kenji','Lena','Mateo','Nia','Omar','Priya','Quinn',"
    "'Rosa','Sven','Tomás','Uma','Viktor','Wen','Yusuf','Zoë'])[1 + (g * 7) % 25] f, "
    "(ARRAY['Adams','Brown','Chen','Diaz','Evans','Fischer','Garcia','Haddad',"
    "'Ito','Jensen','Kowalski','López','Müller','Nakamura','Okafor','Petrov',"
    "'Rossi','Schmidt','Tanaka','Novak'])[1 + (g * 13) % 20] l, "
    "(ARRAY['example.com','mail.example.net','corp.example.org'])[1 + g % 3] d) n "
    "ON CONFLICT DO NOTHING";

/* Every tenant gets members up to a share of its user limit, never over
 * it (the counting trigger would refuse), with every role present. */
static const char DEMO_MEMBERS[] =
    "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role, joined_at, "
    "last_active_at) "
    "SELECT t.id, u.id, (ARRAY['manager','member','member','member','viewer',"
    "'admin'])[1 + (k % 6)], now() - random() * interval '300 days', "
    "CASE WHEN random() < 0.8 THEN now() - random() * interval '60 days' END "
    "FROM tenantry.tenants t JOIN tenantry.tiers tr ON tr.name = t.tier, "
    "LATERAL generate_series(1, greatest(0, least(CASE WHEN tr.max_users < 0 "
    "THEN 60 ELSE tr.max_users * 7 / 10 END, "
    "(abs(hashtext(t.slug)) % (CASE WHEN tr.max_users < 0 THEN 60 "
    "ELSE tr.max_users END)) + 2))) k, "
    "LATERAL (SELECT id FROM tenantry.users WHERE email LIKE '%@%example%' "
    "OFFSET (abs(hashtext(t.slug || k)) % $1::int) LIMIT 1) u "
    "ON CONFLICT DO NOTHING";

int
admin_demo_members(const char *conninfo, int pool, long *members, struct err *e)
{
	PGconn *c = open_conn(conninfo, e);
	char n[16];
	const char *p[1] = { n };
	long rows;

	*members = 0;
	if (!c)
		return -1;
	snprintf(n, sizeof n, "%d", pool);
	PQclear(PQexec(c, "SELECT set_config('tenantry.actor', 'demo', false), "
			  "set_config('tenantry.actor_kind', 'system', false)"));
	if (run(c, DEMO_USERS, 1, p, e) < 0 || (rows = run(c, DEMO_MEMBERS, 1, p, e)) < 0) {
		PQfinish(c);
		return -1;
	}
	*members = rows;
	PQfinish(c);
	return 0;
}

int
admin_demo_age(const char *conninfo, struct err *e)
{
	PGconn *c = open_conn(conninfo, e);
	int rc = 0;

	if (!c)
		return -1;
	PQclear(PQexec(c, "SELECT set_config('tenantry.actor', 'demo', false), "
			  "set_config('tenantry.actor_kind', 'system', false)"));
	if (run(c,
		"UPDATE tenantry.invitations SET expires_at = now() - interval '2 days' "
		"WHERE accepted_at IS NULL AND revoked_at IS NULL "
		"AND abs(hashtext(id::text)) % 3 = 0",
		0, NULL, e)
		< 0
	    || run(c,
		   "UPDATE tenantry.tenants SET billing_status = "
		   "(ARRAY['past_due','unpaid'])[1 + abs(hashtext(slug)) % 2] "
		   "WHERE abs(hashtext(slug || 'bill')) % 9 = 0",
		   0, NULL, e)
		   < 0)
		rc = -1;
	PQfinish(c);
	return rc;
}
