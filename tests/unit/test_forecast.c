/* test_forecast.c - forecast.h: the rate, thresholds, projections of
 * quotas with and without a window, ordering and wording. */
#include <check.h>
#include <string.h>

#include "core/forecast.h"
#include "core/quota.h"
#include "core/text.h"

static usec_t
at(const char *iso)
{
	struct err e;
	usec_t t;

	ck_assert_int_eq(time_parse(&t, iso, "at", &e), 0);
	return t;
}

static struct quota
quota_of(int64_t used, int64_t limit, enum quota_window w)
{
	struct quota q;

	memset(&q, 0, sizeof q);
	strcpy(q.resource, w == WINDOW_NONE ? "storage_bytes" : "api_calls");
	q.used = used;
	q.limit = limit;
	q.window = w;
	return q;
}

START_TEST(rate_constant_and_flat)
{
	int64_t days[FORECAST_DAYS];

	for (int i = 0; i < FORECAST_DAYS; i++)
		days[i] = 100;
	ck_assert_double_eq_tol(forecast_rate(days), 100.0, 1e-9);
	memset(days, 0, sizeof days);
	ck_assert_double_eq(forecast_rate(days), 0.0);
}
END_TEST

/* Least squares through (0,0), (1,a0), (2,a0+a1)...: checked against the
 * textbook formula with explicit means. */
START_TEST(rate_matches_least_squares)
{
	int64_t days[FORECAST_DAYS];
	double x[FORECAST_DAYS + 1], y[FORECAST_DAYS + 1], mx = 0, my = 0, sxy = 0, sxx = 0;

	for (int i = 0; i < FORECAST_DAYS; i++)
		days[i] = 10 * (i + 1) + (i % 3) * 7;
	y[0] = 0;
	for (int k = 0; k <= FORECAST_DAYS; k++) {
		x[k] = k;
		if (k)
			y[k] = y[k - 1] + (double)days[k - 1];
		mx += x[k] / (FORECAST_DAYS + 1);
		my += y[k] / (FORECAST_DAYS + 1);
	}
	for (int k = 0; k <= FORECAST_DAYS; k++) {
		sxy += (x[k] - mx) * (y[k] - my);
		sxx += (x[k] - mx) * (x[k] - mx);
	}
	ck_assert_double_eq_tol(forecast_rate(days), sxy / sxx, 1e-6);
	/* only the first day used: growth stops after it, slope still > 0 */
	memset(days, 0, sizeof days);
	days[FORECAST_DAYS - 1] = 280;
	ck_assert_double_eq_tol(forecast_rate(days), 280.0 * 7 / 280.0, 1e-9);
}
END_TEST

START_TEST(thresholds_as_quota_level)
{
	ck_assert_int_eq(forecast_threshold(1000, 80), 800);
	ck_assert_int_eq(forecast_threshold(1001, 80), 801); /* 800.8 -> 801 */
	ck_assert_int_eq(forecast_threshold(10, 95), 10);    /* 9.5 -> 10 */
	ck_assert_int_eq(forecast_threshold(0, 100), 1);     /* any use of 0 */
	ck_assert_int_eq(forecast_threshold(-1, 80), -1);
	ck_assert_int_eq(forecast_threshold(INT64_MAX, 100), INT64_MAX);
	for (int64_t lim = 0; lim < 50; lim++)
		for (int l = 0; l < FORECAST_LEVELS; l++) {
			int pct = forecast_level_pct(l);
			int64_t t = forecast_threshold(lim, pct);

			ck_assert_int_ge((int)quota_level(t, lim), QUOTA_WARN80 + l);
			ck_assert(t == 1 || (int)quota_level(t - 1, lim) < QUOTA_WARN80 + l);
		}
}
END_TEST

START_TEST(cumulative_projection)
{
	usec_t now = at("2026-12-07T12:00:00Z");
	struct quota q = quota_of(500, 1000, WINDOW_NONE);
	struct quota_forecast f;

	forecast_quota(&f, &q, 100.0, now);
	ck_assert_int_eq(f.as_of, now);
	ck_assert_int_eq(f.state[0], FORECAST_PROJECTED);
	ck_assert_int_eq(f.at[0], now + 3 * USEC_PER_DAY);
	ck_assert_int_eq(f.at[1], now + 4 * USEC_PER_DAY + USEC_PER_DAY / 2);
	ck_assert_int_eq(f.at[2], now + 5 * USEC_PER_DAY);
	/* fractional days round up to the next microsecond */
	forecast_quota(&f, &q, 300.0, now);
	ck_assert_int_eq(f.at[0], now + USEC_PER_DAY);
	ck_assert_int_eq(f.at[2], now + (5 * USEC_PER_DAY + 2) / 3);
}
END_TEST

