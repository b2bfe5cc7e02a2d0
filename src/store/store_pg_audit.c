/* store_pg_audit.c - the audit log (pages, events, verification) and
 * quota alerts over libpq. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/health.h"
#include "core/tier.h"
#include "core/validate.h"
#include "store/store_pg.h"

#define VERIFY_PAGE "5000"

/* ---- audit ------------------------------------------------------------------- */

/* clang-format off */
#define AUDIT_COLS                                                           \
	"a.tenant_id, a.seq, " US("a.at") ", a.actor, a.actor_kind, a.action, " \
	"a.resource_type, a.resource_id, coalesce(host(a.ip), ''), a.old::text, " \
	"a.new::text, a.user_agent, encode(a.hash, 'hex'), " \
	"a.xid::text || '-' || a.gseq, coalesce(a.label, '')"
/* clang-format on */

static char *
dup_or_null(const PGresult *r, int row, int col)
{
	return pg_null(r, row, col) ? NULL : strdup(pg_s(r, row, col));
}

static void
audit_row(struct audit_entry *a, const PGresult *r, int row)
{
	pg_cpy(a->tenant_id, r, row, 0);
	a->seq = pg_i64(r, row, 1);
	a->at = pg_i64(r, row, 2);
	pg_cpy(a->actor, r, row, 3);
	pg_cpy(a->actor_kind, r, row, 4);
	pg_cpy(a->action, r, row, 5);
	pg_cpy(a->resource_type, r, row, 6);
	pg_cpy(a->resource_id, r, row, 7);
	pg_cpy(a->ip, r, row, 8);
	a->old_json = dup_or_null(r, row, 9);
	a->new_json = dup_or_null(r, row, 10);
	a->user_agent = dup_or_null(r, row, 11);
	pg_cpy(a->hash, r, row, 12);
	pg_cpy(a->cursor, r, row, 13);
	pg_cpy(a->label, r, row, 14);
}

/* "xid-gseq" into its two numbers, as text for the statement. */
static int
cursor_parse(char xid[24], char gseq[24], const char *cursor, struct err *e)
{
	char *end;
	unsigned long long x, g;

	if (cursor[0] < '0' || cursor[0] > '9')
		goto bad;
	x = strtoull(cursor, &end, 10);
	if (*end != '-' || end[1] < '0' || end[1] > '9')
		goto bad;
	g = strtoull(end + 1, &end, 10);
	if (*end || x > INT64_MAX || g > INT64_MAX)
		goto bad;
	snprintf(xid, 24, "%llu", x);
	snprintf(gseq, 24, "%llu", g);
	return 0;
bad:
	return err_field(e, "cursor", "an audit cursor is two numbers, XID-GSEQ");
}

/* Entries after an audit cursor, in commit order (store.h). */
static int
audit_after_cursor(struct audit_entry_list *out, struct store *st, const char *tenant,
		   const struct audit_query *q, int limit, struct err *e)
{
	char xid[24], gseq[24], lim[16], since[24];
	PGresult *r = NULL;

	if (cursor_parse(xid, gseq, q->cursor, e) < 0)
		return -1;
	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(since, sizeof since, "%lld", (long long)q->since);
	{
		struct pgstep steps[] = {
			PG_STEP("SELECT CASE WHEN $1::text IS NOT NULL THEN "
				"tenantry.must_tenant($1) END",
				NULL, tenant),
			PG_STEP("SELECT " AUDIT_COLS " FROM tenantry.audit_log a "
				"WHERE (a.xid, a.gseq) > ($2::text::xid8, $3::int8) "
				"AND a.xid < tenantry.audit_horizon() "
				"AND ($1::text IS NULL OR a.tenant_id = tenantry.tenant_ref($1)) "
				"AND ($4::text IS NULL OR a.action LIKE $4 || '%') "
				"AND ($5::text IS NULL OR a.actor = $5) "
				"AND ($7::int8 = 0 OR a.at >= " FROM_US(
				    "$7") ") "
					  "ORDER BY a.xid, a.gseq LIMIT $6",
				&r, tenant, xid, gseq, q->action, q->actor, lim, since),
		};

		if (pg_run(pg_of(st), steps, 2, e) < 0)
			return -1;
	}
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		audit_row(&out->rows[i], r, (int)i);
	if (out->n == (size_t)limit)
		snprintf(out->next, sizeof out->next, "%s", out->rows[out->n - 1].cursor);
	PQclear(r);
	return 0;
}

