/* store_pg.c - the store over libpq: connection, pipelines, commits and
 * errors. The operations live in store_pg_<resource>.c (tenants and
 * tiers, members, usage, audit, platform, auth, feed, idem). */
#include "store/store_pg.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"
#include "core/types.h"

static const char CTX_SQL[] = "SELECT set_config('role', $1, true), "
			      "set_config('tenantry.tenant_id', $2, true), "
			      "set_config('tenantry.actor', $3, true), "
			      "set_config('tenantry.actor_kind', $4, true), "
			      "set_config('tenantry.ip', $5, true), "
			      "set_config('tenantry.user_agent', $6, true), "
			      "set_config('tenantry.member_role', $7, true)";

static const char *const role_names[] = {
	[STORE_ROLE_SESSION] = "none",
	[STORE_ROLE_TENANT] = "tenantry_tenant",
	[STORE_ROLE_PLATFORM] = "tenantry_platform",
	[STORE_ROLE_SUPPORT] = "tenantry_support",
	[STORE_ROLE_ONCALL] = "tenantry_oncall",
	[STORE_ROLE_AUTH] = "tenantry_auth",
};

static pg_trace_fn *trace_fn;
static void *trace_arg;
static store_wait_fn *wait_fn;

void
store_wait_hook(store_wait_fn *wait)
{
	wait_fn = wait;
}

void
pg_await(PGconn *c)
{
	while (wait_fn && PQisBusy(c)) {
		if (wait_fn(PQsocket(c), false) < 0 || !PQconsumeInput(c))
			return;
	}
}

void
store_pg_trace(pg_trace_fn *fn, void *arg)
{
	trace_fn = fn;
	trace_arg = arg;
}

/* Re-checks tenantryd's credential in the operation's transaction. */
static const char AUTH_SQL[] = "SELECT tenantry.auth_check(NULLIF($1, '')::uuid, $2::int8, "
			       "NULLIF($3, '')::uuid, NULLIF($4, '')::uuid, NULLIF($5, ''), "
			       "NULLIF($6, ''))";

void
pg_quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- errors -------------------------------------------------------------- */

/* "tenants_slug_check" on table "tenants" -> "slug". */
static void
field_of(char *out, size_t n, const char *constraint, const char *table)
{
	const char *p = constraint;
	size_t tl = table ? strlen(table) : 0;
	size_t len;

	if (tl && strncmp(p, table, tl) == 0 && p[tl] == '_')
		p += tl + 1;
	len = strlen(p);
	for (const char *suf = "_check\0_key\0_fkey\0"; *suf; suf += strlen(suf) + 1) {
		size_t sl = strlen(suf);

		if (len > sl && strcmp(p + len - sl, suf) == 0) {
			len -= sl;
			break;
		}
	}
	snprintf(out, n, "%.*s", (int)len, p);
}

