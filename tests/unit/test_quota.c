/* test_quota.c - quota.h: fractions, thresholds, windows, formatting. */
#include <check.h>
#include <string.h>

#include "core/quota.h"
#include "core/text.h"

#define BIT(l) (1u << QUOTA_##l)

static usec_t
at(const char *iso)
{
	struct err e;
	usec_t t;

	ck_assert_int_eq(time_parse(&t, iso, "at", &e), 0);
	return t;
}

START_TEST(fraction_edges)
{
	ck_assert_double_eq(quota_fraction(5, -1), 0.0);
	ck_assert_double_eq(quota_fraction(0, 0), 0.0);
	ck_assert_double_eq(quota_fraction(-3, 10), 0.0);
	ck_assert_double_eq(quota_fraction(1, 0), QUOTA_FRACTION_MAX);
	ck_assert_double_eq(quota_fraction(INT64_MAX, 1), QUOTA_FRACTION_MAX);
}
END_TEST

/* One rounding for the console and the CLI: down, so 100 % is reached
 * only at the limit (the CLI used to round 69.9 % up to 70 %). */
START_TEST(percent_rounds_down)
{
	ck_assert_int_eq(quota_percent(799, 1000), 79);
	ck_assert_int_eq(quota_percent(699, 1000), 69);
	ck_assert_int_eq(quota_percent(999, 1000), 99);
	ck_assert_int_eq(quota_percent(1000, 1000), 100);
	ck_assert_int_eq(quota_percent(-5, 1000), 0);
	ck_assert_int_eq(quota_percent(1, 0), 100);
	ck_assert_int_eq(quota_percent(1, -1), -1);
	ck_assert_int_eq(quota_percent(INT64_MAX, 1), 999);
}
END_TEST

START_TEST(levels_edges)
{
	ck_assert_int_eq(quota_level(INT64_MAX, -1), QUOTA_OK);
	ck_assert_int_eq(quota_level(0, 0), QUOTA_OK);
	ck_assert_int_eq(quota_level(1, 0), QUOTA_FULL);
	ck_assert_int_eq(quota_level(INT64_MAX, INT64_MAX), QUOTA_FULL);
	ck_assert_int_eq(quota_level(INT64_MAX - 1, INT64_MAX), QUOTA_WARN95);
	ck_assert_str_eq(quota_level_name(QUOTA_LEVEL_COUNT), "?");
	ck_assert_int_eq(quota_level_pct((enum quota_level) - 1), 0);
	/* going down crosses nothing */
	ck_assert_uint_eq(quota_crossed(100, 50, 100), 0);
	ck_assert_uint_eq(quota_crossed(0, 1000, -1), 0);
	ck_assert_int_eq(quota_highest(0), QUOTA_OK);
}
END_TEST

START_TEST(fit_edges)
{
	ck_assert(!quota_would_fit(INT64_MAX - 1, INT64_MAX, 2));
	ck_assert(!quota_would_fit(0, 0, 1));
	ck_assert(quota_would_fit(INT64_MAX, -1, INT64_MAX));
	ck_assert(quota_would_fit(120, 100, -10));
	ck_assert(quota_would_fit(120, 100, 0));
}
END_TEST

START_TEST(window_none)
{
	ck_assert_int_eq(quota_window_start(WINDOW_NONE, 12345), 0);
	ck_assert_int_eq(quota_window_end(WINDOW_NONE, 12345), 0);
	ck_assert_int_eq(quota_window_start(WINDOW_COUNT, 12345), 0);
}
END_TEST

START_TEST(fractions)
{
	ck_assert_double_eq(quota_fraction(37, 50), 0.74);
	ck_assert_double_eq(quota_fraction(4620, 5000), 0.924);
	ck_assert_double_eq(quota_fraction(150, 100), 1.5);
}
END_TEST

START_TEST(levels)
{
	ck_assert_int_eq(quota_level(79, 100), QUOTA_OK);
	ck_assert_int_eq(quota_level(80, 100), QUOTA_WARN80);
	ck_assert_int_eq(quota_level(94, 100), QUOTA_WARN80);
	ck_assert_int_eq(quota_level(95, 100), QUOTA_WARN95);
	ck_assert_int_eq(quota_level(99, 100), QUOTA_WARN95);
	ck_assert_int_eq(quota_level(100, 100), QUOTA_FULL);
	ck_assert_int_eq(quota_level(140, 100), QUOTA_FULL);
	/* 80 % of 7 is 5.6: 5 is below, 6 reaches it */
	ck_assert_int_eq(quota_level(5, 7), QUOTA_OK);
	ck_assert_int_eq(quota_level(6, 7), QUOTA_WARN80);
	/* 95 % of 21 is 19.95 */
	ck_assert_int_eq(quota_level(19, 21), QUOTA_WARN80);
	ck_assert_int_eq(quota_level(20, 21), QUOTA_WARN95);
	ck_assert_str_eq(quota_level_name(QUOTA_WARN95), "warn95");
	ck_assert_int_eq(quota_level_pct(QUOTA_FULL), 100);
}
END_TEST