static int
pg_audit_list(struct audit_entry_list *out, struct store *st, const char *tenant,
	      const struct audit_query *q, struct err *e)
{
	char after[24], before[24], lim[16];
	const char *sql;
	PGresult *r = NULL;
	int limit = q->limit ? q->limit : 100;
	bool newest = q->newest || q->before_seq > 0;

	memset(out, 0, sizeof *out);
	if (limit < 1 || limit > 1000)
		return err_field(e, "limit", "limit must be between 1 and 1000");
	if (q->after_seq < 0 || q->before_seq < 0)
		return err_field(e, "after", "sequence numbers are positive");
	if (q->action && strlen(q->action) > 63)
		return err_field(e, "action", "action longer than 63 bytes");
	if (q->cursor)
		return audit_after_cursor(out, st, tenant, q, limit, e);
	snprintf(after, sizeof after, "%lld", (long long)q->after_seq);
	snprintf(before, sizeof before, "%lld",
		 (long long)(q->before_seq > 0 ? q->before_seq : INT64_MAX));
	snprintf(lim, sizeof lim, "%d", limit);
	if (tenant) {
		sql = newest ? "SELECT " AUDIT_COLS " FROM tenantry.audit_log a "
			       "WHERE a.tenant_id = tenantry.tenant_ref($1) "
			       "AND a.seq > $2::int8 AND a.seq < $3::int8 "
			       "AND ($4::text IS NULL OR a.action LIKE $4 || '%') "
			       "AND ($5::text IS NULL OR a.actor = $5) "
			       "ORDER BY a.seq DESC LIMIT $6"
			     : "SELECT " AUDIT_COLS " FROM tenantry.audit_log a "
			       "WHERE a.tenant_id = tenantry.tenant_ref($1) "
			       "AND a.seq > $2::int8 AND a.seq < $3::int8 "
			       "AND ($4::text IS NULL OR a.action LIKE $4 || '%') "
			       "AND ($5::text IS NULL OR a.actor = $5) "
			       "ORDER BY a.seq LIMIT $6";
	} else {
		/* Across chains seq means nothing: the newest entries in
		 * commit order, of finished transactions (so the newest
		 * one's cursor is a gapless starting point). */
		sql = "SELECT " AUDIT_COLS " FROM tenantry.audit_log a "
		      "WHERE $1::text IS NULL AND $2::int8 >= 0 AND $3::int8 > 0 "
		      "AND a.xid < tenantry.audit_horizon() "
		      "AND ($4::text IS NULL OR a.action LIKE $4 || '%') "
		      "AND ($5::text IS NULL OR a.actor = $5) "
		      "ORDER BY a.xid DESC, a.gseq DESC LIMIT $6";
	}
	{
		struct pgstep steps[] = {
			PG_STEP("SELECT CASE WHEN $1::text IS NOT NULL THEN "
				"tenantry.must_tenant($1) END",
				NULL, tenant),
			PG_STEP(sql, &r, tenant, after, before, q->action, q->actor, lim),
		};

		if (pg_run(pg_of(st), steps, 2, e) < 0)
			return -1;
	}
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++)
		audit_row(&out->rows[i], r, (int)i);
	if (out->n == (size_t)limit && tenant)
		snprintf(out->next, sizeof out->next, "%lld", (long long)out->rows[out->n - 1].seq);
	PQclear(r);
	return 0;
}