int
pg_error(struct err *e, PGconn *c, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *col = r ? PQresultErrorField(r, PG_DIAG_COLUMN_NAME) : NULL;
	const char *cons = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
	const char *table = r ? PQresultErrorField(r, PG_DIAG_TABLE_NAME) : NULL;
	char field[64] = "";

	if (!state || PQstatus(c) != CONNECTION_OK) {
		const char *m = msg ? msg : PQerrorMessage(c);

		return err_set(e, ERR_UNAVAILABLE, "database unavailable: %.*s",
			       (int)strcspn(m, "\n"), m);
	}
	if (!msg)
		msg = "database error";
	if (cons)
		field_of(field, sizeof field, cons, table);
	else if (col)
		snprintf(field, sizeof field, "%s", col);

	if (strcmp(state, "23505") == 0)
		return err_set(e, ERR_CONFLICT, "%s already in use", *field ? field : "value");
	if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0
	    || strcmp(state, "22001") == 0) {
		if (!*field)
			return err_set(e, ERR_BAD_REQUEST, "%s", msg);
		err_field(e, field, "invalid %s: %s", field, msg);
		return -1;
	}
	/* A reference the caller named (a column) is an invalid field; an
	 * unknown id or slug in the path is not found. */
	if ((strcmp(state, "23503") == 0 || strcmp(state, "P0002") == 0) && *field) {
		err_field(e, field, "%s", strcmp(state, "P0002") == 0 ? msg : "unknown value");
		return -1;
	}
	if (strcmp(state, "23503") == 0 || strcmp(state, "P0002") == 0)
		return err_set(e, ERR_NOT_FOUND, "%s", msg);
	if (strcmp(state, "TQ001") == 0)
		return err_set(e, ERR_QUOTA_EXCEEDED, "%s", msg);
	if (strcmp(state, "TL001") == 0)
		return err_set(e, ERR_INVALID_TRANSITION, "%s", msg);
	if (strcmp(state, "TD001") == 0)
		return err_set(e, ERR_DOWNGRADE_BLOCKED, "%s", msg);
	if (strcmp(state, "TA001") == 0)
		return err_set(e, ERR_UNAUTHORIZED, "%s", msg);
	if (strcmp(state, "TG001") == 0)
		return err_set(e, ERR_GONE, "%s", msg);
	if (strcmp(state, "TC001") == 0 || strcmp(state, "40001") == 0
	    || strcmp(state, "40P01") == 0)
		return err_set(e, ERR_CONFLICT, "%s", msg);
	if (strcmp(state, "42501") == 0)
		return err_set(e, ERR_FORBIDDEN, "not allowed: %s", msg);
	if (strncmp(state, "22", 2) == 0)
		return err_set(e, ERR_BAD_REQUEST, "%s", msg);
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0
	    || strncmp(state, "53", 2) == 0)
		return err_set(e, ERR_UNAVAILABLE, "database unavailable: %s", msg);
	if (strcmp(state, "25006") == 0)
		return err_set(
		    e, ERR_UNAVAILABLE,
		    "the database is read-only here (a standby); the write was refused: %s", msg);
	return err_set(e, ERR_INTERNAL, "database error %s: %s", state, msg);
}

/* ---- connection and pipelines --------------------------------------------- */

static uint64_t
text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The context statement starts every operation: prepared once per
 * connection, it costs the server no parse and no plan per operation
 * (make bench: 10-30 % of a short operation). It only calls set_config,
 * so any login role may prepare it before the operation's role is set. */
#define CTX_NAME "tenantry_ctx"

static int
prepare_ctx(struct pgstore *s, struct err *e)
{
	PGresult *r = PQprepare(s->conn, CTX_NAME, CTX_SQL, 7, NULL);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_error(e, s->conn, r);

	PQclear(r);
	return rc;
}

/* The blocking libpq work of a session, run through store_offload(). */
struct blocking_job {
	struct pgstore *s;
	struct err *e;
	bool connect; /* else: forget the prepared statements */
	int rc;
};

static void
blocking_run(void *arg)
{
	struct blocking_job *j = arg;
	struct pgstore *s = j->s;
	const char *keys[] = { "dbname", "application_name", NULL };
	const char *vals[] = { s->conninfo, "tenantry", NULL };

	if (!j->connect) {
		PQclear(PQexec(s->conn, "DEALLOCATE ALL"));
		s->nprepared = 0;
		j->rc = prepare_ctx(s, j->e);
		return;
	}
	if (s->conn)
		PQfinish(s->conn);
	s->nprepared = 0;
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		const char *m = s->conn ? PQerrorMessage(s->conn) : "out of memory";

		j->rc = err_set(j->e, ERR_UNAVAILABLE, "cannot connect to the database: %.*s",
				(int)strcspn(m, "\n"), m);
		return;
	}
	PQsetNoticeProcessor(s->conn, pg_quiet_notice, NULL);
	j->rc = s->unnamed ? 0 : prepare_ctx(s, j->e);
}

