/* store_pg_history.c - the platform over time over libpq: hourly counts
 * of the last 24 hours (tenants by status, sign-ins, audited writes) and
 * churn per month, all from the tenants and the audit log. */
#include <stdio.h>
#include <string.h>

#include "store/store_pg.h"

/* The hour of a.at counted from the oldest of the window (0) to the hour
 * under way (HISTORY_HOURS - 1). */
/* clang-format off */
#define HOUR_INDEX                                                           \
	"23 - (extract(epoch FROM date_trunc('hour', now()) - "              \
	"date_trunc('hour', a.at)) / 3600)::int"
#define IN_WINDOW "a.at >= date_trunc('hour', now()) - interval '23 hours'"
#define LEAVING "('pending_deletion', 'deleted')"
/* clang-format on */

/* Tenants in each status at the end of each hour: now's counts, undoing
 * the status changes of each later hour, newest hour first. */
static void
status_hours(struct platform_history *out, const PGresult *now, const PGresult *moves)
{
	for (int i = 0; i < PQntuples(now); i++) {
		enum tenant_status s;

		if (tenant_status_parse(pg_s(now, i, 0), &s) == 0)
			out->by_status[s][HISTORY_HOURS - 1] = pg_i64(now, i, 1);
	}
	for (int h = HISTORY_HOURS - 2; h >= 0; h--) {
		for (int s = 0; s < TENANT_STATUS_COUNT; s++)
			out->by_status[s][h] = out->by_status[s][h + 1];
		for (int i = 0; i < PQntuples(moves); i++) {
			enum tenant_status s;

			if (pg_i64(moves, i, 0) != h + 1)
				continue;
			if (tenant_status_parse(pg_s(moves, i, 2), &s) == 0)
				out->by_status[s][h] -= pg_i64(moves, i, 3);
			if (tenant_status_parse(pg_s(moves, i, 1), &s) == 0)
				out->by_status[s][h] += pg_i64(moves, i, 3);
		}
	}
}

static int
pg_history(struct platform_history *out, struct store *st, struct err *e)
{
	PGresult *now = NULL, *moves = NULL, *hours = NULL, *churn = NULL;
	struct pgstep steps[] = {
		PG_STEP0("SELECT tenantry.caller_require('platform.metrics')", NULL),
		PG_STEP0("SELECT status, count(*) FROM tenantry.tenants GROUP BY status", &now),
		/* status changes per hour: hour, from, to, how many */
		PG_STEP0("SELECT " HOUR_INDEX ", coalesce(a.old->>'status', ''), "
			 "coalesce(a.new->>'status', ''), count(*) FROM tenantry.audit_log a "
			 "WHERE a.resource_type = 'tenant' AND " IN_WINDOW " "
			 "AND (a.old->>'status') IS DISTINCT FROM (a.new->>'status') "
			 "GROUP BY 1, 2, 3",
			 &moves),
		PG_STEP0("SELECT " HOUR_INDEX ", count(*) FILTER (WHERE a.action = 'auth.login'), "
			 "count(*) FILTER (WHERE a.action NOT LIKE 'auth.%') "
			 "FROM tenantry.audit_log a WHERE " IN_WINDOW " GROUP BY 1",
			 &hours),
		PG_STEP0("WITH m AS (SELECT g, date_trunc('month', now()) - g * interval '1 month' "
			 "AS month FROM generate_series(0, 5) g) "
			 "SELECT to_char(m.month, 'YYYY-MM'), "
			 "count(a.*) FILTER (WHERE a.new->>'status' IN " LEAVING " "
			 "AND coalesce(a.old->>'status', '') NOT IN " LEAVING "), "
			 "count(a.*) FILTER (WHERE nt.price_cents > ot.price_cents), "
			 "count(a.*) FILTER (WHERE nt.price_cents < ot.price_cents) "
			 "FROM m LEFT JOIN tenantry.audit_log a ON a.resource_type = 'tenant' "
			 "AND a.at >= m.month AND a.at < m.month + interval '1 month' "
			 "LEFT JOIN tenantry.tiers ot ON ot.name = a.old->>'tier' "
			 "LEFT JOIN tenantry.tiers nt ON nt.name = a.new->>'tier' "
			 "GROUP BY m.g, m.month ORDER BY m.g DESC",
			 &churn),
	};

	memset(out, 0, sizeof *out);
	if (pg_run(pg_of(st), steps, 5, e) < 0)
		return -1;
	status_hours(out, now, moves);
	for (int i = 0; i < PQntuples(hours); i++) {
		int64_t h = pg_i64(hours, i, 0);

		if (h < 0 || h >= HISTORY_HOURS)
			continue;
		out->sign_ins[h] = pg_i64(hours, i, 1);
		out->writes[h] = pg_i64(hours, i, 2);
	}
	for (int m = 0; m < PQntuples(churn) && m < HISTORY_MONTHS; m++) {
		pg_cpy(out->churn[m].month, churn, m, 0);
		out->churn[m].left = pg_i64(churn, m, 1);
		out->churn[m].upgrades = pg_i64(churn, m, 2);
		out->churn[m].downgrades = pg_i64(churn, m, 3);
	}
	PQclear(now);
	PQclear(moves);
	PQclear(hours);
	PQclear(churn);
	return 0;
}

void
pg_ops_history(struct store_ops *ops)
{
	ops->platform_history = pg_history;
}