static int
pg_audit_event(struct store *st, const char *tenant, const char *action, const char *rtype,
	       const char *rid, const char *detail, struct err *e)
{
	struct pgstep step =
	    PG_STEP("SELECT tenantry.audit_event(CASE WHEN $1::text "
		    "IS NOT NULL THEN tenantry.must_tenant($1) END, $2, $3, $4, $5::jsonb)",
		    NULL, tenant, action, rtype ? rtype : "", rid ? rid : "", detail);

	if (validate_audit_action(action, e) < 0)
		return -1;
	if (pg_run(pg_of(st), &step, 1, e) < 0) {
		if (e && e->code == ERR_BAD_REQUEST && detail && strstr(e->message, "json"))
			err_set(e, ERR_BAD_JSON, "detail is not valid JSON");
		return -1;
	}
	return 0;
}

/* hash = sha256(prev_hash || canonical text); the canonical text is each
 * field as "<octet length>:<text>;" (see src/sql/004_audit.sql). */
static void
chain_hash(char out[65], const char *prev_hex, const PGresult *r, int row)
{
	crypto_hash_sha256_state h;
	uint8_t prev[32], digest[32];
	size_t plen = 0;

	crypto_hash_sha256_init(&h);
	if (sodium_hex2bin(prev, sizeof prev, prev_hex, strlen(prev_hex), NULL, &plen, NULL) == 0
	    && plen)
		crypto_hash_sha256_update(&h, prev, plen);
	for (int col = 1; col <= 12; col++) {
		const char *v = pg_s(r, row, col);
		char len[24];

		snprintf(len, sizeof len, "%zu:", strlen(v));
		crypto_hash_sha256_update(&h, (const uint8_t *)len, strlen(len));
		crypto_hash_sha256_update(&h, (const uint8_t *)v, strlen(v));
		crypto_hash_sha256_update(&h, (const uint8_t *)";", 1);
	}
	if (!pg_null(r, row, 15)) { /* a label (052): its field ends the text */
		const char *v = pg_s(r, row, 15);
		char len[24];

		snprintf(len, sizeof len, "%zu:", strlen(v));
		crypto_hash_sha256_update(&h, (const uint8_t *)len, strlen(len));
		crypto_hash_sha256_update(&h, (const uint8_t *)v, strlen(v));
		crypto_hash_sha256_update(&h, (const uint8_t *)";", 1);
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(out, 65, digest, sizeof digest);
}

/* The columns chain_hash reads (1..12, and the label 15 when it is not
 * NULL), the links (13, 14) and seq (0). */
/* clang-format off */
#define VERIFY_COLS                                                          \
	"a.seq, a.tenant_id::text, a.seq::text, "                            \
	"to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), " \
	"a.actor, a.actor_kind, a.action, a.resource_type, a.resource_id, "   \
	"a.old::text, a.new::text, host(a.ip), a.user_agent, "               \
	"encode(a.prev_hash, 'hex'), encode(a.hash, 'hex'), a.label"
/* clang-format on */

/* One chain being walked entry by entry. */
struct chain_walk {
	struct audit_verdict *v;
	int64_t expect;
	char prev[65];
};

static void
walk_start(struct chain_walk *w, struct audit_verdict *v)
{
	memset(v, 0, sizeof *v);
	w->v = v;
	w->expect = 1;
	w->prev[0] = '\0';
}

/* Row i of r, the chain's next entry; false once the chain is broken. */
static bool
walk_row(struct chain_walk *w, const PGresult *r, int i)
{
	struct audit_verdict *v = w->v;
	int64_t seq = pg_i64(r, i, 0);
	char want[65];

	if (v->first_broken)
		return false;
	v->entries++;
	if (seq != w->expect)
		snprintf(v->reason, sizeof v->reason, "entry %lld missing", (long long)w->expect);
	else if (strcmp(pg_s(r, i, 13), w->prev) != 0)
		snprintf(v->reason, sizeof v->reason, "prev_hash does not match entry %lld",
			 (long long)seq - 1);
	else if (chain_hash(want, w->prev, r, i), !secret_hash_equal(want, pg_s(r, i, 14)))
		snprintf(v->reason, sizeof v->reason, "content does not match its hash");
	if (v->reason[0]) {
		v->first_broken = w->expect;
		return false;
	}
	snprintf(w->prev, sizeof w->prev, "%s", pg_s(r, i, 14));
	w->expect = seq + 1;
	return true;
}

/* The chain's head (head < 0: none recorded): entries cut off the end
 * leave an intact but short chain. */
static void
walk_end(struct chain_walk *w, int64_t head)
{
	struct audit_verdict *v = w->v;

	snprintf(v->head_hash, sizeof v->head_hash, "%s", w->prev);
	if (!v->first_broken && head >= 0 && head != w->expect - 1) {
		v->first_broken = w->expect;
		snprintf(v->reason, sizeof v->reason, "chain ends at %lld but its head is %lld",
			 (long long)w->expect - 1, (long long)head);
	}
}

static int
pg_audit_verify(struct audit_verdict *out, struct store *st, const char *tenant, struct err *e)
{
	char id[ID_LEN] = PLATFORM_CHAIN, last[24] = "0";
	struct chain_walk w;
	PGresult *r = NULL;
	int64_t head = -1;

	walk_start(&w, out);
	if (tenant) {
		struct pgstep step = PG_STEP("SELECT tenantry.must_tenant($1)", &r, tenant);

		if (pg_run(pg_of(st), &step, 1, e) < 0)
			return -1;
		pg_cpy(id, r, 0, 0);
		PQclear(r);
	}
	for (;;) {
		struct pgstep step = PG_STEP(
		    "SELECT " VERIFY_COLS " FROM tenantry.audit_log a WHERE a.tenant_id = $1::uuid "
		    "AND a.seq > $2::int8 ORDER BY a.seq LIMIT " VERIFY_PAGE,
		    &r, id, last);
		int n;

		if (pg_run(pg_of(st), &step, 1, e) < 0)
			return -1;
		n = PQntuples(r);
		for (int i = 0; i < n && walk_row(&w, r, i); i++)
			;
		if (n)
			pg_cpy(last, r, n - 1, 0);
		PQclear(r);
		if (out->first_broken || n < atoi(VERIFY_PAGE))
			break;
	}
	if (!out->first_broken) {
		struct pgstep step =
		    PG_STEP("SELECT seq FROM tenantry.audit_head($1::uuid)", &r, id);

		if (pg_run(pg_of(st), &step, 1, e) < 0)
			return -1;
		if (PQntuples(r) && !pg_null(r, 0, 0))
			head = pg_i64(r, 0, 0);
		PQclear(r);
	}
	walk_end(&w, head);
	return 0;
}

/* Every tenant chain in one pass, a page at a time: one statement (one
 * snapshot) reads the heads of the next 200 tenants in id order and their
 * entries up to those heads, so appends meanwhile never look like damage.
 * Rows come in (tenant, seq) order and a page stops at VERIFY_PAGE of
 * them; a chain cut there goes on in the next page after its last entry.
 * Parameters: the tenant to resume from and the last seq of it already
 * read (0: none). */
/* clang-format off */
#define VERIFY_ALL_SQL                                                         \
	"SELECT " VERIFY_COLS ", t.id::text, coalesce(h.seq, -1)"                \
	" FROM (SELECT t.id FROM tenantry.tenants t WHERE t.id >= $1::uuid"      \
	" ORDER BY t.id LIMIT 200) t"                                            \
	" LEFT JOIN LATERAL tenantry.audit_head(t.id) h ON true"                 \
	" LEFT JOIN tenantry.audit_log a ON a.tenant_id = t.id"                  \
	" AND (h.seq IS NULL OR a.seq <= h.seq)"                                 \
	" AND (t.id > $1::uuid OR a.seq > $2::int8)"                             \
	" ORDER BY t.id, a.seq LIMIT " VERIFY_PAGE
/* clang-format on */

static int
pg_audit_verify_all(struct store *st, audit_chain_fn *fn, void *arg, struct err *e)
{
	struct audit_verdict v;
	struct chain_walk w;
	char from[ID_LEN] = PLATFORM_CHAIN, cur[ID_LEN] = "", last[24] = "0";
	int64_t head = -1;
	int stop;

	/* The platform's own chain is no tenant's row. */
	if (pg_audit_verify(&v, st, NULL, e) < 0)
		return -1;
	if ((stop = fn(arg, PLATFORM_CHAIN, &v)))
		return stop;
	for (;;) {
		PGresult *r = NULL;
		struct pgstep step = PG_STEP(VERIFY_ALL_SQL, &r, from, last);
		bool progress = false;
		int n;

		if (pg_run(pg_of(st), &step, 1, e) < 0)
			return -1;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			const char *id = pg_s(r, i, 16);

			if (strcmp(id, cur) != 0) {
				if (cur[0]) {
					walk_end(&w, head);
					if ((stop = fn(arg, cur, &v))) {
						PQclear(r);
						return stop;
					}
				}
				snprintf(cur, sizeof cur, "%s", id);
				snprintf(last, sizeof last, "0");
				walk_start(&w, &v);
				progress = true;
			}
			head = pg_i64(r, i, 17);
			if (!pg_null(r, i, 0)) { /* NULL: no entries (left) */
				walk_row(&w, r, i);
				pg_cpy(last, r, i, 0);
				progress = true;
			}
		}
		PQclear(r);
		if (!progress)
			break;
		/* Next: the rest of the last tenant seen, then the tenants after it. */
		snprintf(from, sizeof from, "%s", cur);
	}
	if (cur[0]) {
		walk_end(&w, head);
		if ((stop = fn(arg, cur, &v)))
			return stop;
	}
	return 0;
}

