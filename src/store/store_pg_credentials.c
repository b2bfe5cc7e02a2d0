/* store_pg_credentials.c - getting a credential back and keeping sign-in
 * honest (037_credentials.sql): sign-in throttling and failures, password
 * reset tokens, MFA recovery codes, and the staff actions on an account.
 * Tokens and codes are made here and stored as SHA-256 only. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/password.h"
#include "store/store_pg.h"

/* A recovery code's alphabet: no 0/o, 1/l/i to misread. */
static const char code_alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
#define CODE_CHARS 10

static int
pg_auth_throttle(int *retry_after, struct store *st, const char *email, const char *ip,
		 struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT tenantry.auth_throttle_check($1, $2)", &r, email ? email : "", ip);

	*retry_after = 0;
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	*retry_after = (int)pg_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

static int
pg_auth_login_failed(int *retry_after, struct store *st, const char *email, const char *ip,
		     const char *tenant, const char *reason, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step = PG_STEP("SELECT tenantry.auth_login_failed($1, $2, $3, $4)", &r,
				     email ? email : "", ip, tenant, reason);

	*retry_after = 0;
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	*retry_after = (int)pg_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

/* A code as typed, normalised (lower case, no dashes or spaces) into
 * out; -1 when it cannot be a recovery code. */
static int
code_normal(char out[CODE_CHARS + 1], const char *code)
{
	size_t n = 0;

	for (; code && *code; code++) {
		char c = (char)(*code >= 'A' && *code <= 'Z' ? *code + 32 : *code);

		if (c == '-' || c == ' ')
			continue;
		if (n == CODE_CHARS || !strchr(code_alphabet, c) || !c)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == CODE_CHARS ? 0 : -1;
}

static int
pg_auth_recovery_new(char codes[RECOVERY_CODES][RECOVERY_CODE_LEN], struct store *st,
		     const char *user, struct err *e)
{
	char hashes[RECOVERY_CODES * SECRET_HASH_HEX] = "", plain[CODE_CHARS + 1],
				     hex[SECRET_HASH_HEX];
	struct pgstep step = PG_STEP("SELECT tenantry.auth_recovery_set($1::uuid, (SELECT "
				     "array_agg(decode(h, 'hex')) FROM unnest(string_to_array($2, "
				     "',')) h))",
				     NULL, user, hashes);
	int rc;

	memset(codes, 0, RECOVERY_CODES * RECOVERY_CODE_LEN);
	if (!user || !pg_is_uuid(user))
		return err_set(e, ERR_NOT_FOUND, "no such account");
	for (int i = 0; i < RECOVERY_CODES; i++) {
		for (int j = 0; j < CODE_CHARS; j++)
			plain[j] = code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)];
		plain[CODE_CHARS] = '\0';
		snprintf(codes[i], RECOVERY_CODE_LEN, "%.5s-%.5s", plain, plain + 5);
		secret_sha256_hex(plain, hex);
		strcat(hashes, i ? "," : "");
		strcat(hashes, hex);
	}
	sodium_memzero(plain, sizeof plain);
	if ((rc = pg_run(pg_of(st), &step, 1, e)) < 0)
		memset(codes, 0, RECOVERY_CODES * RECOVERY_CODE_LEN);
	return rc;
}

static int
pg_auth_recovery_use(bool *ok, struct store *st, const char *user, const char *code,
		     const char *tenant, struct err *e)
{
	char plain[CODE_CHARS + 1], hex[SECRET_HASH_HEX];
	PGresult *r = NULL;
	struct pgstep step =
	    PG_STEP("SELECT tenantry.auth_recovery_use($1::uuid, decode($2, 'hex'), $3)", &r, user,
		    hex, tenant);

	*ok = false;
	if (!user || !pg_is_uuid(user) || code_normal(plain, code) < 0)
		return 0;
	secret_sha256_hex(plain, hex);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	*ok = pg_b(r, 0, 0);
	PQclear(r);
	return 0;
}

/* A new reset token into tok (tnr_ + 43 characters) and its hash. */
static void
reset_token(char tok[96], char hash[SECRET_HASH_HEX])
{
	char b64[64];

	secret_random_text(b64, sizeof b64);
	snprintf(tok, 96, "tnr_%s", b64);
	secret_sha256_hex(tok, hash);
	sodium_memzero(b64, sizeof b64);
}

/* The same work whether or not the account exists: a token is made and
 * the database asked once; only an existing account's row is kept. */
static int
pg_password_reset_request(char token_out[96], struct store *st, const char *email, struct err *e)
{
	char tok[96], hash[SECRET_HASH_HEX], *sealed;
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(PG_MAIL_TOKEN, NULL, ""),
		PG_STEP("SELECT tenantry.password_reset_request($1, decode($2, 'hex'))", &r, email,
			hash),
	};
	int rc;

	token_out[0] = '\0';
	if (validate_email(email, "email", e) < 0)
		return -1;
	reset_token(tok, hash);
	sealed = pg_mail_seal(pg_of(st), tok); /* for the mail of the reset (049) */
	steps[0].params = (const char *const[]){ sealed ? sealed : "" };
	rc = pg_run(pg_of(st), steps, 2, e);
	free(sealed);
	if (rc < 0)
		return -1;
	if (!pg_null(r, 0, 0))
		snprintf(token_out, 96, "%s", tok);
	sodium_memzero(tok, sizeof tok);
	PQclear(r);
	return 0;
}