START_TEST(none_and_reached)
{
	usec_t now = at("2026-12-07T12:00:00Z");
	struct quota q = quota_of(960, 1000, WINDOW_NONE);
	struct quota_forecast f;

	forecast_quota(&f, &q, 0.0, now);
	ck_assert_int_eq(f.state[0], FORECAST_REACHED);
	ck_assert_int_eq(f.state[1], FORECAST_REACHED);
	ck_assert_int_eq(f.state[2], FORECAST_NONE);
	ck_assert_int_eq(f.at[2], 0);
	forecast_quota(&f, &q, -5.0, now);
	ck_assert_int_eq(f.state[2], FORECAST_NONE);
	q = quota_of(1000, 1000, WINDOW_NONE);
	forecast_quota(&f, &q, 10.0, now);
	ck_assert_int_eq(f.state[2], FORECAST_REACHED);
	q = quota_of(5, -1, WINDOW_NONE);
	forecast_quota(&f, &q, 10.0, now);
	for (int i = 0; i < FORECAST_LEVELS; i++)
		ck_assert_int_eq(f.state[i], FORECAST_NONE);
	/* beyond the horizon: none, and no overflow */
	q = quota_of(0, INT64_MAX, WINDOW_NONE);
	forecast_quota(&f, &q, 1.0, now);
	ck_assert_int_eq(f.state[2], FORECAST_NONE);
	q = quota_of(0, 0, WINDOW_NONE);
	forecast_quota(&f, &q, 1.0, now);
	ck_assert_int_eq(f.state[2], FORECAST_PROJECTED);
	ck_assert_int_eq(f.at[2], now + USEC_PER_DAY);
}
END_TEST

START_TEST(window_projection)
{
	usec_t now = at("2026-12-07T12:30:00Z");
	struct quota q = quota_of(3200, 5000, WINDOW_HOUR);
	struct quota_forecast f;

	/* 48,000 a day = 2,000 an hour: 4,000 in 24 min, 4,750 in 46.5
	 * min (after the reset at 13:00), 5,000 in 54 min */
	forecast_quota(&f, &q, 48000.0, now);
	ck_assert_int_eq(f.state[0], FORECAST_PROJECTED);
	ck_assert_int_eq(f.at[0], now + 24 * USEC_PER_MIN);
	ck_assert_int_eq(f.state[1], FORECAST_RESETS_FIRST);
	ck_assert_int_eq(f.at[1], 0);
	ck_assert_int_eq(f.state[2], FORECAST_RESETS_FIRST);
	/* exactly at the reset is too late */
	q.used = 3999;
	forecast_quota(&f, &q, 48000.0, at("2026-12-07T12:59:59.97Z"));
	ck_assert_int_eq(f.state[0], FORECAST_RESETS_FIRST);
	/* a day window: invitations at 20 a day, 10 of 20 used at noon */
	q = quota_of(10, 20, WINDOW_DAY);
	forecast_quota(&f, &q, 20.0, now);
	ck_assert_int_eq(f.state[0], FORECAST_PROJECTED);
	ck_assert_int_eq(f.at[0], now + 7 * USEC_PER_HOUR + 12 * USEC_PER_MIN);
	ck_assert_int_eq(f.state[2], FORECAST_RESETS_FIRST);
}
END_TEST

START_TEST(full_key_orders)
{
	usec_t now = at("2026-12-07T12:00:00Z");
	struct quota a = quota_of(1000, 1000, WINDOW_NONE), b = quota_of(900, 1000, WINDOW_NONE),
		     c = quota_of(100, 1000, WINDOW_NONE), d = quota_of(999, 1000, WINDOW_NONE);
	struct quota_forecast fa, fb, fc, fd;

	forecast_quota(&fa, &a, 0, now);
	forecast_quota(&fb, &b, 10, now);  /* 10 d */
	forecast_quota(&fc, &c, 900, now); /* 1 d */
	forecast_quota(&fd, &d, 0, now);   /* flat */
	ck_assert(forecast_full_key(&fa) < forecast_full_key(&fc));
	ck_assert(forecast_full_key(&fc) < forecast_full_key(&fb));
	ck_assert(forecast_full_key(&fb) < forecast_full_key(&fd));
}
END_TEST

#define DESCRIBE(q, now, want)                                                                     \
	do {                                                                                       \
		char buf_[64];                                                                     \
		forecast_describe(buf_, sizeof buf_, q, now);                                      \
		ck_assert_str_eq(buf_, want);                                                      \
	} while (0)