/* ---- alerts ----------------------------------------------------------------------- */

static int
pg_alert_list(struct alert_list *out, struct store *st, const char *tenant, bool open_only,
	      usec_t since, const char *resource, struct err *e)
{
	PGresult *r = NULL;
	char from[24], max[16];
	struct pgstep steps[] = {
		PG_STEP("SELECT CASE WHEN $1::text IS NOT NULL THEN "
			"tenantry.must_tenant($1) END",
			NULL, tenant),
		PG_STEP(
		    "SELECT a.tenant_id, a.id, a.kind, a.resource, a.threshold, " US("a.at") ", " US(
			"a.acknowledged_at") ", coalesce(a.acknowledged_by, ''), "
		    /* a quota alert's quota and its forecast now */
		    PG_QUOTA_FORECAST_COLS ", coalesce(t.slug, '') FROM tenantry.alerts a "
					     "LEFT JOIN tenantry.quotas q ON a.kind = 'quota' "
					     "AND q.tenant_id = a.tenant_id AND q.resource = a.resource "
					     "LEFT JOIN tenantry.tenants t ON t.id = a.tenant_id "
					     "WHERE ($1::text IS NULL "
					     "OR a.tenant_id = tenantry.tenant_ref($1)) "
					     "AND (NOT $2::bool OR a.acknowledged_at IS NULL) "
					     "AND ($3::int8 = 0 OR a.at >= " FROM_US(
						 "$3") ") "
						       "AND ($5::text IS NULL OR a.resource = $5) "
						       "ORDER BY a.at DESC, a.id LIMIT $4::int",
		    &r, tenant, open_only ? "t" : "f", from, max, resource),
	};

	snprintf(from, sizeof from, "%lld", (long long)since);
	snprintf(max, sizeof max, "%d", ALERTS_MAX);
	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		struct alert *a = &out->rows[i];
		int row = (int)i;

		pg_cpy(a->tenant_id, r, row, 0);
		pg_cpy(a->id, r, row, 1);
		pg_cpy(a->kind, r, row, 2);
		pg_cpy(a->resource, r, row, 3);
		pg_cpy(a->slug, r, row, 15);
		a->threshold = (int)pg_i64(r, row, 4);
		a->at = pg_i64(r, row, 5);
		a->acknowledged_at = pg_i64(r, row, 6);
		pg_cpy(a->acknowledged_by, r, row, 7);
		if (!pg_null(r, row, 8)) {
			struct quota q;

			memset(&q, 0, sizeof q);
			pg_quota_row(&q, r, row, 8);
			pg_forecast(&q, r, row, 13);
			a->forecast = q.forecast;
		}
	}
	PQclear(r);
	return 0;
}

