/* store_pg_view_as.c - support access sessions over libpq: the functions
 * of 032_view_as.sql, which check who may start, see and end them and
 * write their audit entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

/* clang-format off */
#define VIEW_COLS                                                            \
	"s.id, s.tenant_id, s.staff, s.role, s.reason, " US("s.started_at")  \
	", " US("s.ends_at") ", " US("s.ended_at") ", coalesce(s.ended_by, ''), " \
	"coalesce(s.member, ''), s.permissions::text"
/* clang-format on */

static void
view_row(struct view_session *v, const PGresult *r, int row)
{
	enum member_role role = ROLE_VIEWER;

	memset(v, 0, sizeof *v);
	pg_cpy(v->id, r, row, 0);
	pg_cpy(v->tenant_id, r, row, 1);
	pg_cpy(v->staff, r, row, 2);
	member_role_parse(pg_s(r, row, 3), &role);
	v->role = role;
	pg_cpy(v->reason, r, row, 4);
	v->started_at = pg_i64(r, row, 5);
	v->ends_at = pg_i64(r, row, 6);
	v->ended_at = pg_i64(r, row, 7);
	pg_cpy(v->ended_by, r, row, 8);
	pg_cpy(v->member, r, row, 9);
	pg_overrides(&v->over, pg_s(r, row, 10));
}

/* One session from r (the first row), or ERR_NOT_FOUND. */
static int
one_session(struct view_session *out, PGresult *r, struct err *e)
{
	int n = PQntuples(r);

	if (n)
		view_row(out, r, 0);
	PQclear(r);
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "no such view-as session");
}

static int
pg_view_as_start(struct view_session *out, struct store *st, const char *tenant,
		 enum member_role role, const char *member, const char *reason, int minutes,
		 struct err *e)
{
	PGresult *r = NULL;
	char mins[16];
	bool as_member = member && *member;
	struct pgstep step =
	    PG_STEP("SELECT " VIEW_COLS " FROM tenantry.view_as_start($1, $2, "
		    "$3, $4::int, $5) s",
		    &r, tenant ? tenant : "", as_member ? NULL : member_role_name(role),
		    reason ? reason : "", mins, as_member ? member : NULL);

	memset(out, 0, sizeof *out);
	if (!tenant || !*tenant)
		return err_field(e, "tenant", "tenant missing");
	/* a member is an e-mail or a user id: nothing else reaches the
	 * database, or comes back in its "is not a member" */
	if ((reason && validate_utf8(reason, "reason", e) < 0)
	    || (as_member && !pg_is_uuid(member) && validate_email(member, "member", e) < 0))
		return -1;
	snprintf(mins, sizeof mins, "%d", minutes);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	return one_session(out, r, e);
}

static int
pg_view_as_get(struct view_session *out, struct store *st, const char *session, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT " VIEW_COLS " FROM tenantry.view_as_active($1::uuid) s", &r, session);

	memset(out, 0, sizeof *out);
	if (!pg_is_uuid(session))
		return err_set(e, ERR_NOT_FOUND, "no such view-as session");
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	return one_session(out, r, e);
}

static int
pg_view_as_list(struct view_session_list *out, struct store *st, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step = PG_STEP0("SELECT " VIEW_COLS " FROM tenantry.view_as_list() s", &r);
	int n;

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	n = PQntuples(r);
	if (n && !(out->rows = calloc((size_t)n, sizeof *out->rows))) {
		PQclear(r);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	for (int i = 0; i < n; i++)
		view_row(&out->rows[i], r, i);
	out->n = (size_t)n;
	PQclear(r);
	return 0;
}

static int
pg_view_as_end(struct store *st, const char *session, struct err *e)
{
	struct view_session v;
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT " VIEW_COLS " FROM tenantry.view_as_end($1::uuid) s", &r, session);

	if (!pg_is_uuid(session))
		return err_set(e, ERR_NOT_FOUND, "no such view-as session");
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	return one_session(&v, r, e);
}

void
pg_ops_view_as(struct store_ops *ops)
{
	ops->view_as_start = pg_view_as_start;
	ops->view_as_get = pg_view_as_get;
	ops->view_as_list = pg_view_as_list;
	ops->view_as_end = pg_view_as_end;
}
