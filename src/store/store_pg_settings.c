/* store_pg_settings.c - typed and encrypted settings, and feature flags,
 * over libpq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "store/store_pg.h"

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";

/* ---- settings ------------------------------------------------------------------ */

/* clang-format off */
#define SETTING_COLS                                                         \
	"s.key, s.type, s.encrypted, s.value, " US("s.updated_at") ", s.updated_by"
/* clang-format on */
#define MASK "********"

static int
setting_row(struct setting *s, const PGresult *r, int row)
{
	enum setting_type t = SETTING_STRING;

	pg_cpy(s->key, r, row, 0);
	setting_type_parse(pg_s(r, row, 1), &t);
	s->type = t;
	s->encrypted = pg_b(r, row, 2);
	s->value = strdup(s->encrypted ? MASK : pg_s(r, row, 3));
	s->updated_at = pg_i64(r, row, 4);
	pg_cpy(s->updated_by, r, row, 5);
	return s->value ? 0 : -1;
}

static int
pg_setting_list(struct setting_list *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT " SETTING_COLS " FROM tenantry.tenant_settings s "
			"WHERE s.tenant_id = tenantry.tenant_ref($1) ORDER BY s.key",
			&r, tenant),
	};
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		if (setting_row(&out->rows[i], r, (int)i) < 0)
			rc = err_set(e, ERR_INTERNAL, "out of memory");
	PQclear(r);
	if (rc < 0)
		setting_list_free(out);
	return rc;
}

static int
pg_setting_get(struct setting *out, struct store *st, const char *tenant, const char *key,
	       bool reveal, struct err *e)
{
	struct pgstore *s = pg_of(st);
	PGresult *r = NULL;
	/* The reveal is audited in the same transaction that reads it. */
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT " SETTING_COLS " FROM tenantry.tenant_settings s "
			"WHERE s.tenant_id = tenantry.tenant_ref($1) AND s.key = $2",
			&r, tenant, key),
		PG_STEP("SELECT tenantry.audit_event(s.tenant_id, 'secret.reveal', "
			"'setting', s.key, NULL) FROM tenantry.tenant_settings s "
			"WHERE s.tenant_id = tenantry.tenant_ref($1) AND s.key = $2 "
			"AND s.encrypted",
			NULL, tenant, key),
	};
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (validate_setting_key(key, e) < 0)
		return -1;
	if (reveal && !s->have_key)
		return err_set(e, ERR_UNAVAILABLE,
			       "revealing a secret needs the master key (--master-key-file)");
	if (pg_run(s, steps, reveal ? 3 : 2, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no setting %s", key);
	}
	if (setting_row(out, r, 0) < 0) {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	} else if (reveal && out->encrypted) {
		char *plain = secret_open(s->key, pg_s(r, 0, 3), e);

		if (!plain) {
			rc = -1;
		} else {
			free(out->value);
			out->value = plain;
			out->revealed = true;
		}
	}
	PQclear(r);
	if (rc < 0)
		setting_clear(out);
	return rc;
}

static int
pg_setting_put(struct setting *out, struct store *st, const char *tenant, const char *key,
	       enum setting_type type, const char *value, struct err *e)
{
	struct pgstore *s = pg_of(st);
	bool secret = type == SETTING_SECRET;
	char *sealed = NULL;
	PGresult *r = NULL;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (validate_setting_key(key, e) < 0 || validate_setting(type, value, e) < 0)
		return -1;
	if (secret) {
		if (!s->have_key)
			return err_set(e, ERR_UNAVAILABLE,
				       "storing a secret needs the master key (--master-key-file)");
		if (!(sealed = secret_seal(s->key, value)))
			return err_set(e, ERR_INTERNAL, "out of memory");
	}
	{
		struct pgstep steps[] = {
			PG_STEP(MUST_TENANT, NULL, tenant),
			PG_STEP(
			    "INSERT INTO tenantry.tenant_settings AS s (tenant_id, key, "
			    "value, type, encrypted, key_id, updated_by) VALUES "
			    "(tenantry.tenant_ref($1), $2, $3, $4, $5::bool, "
			    "CASE WHEN $5::bool THEN 1 END, tenantry.current_actor()) "
			    "ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, "
			    "type = excluded.type, encrypted = excluded.encrypted, "
			    "key_id = excluded.key_id, updated_at = now(), "
			    "updated_by = excluded.updated_by RETURNING " SETTING_COLS,
			    &r, tenant, key, secret ? sealed : value, setting_type_name(type),
			    secret ? "t" : "f"),
		};

		rc = pg_run(s, steps, 2, e);
	}
	free(sealed);
	if (rc < 0)
		return -1;
	if (setting_row(out, r, 0) < 0)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	PQclear(r);
	return rc;
}

static int
pg_setting_delete(struct store *st, const char *tenant, const char *key, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("DELETE FROM tenantry.tenant_settings s "
			"WHERE s.tenant_id = tenantry.tenant_ref($1) AND s.key = $2 "
			"RETURNING s.key",
			&r, tenant, key),
	};
	int n;

	if (validate_setting_key(key, e) < 0)
		return -1;
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "no setting %s", key);
}

/* ---- features ------------------------------------------------------------------- */

static int
features_of(struct feature_state *out, PGresult *r, const char *tenant, struct err *e)
{
	feature_mask ignored;

	memset(out, 0, sizeof *out);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no tenant %s", tenant);
	}
	pg_features(pg_s(r, 0, 0), &out->on, &out->off);
	pg_features(pg_s(r, 0, 1), &out->tier, &ignored);
	out->effective = (out->tier | out->on) & ~out->off;
	PQclear(r);
	return 0;
}

static int
pg_feature_list(struct feature_state *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT t.features::text, tr.features::text "
		    "FROM tenantry.tenants t JOIN tenantry.tiers tr ON tr.name = t.tier "
		    "WHERE t.id = tenantry.tenant_ref($1)",
		    &r, tenant);

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	return features_of(out, r, tenant, e);
}

static int
pg_feature_set(struct feature_state *out, struct store *st, const char *tenant, enum feature f,
	       int state, struct err *e)
{
	PGresult *r = NULL;
	char sv[4];
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("UPDATE tenantry.tenants t SET features = CASE "
			"WHEN $3::int < 0 THEN t.features - $2 "
			"ELSE t.features || jsonb_build_object($2, $3::int = 1) END "
			"FROM tenantry.tiers tr WHERE tr.name = t.tier "
			"AND t.id = tenantry.tenant_ref($1) "
			"RETURNING t.features::text, tr.features::text",
			&r, tenant, feature_name(f), sv),
	};

	memset(out, 0, sizeof *out);
	if ((unsigned)f >= FEATURE_COUNT)
		return err_field(e, "feature", "unknown feature");
	if (state < -1 || state > 1)
		return err_field(e, "state", "state must be 1 (on), 0 (off) or -1 (tier default)");
	snprintf(sv, sizeof sv, "%d", state);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	return features_of(out, r, tenant, e);
}

void
pg_ops_settings(struct store_ops *ops)
{
	ops->setting_list = pg_setting_list;
	ops->setting_get = pg_setting_get;
	ops->setting_put = pg_setting_put;
	ops->setting_delete = pg_setting_delete;
	ops->feature_list = pg_feature_list;
	ops->feature_set = pg_feature_set;
}
