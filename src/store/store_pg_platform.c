/* store_pg_platform.c - what looks at a tenant as a whole or at every
 * tenant, over libpq: health scores (read and refreshed), the platform's
 * metrics and a tenant's export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "core/health.h"
#include "core/quota.h"
#include "core/tier.h"
#include "store/store_pg.h"

/* ---- health -------------------------------------------------------------------------- */

/* clang-format off */
#define HEALTH_SQL(where)                                                    \
	"SELECT t.id, t.billing_status, t.features::text, tr.features::text, " \
	"m.members, m.active30, coalesce(qp.peak, 0), d.days "              \
	"FROM tenantry.tenants t JOIN tenantry.tiers tr ON tr.name = t.tier " \
	"CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE x.active) AS members, " \
	" count(*) FILTER (WHERE x.active AND x.last_active_at > now() - interval '30 days')" \
	" AS active30 FROM tenantry.tenant_users x WHERE x.tenant_id = t.id) m " \
	"CROSS JOIN LATERAL (SELECT max(CASE WHEN q.quota_limit > 0 THEN "   \
	" (CASE WHEN q.period_start < tenantry.window_start(q.period, now(), q.period_start)" \
	" THEN 0 ELSE q.used END)::float8 / q.quota_limit ELSE 0 END) AS peak " \
	" FROM tenantry.quotas q WHERE q.tenant_id = t.id) qp "              \
	"CROSS JOIN LATERAL (SELECT string_agg(coalesce(u.amount, 0)::text, ',' " \
	" ORDER BY g.d) AS days FROM generate_series((now() AT TIME ZONE 'UTC')::date - 13," \
	" (now() AT TIME ZONE 'UTC')::date, interval '1 day') g(d) "          \
	" LEFT JOIN tenantry.usage_daily u ON u.tenant_id = t.id "           \
	" AND u.resource = 'api_calls' AND u.day = g.d::date) d " where
/* clang-format on */

static void
health_row(struct health *h, double *peak, const PGresult *r, int row)
{
	struct health_inputs in = { 0 };
	feature_mask tier, on, off, ignored;
	const char *p = pg_s(r, row, 7);

	pg_features(pg_s(r, row, 3), &tier, &ignored);
	pg_features(pg_s(r, row, 2), &on, &off);
	in.members = (int)pg_i64(r, row, 4);
	in.members_active_30d = (int)pg_i64(r, row, 5);
	in.features_enabled = __builtin_popcount(feature_effective(tier, on, off));
	in.features_available = FEATURE_COUNT;
	in.usage_peak = pg_f(r, row, 6);
	pg_cpy(in.billing_status, r, row, 1);
	for (int i = 0; i < HEALTH_DAYS && *p; i++) {
		char *end;

		in.api_calls[i] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
	}
	health_compute(&in, h);
	*peak = in.usage_peak;
}

static int
pg_health_get(struct health *out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP("SELECT tenantry.must_tenant($1)", NULL, tenant),
		PG_STEP(HEALTH_SQL("WHERE t.id = tenantry.tenant_ref($1)"), &r, tenant),
	};
	double peak;

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 2, e) < 0)
		return -1;
	health_row(out, &peak, r, 0);
	PQclear(r);
	return 0;
}

/* Appends to a growing text buffer; -1 when out of memory. */
static int
buf_add(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap * 2 : 4096) + n;
		char *nb = realloc(*buf, ncap);

		if (!nb)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/* Recomputes the health and usage peak of every tenant, or of one
 * (tenant_id, an id or slug), and stores them with the time (health_at).
 * *updated counts the tenants whose figures changed. */
