/* test_contract_forecast.c - quota forecasts over both stores (contract.h):
 * usage_daily rows written straight into the database give the projected
 * times to 80, 95 and 100 % that the test computes itself, on quotas,
 * the usage summary, alerts and the platform's nearest list. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract.h"
#include "core/text.h"

#define DAY USEC_PER_DAY

/* Writes amounts[k] for day today - 14 + k (k = 0..13) and 'today' for
 * today, for a tenant's resource, and sets its quota. */
static void
usage_rows(const char *tenant_id, const char *resource, const int64_t amounts[14], long today,
	   long long used, long long limit)
{
	PGconn *c = testdb_connect(ct_db, NULL);

	testdb_execf(c,
		     "DELETE FROM tenantry.usage_daily WHERE tenant_id = '%s' AND resource = '%s'",
		     tenant_id, resource);
	for (int k = 0; k < 14; k++)
		testdb_execf(c,
			     "INSERT INTO tenantry.usage_daily (tenant_id, resource, day, amount) "
			     "VALUES ('%s', '%s', (now() AT TIME ZONE 'UTC')::date - %d, %lld)",
			     tenant_id, resource, 14 - k, (long long)amounts[k]);
	testdb_execf(c,
		     "INSERT INTO tenantry.usage_daily (tenant_id, resource, day, amount) "
		     "VALUES ('%s', '%s', (now() AT TIME ZONE 'UTC')::date, %ld)",
		     tenant_id, resource, today);
	testdb_execf(c,
		     "UPDATE tenantry.quotas SET used = %lld, quota_limit = %lld, "
		     "period_start = tenantry.window_start(period, now(), period_start) "
		     "WHERE tenant_id = '%s' AND resource = '%s'",
		     used, limit, tenant_id, resource);
	PQfinish(c);
}

/* The least-squares slope of (x, cumulative usage) through the 15 day
 * boundaries, written out with its means. */
static double
expected_rate(const int64_t amounts[14])
{
	double y[15] = { 0 }, mx = 7, my = 0, sxy = 0, sxx = 0;

	for (int k = 1; k < 15; k++)
		y[k] = y[k - 1] + (double)amounts[k - 1];
	for (int k = 0; k < 15; k++)
		my += y[k] / 15;
	for (int k = 0; k < 15; k++) {
		sxy += (k - mx) * (y[k] - my);
		sxx += (k - mx) * (k - mx);
	}
	return sxy / sxx;
}

static const struct quota *
find_quota(const struct quota_list *l, const char *resource)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].resource, resource) == 0)
			return &l->rows[i];
	ck_abort_msg("no quota %s", resource);
	return NULL;
}

/* at is as_of + need / rate days, to the microsecond rounded up. */
static void
assert_projected(const struct quota_forecast *f, int level, int64_t need, double rate)
{
	double want = (double)need / rate * (double)DAY;

	ck_assert_int_eq(f->state[level], FORECAST_PROJECTED);
	/* rounded up to the microsecond, from a double */
	ck_assert_msg(fabs((double)(f->at[level] - f->as_of) - want) <= 2,
		      "level %d: in %lld us, want %.0f", level,
		      (long long)(f->at[level] - f->as_of), want);
}

/* Storage rising linearly (the daily amounts too) gives the projections
 * the test computes; today's amount is left out; the summary agrees. */
START_TEST(test_forecast_rising)
{
	int64_t amounts[14];
	struct quota_list l;
	struct usage_summary u;
	const struct quota *q;
	double rate;

	for (int k = 0; k < 14; k++)
		amounts[k] = 100 * (k + 1);
	rate = expected_rate(amounts);
	usage_rows(acme.id, "storage_bytes", amounts, 999999, 10000, 1000000);
	OK(store_quota_list(&l, st, "acme-corp", &e));
	q = find_quota(&l, "storage_bytes");
	ck_assert_double_eq_tol(q->forecast.per_day, rate, 1e-6);
	ck_assert_int_gt(q->forecast.as_of, ((usec_t)time(NULL) - 3600) * USEC_PER_SEC);
	assert_projected(&q->forecast, 0, 800000 - 10000, rate);
	assert_projected(&q->forecast, 1, 950000 - 10000, rate);
	assert_projected(&q->forecast, 2, 1000000 - 10000, rate);
	OK(store_usage_summary(&u, st, "acme-corp", &e));
	ck_assert_int_eq(u.storage_forecast.state[2], FORECAST_PROJECTED);
	ck_assert_int_eq(u.storage_forecast.at[2] - u.storage_forecast.as_of,
			 q->forecast.at[2] - q->forecast.as_of);
	quota_list_free(&l);
}
END_TEST

