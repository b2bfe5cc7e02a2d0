/* store_pg.h - internals shared by the libpq store's source files.
 *
 * Every operation is one pipeline: the context statement (role, tenant,
 * actor, ip, user agent as transaction-local settings) followed by the
 * operation's statements, then one Sync. Statements before a Sync run in
 * one implicit transaction, so the context applies to exactly that
 * operation, an error rolls all of it back, and the whole operation costs
 * one round trip. Statements are prepared on first use per connection
 * (named after a hash of their text) and always take parameters; with
 * store_config's unnamed (behind a transaction pooler) they are sent as
 * unnamed statements instead, parsed every time.
 */
#ifndef TENANTRY_STORE_PG_H
#define TENANTRY_STORE_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/validate.h"
#include "store/secret.h"
#include "store/store.h"

#define PG_MAX_PREPARED 256
#define PG_MAX_STEPS 8

struct pgstore {
	struct store base;
	PGconn *conn;
	char *conninfo;
	bool have_key;
	uint8_t key[SECRET_KEY_BYTES];
	/* An explicit transaction is open (idempotent writes): pipelines run
	 * inside it until the one that commits (committing) or a rollback. */
	bool txn, committing;
	bool txn_broken; /* rolled back after a statement failed */
	/* The last operation was refused as a write on a read-only session
	 * (25006: a standby, as a pooler or an address not yet moved after a
	 * failover): nothing of it ran, and the session is dropped. */
	bool standby;
	/* The key an open idempotent transaction claimed. */
	char *idem_caller, *idem_key, *idem_fingerprint;
	size_t nprepared;
	uint64_t prepared[PG_MAX_PREPARED]; /* hashes of prepared texts */
	/* store_config's unnamed: nothing is prepared, every statement is
	 * sent unnamed (a transaction pooler); and the feed's own conninfo
	 * (NULL: conninfo). */
	bool unnamed;
	char *direct;
};

struct pgstep {
	const char *sql;
	int n;
	const char *const *params;
	PGresult **out; /* NULL: result discarded */
};

/* clang-format off */
#define PG_STEP(sqltext, res, ...)                                            \
	{ .sql = (sqltext), .out = (res),                                     \
	  .n = sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *), \
	  .params = (const char *const[]){ __VA_ARGS__ } }
/* clang-format on */
#define PG_STEP0(sqltext, res)                                                                     \
	{                                                                                          \
		.sql = (sqltext), .out = (res), .n = 0                                             \
	}

/* Timestamps travel as microseconds since the epoch. */
#define US(col) "coalesce((extract(epoch FROM " col ") * 1000000)::int8, 0)"
/* clang-format off */
#define FROM_US(p) "CASE WHEN " p "::int8 > 0 THEN 'epoch'::timestamptz + " \
	p "::int8 * interval '1 microsecond' END"
/* clang-format on */

static inline struct pgstore *
pg_of(struct store *st)
{
	return (struct pgstore *)st;
}

/* Runs steps in one pipeline after the context; on error fills e from the
 * first failing statement and clears every out result. */
int pg_run(struct pgstore *s, struct pgstep *steps, int n, struct err *e);

/* Until the next result of c can be had without blocking: with a wait
 * hook (store_wait_hook) the socket is waited for there, else PQgetResult
 * blocks. */
void pg_await(PGconn *c);

/* Ends an open explicit transaction (no error when there is none). */
void pg_rollback(struct pgstore *s);

/* A statement assembled from fixed pieces (column names from the code's
 * own tables, parameter numbers, a limit): never from user text, which
 * always travels as a parameter. Appending past the buffer marks it
 * truncated; pg_sql_done then fails with ERR_INTERNAL, so a cut statement
 * is never sent. */