static int
refresh(int *updated, struct store *st, const char *tenant_id, struct err *e)
{
	PGresult *r = NULL, *u = NULL;
	struct pgstep all = PG_STEP0(HEALTH_SQL(""), &r);
	struct pgstep one =
	    PG_STEP(HEALTH_SQL("WHERE t.id = tenantry.tenant_ref($1)"), &r, tenant_id);
	char *ids = NULL, *scores = NULL, *peaks = NULL;
	size_t il = 0, ic = 0, sl = 0, sc = 0, pl = 0, pc = 0;
	int n, rc = 0;

	*updated = 0;
	if (pg_run(pg_of(st), tenant_id ? &one : &all, 1, e) < 0)
		return -1;
	n = PQntuples(r);
	rc |= buf_add(&ids, &il, &ic, "{");
	rc |= buf_add(&scores, &sl, &sc, "{");
	rc |= buf_add(&peaks, &pl, &pc, "{");
	for (int i = 0; i < n && rc == 0; i++) {
		struct health h;
		double peak;
		char num[32];

		health_row(&h, &peak, r, i);
		rc |= buf_add(&ids, &il, &ic, i ? "," : "");
		rc |= buf_add(&ids, &il, &ic, pg_s(r, i, 0));
		snprintf(num, sizeof num, "%s%d", i ? "," : "", h.score);
		rc |= buf_add(&scores, &sl, &sc, num);
		snprintf(num, sizeof num, "%s%.6g", i ? "," : "", peak);
		rc |= buf_add(&peaks, &pl, &pc, num);
	}
	PQclear(r);
	rc |= buf_add(&ids, &il, &ic, "}");
	rc |= buf_add(&scores, &sl, &sc, "}");
	rc |= buf_add(&peaks, &pl, &pc, "}");
	if (rc == 0) {
		struct pgstep up = PG_STEP(
		    "WITH v AS (SELECT v.*, (t.health_score, t.usage_peak) IS DISTINCT FROM "
		    "(v.h, v.p) AS moved FROM unnest($1::uuid[], $2::int2[], $3::real[]) "
		    "AS v(id, h, p) JOIN tenantry.tenants t ON t.id = v.id), "
		    "u AS (UPDATE tenantry.tenants t SET health_score = v.h, usage_peak = v.p, "
		    "health_at = now() FROM v WHERE t.id = v.id RETURNING v.moved) "
		    "SELECT count(*) FILTER (WHERE moved) FROM u",
		    &u, ids, scores, peaks);

		rc = pg_run(pg_of(st), &up, 1, e);
		if (rc == 0)
			*updated = atoi(PQgetvalue(u, 0, 0));
		PQclear(u);
	} else {
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	}
	free(ids);
	free(scores);
	free(peaks);
	return rc;
}

static int
pg_health_refresh(int *updated, struct store *st, struct err *e)
{
	return refresh(updated, st, NULL, e);
}

int
pg_health_refresh_tenant(struct store *st, const char *tenant_id)
{
	struct err e;
	int updated;

	return refresh(&updated, st, tenant_id, &e);
}

/* ---- platform metrics ------------------------------------------------------------------- */

/* The tenants nearest their quotas: of the NEAREST_POOL quotas (trial and
 * active tenants, limited) most used now, the METRICS_NEAREST that reach
 * 100 % soonest by their forecasts: those at 100 % first, then the
 * soonest projected, then the rest; most used first within each. */
#define NEAREST_POOL "50"
/* clang-format off */
#define NEAREST_CANDIDATES                                                   \
	"SELECT q.tenant_id, q.resource FROM tenantry.quotas q "             \
	"JOIN tenantry.tenants t ON t.id = q.tenant_id "                     \
	"WHERE q.quota_limit > 0 AND t.status IN ('trial', 'active') "       \
	"ORDER BY (CASE WHEN q.period_start < tenantry.window_start(q.period, now(), " \
	"q.period_start) THEN 0 ELSE q.used END)::float8 / q.quota_limit DESC, t.slug " \
	"LIMIT " NEAREST_POOL
/* clang-format on */

struct near_row {
	struct quota q;
	char tenant_id[ID_LEN], slug[SLUG_LEN];
	int64_t key;
	double fraction;
};

static int
near_cmp(const void *a, const void *b)
{
	const struct near_row *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->fraction != y->fraction)
		return x->fraction > y->fraction ? -1 : 1;
	return strcmp(x->slug, y->slug);
}

