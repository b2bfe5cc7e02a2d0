/* test_tier.c - tier.h: the default catalog, limits, downgrades and
 * effective features. */
#include <check.h>
#include <string.h>

#include "core/tier.h"

#define F(x) (1u << FEATURE_##x)

static const struct tier *
tier(const char *name)
{
	size_t n;
	const struct tier *cat = tier_default_catalog(&n);
	return tier_find(cat, n, name);
}

START_TEST(find_unknown)
{
	size_t n;
	const struct tier *cat = tier_default_catalog(&n);

	ck_assert_ptr_null(tier_find(cat, n, "gold"));
	ck_assert_ptr_null(tier_find(cat, n, "Free"));
	ck_assert_ptr_null(tier_find(cat, n, NULL));
	ck_assert_ptr_null(tier_find(NULL, 3, "free"));
	ck_assert_ptr_null(tier_find(cat, 0, "free"));
	ck_assert_int_eq(tier_limit(cat, RESOURCE_COUNT), 0);
}
END_TEST

START_TEST(no_conflicts_when_unlimited_or_windowed)
{
	struct tier_conflict c;
	int64_t used[RESOURCE_COUNT] = { 1000000, TIB, 99999999, 1000, 99999 };

	ck_assert_uint_eq(tier_conflicts(&c, tier("enterprise"), used), 0);
	ck_assert_uint_eq(c.n, 0);
	used[RESOURCE_STORAGE] = TIB + 1;
	ck_assert_uint_eq(tier_conflicts(&c, tier("enterprise"), used), 1);
	ck_assert_str_eq(c.rows[0].resource, "storage_bytes");
}
END_TEST

START_TEST(catalog)
{
	size_t n;
	const struct tier *cat = tier_default_catalog(&n);
	const struct tier *t;

	ck_assert_uint_eq(n, 5);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(cat[i].rank, (int)i);
	t = tier("free");
	ck_assert_str_eq(t->display_name, "Free");
	ck_assert_int_eq(t->price_cents, 0);
	ck_assert_int_eq(t->max_users, 5);
	ck_assert_int_eq(t->storage_limit_bytes, INT64_C(1073741824));
	ck_assert_int_eq(t->api_calls_per_hour, 100);
	ck_assert_int_eq(t->max_api_keys, 1);
	ck_assert_int_eq(t->invitations_per_day, 10);
	ck_assert_int_eq(t->trial_days, 0);
	ck_assert_uint_eq(t->features, F(ANALYTICS));
	t = tier("basic");
	ck_assert_int_eq(t->price_cents, 2900);
	ck_assert_int_eq(t->storage_limit_bytes, 5 * GIB);
	ck_assert_uint_eq(t->features, F(ANALYTICS) | F(SOCIAL_COLLABORATION));
	t = tier("professional");
	ck_assert_int_eq(t->price_cents, 9900);
	ck_assert_int_eq(t->max_users, 50);
	ck_assert_int_eq(t->storage_limit_bytes, INT64_C(107374182400));
	ck_assert_uint_eq(t->features, F(ANALYTICS) | F(SOCIAL_COLLABORATION) | F(AI_INSIGHTS)
					   | F(ADVANCED_ANALYTICS) | F(API_ACCESS)
					   | F(CUSTOM_BRANDING) | F(PRIORITY_SUPPORT));
	t = tier("business");
	ck_assert_int_eq(t->price_cents, 79900);
	ck_assert_int_eq(t->max_api_keys, 25);
	ck_assert_uint_eq(t->features & (F(SSO) | F(AUDIT_LOGS) | F(ADVANCED_REPORTING)),
			  F(SSO) | F(AUDIT_LOGS) | F(ADVANCED_REPORTING));
	ck_assert_uint_eq(t->features & F(SLA_GUARANTEE), 0);
	t = tier("enterprise");
	ck_assert_int_eq(t->price_cents, 199900);
	ck_assert_int_eq(t->max_users, -1);
	ck_assert_int_eq(t->storage_limit_bytes, INT64_C(1099511627776));
	ck_assert_int_eq(t->api_calls_per_hour, 25000);
	ck_assert_int_eq(t->invitations_per_day, -1);
	ck_assert_int_eq(t->trial_days, 30);
	ck_assert_uint_eq(t->features, feature_all());
}
END_TEST