static int
blocking(struct pgstore *s, bool connect, struct err *e)
{
	struct blocking_job j = { s, e, connect, -1 };

	store_offload(blocking_run, &j);
	return j.rc;
}

/* An idle session that the server ended (a restart, a terminated
 * backend) has its end waiting in the socket: reading it here, before
 * anything is sent, makes a new session safe to use. Inside an explicit
 * transaction a lost session is an error, never a silent new one. */
static int
connect_db(struct pgstore *s, struct err *e)
{
	if (s->conn && PQstatus(s->conn) == CONNECTION_OK && !s->txn)
		PQconsumeInput(s->conn);
	if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	if (s->txn) {
		s->txn = false;
		return err_set(e, ERR_UNAVAILABLE,
			       "database connection lost; nothing was committed");
	}
	return blocking(s, true, e);
}

static bool
is_prepared(const struct pgstore *s, uint64_t h)
{
	for (size_t i = 0; i < s->nprepared; i++)
		if (s->prepared[i] == h)
			return true;
	return false;
}

static void
clear_outs(struct pgstep *steps, int n)
{
	for (int i = 0; i < n; i++)
		if (steps[i].out) {
			PQclear(*steps[i].out);
			*steps[i].out = NULL;
		}
}

/* Did r fail because the session is gone (terminated, crashed, cut)
 * rather than because a statement failed? */
static bool
lost_connection(PGconn *c, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return PQstatus(c) != CONNECTION_OK || !state || strncmp(state, "57P", 3) == 0
	       || strncmp(state, "08", 2) == 0;
}

static bool
terminated(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return state && strncmp(state, "57P0", 4) == 0;
}

/* A write refused by a read-only session (a standby). */
static bool
read_only(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return state && strcmp(state, "25006") == 0;
}

/* The session went away after the statements were sent and before the
 * sync confirmed them. Inside an explicit transaction that is not being
 * committed nothing can have been committed; otherwise the commit may or
 * may not have happened. */
static int
unconfirmed(struct pgstore *s, struct err *e)
{
	const char *m = PQerrorMessage(s->conn);

	if (s->txn && !s->committing)
		return err_set(e, ERR_UNAVAILABLE,
			       "database connection lost; nothing was committed: %.*s",
			       (int)strcspn(m, "\n"), m);
	return err_set(e, ERR_OUTCOME_UNKNOWN,
		       "database connection lost before the commit was confirmed; "
		       "the change may or may not have been saved: %.*s",
		       (int)strcspn(m, "\n"), m);
}

/* tenantry.member_role: "role" or "role;+perm,-perm" in a tenant context. */
static void
member_setting(char *buf, size_t size, const struct store_context *c)
{
	int len;

	buf[0] = '\0';
	if (c->role != STORE_ROLE_TENANT)
		return;
	len = snprintf(buf, size, "%s;", member_role_name(c->view_role));
	if (len < 0 || (size_t)len >= size
	    || perm_overrides_format(buf + len, size - (size_t)len, &c->view_over) < 0)
		snprintf(buf, size, "viewer;"); /* never wider than asked: every
						 * permission fits in size */
}

/* One attempt. Statements not yet prepared on this connection are
 * prepared inside the pipeline, after the context statement: their names
 * resolve with the role of the operation, not the bare login's (a
 * NOINHERIT login may not even see the schema). *retry_safe tells whether
 * the failure came before the server could have run anything. */