/* Members are counted, not consumed: their days are the days the members
 * still active joined (today's left out, as for usage). */
START_TEST(test_forecast_members)
{
	int64_t amounts[14] = { 0 };
	struct quota_list l;
	const struct quota *q;
	PGconn *c = testdb_connect(ct_db, NULL);
	struct platform_metrics m;
	struct alert_list al;
	long n;

	testdb_execf(c,
		     "UPDATE tenantry.tenant_users SET joined_at = now() - interval '3 days' "
		     "WHERE tenant_id = '%s' AND active",
		     acme.id);
	n = testdb_int(c,
		       "SELECT count(*) FROM tenantry.tenant_users WHERE tenant_id = '%s' "
		       "AND active",
		       acme.id);
	PQfinish(c);
	ck_assert_int_gt(n, 0);
	amounts[11] = n; /* today - 3 */
	OK(store_quota_list(&l, st, "acme-corp", &e));
	q = find_quota(&l, "users");
	ck_assert_int_eq(q->used, n);
	ck_assert_int_gt(q->limit, n);
	ck_assert_double_eq_tol(q->forecast.per_day, expected_rate(amounts), 1e-6);
	assert_projected(&q->forecast, 2, q->limit - n, expected_rate(amounts));
	quota_list_free(&l);
	/* every staff role reads them, the tenant itself too */
	for (int r = 0; r < 3; r++) {
		static const enum store_role roles[] = { STORE_ROLE_ONCALL, STORE_ROLE_SUPPORT,
							 STORE_ROLE_TENANT };

		ct_role(roles[r], roles[r] == STORE_ROLE_TENANT ? acme.id : NULL);
		OK(store_quota_list(&l, st, "acme-corp", &e));
		q = find_quota(&l, "users");
		ck_assert_double_eq_tol(q->forecast.per_day, expected_rate(amounts), 1e-6);
		quota_list_free(&l);
	}
	/* on-call's views of every tenant read them too */
	ct_role(STORE_ROLE_ONCALL, NULL);
	OK(store_metrics(&m, st, &e));
	OK(store_alert_list(&al, st, NULL, true, 0, NULL, &e));
	alert_list_free(&al);
	ct_role(STORE_ROLE_PLATFORM, NULL);
}
END_TEST

/* No usage is flat: no projection; a level already passed is reached;
 * an unlimited quota has none. */
START_TEST(test_forecast_flat)
{
	int64_t zero[14] = { 0 };
	struct quota_list l;
	const struct quota *q;

	usage_rows(beta.id, "storage_bytes", zero, 5000, 900, 1000);
	OK(store_quota_list(&l, st, "beta", &e));
	q = find_quota(&l, "storage_bytes");
	ck_assert_double_eq(q->forecast.per_day, 0);
	ck_assert_int_gt(q->forecast.as_of, 0);
	ck_assert_int_eq(q->forecast.state[0], FORECAST_REACHED);
	ck_assert_int_eq(q->forecast.state[1], FORECAST_NONE);
	ck_assert_int_eq(q->forecast.state[2], FORECAST_NONE);
	ck_assert_int_eq(q->forecast.at[2], 0);
	quota_list_free(&l);
	usage_rows(beta.id, "storage_bytes", zero, 0, 900, -1);
	OK(store_quota_list(&l, st, "beta", &e));
	q = find_quota(&l, "storage_bytes");
	for (int i = 0; i < FORECAST_LEVELS; i++)
		ck_assert_int_eq(q->forecast.state[i], FORECAST_NONE);
	quota_list_free(&l);
}
END_TEST

