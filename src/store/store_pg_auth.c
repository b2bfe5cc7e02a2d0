/* store_pg_auth.c - credential lookups for tenantryd and staff accounts.
 * Everything goes through the SECURITY DEFINER functions of 008_auth.sql:
 * no role reads password hashes, second-factor secrets or key hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_pg.h"

/* clang-format off */
#define ACCOUNT_COLS "id, email, full_name, coalesce(password_hash, ''), " \
	"coalesce(mfa_secret, ''), mfa_enabled, staff_role"
/* clang-format on */

static int
pg_auth_user(struct auth_account *out, struct store *st, const char *email_or_id, struct err *e)
{
	PGresult *r = NULL;
	bool by_id = pg_is_uuid(email_or_id);
	struct pgstep steps[] = { PG_STEP(
	    by_id ? "SELECT " ACCOUNT_COLS " FROM tenantry.auth_user_by_id($1::uuid)"
		  : "SELECT " ACCOUNT_COLS " FROM tenantry.auth_user($1)",
	    &r, email_or_id) };

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no such account");
	}
	pg_cpy(out->id, r, 0, 0);
	pg_cpy(out->email, r, 0, 1);
	pg_cpy(out->full_name, r, 0, 2);
	pg_cpy(out->password_hash, r, 0, 3);
	pg_cpy(out->mfa_secret, r, 0, 4);
	out->mfa_enabled = pg_b(r, 0, 5);
	if (staff_role_parse(pg_s(r, 0, 6), &out->staff_role) < 0)
		out->staff_role = STAFF_NONE;
	PQclear(r);
	return 0;
}

static int
pg_auth_memberships(struct auth_membership *out, size_t max, size_t *n, struct store *st,
		    const char *user, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP(
	    "SELECT tenant_id, slug, role, permissions FROM tenantry.auth_memberships($1::uuid)",
	    &r, user) };

	*n = 0;
	if (!pg_is_uuid(user))
		return err_set(e, ERR_NOT_FOUND, "no such account");
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	for (int i = 0; i < PQntuples(r) && *n < max; i++) {
		struct auth_membership *m = &out[*n];

		pg_cpy(m->tenant_id, r, i, 0);
		pg_cpy(m->slug, r, i, 1);
		memset(&m->over, 0, sizeof m->over);
		if (member_role_parse(pg_s(r, i, 2), &m->role) == 0
		    && pg_overrides(&m->over, pg_s(r, i, 3)) == 0)
			(*n)++;
	}
	PQclear(r);
	return 0;
}

static int
pg_auth_login_ok(struct store *st, const char *user, const char *tenant, const char *rehash,
		 struct err *e)
{
	struct pgstep steps[] = { PG_STEP("SELECT tenantry.auth_login_ok($1::uuid, $2, $3::uuid)",
					  NULL, user, rehash, tenant) };

	if (!pg_is_uuid(user) || (tenant && !pg_is_uuid(tenant)))
		return err_set(e, ERR_NOT_FOUND, "no such account");
	return pg_run(pg_of(st), steps, 1, e);
}

static int
pg_auth_mfa_set(struct store *st, const char *user, const char *sealed, bool enabled, struct err *e)
{
	struct pgstep steps[] = { PG_STEP("SELECT tenantry.auth_mfa_set($1::uuid, $2, $3::boolean)",
					  NULL, user, sealed, enabled ? "true" : "false") };

	if (!pg_is_uuid(user))
		return err_set(e, ERR_NOT_FOUND, "no such account");
	return pg_run(pg_of(st), steps, 1, e);
}

static int
pg_auth_api_key(struct auth_key *out, struct store *st, const char *prefix, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP(
	    "SELECT tenant_id, id, encode(secret_hash, 'hex'), "
	    "array_to_string(scopes, ','), " US("expires_at") ", " US(
		"revoked_at") ", status FROM tenantry.auth_api_key($1)",
	    &r, prefix) };

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no such key");
	}
	pg_cpy(out->tenant_id, r, 0, 0);
	pg_cpy(out->id, r, 0, 1);
	pg_cpy(out->hash_hex, r, 0, 2);
	out->scopes = pg_scopes(pg_s(r, 0, 3));
	out->expires_at = pg_i64(r, 0, 4);
	out->revoked_at = pg_i64(r, 0, 5);
	if (tenant_status_parse(pg_s(r, 0, 6), &out->status) < 0)
		out->status = TENANT_SUSPENDED;
	PQclear(r);
	return 0;
}

static int
pg_tenant_of_host(char out[ID_LEN], struct store *st, const char *host, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP("SELECT tenantry.tenant_of_host($1)", &r, host) };
	int rc = 0;

	out[0] = '\0';
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		rc = err_set(e, ERR_NOT_FOUND, "no tenant %s", host);
	else
		snprintf(out, ID_LEN, "%s", pg_s(r, 0, 0));
	PQclear(r);
	return rc;
}

static int
pg_staff_add(char id_out[ID_LEN], struct store *st, const char *email, const char *full_name,
	     enum staff_role role, const char *password_hash, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP("SELECT tenantry.staff_add($1, $2, $3, $4)", &r, email,
					  full_name ? full_name : "", staff_role_name(role),
					  password_hash) };

	id_out[0] = '\0';
	if (pg_run(pg_of(st), steps, 1, e) < 0)
		return -1;
	snprintf(id_out, ID_LEN, "%s", pg_s(r, 0, 0));
	PQclear(r);
	return 0;
}

void
pg_ops_auth(struct store_ops *ops)
{
	ops->auth_user = pg_auth_user;
	ops->auth_memberships = pg_auth_memberships;
	ops->auth_login_ok = pg_auth_login_ok;
	ops->auth_mfa_set = pg_auth_mfa_set;
	ops->auth_api_key = pg_auth_api_key;
	ops->tenant_of_host = pg_tenant_of_host;
	ops->staff_add = pg_staff_add;
	pg_ops_credentials(ops);
}
