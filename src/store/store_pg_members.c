/* store_pg_members.c - members, invitations, settings, features and API
 * keys over libpq. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "store/store_pg.h"

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";

/* ---- members ----------------------------------------------------------------- */

/* clang-format off */
#define MEMBER_COLS                                                          \
	"m.tenant_id, m.user_id, u.email, u.full_name, m.role, m.active, "   \
	US("m.joined_at") ", " US("m.last_active_at")
/* clang-format on */

static void
member_row(struct member *m, const PGresult *r, int row)
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
		member_row(&out->rows[i], r, (int)i);
	PQclear(r);
	return 0;
}

static int
pg_member_update(struct member *out, struct store *st, const char *tenant, const char *user,
		 const enum member_role *role, int active, struct err *e)
{
	PGresult *r = NULL;
	const char *rn = role ? member_role_name(*role) : NULL;
	const char *an = active < 0 ? NULL : active ? "t" : "f";
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("WITH m AS (UPDATE tenantry.tenant_users m SET "
			"role = coalesce($3, m.role), active = coalesce($4::bool, m.active) "
			"WHERE m.tenant_id = tenantry.tenant_ref($1) "
			"AND m.user_id = tenantry.user_ref($2) RETURNING m.*) "
			"SELECT " MEMBER_COLS " FROM m JOIN tenantry.users u ON u.id = m.user_id",
			&r, tenant, user, rn, an),
	};

	memset(out, 0, sizeof *out);
	if (role && (unsigned)*role >= ROLE_COUNT)
		return err_field(e, "role", "unknown role");
	if (!user || !*user)
		return err_field(e, "user", "user missing");
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no member %s in tenant %s", user, tenant);
	}
	member_row(out, r, 0);
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

/* ---- invitations ----------------------------------------------------------- */

/* clang-format off */
#define INVITATION_COLS                                                      \
	"i.tenant_id, i.id, i.email, i.role, i.invited_by, " US("i.created_at") \
	", " US("i.expires_at") ", " US("i.accepted_at") ", " US("i.revoked_at")
/* clang-format on */

static void
invitation_row(struct invitation *v, const PGresult *r, int row)
{
	enum member_role role = ROLE_MEMBER;

	pg_cpy(v->tenant_id, r, row, 0);
	pg_cpy(v->id, r, row, 1);
	pg_cpy(v->email, r, row, 2);
	member_role_parse(pg_s(r, row, 3), &role);
	v->role = role;
	pg_cpy(v->invited_by, r, row, 4);
	v->created_at = pg_i64(r, row, 5);
	v->expires_at = pg_i64(r, row, 6);
	v->accepted_at = pg_i64(r, row, 7);
	v->revoked_at = pg_i64(r, row, 8);
}

static int
one_invitation(struct invitation *out, PGresult *r, const char *what, struct err *e)
{
	int rc = 0;

	if (PQntuples(r) == 0)
		rc = err_set(e, ERR_NOT_FOUND, "no pending invitation %s", what);
	else
		invitation_row(out, r, 0);
	PQclear(r);
	return rc;
}

static int
pg_invitation_list(struct invitation_list *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("SELECT " INVITATION_COLS " FROM tenantry.invitations i "
			"WHERE i.tenant_id = tenantry.tenant_ref($1) "
			"ORDER BY i.created_at DESC, i.id",
			&r, tenant),
	};

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		invitation_row(&out->rows[i], r, (int)i);
	PQclear(r);
	return 0;
}

static int
pg_invitation_create(struct invitation *out, char token_out[96], struct store *st,
		     const char *tenant, const char *email, enum member_role role, struct err *e)
{
	char hash[SECRET_HASH_HEX], token[96];
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP("INSERT INTO tenantry.invitations AS i (tenant_id, email, role, "
			"invited_by, token_hash) VALUES (tenantry.tenant_ref($1), $2, $3, "
			"tenantry.current_actor(), decode($4, 'hex')) RETURNING " INVITATION_COLS,
			&r, tenant, email, member_role_name(role), hash),
	};

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	if (validate_email(email, "email", e) < 0)
		return -1;
	if ((unsigned)role >= ROLE_COUNT)
		return err_field(e, "role", "unknown role");
	secret_invitation_token(token, sizeof token, hash);
	if (pg_run(pg_of(st), steps, 2, e) < 0) {
		if (e && e->code == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "%s already has a pending invitation", email);
		return -1;
	}
	snprintf(token_out, 96, "%s", token);
	return one_invitation(out, r, email, e);
}

static int
pg_invitation_resend(struct invitation *out, char token_out[96], struct store *st,
		     const char *tenant, const char *invitation, struct err *e)
{
	char hash[SECRET_HASH_HEX], token[96];
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP(
		    "UPDATE tenantry.invitations i SET token_hash = decode($3, 'hex'), "
		    "expires_at = now() + interval '7 days' "
		    "WHERE i.tenant_id = tenantry.tenant_ref($1) AND i.id = $2::uuid "
		    "AND i.accepted_at IS NULL AND i.revoked_at IS NULL RETURNING " INVITATION_COLS,
		    &r, tenant, invitation, hash),
	};

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	if (!pg_is_uuid(invitation))
		return err_set(e, ERR_NOT_FOUND, "no pending invitation %s",
			       invitation ? invitation : "");
	secret_invitation_token(token, sizeof token, hash);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	if (PQntuples(r))
		snprintf(token_out, 96, "%s", token);
	return one_invitation(out, r, invitation, e);
}