START_TEST(wording)
{
	usec_t now = at("2026-12-07T12:30:00Z");
	struct quota q = quota_of(500, 1000, WINDOW_NONE);
	char buf[32];

	DESCRIBE(&q, now, ""); /* no forecast made */
	forecast_quota(&q.forecast, &q, 100.0, now);
	DESCRIBE(&q, now, "80% in 3 d, 100% in 5 d");
	DESCRIBE(&q, now + 4 * USEC_PER_DAY + 12 * USEC_PER_HOUR, "80% in 1 min, 100% in 12 h");
	q.used = 850;
	forecast_quota(&q.forecast, &q, 100.0, now);
	DESCRIBE(&q, now, "95% in 24 h, 100% in 36 h");
	q.used = 960;
	forecast_quota(&q.forecast, &q, 100.0, now);
	DESCRIBE(&q, now, "100% in 9 h");
	q.used = 1000;
	forecast_quota(&q.forecast, &q, 100.0, now);
	DESCRIBE(&q, now, "at 100%");
	q.used = 10;
	forecast_quota(&q.forecast, &q, 0.0, now);
	DESCRIBE(&q, now, "flat");
	q = quota_of(3000, 5000, WINDOW_HOUR);
	forecast_quota(&q.forecast, &q, 24.0, now);
	DESCRIBE(&q, now, "not this hour");
	q.used = 3200;
	forecast_quota(&q.forecast, &q, 48000.0, now);
	DESCRIBE(&q, now, "80% in 24 min, 100% not this hour");
	q.limit = -1;
	DESCRIBE(&q, now, "unlimited");
	q = quota_of(0, INT64_MAX, WINDOW_NONE); /* beyond the horizon */
	forecast_quota(&q.forecast, &q, 1.0, now);
	DESCRIBE(&q, now, "slow");
	ck_assert_int_eq(forecast_format_in(buf, sizeof buf, 10 * USEC_PER_SEC), 5);
	ck_assert_str_eq(buf, "1 min");
	forecast_format_in(buf, sizeof buf, 47 * USEC_PER_HOUR + 59 * USEC_PER_MIN);
	ck_assert_str_eq(buf, "47 h");
	forecast_format_in(buf, sizeof buf, 48 * USEC_PER_HOUR);
	ck_assert_str_eq(buf, "2 d");
}
END_TEST

START_TEST(wording_full)
{
	usec_t now = at("2026-12-07T12:00:00Z");
	struct quota q = quota_of(100, 1000, WINDOW_NONE);
	struct quota_forecast f;
	char buf[32];

	memset(&f, 0, sizeof f);
	forecast_describe_full(buf, sizeof buf, &f, now);
	ck_assert_str_eq(buf, "-");
	forecast_quota(&f, &q, 300, now);
	forecast_describe_full(buf, sizeof buf, &f, now);
	ck_assert_str_eq(buf, "full in 3 d");
	forecast_quota(&f, &q, 0, now);
	forecast_describe_full(buf, sizeof buf, &f, now);
	ck_assert_str_eq(buf, "flat");
	q.used = 1000;
	forecast_quota(&f, &q, 0, now);
	forecast_describe_full(buf, sizeof buf, &f, now);
	ck_assert_str_eq(buf, "at 100%");
	q = quota_of(10, 5000, WINDOW_HOUR);
	forecast_quota(&f, &q, 100, now);
	forecast_describe_full(buf, sizeof buf, &f, now);
	ck_assert_str_eq(buf, "resets first");
	/* the long form when it fits, else the short one, else nothing */
	q = quota_of(500, 1000, WINDOW_NONE);
	forecast_quota(&q.forecast, &q, 100.0, now);
	forecast_describe_fit(buf, sizeof buf, &q, now, 23);
	ck_assert_str_eq(buf, "80% in 3 d, 100% in 5 d");
	forecast_describe_fit(buf, sizeof buf, &q, now, 22);
	ck_assert_str_eq(buf, "100% in 5 d");
	forecast_describe_fit(buf, sizeof buf, &q, now, 10);
	ck_assert_str_eq(buf, "80% in 3 d");
	q = quota_of(3200, 5000, WINDOW_HOUR);
	forecast_quota(&q.forecast, &q, 48000.0, at("2026-12-07T12:30:00Z"));
	forecast_describe_fit(buf, sizeof buf, &q, at("2026-12-07T12:30:00Z"), 25);
	ck_assert_str_eq(buf, "80% in 24 min");
	q = quota_of(500, 1000, WINDOW_NONE);
	forecast_quota(&q.forecast, &q, 100.0, now);
	ck_assert_int_eq(forecast_describe_fit(buf, sizeof buf, &q, now, 5), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(state_names)
{
	enum forecast_state s;

	for (int i = 0; i < FORECAST_STATE_COUNT; i++) {
		ck_assert_int_eq(forecast_state_parse(forecast_state_name(i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_int_eq(forecast_state_parse("soon", &s), -1);
	ck_assert_int_eq(forecast_state_parse(NULL, &s), -1);
	ck_assert_str_eq(forecast_state_name(FORECAST_STATE_COUNT), "?");
}
END_TEST

Suite *
suite_forecast(void)
{
	Suite *s = suite_create("forecast");
	TCase *tc = tcase_create("forecast");

	tcase_add_test(tc, rate_constant_and_flat);
	tcase_add_test(tc, rate_matches_least_squares);
	tcase_add_test(tc, thresholds_as_quota_level);
	tcase_add_test(tc, cumulative_projection);
	tcase_add_test(tc, none_and_reached);
	tcase_add_test(tc, window_projection);
	tcase_add_test(tc, full_key_orders);
	tcase_add_test(tc, wording);
	tcase_add_test(tc, wording_full);
	tcase_add_test(tc, state_names);
	suite_add_tcase(s, tc);
	return s;
}
