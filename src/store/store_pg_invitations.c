/* store_pg_invitations.c - invitations over libpq: list, create, resend,
 * revoke, and accepting one (with the consent of an existing account). */
#include <jansson.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "core/validate.h"
#include "store/store_pg.h"

static const char MUST_TENANT[] = "SELECT tenantry.must_tenant($1)";

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
	char hash[SECRET_HASH_HEX], token[96], *sealed = NULL;
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP(PG_MAIL_TOKEN, NULL, ""),
		PG_STEP("INSERT INTO tenantry.invitations AS i (tenant_id, email, role, "
			"invited_by, token_hash) VALUES (tenantry.tenant_ref($1), $2, $3, "
			"tenantry.current_actor(), decode($4, 'hex')) RETURNING " INVITATION_COLS,
			&r, tenant, email, member_role_name(role), hash),
	};

	int rc;

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	if (validate_email(email, "email", e) < 0)
		return -1;
	if ((unsigned)role >= ROLE_COUNT)
		return err_field(e, "role", "unknown role");
	secret_invitation_token(token, sizeof token, hash);
	sealed = pg_mail_seal(pg_of(st), token);
	steps[1].params = (const char *const[]){ sealed ? sealed : "" };
	rc = pg_run(pg_of(st), steps, 3, e);
	free(sealed);
	if (rc < 0) {
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
	char hash[SECRET_HASH_HEX], token[96], *sealed = NULL;
	PGresult *r = NULL;
	int rc;
	struct pgstep steps[] = {
		PG_STEP(MUST_TENANT, NULL, tenant),
		PG_STEP(PG_MAIL_TOKEN, NULL, ""),
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
	sealed = pg_mail_seal(pg_of(st), token);
	steps[1].params = (const char *const[]){ sealed ? sealed : "" };
	rc = pg_run(pg_of(st), steps, 3, e);
	free(sealed);
	if (rc < 0)
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
	if (password && strlen(password) > PASSWORD_MAX_BYTES)
		return err_field(e, "password", "password longer than %d bytes",
				 PASSWORD_MAX_BYTES);
	secret_sha256_hex(token, hash);
	if (invitation_consent(user, &exists, pg_of(st), hash, password, e) < 0)
		return -1;
	if (!exists && !password)
		return err_field(e, "password", "a password is required (or sign in first)");
	/* A new account's password is held to the policy (password.h); an
	 * existing account's is only compared. */
	if (!exists
	    && (password_check(password, "password", e) < 0
		|| secret_password_hash(password, pw, e) < 0))
		return -1;
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, ERR_NOT_FOUND, "no such invitation");
	}
	pg_member_row(out, r, 0);
	PQclear(r);
	return 0;
}

/* ---- bulk ---------------------------------------------------------------------- */

/* The outcome of a row whose write failed with e; true when the rows
 * after it cannot be tried (the database is away). */
static bool
bulk_failed(struct invite_row *row, const struct err *e)
{
	utf8_copy(row->detail, sizeof row->detail, e->message, strlen(e->message));
	switch (e->code) {
	case ERR_CONFLICT:
		row->outcome = INVITE_ALREADY_INVITED;
		return false;
	case ERR_INVALID_FIELD:
	case ERR_BAD_REQUEST:
		row->outcome = INVITE_INVALID;
		return false;
	case ERR_OUTCOME_UNKNOWN:
		row->outcome = INVITE_UNKNOWN;
		return true;
	case ERR_UNAVAILABLE:
		row->outcome = INVITE_PENDING; /* not tried */
		return true;
	default:
		row->outcome = INVITE_REFUSED;
		return false;
	}
}

/* Marks the pending rows whose address is a member of tenant already:
 * one statement for the whole batch. */
static int
bulk_members(struct invite_row *rows, size_t n, struct store *st, const char *tenant, struct err *e)
{
	json_t *emails = json_array();
	char *text = NULL;
	PGresult *r = NULL;
	int rc = -1;

	for (size_t i = 0; emails && i < n; i++)
		if (rows[i].outcome == INVITE_PENDING)
			json_array_append_new(emails, json_string(rows[i].email));
	if (emails && (text = json_dumps(emails, JSON_COMPACT))) {
		struct pgstep steps[] = {
			PG_STEP(MUST_TENANT, NULL, tenant),
			PG_STEP("SELECT lower(u.email) FROM tenantry.tenant_users m "
				"JOIN tenantry.users u ON u.id = m.user_id "
				"WHERE m.tenant_id = tenantry.tenant_ref($1) AND lower(u.email) IN "
				"(SELECT lower(x) FROM jsonb_array_elements_text($2::jsonb) x)",
				&r, tenant, text),
		};

		rc = pg_run(pg_of(st), steps, 2, e);
	} else {
		err_set(e, ERR_INTERNAL, "out of memory");
	}
	json_decref(emails);
	free(text);
	for (int k = 0; rc == 0 && k < PQntuples(r); k++)
		for (size_t i = 0; i < n; i++)
			if (rows[i].outcome == INVITE_PENDING
			    && strcasecmp(rows[i].email, pg_s(r, k, 0)) == 0)
				rows[i].outcome = INVITE_ALREADY_MEMBER;
	PQclear(r);
	return rc;
}

static int
pg_invitation_bulk(struct invite_row *rows, size_t n, struct store *st, const char *tenant,
		   struct err *e)
{
	if (bulk_members(rows, n, st, tenant, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct err f;

		if (rows[i].outcome != INVITE_PENDING)
			continue;
		if (pg_invitation_create(&rows[i].invitation, rows[i].token, st, tenant,
					 rows[i].email, rows[i].role, &f)
		    == 0)
			rows[i].outcome = INVITE_SENT;
		else if (bulk_failed(&rows[i], &f))
			break;
	}
	return 0;
}

void
pg_ops_invitations(struct store_ops *ops)
{
	ops->invitation_bulk = pg_invitation_bulk;
	ops->invitation_list = pg_invitation_list;
	ops->invitation_create = pg_invitation_create;
	ops->invitation_resend = pg_invitation_resend;
	ops->invitation_revoke = pg_invitation_revoke;
	ops->invitation_accept = pg_invitation_accept;
}