static int
pg_invitation_revoke(struct store *st, const char *tenant, const char *invitation, struct err *e)
{
	struct invitation tmp;
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP(
		    "UPDATE tenantry.invitations i SET revoked_at = now() "
		    "WHERE i.tenant_id = tenantry.tenant_ref($1) AND i.id = $2::uuid "
		    "AND i.accepted_at IS NULL AND i.revoked_at IS NULL RETURNING " INVITATION_COLS,
		    &r, tenant, invitation),
	};

	if (!pg_is_uuid(invitation))
		return err_set(e, ERR_NOT_FOUND, "no pending invitation %s",
			       invitation ? invitation : "");
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	return one_invitation(&tmp, r, invitation, e);
}

/* The account an invitation joins, when its owner consented: the caller
 * is signed in as it (the context's auth_user) or gave its password. ""
 * when no account has the invited e-mail, or it did not consent (then
 * invitation_accept refuses). */
static int
invitation_consent(char user[ID_LEN], bool *exists, struct pgstore *s, const char *hash,
		   const char *password, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step = PG_STEP("SELECT user_id, password_hash FROM "
				     "tenantry.invitation_account(decode($1, 'hex'))",
				     &r, hash);

	user[0] = '\0';
	*exists = false;
	if (pg_run(s, &step, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		const char *id = pg_s(r, 0, 0), *pw_hash = pg_s(r, 0, 1);

		*exists = true;
		if (strcmp(s->base.ctx.auth_user, id) == 0
		    || (password && *pw_hash && secret_password_check(pw_hash, password) == 1))
			snprintf(user, ID_LEN, "%s", id);
	}
	PQclear(r);
	return 0;
}

/* Accepting needs a password unless the caller is signed in, whether or
 * not the invited account exists, so the answer tells nothing of it: a new
 * account gets that password, an existing one must match it (or be the
 * signed-in caller) and keeps its own. */
static int
pg_invitation_accept(struct member *out, struct store *st, const char *token, const char *full_name,
		     const char *password, struct err *e)
{
	char hash[SECRET_HASH_HEX], pw[PASSWORD_HASH_LEN] = "", user[ID_LEN];
	PGresult *r = NULL;
	bool exists;
	struct pgstep step = PG_STEP(
	    "SELECT tenant_id, user_id, email, full_name, role, active, " US("joined_at") ", " US(
		"last_active_at") " FROM tenantry.invitation_accept("
				  "decode($1, 'hex'), $2, NULLIF($3, ''), NULLIF($4, '')::uuid)",
	    &r, hash, full_name ? full_name : "", pw, user);

	memset(out, 0, sizeof *out);
	if (!token || strncmp(token, "tni_", 4) != 0 || strlen(token) > 90)
		return err_set(e, ERR_NOT_FOUND, "no such invitation");
	if (full_name && (validate_utf8(full_name, "full_name", e) < 0))
		return -1;
	if (full_name && strlen(full_name) > 200)
		return err_field(e, "full_name", "full_name longer than 200 bytes");
	if (!password && !st->ctx.auth_user[0])
		return err_field(e, "password", "a password is required (or sign in first)");
	if (password && strlen(password) < 8)
		return err_field(e, "password", "password shorter than 8 characters");
	secret_sha256_hex(token, hash);
	if (invitation_consent(user, &exists, pg_of(st), hash, password, e) < 0)
		return -1;
	if (!exists && !password)
		return err_field(e, "password", "a password is required (or sign in first)");
	if (!exists && secret_password_hash(password, pw, e) < 0)
		return -1;
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no such invitation");
	}
	member_row(out, r, 0);
	PQclear(r);
	return 0;
}

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
pg_ops_members(struct store_ops *ops)
{
	ops->member_list = pg_member_list;
	ops->member_update = pg_member_update;
	ops->member_remove = pg_member_remove;
	ops->invitation_list = pg_invitation_list;
	ops->invitation_create = pg_invitation_create;
	ops->invitation_resend = pg_invitation_resend;
	ops->invitation_revoke = pg_invitation_revoke;
	ops->invitation_accept = pg_invitation_accept;
	ops->setting_list = pg_setting_list;
	ops->setting_get = pg_setting_get;
	ops->setting_put = pg_setting_put;
	ops->setting_delete = pg_setting_delete;
	ops->feature_list = pg_feature_list;
	ops->feature_set = pg_feature_set;
	ops->apikey_list = pg_apikey_list;
	ops->apikey_create = pg_apikey_create;
	ops->apikey_revoke = pg_apikey_revoke;
}
