/* store_pg_keys.c - a tenant's API keys over libpq: list, create (the
 * secret returned once, its hash stored), revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "store/store_pg.h"

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";

/* ---- API keys ------------------------------------------------------------------- */

/* clang-format off */
#define APIKEY_COLS                                                          \
	"k.tenant_id, k.id, k.prefix, k.name, array_to_string(k.scopes, ','), " \
	"k.created_by, " US("k.created_at") ", " US("k.expires_at") ", "     \
	US("k.last_used_at") ", " US("k.revoked_at")
/* clang-format on */

static void
apikey_row(struct api_key *k, const PGresult *r, int row)
{
	pg_cpy(k->tenant_id, r, row, 0);
	pg_cpy(k->id, r, row, 1);
	pg_cpy(k->prefix, r, row, 2);
	pg_cpy(k->name, r, row, 3);
	k->scopes = pg_scopes(pg_s(r, row, 4));
	pg_cpy(k->created_by, r, row, 5);
	k->created_at = pg_i64(r, row, 6);
	k->expires_at = pg_i64(r, row, 7);
	k->last_used_at = pg_i64(r, row, 8);
	k->revoked_at = pg_i64(r, row, 9);
}

static int
pg_apikey_list(struct api_key_list *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT " APIKEY_COLS " FROM tenantry.api_keys k "
			"WHERE k.tenant_id = tenantry.tenant_ref($1) "
			"ORDER BY k.created_at DESC, k.id",
			&r, tenant),
	};

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		apikey_row(&out->rows[i], r, (int)i);
	PQclear(r);
	return 0;
}

static int
pg_apikey_create(struct api_key *out, char secret_out[128], struct store *st, const char *tenant,
		 const char *name, scope_mask scopes, usec_t expires_at, struct err *e)
{
	char key[128], prefix[13], hash[SECRET_HASH_HEX], arr[512] = "{", exp[24];
	size_t len = 1;
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("INSERT INTO tenantry.api_keys AS k (tenant_id, prefix, name, "
			"secret_hash, scopes, created_by, expires_at) VALUES "
			"(tenantry.tenant_ref($1), $2, $3, decode($4, 'hex'), $5::text[], "
			"tenantry.current_actor(), " FROM_US("$6") ") RETURNING " APIKEY_COLS,
			&r, tenant, prefix, name ? name : "", hash, arr, exp),
	};

	memset(out, 0, sizeof *out);
	secret_out[0] = '\0';
	if (name && (validate_utf8(name, "name", e) < 0))
		return -1;
	if (name && strlen(name) > 63)
		return err_field(e, "name", "name longer than 63 bytes");
	if (!scopes || scopes >> SCOPE_COUNT)
		return err_field(e, "scopes", "at least one known scope is required");
	if (expires_at < 0)
		return err_field(e, "expires_at", "expiry before 1970");
	for (int i = 0; i < SCOPE_COUNT; i++)
		if (scopes & (1u << i))
			len += (size_t)snprintf(arr + len, sizeof arr - len, "%s%s",
						len > 1 ? "," : "", scope_name((enum scope)i));
	snprintf(arr + len, sizeof arr - len, "}");
	snprintf(exp, sizeof exp, "%lld", (long long)expires_at);
	secret_api_key(key, sizeof key, prefix, hash);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	apikey_row(out, r, 0);
	PQclear(r);
	snprintf(secret_out, 128, "%s", key);
	return 0;
}

static int
pg_apikey_revoke(struct store *st, const char *tenant, const char *key, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("UPDATE tenantry.api_keys k SET revoked_at = now() "
			"WHERE k.tenant_id = tenantry.tenant_ref($1) "
			"AND (k.id::text = lower($2) OR k.prefix = lower($2)) "
			"AND k.revoked_at IS NULL RETURNING k.id",
			&r, tenant, key),
	};
	int n;

	if (!key || !*key)
		return err_field(e, "key", "key missing");
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "no active API key %s", key);
}

void
pg_ops_keys(struct store_ops *ops)
{
	ops->apikey_list = pg_apikey_list;
	ops->apikey_create = pg_apikey_create;
	ops->apikey_revoke = pg_apikey_revoke;
}