START_TEST(limits_and_windows)
{
	const struct tier *t = tier("business");

	ck_assert_int_eq(tier_limit(t, RESOURCE_USERS), 500);
	ck_assert_int_eq(tier_limit(t, RESOURCE_STORAGE), 100 * GIB);
	ck_assert_int_eq(tier_limit(t, RESOURCE_API_CALLS), 10000);
	ck_assert_int_eq(tier_limit(t, RESOURCE_API_KEYS), 25);
	ck_assert_int_eq(tier_limit(t, RESOURCE_INVITATIONS), 500);
	ck_assert_int_eq(tier_window(RESOURCE_API_CALLS), WINDOW_HOUR);
	ck_assert_int_eq(tier_window(RESOURCE_INVITATIONS), WINDOW_DAY);
	ck_assert_int_eq(tier_window(RESOURCE_USERS), WINDOW_NONE);
	ck_assert_int_eq(tier_window(RESOURCE_STORAGE), WINDOW_NONE);
	ck_assert_int_eq(tier_window(RESOURCE_API_KEYS), WINDOW_NONE);
}
END_TEST

START_TEST(downgrades)
{
	ck_assert(tier_is_downgrade(tier("professional"), tier("basic")));
	ck_assert(!tier_is_downgrade(tier("basic"), tier("professional")));
	ck_assert(!tier_is_downgrade(tier("basic"), tier("basic")));
	ck_assert(tier_is_downgrade(tier("enterprise"), tier("free")));
}
END_TEST

START_TEST(conflicts)
{
	struct tier_conflict c;
	/* professional tenant: 37 users, 15 GiB, 4620 calls this hour,
	 * 3 keys, 40 invitations today */
	int64_t used[RESOURCE_COUNT] = { 37, 15 * GIB, 4620, 3, 40 };

	ck_assert_uint_eq(tier_conflicts(&c, tier("basic"), used), 3);
	ck_assert_str_eq(c.rows[0].resource, "users");
	ck_assert_int_eq(c.rows[0].used, 37);
	ck_assert_int_eq(c.rows[0].limit, 10);
	ck_assert_str_eq(c.rows[1].resource, "storage_bytes");
	ck_assert_int_eq(c.rows[1].limit, 5 * GIB);
	ck_assert_str_eq(c.rows[2].resource, "api_keys");
	ck_assert_int_eq(c.rows[2].used, 3);
	ck_assert_int_eq(c.rows[2].limit, 2);
	/* exactly at the limit is not a conflict */
	used[RESOURCE_USERS] = 10;
	used[RESOURCE_STORAGE] = 5 * GIB;
	used[RESOURCE_API_KEYS] = 2;
	ck_assert_uint_eq(tier_conflicts(&c, tier("basic"), used), 0);
}
END_TEST

START_TEST(effective_features)
{
	feature_mask pro = tier("professional")->features;

	ck_assert_uint_eq(feature_effective(F(ANALYTICS), 0, 0), F(ANALYTICS));
	ck_assert_uint_eq(feature_effective(F(ANALYTICS), F(SSO), 0), F(ANALYTICS) | F(SSO));
	ck_assert_uint_eq(feature_effective(pro, 0, F(AI_INSIGHTS)), pro & ~F(AI_INSIGHTS));
	/* off wins over on */
	ck_assert_uint_eq(feature_effective(0, F(SSO), F(SSO)), 0);
	/* bits outside the catalog never come out */
	ck_assert_uint_eq(feature_effective(0xffffffffu, 0, 0), feature_all());
	ck_assert_uint_eq(feature_all(), (1u << FEATURE_COUNT) - 1);
}
END_TEST

Suite *
suite_tier(void)
{
	Suite *s = suite_create("tier");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, find_unknown);
	tcase_add_test(bad, no_conflicts_when_unlimited_or_windowed);
	tcase_add_test(good, catalog);
	tcase_add_test(good, limits_and_windows);
	tcase_add_test(good, downgrades);
	tcase_add_test(good, conflicts);
	tcase_add_test(good, effective_features);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
