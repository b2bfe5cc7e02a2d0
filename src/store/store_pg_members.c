/* store_pg_members.c - a tenant's members over libpq: list, role and
 * active flag, removal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "store/store_pg.h"

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";

/* ---- members ----------------------------------------------------------------- */

/* clang-format off */
#define MEMBER_COLS                                                          \
	"m.tenant_id, m.user_id, u.email, u.full_name, m.role, m.active, "   \
	US("m.joined_at") ", " US("m.last_active_at") ", m.permissions::text"
/* clang-format on */

void
pg_member_row(struct member *m, const PGresult *r, int row)
{
	enum member_role role = ROLE_VIEWER;

	pg_cpy(m->tenant_id, r, row, 0);
	pg_cpy(m->user_id, r, row, 1);
	pg_cpy(m->email, r, row, 2);
	pg_cpy(m->full_name, r, row, 3);
	member_role_parse(pg_s(r, row, 4), &role);
	m->role = role;
	m->active = pg_b(r, row, 5);
	m->joined_at = pg_i64(r, row, 6);
	m->last_active_at = pg_i64(r, row, 7);
	if (PQnfields(r) > 8) /* the overrides, when the query has them */
		pg_overrides(&m->over, pg_s(r, row, 8));
}

int
pg_overrides(struct perm_overrides *out, const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	struct err e;
	int rc = j ? perm_overrides_from_json(out, j, "permissions", &e) : -1;

	json_decref(j);
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

static int
pg_member_list(struct member_list *out, struct store *st, const char *tenant,
	       const struct member_query *q, struct err *e)
{
	PGresult *r = NULL;
	const char *role = q && q->role >= 0 ? member_role_name((enum member_role)q->role) : NULL;
	const char *active = !q || q->active < 0 ? NULL : q->active ? "t" : "f";
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT " MEMBER_COLS " FROM tenantry.tenant_users m "
			"JOIN tenantry.users u ON u.id = m.user_id "
			"WHERE m.tenant_id = tenantry.tenant_ref($1) "
			"AND ($2::text IS NULL OR m.role = $2) "
			"AND ($3::bool IS NULL OR m.active = $3) "
			"ORDER BY lower(u.email)",
			&r, tenant, role, active),
	};

	memset(out, 0, sizeof *out);
	if (q && q->role >= ROLE_COUNT)
		return err_field(e, "role", "unknown role");
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		pg_member_row(&out->rows[i], r, (int)i);
	PQclear(r);
	return 0;
}

static int
pg_member_update(struct member *out, struct store *st, const char *tenant, const char *user,
		 const enum member_role *role, int active, const struct perm_overrides *over,
		 struct err *e)
{
	PGresult *r = NULL;
	const char *rn = role ? member_role_name(*role) : NULL;
	const char *an = active < 0 ? NULL : active ? "t" : "f";
	json_t *oj = over ? perm_overrides_to_json(over) : NULL;
	char *on = oj ? json_dumps(oj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("WITH m AS (UPDATE tenantry.tenant_users m SET "
			"role = coalesce($3, m.role), active = coalesce($4::bool, m.active), "
			"permissions = coalesce($5::jsonb, m.permissions) "
			"WHERE m.tenant_id = tenantry.tenant_ref($1) "
			"AND m.user_id = tenantry.user_ref($2) RETURNING m.*) "
			"SELECT " MEMBER_COLS " FROM m JOIN tenantry.users u ON u.id = m.user_id",
			&r, tenant, user, rn, an, on),
	};
	int rc;

	memset(out, 0, sizeof *out);
	json_decref(oj);
	if (role && (unsigned)*role >= ROLE_COUNT)
		rc = err_field(e, "role", "unknown role");
	else if (!user || !*user)
		rc = err_field(e, "user", "user missing");
	else if (over && !on)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	else
		rc = pg_run(pg_of(st), steps, 2, e);
	free(on);
	if (rc < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no member %s in tenant %s", user, tenant);
	}
	pg_member_row(out, r, 0);
	PQclear(r);
	return 0;
}

static int
pg_member_remove(struct store *st, const char *tenant, const char *user, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("DELETE FROM tenantry.tenant_users m "
			"WHERE m.tenant_id = tenantry.tenant_ref($1) "
			"AND m.user_id = tenantry.user_ref($2) RETURNING m.user_id",
			&r, tenant, user),
	};
	int n;

	if (!user || !*user)
		return err_field(e, "user", "user missing");
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "no member %s in tenant %s", user, tenant);
}

void
pg_ops_members(struct store_ops *ops)
{
	ops->member_list = pg_member_list;
	ops->member_update = pg_member_update;
	ops->member_remove = pg_member_remove;
}