/* The candidates of r with their forecasts, sorted, into out->nearest. */
static int
metrics_nearest(struct platform_metrics *out, const PGresult *r)
{
	int n = PQntuples(r);
	struct near_row *rows = calloc((size_t)n + 1, sizeof *rows);

	if (!rows)
		return -1;
	for (int i = 0; i < n; i++) {
		pg_cpy(rows[i].tenant_id, r, i, 0);
		pg_cpy(rows[i].slug, r, i, 1);
		pg_quota_row(&rows[i].q, r, i, 2);
		pg_forecast(&rows[i].q, r, i, 7);
		rows[i].key = forecast_full_key(&rows[i].q.forecast);
		rows[i].fraction = quota_fraction(rows[i].q.used, rows[i].q.limit);
	}
	qsort(rows, (size_t)n, sizeof *rows, near_cmp);
	for (int i = 0; i < n && i < METRICS_NEAREST; i++) {
		memcpy(out->nearest[i].tenant_id, rows[i].tenant_id, ID_LEN);
		memcpy(out->nearest[i].slug, rows[i].slug, SLUG_LEN);
		memcpy(out->nearest[i].resource, rows[i].q.resource, RESOURCE_LEN);
		out->nearest[i].used = rows[i].q.used;
		out->nearest[i].limit = rows[i].q.limit;
		out->nearest[i].forecast = rows[i].q.forecast;
		out->nnearest++;
	}
	free(rows);
	return 0;
}

static int
pg_metrics(struct platform_metrics *out, struct store *st, struct err *e)
{
	PGresult *status = NULL, *tiers = NULL, *alerts = NULL, *near = NULL;
	int rc;
	struct pgstep steps[] = {
		/* the platform's figures, not what the context happens to see */
		PG_STEP0("SELECT tenantry.caller_require('platform.metrics')", NULL),
		PG_STEP0("SELECT status, count(*) FROM tenantry.tenants GROUP BY status", &status),
		PG_STEP0("SELECT tr.name, count(t.id), coalesce(sum(tr.price_cents) "
			 "FILTER (WHERE t.status = 'active'), 0) FROM tenantry.tiers tr "
			 "LEFT JOIN tenantry.tenants t ON t.tier = tr.name "
			 "GROUP BY tr.name, tr.rank ORDER BY tr.rank",
			 &tiers),
		PG_STEP0("SELECT count(*) FROM tenantry.alerts WHERE acknowledged_at IS NULL",
			 &alerts),
		PG_STEP0(
		    "SELECT n.tenant_id, t.slug, " PG_QUOTA_FORECAST_COLS
		    " FROM (" NEAREST_CANDIDATES ") n "
		    "JOIN tenantry.quotas q ON q.tenant_id = n.tenant_id "
		    "AND q.resource = n.resource JOIN tenantry.tenants t ON t.id = n.tenant_id",
		    &near),
	};

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 5, e) < 0)
		return -1;
	for (int i = 0; i < PQntuples(status); i++) {
		enum tenant_status s;

		if (tenant_status_parse(pg_s(status, i, 0), &s) == 0) {
			out->by_status[s] = pg_i64(status, i, 1);
			out->tenants_total += out->by_status[s];
		}
	}
	for (int i = 0; i < PQntuples(tiers) && out->ntiers < METRICS_TIERS; i++) {
		pg_cpy(out->tiers[out->ntiers].tier, tiers, i, 0);
		out->tiers[out->ntiers].tenants = pg_i64(tiers, i, 1);
		out->tiers[out->ntiers].mrr_cents = pg_i64(tiers, i, 2);
		out->ntiers++;
	}
	out->open_alerts = pg_i64(alerts, 0, 0);
	rc = metrics_nearest(out, near) < 0 ? err_set(e, ERR_INTERNAL, "out of memory") : 0;
	PQclear(status);
	PQclear(tiers);
	PQclear(alerts);
	PQclear(near);
	return rc;
}

/* ---- export --------------------------------------------------------------------------------- */

/* clang-format off */
#define AGG(expr, from, order)                                               \
	"(SELECT coalesce(jsonb_agg(" expr " ORDER BY " order "), '[]') FROM " from ")"
/* clang-format on */