/* An hourly quota's window grows at the daily rate: projected when the
 * level comes before the hour ends, else the window resets first. */
START_TEST(test_forecast_window)
{
	int64_t amounts[14];
	struct quota_list l;
	const struct quota *q;
	usec_t end;

	for (int k = 0; k < 14; k++)
		amounts[k] = 24000; /* 1,000 an hour */
	usage_rows(acme.id, "api_calls", amounts, 0, 3500, 5000);
	OK(store_quota_list(&l, st, "acme-corp", &e));
	q = find_quota(&l, "api_calls");
	ck_assert_double_eq_tol(q->forecast.per_day, 24000, 1e-6);
	end = q->forecast.as_of - q->forecast.as_of % USEC_PER_HOUR + USEC_PER_HOUR;
	/* 80 % (4,000) in 30 min, 95 % (4,750) in 75 min: after the reset */
	if (q->forecast.as_of + 30 * USEC_PER_MIN < end)
		assert_projected(&q->forecast, 0, 500, 24000);
	else
		ck_assert_int_eq(q->forecast.state[0], FORECAST_RESETS_FIRST);
	ck_assert_int_eq(q->forecast.state[1], FORECAST_RESETS_FIRST);
	ck_assert_int_eq(q->forecast.state[2], FORECAST_RESETS_FIRST);
	quota_list_free(&l);
}
END_TEST

/* A quota alert carries its quota's forecast; the platform's nearest list
 * is ordered by the time to 100 %: at 100 % first, then the soonest. */
START_TEST(test_forecast_alerts_nearest)
{
	int64_t slow[14], fast[14], zero[14] = { 0 };
	struct alert_list al;
	struct platform_metrics m;

	for (int k = 0; k < 14; k++) {
		slow[k] = 1000;
		fast[k] = 10000;
	}
	usage_rows(acme.id, "storage_bytes", slow, 0, 85000, 100000); /* full in 15 d */
	usage_rows(beta.id, "storage_bytes", fast, 0, 50000, 100000); /* full in 5 d */
	usage_rows(beta.id, "invitations", zero, 0, 3, 3);            /* at 100 % */
	OK(store_alert_list(&al, st, "acme-corp", true, 0, NULL, &e));
	ck_assert_uint_ge(al.n, 1);
	for (size_t i = 0; i < al.n; i++) {
		ck_assert_str_eq(al.rows[i].resource, "storage_bytes");
		ck_assert_int_eq(al.rows[i].forecast.state[0], FORECAST_REACHED);
		assert_projected(&al.rows[i].forecast, 2, 15000, 1000);
	}
	alert_list_free(&al);
	OK(store_metrics(&m, st, &e));
	ck_assert_uint_ge(m.nnearest, 3);
	ck_assert_str_eq(m.nearest[0].slug, "beta");
	ck_assert_str_eq(m.nearest[0].resource, "invitations");
	ck_assert_int_eq(m.nearest[0].forecast.state[2], FORECAST_REACHED);
	ck_assert_str_eq(m.nearest[1].slug, "beta");
	ck_assert_str_eq(m.nearest[1].resource, "storage_bytes");
	assert_projected(&m.nearest[1].forecast, 2, 50000, 10000);
	ck_assert_str_eq(m.nearest[2].slug, "acme-corp");
	ck_assert_str_eq(m.nearest[2].resource, "storage_bytes");
	assert_projected(&m.nearest[2].forecast, 2, 15000, 1000);
	for (size_t i = 3; i < m.nnearest; i++)
		ck_assert_int_ne(m.nearest[i].forecast.state[2], FORECAST_PROJECTED);
}
END_TEST

CT_SUITE(contract_forecast, test_forecast_rising, test_forecast_members, test_forecast_flat,
	 test_forecast_window, test_forecast_alerts_nearest)