static int
run_once(struct pgstore *s, struct pgstep *steps, int n, struct err *e, bool *retry_safe)
{
	const struct store_context *c = &s->base.ctx;
	char member[600];
	/* A tenant context's member role and overrides (019, 042); ''
	 * elsewhere. */
	const char *ctx[7] = { role_names[c->role], c->tenant_id, c->actor, c->actor_kind, c->ip,
			       c->user_agent,       member };
	char names[PG_MAX_STEPS + 1][24];
	uint64_t hashes[PG_MAX_STEPS + 1], pending[PG_MAX_STEPS + 1];
	int npending = 0, rc = 0;
	bool synced = false, rolled_back = false;

	member_setting(member, sizeof member, c);
	*retry_safe = true;
	if (n > PG_MAX_STEPS + 1) /* + the credential check */
		return err_set(e, ERR_INTERNAL, "too many statements in one operation");
	if (connect_db(s, e) < 0)
		return -1;
	if (s->nprepared + (size_t)n > PG_MAX_PREPARED && blocking(s, false, e) < 0)
		return -1;
	if (trace_fn) {
		trace_fn(trace_arg, CTX_SQL, 7, ctx);
		for (int i = 0; i < n; i++)
			trace_fn(trace_arg, steps[i].sql, steps[i].n, steps[i].params);
	}
	if (!PQenterPipelineMode(s->conn))
		return pg_error(e, s->conn, NULL);
	if (s->unnamed) {
		/* Parse, Bind, Execute of the unnamed statement each: nothing
		 * outlives the pipeline's transaction on the server session. */
		PQsendQueryParams(s->conn, CTX_SQL, 7, NULL, ctx, NULL, NULL, 0);
		for (int i = 0; i < n; i++)
			PQsendQueryParams(s->conn, steps[i].sql, steps[i].n, NULL, steps[i].params,
					  NULL, NULL, 0);
		goto sync;
	}
	PQsendQueryPrepared(s->conn, CTX_NAME, 7, ctx, NULL, NULL, 0);
	for (int i = 0; i < n; i++) {
		bool dup = false;

		hashes[i] = text_hash(steps[i].sql);
		snprintf(names[i], sizeof names[i], "t%016llx", (unsigned long long)hashes[i]);
		for (int k = 0; k < npending; k++)
			dup |= pending[k] == hashes[i];
		if (dup || is_prepared(s, hashes[i]))
			continue;
		pending[npending++] = hashes[i];
		PQsendPrepare(s->conn, names[i], steps[i].sql, 0, NULL);
	}
	for (int i = 0; i < n; i++)
		PQsendQueryPrepared(s->conn, names[i], steps[i].n, steps[i].params, NULL, NULL, 0);
sync:
	if (!PQpipelineSync(s->conn)) {
		rc = pg_error(e, s->conn, NULL);
		goto out;
	}
	*retry_safe = false;
	/* Results: the context, the prepares, then the steps. */
	for (int i = -1 - npending; i < n; i++) {
		PGresult *r, *extra;

		pg_await(s->conn);
		r = PQgetResult(s->conn);
		ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

		if (st == PGRES_FATAL_ERROR && rc == 0) {
			rc = pg_error(e, s->conn, r);
			/* The first result failing because the session was
			 * terminated (57P0x before the context statement's
			 * result: it ran nothing) is as good as a dead
			 * connection. A connection that closed without a
			 * word is not: the server may have committed and
			 * died before it flushed a single result. */
			*retry_safe = i == -1 - npending && r && terminated(r);
			rolled_back = !lost_connection(s->conn, r);
			s->standby = r && read_only(r);
		}
		if (!r)
			goto out;
		if (i < 0 && i >= -npending && st == PGRES_COMMAND_OK)
			s->prepared[s->nprepared++] = pending[npending + i];
		if (i >= 0 && steps[i].out && rc == 0
		    && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK))
			*steps[i].out = r;
		else
			PQclear(r);
		while ((pg_await(s->conn), extra = PQgetResult(s->conn)))
			PQclear(extra);
	}
	/* Up to and including the sync: only the sync proves the commit
	 * (deferred constraints and the commit itself can still fail). */
	for (;;) {
		PGresult *r;
		ExecStatusType st;

		pg_await(s->conn);
		if (!(r = PQgetResult(s->conn)))
			break;
		st = PQresultStatus(r);
		if (st == PGRES_FATAL_ERROR && rc == 0) {
			rc = pg_error(e, s->conn, r);
			rolled_back = !lost_connection(s->conn, r);
		}
		PQclear(r);
		if (st == PGRES_PIPELINE_SYNC) {
			synced = true;
			break;
		}
	}