static int
pg_password_reset_confirm(struct store *st, const char *token, const char *password, struct err *e)
{
	char hash[SECRET_HASH_HEX], pw[PASSWORD_HASH_LEN];
	struct pgstep step = PG_STEP(
	    "SELECT tenantry.password_reset_confirm(decode($1, 'hex'), $2)", NULL, hash, pw);
	int rc;

	if (!token || strncmp(token, "tnr_", 4) != 0 || strlen(token) > 90)
		return err_set(e, ERR_NOT_FOUND, "no such reset token");
	if (password_check(password, "password", e) < 0)
		return -1;
	secret_sha256_hex(token, hash);
	if (secret_password_hash(password, pw, e) < 0)
		return -1;
	rc = pg_run(pg_of(st), &step, 1, e);
	sodium_memzero(pw, sizeof pw);
	return rc;
}

static int
pg_user_password_reset(struct password_reset *out, char token_out[96], struct store *st,
		       const char *user, bool mail, struct err *e)
{
	char tok[96], hash[SECRET_HASH_HEX], *sealed = NULL;
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP(PG_MAIL_TOKEN, NULL, ""),
		PG_STEP("SELECT user_id, email, " US(
			    "expires_at") " FROM "
					  "tenantry.user_password_reset($1, decode($2, 'hex'))",
			&r, user, hash),
	};
	int rc;

	memset(out, 0, sizeof *out);
	token_out[0] = '\0';
	if (!user || !*user)
		return err_field(e, "user", "user missing");
	reset_token(tok, hash);
	/* mailed: the token reaches the outbox sealed, and only the mail */
	if (mail && !(sealed = pg_mail_seal(pg_of(st), tok))) {
		sodium_memzero(tok, sizeof tok);
		return err_set(e, ERR_CONFLICT,
			       "mailing a reset needs the master key "
			       "(master-key-file), which seals its token");
	}
	steps[0].params = (const char *const[]){ sealed ? sealed : "" };
	rc = pg_run(pg_of(st), steps, 2, e);
	free(sealed);
	if (rc < 0) {
		sodium_memzero(tok, sizeof tok);
		return -1;
	}
	pg_cpy(out->user_id, r, 0, 0);
	pg_cpy(out->email, r, 0, 1);
	out->expires_at = pg_i64(r, 0, 2);
	out->mailed = mail;
	if (!mail)
		snprintf(token_out, 96, "%s", tok);
	sodium_memzero(tok, sizeof tok);
	PQclear(r);
	return 0;
}

/* One of the staff functions that take a user reference. */
static int
user_call(struct store *st, const char *sql, const char *user, struct err *e)
{
	struct pgstep step = PG_STEP(sql, NULL, user);

	if (!user || !*user)
		return err_field(e, "user", "user missing");
	return pg_run(pg_of(st), &step, 1, e);
}

static int
pg_user_mfa_reset(struct store *st, const char *user, struct err *e)
{
	return user_call(st, "SELECT tenantry.user_mfa_reset($1)", user, e);
}

static int
pg_user_sign_out(struct store *st, const char *user, struct err *e)
{
	return user_call(st, "SELECT tenantry.user_sign_out($1)", user, e);
}

static int
pg_user_unlock(struct store *st, const char *user, struct err *e)
{
	return user_call(st, "SELECT tenantry.user_unlock($1)", user, e);
}

/* A new tenant's first admin's invitation (038_first_admin.sql), from the
 * row of columns id, email, created_at, expires_at, invited_by, and its
 * token, as the caller asked for them (tenant_new). */
void
pg_first_admin(const struct tenant_new *t, const PGresult *inv, const char *token)
{
	if (t->invitation_token)
		snprintf(t->invitation_token, 96, "%s", token);
	if (!t->invitation)
		return;
	memset(t->invitation, 0, sizeof *t->invitation);
	if (PQntuples(inv) != 1)
		return;
	pg_cpy(t->invitation->id, inv, 0, 0);
	pg_cpy(t->invitation->email, inv, 0, 1);
	t->invitation->role = ROLE_ADMIN;
	t->invitation->created_at = pg_i64(inv, 0, 2);
	t->invitation->expires_at = pg_i64(inv, 0, 3);
	pg_cpy(t->invitation->invited_by, inv, 0, 4);
}

void
pg_ops_credentials(struct store_ops *ops)
{
	ops->auth_throttle = pg_auth_throttle;
	ops->auth_login_failed = pg_auth_login_failed;
	ops->auth_recovery_new = pg_auth_recovery_new;
	ops->auth_recovery_use = pg_auth_recovery_use;
	ops->password_reset_request = pg_password_reset_request;
	ops->password_reset_confirm = pg_password_reset_confirm;
	ops->user_password_reset = pg_user_password_reset;
	ops->user_mfa_reset = pg_user_mfa_reset;
	ops->user_sign_out = pg_user_sign_out;
	ops->user_unlock = pg_user_unlock;
}