START_TEST(crossings)
{
	ck_assert_uint_eq(quota_crossed(79, 80, 100), BIT(WARN80));
	ck_assert_uint_eq(quota_crossed(80, 81, 100), 0);
	ck_assert_uint_eq(quota_crossed(79, 100, 100), BIT(WARN80) | BIT(WARN95) | BIT(FULL));
	ck_assert_uint_eq(quota_crossed(90, 96, 100), BIT(WARN95));
	ck_assert_uint_eq(quota_crossed(96, 120, 100), BIT(FULL));
	ck_assert_uint_eq(quota_crossed(0, 1, 0), BIT(WARN80) | BIT(WARN95) | BIT(FULL));
	ck_assert_int_eq(quota_highest(quota_crossed(79, 96, 100)), QUOTA_WARN95);
	ck_assert_int_eq(quota_highest(BIT(WARN80)), QUOTA_WARN80);
}
END_TEST

START_TEST(windows)
{
	usec_t now = at("2026-11-22T10:42:17.5Z");

	ck_assert_int_eq(quota_window_start(WINDOW_HOUR, now), at("2026-11-22T10:00:00Z"));
	ck_assert_int_eq(quota_window_end(WINDOW_HOUR, now), at("2026-11-22T11:00:00Z"));
	ck_assert_int_eq(quota_window_start(WINDOW_DAY, now), at("2026-11-22T00:00:00Z"));
	ck_assert_int_eq(quota_window_end(WINDOW_DAY, now), at("2026-11-23T00:00:00Z"));
	ck_assert_int_eq(quota_window_start(WINDOW_MONTH, now), at("2026-11-01T00:00:00Z"));
	ck_assert_int_eq(quota_window_end(WINDOW_MONTH, now), at("2026-12-01T00:00:00Z"));
	now = at("2026-12-31T23:59:59.999999Z");
	ck_assert_int_eq(quota_window_end(WINDOW_MONTH, now), at("2027-01-01T00:00:00Z"));
	ck_assert_int_eq(quota_window_end(WINDOW_DAY, now), at("2027-01-01T00:00:00Z"));
	now = at("2028-02-29T12:00:00Z");
	ck_assert_int_eq(quota_window_end(WINDOW_MONTH, now), at("2028-03-01T00:00:00Z"));
	/* a window boundary belongs to the window it starts */
	now = at("2026-11-22T11:00:00Z");
	ck_assert_int_eq(quota_window_start(WINDOW_HOUR, now), now);
	/* before 1970 the hour still truncates downwards */
	ck_assert_int_eq(quota_window_start(WINDOW_HOUR, -1), -USEC_PER_HOUR);
}
END_TEST

START_TEST(fits)
{
	ck_assert(quota_would_fit(4999, 5000, 1));
	ck_assert(!quota_would_fit(4999, 5000, 2));
	ck_assert(quota_would_fit(0, 10, 10));
	ck_assert(!quota_would_fit(0, 10, 11));
}
END_TEST

/* clang-format off */
#define FMT(fn, v, want)                                                     \
	do {                                                                 \
		char b_[32];                                                 \
		fn(b_, sizeof b_, v);                                        \
		ck_assert_str_eq(b_, want);                                  \
	} while (0)
/* clang-format on */

START_TEST(formatting)
{
	char small[4];

	FMT(quota_format_bytes, 0, "0 B");
	FMT(quota_format_bytes, 512, "512 B");
	FMT(quota_format_bytes, 1023, "1023 B");
	FMT(quota_format_bytes, 1024, "1 KiB");
	FMT(quota_format_bytes, 1536 * INT64_C(1048576), "1.5 GiB");
	FMT(quota_format_bytes, INT64_C(107374182400), "100 GiB");
	FMT(quota_format_bytes, INT64_C(16857368166), "15.7 GiB");
	FMT(quota_format_bytes, INT64_C(1099511627776), "1 TiB");
	FMT(quota_format_bytes, INT64_C(1048575), "1 MiB");
	FMT(quota_format_bytes, -1, "unlimited");
	FMT(quota_format_bytes, -2048, "-2 KiB");
	FMT(quota_format_count, 999, "999");
	FMT(quota_format_count, 1000, "1k");
	FMT(quota_format_count, 12345, "12.3k");
	FMT(quota_format_count, 999999, "1M");
	FMT(quota_format_count, 4500000, "4.5M");
	FMT(quota_format_count, 250000, "250k");
	FMT(quota_format_count, -1, "unlimited");
	FMT(quota_format_count, INT64_MIN, "-9.2E");
	FMT(quota_format_grouped, 0, "0");
	FMT(quota_format_grouped, 4620, "4,620");
	FMT(quota_format_grouped, 100000, "100,000");
	FMT(quota_format_grouped, -1000000, "-1,000,000");
	FMT(quota_format_grouped, -1, "unlimited");
	FMT(quota_format_grouped, INT64_MIN, "-9,223,372,036,854,775,808");
	ck_assert_int_eq(quota_format_grouped(small, sizeof small, 12345), 6);
	ck_assert_str_eq(small, "12,");
}
END_TEST

Suite *
suite_quota(void)
{
	Suite *s = suite_create("quota");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, fraction_edges);
	tcase_add_test(bad, percent_rounds_down);
	tcase_add_test(bad, levels_edges);
	tcase_add_test(bad, fit_edges);
	tcase_add_test(bad, window_none);
	tcase_add_test(good, fractions);
	tcase_add_test(good, levels);
	tcase_add_test(good, crossings);
	tcase_add_test(good, windows);
	tcase_add_test(good, fits);
	tcase_add_test(good, formatting);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