out:
	if (!synced && !*retry_safe && !rolled_back)
		rc = unconfirmed(s, e);
	if (PQstatus(s->conn) == CONNECTION_OK)
		PQexitPipelineMode(s->conn);
	else
		s->txn = false; /* a lost session ends its transaction */
	if (rc < 0)
		clear_outs(steps, n);
	return rc;
}

int
pg_run(struct pgstore *s, struct pgstep *steps, int n, struct err *e)
{
	const struct store_context *c = &s->base.ctx;
	struct pgstep all[PG_MAX_STEPS + 1];
	const char *authp[6];
	char issued[24];
	bool retry_safe, in_txn = s->txn;

	/* tenantryd's credential check goes first, as a prepared step like
	 * any other (it needs the operation's role to resolve). */
	if (c->auth_user[0] || c->auth_key[0]) {
		if (n > PG_MAX_STEPS)
			return err_set(e, ERR_INTERNAL, "too many statements in one operation");
		snprintf(issued, sizeof issued, "%lld", (long long)c->auth_issued_us);
		authp[0] = c->auth_user;
		authp[1] = issued;
		authp[2] = c->auth_key;
		authp[3] = c->auth_member || c->auth_key[0] ? c->tenant_id : "";
		authp[4] = c->auth_kind;
		authp[5] = c->auth_role;
		all[0] = (struct pgstep){ .sql = AUTH_SQL, .n = 6, .params = authp };
		memcpy(all + 1, steps, (size_t)n * sizeof *steps);
		steps = all;
		n++;
	}

	for (int i = 0; i < n; i++)
		if (steps[i].out)
			*steps[i].out = NULL;
	s->standby = false;
	if (run_once(s, steps, n, e, &retry_safe) == 0)
		return 0;
	/* A write refused by a standby ran nothing: the session goes (a
	 * multi-host conninfo finds the primary on the next), and the
	 * operation, outside a transaction, is tried once more on a new one. */
	if (s->standby) {
		pg_rollback(s);
		PQfinish(s->conn);
		s->conn = NULL;
		s->nprepared = 0;
		if (in_txn) {
			s->txn_broken = true;
			return -1;
		}
		err_clear(e);
		return run_once(s, steps, n, e, &retry_safe);
	}
	/* A statement failed inside an idempotent transaction: it is rolled
	 * back, and the operation goes on as it would without one (reading
	 * what a refusal needs to explain itself, say); its failure is what
	 * the request answers, so nothing is kept for the key. */
	if (in_txn && !s->committing) {
		pg_rollback(s);
		s->txn_broken = true;
		return -1;
	}
	/* A connection lost before anything ran (server restarted while we
	 * were idle): reconnect and try once more. */
	if (e && e->code == ERR_UNAVAILABLE && retry_safe && !in_txn) {
		PQfinish(s->conn);
		s->conn = NULL;
		err_clear(e);
		return run_once(s, steps, n, e, &retry_safe);
	}
	return -1;
}

void
pg_rollback(struct pgstore *s)
{
	bool open = s->txn;
	PGresult *r;

	s->txn = s->committing = false;
	if (!open || !s->conn || PQstatus(s->conn) != CONNECTION_OK
	    || !PQsendQuery(s->conn, "ROLLBACK"))
		return;
	for (;;) {
		pg_await(s->conn);
		if (!(r = PQgetResult(s->conn)))
			break;
		PQclear(r);
	}
}

/* ---- store ops: lifecycle of the store itself ---------------------------- */

