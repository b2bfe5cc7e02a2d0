/* test_health.c - health.h: the score for hand-computed inputs. */
#include <check.h>
#include <string.h>

#include "core/health.h"

static struct health_inputs
inputs(int members, int active, int enabled, int available, double peak, const char *billing)
{
	struct health_inputs in = { members, active, enabled, available, peak };

	strcpy(in.billing_status, billing);
	return in;
}

static void
calls(struct health_inputs *in, int64_t even, int64_t odd)
{
	for (int i = 0; i < HEALTH_DAYS; i++)
		in->api_calls[i] = i % 2 ? odd : even;
}

START_TEST(null_arguments)
{
	struct health_inputs in = inputs(1, 1, 1, 1, 0, "ok");
	struct health h;

	ck_assert_int_eq(health_compute(NULL, &h), -1);
	ck_assert_int_eq(health_compute(&in, NULL), -1);
	ck_assert_str_eq(health_part_name(HEALTH_PART_COUNT), "?");
	ck_assert_int_eq(health_part_weight((enum health_part) - 1), 0);
}
END_TEST

START_TEST(empty_and_odd_inputs)
{
	/* no members, no catalog, no calls, unknown billing */
	struct health_inputs in = inputs(0, 3, 5, 0, -0.5, "");
	struct health h;

	ck_assert_int_eq(health_compute(&in, &h), 0);
	ck_assert_double_eq(h.part[HEALTH_ENGAGEMENT], 0);
	ck_assert_double_eq(h.part[HEALTH_ADOPTION], 0);
	ck_assert_double_eq(h.part[HEALTH_HEADROOM], 1);
	ck_assert_double_eq(h.part[HEALTH_PAYMENT], 0);
	ck_assert_double_eq(h.part[HEALTH_CONSISTENCY], 0);
	ck_assert_int_eq(h.score, 20);
	ck_assert_str_eq(h.explain[HEALTH_PAYMENT], "payment 0.00: billing "
						    "unknown");
	ck_assert_str_eq(h.explain[HEALTH_CONSISTENCY],
			 "usage_consistency 0.00: no api calls in 14 days");
	/* more active than members is clamped */
	in = inputs(4, 9, 12, 11, 0, "weird");
	health_compute(&in, &h);
	ck_assert_double_eq(h.part[HEALTH_ENGAGEMENT], 1);
	ck_assert_double_eq(h.part[HEALTH_ADOPTION], 1);
	ck_assert_double_eq(h.part[HEALTH_PAYMENT], 0);
}
END_TEST

START_TEST(weights)
{
	int sum = 0;
	enum health_part p;

	for (int i = 0; i < HEALTH_PART_COUNT; i++)
		sum += health_part_weight(i);
	ck_assert_int_eq(sum, 100);
	ck_assert_int_eq(health_part_weight(HEALTH_ENGAGEMENT), 30);
	ck_assert_int_eq(health_part_weight(HEALTH_CONSISTENCY), 10);
	ck_assert_int_eq(health_part_parse("quota_headroom", &p), 0);
	ck_assert_int_eq(p, HEALTH_HEADROOM);
	ck_assert_int_eq(health_part_parse("headroom", &p), -1);
}
END_TEST

/* 30*0.75 + 20*0.5 + 20*0.4 + 20*0.4 + 10*1 = 58.5 -> 59 */
START_TEST(typical_tenant)
{
	struct health_inputs in = inputs(8, 6, 4, 8, 0.8, "past_due");
	struct health h;

	calls(&in, 100, 100);
	ck_assert_int_eq(health_compute(&in, &h), 0);
	ck_assert_double_eq_tol(h.part[HEALTH_HEADROOM], 0.4, 1e-12);
	ck_assert_double_eq(h.part[HEALTH_CONSISTENCY], 1);
	ck_assert_int_eq(h.score, 59);
	ck_assert_str_eq(h.explain[HEALTH_ENGAGEMENT],
			 "engagement 0.75: 6 of 8 members active in 30 days");
	ck_assert_str_eq(h.explain[HEALTH_ADOPTION],
			 "feature_adoption 0.50: 4 of 8 features enabled");
	ck_assert_str_eq(h.explain[HEALTH_HEADROOM], "quota_headroom 0.40: busiest quota at 80%");
	ck_assert_str_eq(h.explain[HEALTH_PAYMENT], "payment 0.40: billing past_due");
	ck_assert_str_eq(h.explain[HEALTH_CONSISTENCY],
			 "usage_consistency 1.00: daily api calls vary 0% "
			 "around 100 a day");
}
END_TEST