static int
pg_tenant_export(char **json_out, struct store *st, const char *tenant, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep steps[] = {
		PG_STEP("SELECT tenantry.must_tenant($1)", NULL, tenant),
		PG_STEP(
		    "SELECT jsonb_pretty(jsonb_build_object("
		    "'format', 'tenantry-export-1', 'exported_at', now(), "
		    "'tenant', (SELECT to_jsonb(t) - 'search' FROM tenantry.tenants t WHERE t.id = x.id), "
		    "'members', " AGG(
			"jsonb_build_object('user_id', m.user_id, 'email', u.email, "
			"'full_name', u.full_name, 'role', m.role, 'active', m.active, "
			"'joined_at', m.joined_at, 'last_active_at', m.last_active_at)",
			"tenantry.tenant_users m JOIN tenantry.users u ON u.id = m.user_id "
			"WHERE m.tenant_id = x.id",
			"lower(u.email)") ", "
					  "'invitations', " AGG(
					      /* every column but token_hash, which no role reads */
					      "jsonb_build_object('tenant_id', i.tenant_id, 'id', i.id, "
					      "'email', i.email, 'role', i.role, 'invited_by', i.invited_by, "
					      "'created_at', i.created_at, 'expires_at', i.expires_at, "
					      "'accepted_at', i.accepted_at, 'accepted_user_id', "
					      "i.accepted_user_id, 'revoked_at', i.revoked_at)",
					      "tenantry.invitations i WHERE i.tenant_id = x.id",
					      "i.created_at, i.id") ", "
								    "'quotas', " AGG(
									"to_jsonb(q)",
									"tenantry.quotas q WHERE q.tenant_id = x.id",
									"q.resource") ", "
										      "'usage_daily', " AGG(
											  "to_jsonb(d)",
											  "tenantry.usage_daily d WHERE d.tenant_id = x.id",
											  "d.day, d.resource") ", "
													       "'settings', " AGG(
														   "CASE WHEN s.encrypted THEN jsonb_set(to_jsonb(s), "
														   "'{value}', '\"********\"') ELSE to_jsonb(s) END",
														   "tenantry.tenant_settings s WHERE s.tenant_id = x.id",
														   "s.key") ", "
															    "'api_keys', " AGG(
																/* every column but secret_hash */
																"jsonb_build_object('tenant_id', k.tenant_id, 'id', k.id, "
																"'prefix', k.prefix, 'name', k.name, 'scopes', k.scopes, "
																"'created_by', k.created_by, 'created_at', k.created_at, "
																"'expires_at', k.expires_at, 'last_used_at', k.last_used_at, "
																"'revoked_at', k.revoked_at)",
																"tenantry.api_keys k WHERE k.tenant_id = x.id",
																"k.created_at, k.id") ", "
																		      "'alerts', " AGG(
																			  "to_jsonb(al)",
																			  "tenantry.alerts al WHERE al.tenant_id = x.id",
																			  "al.at, al.id") ", "
																					  "'audit_log', " AGG(
																					      "to_jsonb(a) - '{prev_hash,hash}'::text[] || "
																					      "jsonb_build_object('prev_hash', encode(a.prev_hash, 'hex'), "
																					      "'hash', encode(a.hash, 'hex'))",
																					      "tenantry.audit_log a WHERE a.tenant_id = x.id",
																					      "a.seq") "))::text FROM (SELECT tenantry.tenant_ref($1) AS id) x",
		    &r, tenant),
		PG_STEP("SELECT tenantry.audit_event(tenantry.tenant_ref($1), "
			"'tenant.export', 'tenant', $1, NULL)",
			NULL, tenant),
	};

	*json_out = NULL;
	if (pg_run(pg_of(st), steps, 3, e) < 0)
		return -1;
	*json_out = strdup(pg_s(r, 0, 0));
	PQclear(r);
	return *json_out ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

static int
pg_tenant_purge_due(int *purged, struct store *st, struct err *e)
{
	PGresult *r = NULL;
	struct pgstep step = PG_STEP0("SELECT tenantry.tenant_purge_due()", &r);

	*purged = 0;
	if (pg_run(pg_of(st), &step, 1, e) < 0)
		return -1;
	*purged = (int)pg_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

void
pg_ops_platform(struct store_ops *ops)
{
	ops->health_get = pg_health_get;
	ops->health_refresh = pg_health_refresh;
	ops->tenant_purge_due = pg_tenant_purge_due;
	ops->metrics = pg_metrics;
	ops->tenant_export = pg_tenant_export;
}