struct pg_sql {
	char *buf;
	size_t cap, len;
	bool truncated;
};
void pg_sql_init(struct pg_sql *q, char *buf, size_t cap);
void pg_sql_add(struct pg_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0, or -1 with ERR_INTERNAL when something did not fit. */
int pg_sql_done(const struct pg_sql *q, struct err *e);

/* Error from a failed result (SQLSTATE mapped to an err code). */
int pg_error(struct err *e, PGconn *c, const PGresult *r);

/* Result helpers. */
const char *pg_s(const PGresult *r, int row, int col); /* "" for NULL */
int64_t pg_i64(const PGresult *r, int row, int col);
double pg_f(const PGresult *r, int row, int col);
bool pg_b(const PGresult *r, int row, int col);
bool pg_null(const PGresult *r, int row, int col);
/* Copies column text into a fixed buffer (a plain copy: this runs for
 * every column of every row, where snprintf showed in profiles), cut at a
 * character boundary when the text does not fit, so a long value never
 * leaves half a UTF-8 sequence in the buffer (a reply could not encode
 * it). What every row reader uses. */
static inline void
pg_copy_text(char *dst, size_t n, const PGresult *r, int row, int col)
{
	utf8_copy(dst, n, PQgetvalue(r, row, col),
		  PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col));
}
#define pg_cpy(dst, r, row, col) pg_copy_text((dst), sizeof(dst), (r), (row), (col))

/* Sizes out->rows for the rows of r; on failure clears r and returns
 * from the calling function with ERR_INTERNAL. */
/* clang-format off */
#define ALLOC_ROWS(out, r, e)                                                \
	do {                                                                 \
		(out)->n = (size_t)PQntuples(r);                             \
		(out)->rows = calloc((out)->n + 1, sizeof *(out)->rows);     \
		if (!(out)->rows) {                                          \
			PQclear(r);                                          \
			return err_set((e), ERR_INTERNAL, "out of memory");  \
		}                                                            \
	} while (0)
/* clang-format on */

/* Statement observer: when set, called with every statement a pipeline
 * sends (the context statement first) and its parameters, before it is
 * sent. The bench uses it to replay exactly the store's SQL with pgbench;
 * set it before any store runs, from one thread. NULL turns it off. */
typedef void pg_trace_fn(void *arg, const char *sql, int n, const char *const *params);
void store_pg_trace(pg_trace_fn *fn, void *arg);

/* A notice processor that drops the server's notices and warnings (the
 * WARNING of an immediate shutdown): libpq's default prints them on
 * stderr, over a console's screen. */
void pg_quiet_notice(void *arg, const char *message);

/* Is s shaped like a uuid? */
bool pg_is_uuid(const char *s);
/* Scopes from "a,b,c" (array_to_string); unknown names are skipped. */
scope_mask pg_scopes(const char *csv);

/* Operation tables filled by the other files. */
void pg_ops_tenants(struct store_ops *ops);
void pg_ops_tiers(struct store_ops *ops);
/* A member from the row of columns tenant_id, user_id, email, full_name,
 * role, active, joined_at, last_active_at (store_pg_members.c). */
void pg_member_row(struct member *m, const PGresult *r, int row);
/* A member's permissions column (JSON text) as overrides; -1 (none set)
 * when it does not read as such. */
int pg_overrides(struct perm_overrides *out, const char *text);
void pg_ops_members(struct store_ops *ops);
void pg_ops_invitations(struct store_ops *ops);
void pg_ops_settings(struct store_ops *ops);
void pg_ops_keys(struct store_ops *ops);
void pg_ops_usage(struct store_ops *ops);
void pg_ops_audit(struct store_ops *ops);
void pg_ops_platform(struct store_ops *ops);
void pg_ops_history(struct store_ops *ops); /* store_pg_history.c */
void pg_ops_jobs(struct store_ops *ops);
void pg_ops_webhooks(struct store_ops *ops);
void pg_ops_view_as(struct store_ops *ops);
void pg_ops_auth(struct store_ops *ops);
void pg_ops_credentials(struct store_ops *ops); /* store_pg_credentials.c */
/* The first admin's invitation of a tenant_create (store_pg_credentials.c). */
void pg_first_admin(const struct tenant_new *t, const PGresult *inv, const char *token);
/* The token of an event's mail (an invitation's, a reset's) sealed with the
 * master key, for the outbox trigger (047/049), malloc'd; NULL without a
 * key (no mail then carries it). PG_MAIL_TOKEN hands it over: a step
 * before the statement whose audit entry makes the event, with the sealed
 * text or "" as its parameter (store_pg_mail.c). */
char *pg_mail_seal(struct pgstore *s, const char *token);
#define PG_MAIL_TOKEN "SELECT set_config('tenantry.mail_token', $1, true)"
void pg_ops_feed(struct store_ops *ops);
void pg_ops_idem(struct store_ops *ops);