/* calls 50/150 alternating: mean 100, sd 50, cv 0.5;
 * 30*1 + 20*1 + 20*0 + 20*0 + 10*0.5 = 55 */
START_TEST(over_quota_and_unpaid)
{
	struct health_inputs in = inputs(10, 10, 11, 11, 1.2, "unpaid");
	struct health h;

	calls(&in, 50, 150);
	health_compute(&in, &h);
	ck_assert_double_eq(h.part[HEALTH_HEADROOM], 0);
	ck_assert_double_eq(h.part[HEALTH_CONSISTENCY], 0.5);
	ck_assert_int_eq(h.score, 55);
	ck_assert_str_eq(h.explain[HEALTH_CONSISTENCY],
			 "usage_consistency 0.50: daily api calls vary 50% "
			 "around 100 a day");
}
END_TEST

/* calls 0/200: cv 1 -> 0; one burst day: cv 3.6 -> 0;
 * 20 (headroom) + 20 (payment) = 40 */
START_TEST(bursty_usage)
{
	struct health_inputs in = inputs(0, 0, 0, 11, 0.5, "ok");
	struct health h;

	calls(&in, 0, 200);
	health_compute(&in, &h);
	ck_assert_double_eq(h.part[HEALTH_CONSISTENCY], 0);
	ck_assert_double_eq(h.part[HEALTH_HEADROOM], 1);
	ck_assert_int_eq(h.score, 40);
	calls(&in, 0, 0);
	in.api_calls[13] = 1400;
	health_compute(&in, &h);
	ck_assert_double_eq(h.part[HEALTH_CONSISTENCY], 0);
	ck_assert_int_eq(h.score, 40);
}
END_TEST

/* 30/3 + 20*0.25 + 20*0.5 + 20 + 0 = 45; 30*0.5 + 20*0.5 + 20*0.5 + 20 = 55;
 * 30/6 + 20/8 + 20 + 20 + 0 = 47.5, rounded up to 48 */
START_TEST(fractions_round)
{
	struct health_inputs in = inputs(3, 1, 2, 8, 0.75, "ok");
	struct health h;

	health_compute(&in, &h);
	ck_assert_double_eq_tol(h.part[HEALTH_HEADROOM], 0.5, 1e-12);
	ck_assert_int_eq(h.score, 45);
	in = inputs(6, 3, 4, 8, 0.75, "ok");
	health_compute(&in, &h);
	ck_assert_int_eq(h.score, 55);
	in = inputs(6, 1, 1, 8, 0.0, "ok");
	health_compute(&in, &h);
	ck_assert_int_eq(h.score, 48);
}
END_TEST

START_TEST(perfect)
{
	struct health_inputs in = inputs(5, 5, 11, 11, 0.2, "ok");
	struct health h;

	calls(&in, 1000, 1000);
	health_compute(&in, &h);
	ck_assert_int_eq(h.score, 100);
}
END_TEST

Suite *
suite_health(void)
{
	Suite *s = suite_create("health");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, null_arguments);
	tcase_add_test(bad, empty_and_odd_inputs);
	tcase_add_test(good, weights);
	tcase_add_test(good, typical_tenant);
	tcase_add_test(good, over_quota_and_unpaid);
	tcase_add_test(good, bursty_usage);
	tcase_add_test(good, fractions_round);
	tcase_add_test(good, perfect);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
