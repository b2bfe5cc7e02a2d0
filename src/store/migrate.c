/* migrate.c - apply the embedded migrations once each. */
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arbitrary, fixed: "tenantry" in ASCII. */
#define MIGRATE_LOCK 0x74656e616e747279LL

static int
fail(struct err *e, PGconn *c, const PGresult *r, const char *what)
{
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
	size_t n = strcspn(msg, "\n");

	return err_set(e, PQstatus(c) == CONNECTION_OK ? ERR_INTERNAL : ERR_UNAVAILABLE, "%s: %.*s",
		       what, (int)n, msg);
}

static int
exec_ok(PGconn *c, const char *sql, struct err *e, const char *what)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = fail(e, c, r, what);
	PQclear(r);
	return rc;
}

/* Is name recorded? 1 yes, 0 no, -1 error. */
static int
recorded(PGconn *c, const char *name, struct err *e)
{
	const char *params[1] = { name };
	PGresult *r;
	int rc;

	r = PQexec(c, "SELECT to_regclass('tenantry.schema_migrations') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = fail(e, c, r, "reading schema_migrations");
		PQclear(r);
		return rc;
	}
	rc = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!rc)
		return 0;
	r = PQexecParams(c, "SELECT 1 FROM tenantry.schema_migrations WHERE name = $1", 1, NULL,
			 params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = fail(e, c, r, "reading schema_migrations");
		PQclear(r);
		return rc;
	}
	rc = PQntuples(r) > 0;
	PQclear(r);
	return rc;
}

static int
apply(PGconn *c, const struct migration *m, struct err *e)
{
	const char *params[1] = { m->name };
	char what[128];
	PGresult *r;

	snprintf(what, sizeof what, "migration %s", m->name);
	if (exec_ok(c, "BEGIN", e, what) < 0)
		return -1;
	if (exec_ok(c, m->sql, e, what) < 0)
		goto rollback;
	r = PQexecParams(c, "INSERT INTO tenantry.schema_migrations (name) VALUES ($1)", 1, NULL,
			 params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fail(e, c, r, what);
		PQclear(r);
		goto rollback;
	}
	PQclear(r);
	return exec_ok(c, "COMMIT", e, what);
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

int
migrate_run(PGconn *c, int *applied, struct err *e)
{
	char lock[96];
	int n = 0, rc = 0;

	if (applied)
		*applied = 0;
	snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%lld)", MIGRATE_LOCK);
	if (exec_ok(c, "SET client_min_messages = warning", e, "migrate") < 0
	    || exec_ok(c, lock, e, "taking the migration lock") < 0)
		return -1;
	for (int i = 0; i < migration_count; i++) {
		int done = recorded(c, migrations[i].name, e);

		if (done < 0 || (!done && apply(c, &migrations[i], e) < 0)) {
			rc = -1;
			break;
		}
		n += !done;
	}
	snprintf(lock, sizeof lock, "SELECT pg_advisory_unlock(%lld)", MIGRATE_LOCK);
	PQclear(PQexec(c, lock));
	if (applied)
		*applied = n;
	return rc;
}
