/* roles.c - what a direct-mode login may switch to (`tenantry --as`). */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "store/admin.h"

int
admin_role_check(const char *conninfo, const char *group, struct err *e)
{
	const char *p[1] = { group };
	PGconn *c = admin_connect(conninfo, "tenantry", e);
	PGresult *r;
	int rc = -1;

	if (!c)
		return -1;
	/* What the login holds: the staff and tenant roles it may SET ROLE
	 * to, for the message. */
	r = PQexecParams(c,
			 "SELECT session_user, pg_has_role(session_user, $1, 'MEMBER'), "
			 "coalesce((SELECT string_agg(replace(rolname, 'tenantry_', ''), ', ' "
			 "ORDER BY rolname) FROM pg_roles WHERE rolname IN ('tenantry_platform', "
			 "'tenantry_support', 'tenantry_oncall', 'tenantry_tenant') "
			 "AND pg_has_role(session_user, oid, 'MEMBER')), 'none') "
			 "FROM pg_roles WHERE rolname = $1",
			 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorMessage(r);

		err_set(e, ERR_INTERNAL, "%.*s", (int)strcspn(m, "\n"), m);
	} else if (PQntuples(r) != 1) {
		err_set(e, ERR_UNAVAILABLE, "role %s does not exist: is the database migrated?",
			group);
	} else if (PQgetvalue(r, 0, 1)[0] != 't') {
		err_set(e, ERR_FORBIDDEN,
			"--as: login %s is not a member of %s; --as only narrows what the "
			"login holds (it may use: %s)",
			PQgetvalue(r, 0, 0), group, PQgetvalue(r, 0, 2));
	} else {
		rc = 0;
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}
