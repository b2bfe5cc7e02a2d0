/* admin.c - migration, login roles and bulk demo data over libpq. */
#include "store/admin.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrate.h"

PGconn *
admin_connect(const char *conninfo, const char *app, struct err *e)
{
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { conninfo ? conninfo : "", app, NULL };
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

/* DDL takes no parameters, so its text is built by PostgreSQL: a static
 * query whose format() quotes each name (%I) and literal (%L) from the
 * parameters, then the text it returns is run. No SQL is pasted in C. */
static const char OPERATOR_ROLE_SQL[] =
    "SELECT format('%s ROLE %I LOGIN INHERIT NOBYPASSRLS', $2::text, $1::text) "
    "|| coalesce(format(' PASSWORD %L', $3::text), '')";
static const char REVOKE_SQL[] = "SELECT format('REVOKE %I FROM %I', $1::text, $2::text)";
static const char GRANT_SQL[] = "SELECT format('GRANT %I TO %I', $1::text, $2::text)";

static int
run_built(PGconn *c, const char *build, int n, const char *const *params, struct err *e)
{
	PGresult *r = PQexecParams(c, build, n, NULL, params, NULL, NULL, 0);
	int rc = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		rc = run(c, PQgetvalue(r, 0, 0), 0, NULL, e) < 0 ? -1 : 0;
	else
		err_set(e, ERR_INTERNAL, "cannot build a statement: %s", PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

int
admin_migrate(const char *conninfo, int *applied, int *total, struct err *e)
{
	PGconn *c = admin_connect(conninfo, "tenantry-admin", e);
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
	const char *p[3] = { role, NULL, password };
	PGconn *c;
	long exists;
	int rc = -1;

	if (!group)
		return err_field(e, "role",
				 "the staff role must be platform_admin, support or oncall");
	if (!(c = admin_connect(conninfo, "tenantry-admin", e)))
		return -1;
	exists = run(c, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, p, e);
	if (exists < 0 || run(c, "BEGIN", 0, NULL, e) < 0
	    || run(c, "SET LOCAL client_min_messages = error", 0, NULL, e) < 0)
		goto out;
	p[1] = exists ? "ALTER" : "CREATE";
	if (run_built(c, OPERATOR_ROLE_SQL, 3, p, e) < 0)
		goto out;
	/* Exactly one staff role: an earlier one (or the old all-roles
	 * operator's) is taken away in the same transaction. */
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		const char *q[2] = { groups[i], role };

		if (strcmp(groups[i], group) != 0 && run_built(c, REVOKE_SQL, 2, q, e) < 0)
			goto out;
	}
	if (run_built(c, GRANT_SQL, 2, (const char *const[]){ group, role }, e) < 0
	    || run(c, "COMMIT", 0, NULL, e) < 0)
		goto out;
	rc = 0;
out:
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
	PGconn *c = admin_connect(conninfo, "tenantry-admin", e);
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

/* Fourteen days of storage and API call history before today for three
 * tenants in four, so that quota forecasts have trends: storage that
 * would fill its room in 10 to 90 days, calls at 2 to 19 times the hourly
 * limit a day, each day within +-20 %. */
/* clang-format off */
#define DEMO_HISTORY                                                         \
	"INSERT INTO tenantry.usage_daily (tenant_id, resource, day, amount) " \
	"SELECT q.tenant_id, q.resource, (now() AT TIME ZONE 'UTC')::date - g.d, " \
	"(CASE q.resource WHEN 'storage_bytes' THEN greatest(q.quota_limit - q.used, " \
	"q.used / 20, 1048576) / (10 + abs(hashtext(q.tenant_id::text)) % 80) " \
	"ELSE greatest(q.quota_limit, 100) * (2 + abs(hashtext(q.tenant_id::text " \
	"|| 'calls')) % 18) END) * (80 + abs(hashtext(q.tenant_id::text || g.d)) % 41) / 100 " \
	"FROM tenantry.quotas q, generate_series(1, 14) g(d) "               \
	"WHERE q.resource IN ('storage_bytes', 'api_calls') "                \
	"AND abs(hashtext(q.tenant_id::text || 'trend')) % 4 <> 0 "          \
	"ON CONFLICT DO NOTHING"
/* clang-format on */

int
admin_demo_age(const char *conninfo, struct err *e)
{
	PGconn *c = admin_connect(conninfo, "tenantry-admin", e);
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
		   < 0
	    || run(c, DEMO_HISTORY, 0, NULL, e) < 0)
		rc = -1;
	PQfinish(c);
	return rc;
}