/* Row decoders shared between files. */
/* clang-format off */
#define PG_TENANT_COLS                                                        \
	"t.id, t.slug, t.name, coalesce(t.domain, ''), t.tier, t.status, "    \
	US("t.trial_ends_at") ", " US("t.deletion_due_at") ", "               \
	US("t.created_at") ", " US("t.updated_at") ", "                       \
	"t.members, t.health_score, t.usage_peak, "                           \
	"coalesce(t.billing_email, ''), t.billing_status, "                   \
	"coalesce(t.contact_phone, ''), t.timezone, t.locale, t.features::text, " \
	US("t.health_at")
/* clang-format on */
#define PG_TENANT_NCOLS 20
void pg_tenant_row(struct tenant *t, const PGresult *r, int row);
/* Recomputes one tenant's health score and usage peak (store_pg_platform.c)
 * after a change that moves them; best effort: -1 leaves the older
 * figures, whose health_at says when they were computed. */
int pg_health_refresh_tenant(struct store *st, const char *tenant_id);
/* Feature overrides {"name": bool} into masks. */
void pg_features(const char *json, feature_mask *on, feature_mask *off);

/* A quota row q as of now (a passed window reads as empty): resource,
 * limit, used, period, window start; pg_quota_row reads them from col. */
/* clang-format off */
#define PG_QUOTA_COLS                                                        \
	"q.resource, q.quota_limit, CASE WHEN q.period_start < "             \
	"tenantry.window_start(q.period, now(), q.period_start) THEN 0 ELSE q.used END, " \
	"q.period, " US("tenantry.window_start(q.period, now(), q.period_start)")
/* clang-format on */
void pg_quota_row(struct quota *q, const PGresult *r, int row, int col);

/* A quota's usage on the 14 (FORECAST_DAYS) complete days before today,
 * "days ago:amount,..." for pg_forecast; t and r are the SQL of the tenant
 * id and the resource. The columns a forecast needs are this and
 * US("now()"). Consumption is usage_daily; members and API keys are
 * counted, not consumed, so theirs is the days the members still active
 * joined and the keys still live were created (the other branches cost
 * nothing for other resources: their filter is decided once). */
/* clang-format off */
#define PG_FORECAST_TODAY "(now() AT TIME ZONE 'UTC')::date"
#define PG_FORECAST_DAYS(t, r)                                               \
	"(SELECT string_agg((" PG_FORECAST_TODAY " - x.day)::text || ':' "   \
	"|| x.n::text, ',') FROM (SELECT x.day, sum(x.n) AS n FROM ("              \
	"SELECT u.day, u.amount AS n FROM tenantry.usage_daily u "            \
	"WHERE u.tenant_id = " t " AND u.resource = " r " "                   \
	"AND u.day >= " PG_FORECAST_TODAY " - 14 "                            \
	"UNION ALL SELECT (m.joined_at AT TIME ZONE 'UTC')::date, 1 "         \
	"FROM tenantry.tenant_users m WHERE " r " = 'users' "                 \
	"AND m.tenant_id = " t " AND m.active "                               \
	"AND m.joined_at >= now() - interval '15 days' "                      \
	"UNION ALL SELECT (k.created_at AT TIME ZONE 'UTC')::date, 1 "        \
	"FROM tenantry.api_keys k WHERE " r " = 'api_keys' "                  \
	"AND k.tenant_id = " t " AND k.revoked_at IS NULL "                   \
	"AND k.created_at >= now() - interval '15 days') x "                  \
	"WHERE x.day >= " PG_FORECAST_TODAY " - 14 AND x.day < " PG_FORECAST_TODAY \
	" GROUP BY x.day) x)"
#define PG_FORECAST_COLS(t, r) PG_FORECAST_DAYS(t, r) ", " US("now()")
/* PG_QUOTA_COLS then its forecast's: 7 columns. */
#define PG_QUOTA_FORECAST_COLS PG_QUOTA_COLS ", " PG_FORECAST_COLS("q.tenant_id", "q.resource")
/* clang-format on */
/* Fills q->forecast from q (limit, used as of now, window) and the two
 * PG_FORECAST_COLS at col and col + 1 of row (store_pg_usage.c). */
void pg_forecast(struct quota *q, const PGresult *r, int row, int col);

#endif