static int
pg_alert_groups(struct alert_group_list *out, struct store *st, usec_t since, struct err *e)
{
	PGresult *r = NULL;
	char from[24], max[16];
	struct pgstep step = PG_STEP(
	    "SELECT a.tenant_id, coalesce(t.slug, ''), a.kind, a.resource, max(a.threshold), "
	    "count(*), count(*) FILTER (WHERE a.acknowledged_at IS NULL), " US(
		"max(a.at)") ", "
			     "coalesce((array_agg(a.acknowledged_by ORDER BY a.acknowledged_at DESC) "
			     "FILTER (WHERE a.acknowledged_at IS NOT NULL))[1], '') "
			     "FROM tenantry.alerts a LEFT JOIN tenantry.tenants t ON t.id = a.tenant_id "
			     "WHERE ($1::int8 = 0 OR a.at >= " FROM_US(
				 "$1") ") "
				       "GROUP BY a.tenant_id, t.slug, a.kind, a.resource "
				       "ORDER BY count(*) FILTER (WHERE a.acknowledged_at IS NULL) > 0 DESC, "
				       "max(a.threshold) DESC, max(a.at) DESC, t.slug, a.resource "
				       "LIMIT $2::int",
	    &r, from, max);

	snprintf(from, sizeof from, "%lld", (long long)since);
	snprintf(max, sizeof max, "%d", ALERT_GROUPS_MAX);
	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	ALLOC_ROWS(out, r, e);
	for (size_t i = 0; i < out->n; i++) {
		struct alert_group *g = &out->rows[i];
		int row = (int)i;

		pg_cpy(g->tenant_id, r, row, 0);
		pg_cpy(g->slug, r, row, 1);
		pg_cpy(g->kind, r, row, 2);
		pg_cpy(g->resource, r, row, 3);
		g->threshold = (int)pg_i64(r, row, 4);
		g->count = (int)pg_i64(r, row, 5);
		g->open = (int)pg_i64(r, row, 6);
		g->latest = pg_i64(r, row, 7);
		pg_cpy(g->acked_by, r, row, 8);
	}
	PQclear(r);
	return 0;
}

static int
pg_alert_ack(struct store *st, const char *tenant, const char *alert, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP("SELECT tenantry.must_tenant($1)", NULL, tenant),
		PG_STEP("UPDATE tenantry.alerts a SET acknowledged_at = now(), "
			"acknowledged_by = tenantry.current_actor() "
			"WHERE a.tenant_id = tenantry.tenant_ref($1) AND a.id = $2::uuid "
			"AND a.acknowledged_at IS NULL RETURNING a.id",
			&r, tenant, alert),
	};
	int n;

	if (!pg_is_uuid(alert))
		return err_set(e, ERR_NOT_FOUND, "no open alert %s", alert ? alert : "");
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "no open alert %s", alert);
}

void
pg_ops_audit(struct store_ops *ops)
{
	ops->audit_list = pg_audit_list;
	ops->audit_event = pg_audit_event;
	ops->audit_verify = pg_audit_verify;
	ops->audit_verify_all = pg_audit_verify_all;
	ops->alert_list = pg_alert_list;
	ops->alert_ack = pg_alert_ack;
	ops->alert_groups = pg_alert_groups;
}