static void
pg_close(struct store *st)
{
	struct pgstore *s = pg_of(st);

	if (s->conn)
		PQfinish(s->conn);
	free(s->idem_caller);
	free(s->idem_key);
	free(s->idem_fingerprint);
	free(s->conninfo);
	free(s->direct);
	memset(s->key, 0, sizeof s->key);
	free(s);
}

static int
pg_set_context(struct store *st, const struct store_context *ctx, struct err *e)
{
	if ((unsigned)ctx->role > STORE_ROLE_AUTH)
		return err_set(e, ERR_BAD_REQUEST, "unknown role");
	if (ctx->role == STORE_ROLE_TENANT && !pg_is_uuid(ctx->tenant_id))
		return err_set(e, ERR_BAD_REQUEST, "a tenant context needs the tenant's id");
	st->ctx = *ctx;
	return 0;
}

static int
pg_ping(struct store *st, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = { PG_STEP0("SELECT 1", &r) };
	int rc = pg_run(pg_of(st), steps, 1, e);

	PQclear(r);
	return rc;
}

/* ---- opening ---------------------------------------------------------------- */

static struct store_ops ops = {
	.version = STORE_OPS_VERSION,
	.kind = "pg",
	.close = pg_close,
	.set_context = pg_set_context,
	.ping = pg_ping,
};
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static void
fill_ops(void)
{
	pg_ops_tenants(&ops);
	pg_ops_tiers(&ops);
	pg_ops_members(&ops);
	pg_ops_invitations(&ops);
	pg_ops_settings(&ops);
	pg_ops_keys(&ops);
	pg_ops_usage(&ops);
	pg_ops_audit(&ops);
	pg_ops_platform(&ops);
	pg_ops_history(&ops);
	pg_ops_jobs(&ops);
	pg_ops_webhooks(&ops);
	pg_ops_view_as(&ops);
	pg_ops_auth(&ops);
	pg_ops_feed(&ops);
	pg_ops_idem(&ops);
}

int
store_pg_open(struct store **out, const struct store_config *cfg, struct err *e)
{
	struct pgstore *s;
	const char *keyfile = cfg->master_key_file;

	*out = NULL;
	if (secret_init() < 0)
		return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
	pthread_once(&ops_once, fill_ops); /* stores may open on any thread */
	s = calloc(1, sizeof *s);
	if (!s || !(s->conninfo = strdup(cfg->conninfo ? cfg->conninfo : ""))) {
		free(s);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	s->base.ops = &ops;
	s->base.ctx.role = STORE_ROLE_SESSION;
	s->unnamed = cfg->unnamed;
	if (cfg->direct_conninfo && *cfg->direct_conninfo
	    && !(s->direct = strdup(cfg->direct_conninfo))) {
		pg_close(&s->base);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (!keyfile || !*keyfile)
		keyfile = getenv("TENANTRY_MASTER_KEY_FILE");
	if (keyfile && *keyfile) {
		if (secret_load_key(s->key, keyfile, e) < 0) {
			pg_close(&s->base);
			return -1;
		}
		s->have_key = true;
	}
	if (cfg->lazy) {
		char *msg = NULL;
		PQconninfoOption *opts = PQconninfoParse(s->conninfo[0] ? s->conninfo : "", &msg);

		if (!opts && !strstr(s->conninfo, "=") && !strstr(s->conninfo, "://"))
			opts = PQconninfoParse("", NULL); /* a bare database name */
		if (!opts) {
			err_set(e, ERR_BAD_REQUEST, "bad connection string: %.*s",
				msg ? (int)strcspn(msg, "\n") : 0, msg ? msg : "");
			PQfreemem(msg);
			pg_close(&s->base);
			return -1;
		}
		PQconninfoFree(opts);
		*out = &s->base;
		return 0;
	}
	if (connect_db(s, e) < 0) {
		pg_close(&s->base);
		return -1;
	}
	*out = &s->base;
	return 0;
}
