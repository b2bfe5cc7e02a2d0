/* test_types.c - enum names (types.h) and the text forms of text.h. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "core/types.h"

#define S(n) ((usec_t)(n)*USEC_PER_SEC)

START_TEST(parse_rejects_unknown_and_null)
{
	enum tenant_status st = TENANT_ACTIVE;
	enum scope sc;

	ck_assert_int_eq(tenant_status_parse(NULL, &st), -1);
	ck_assert_int_eq(tenant_status_parse("Active", &st), -1);
	ck_assert_int_eq(tenant_status_parse("", &st), -1);
	ck_assert_int_eq(st, TENANT_ACTIVE);
	ck_assert_int_eq(scope_parse("tenant:admin", &sc), -1);
	ck_assert_str_eq(tenant_status_name(TENANT_STATUS_COUNT), "?");
	ck_assert_str_eq(feature_name((enum feature) - 1), "?");
}
END_TEST

START_TEST(mask_parse_rejects)
{
	struct err e;
	feature_mask f = 7;
	scope_mask s;

	ck_assert_int_eq(feature_mask_parse(&f, "analytics,bogus", "features", &e), -1);
	ck_assert_str_eq(e.field, "features");
	ck_assert_str_eq(e.message, "features: unknown name \"bogus\"");
	ck_assert_uint_eq(f, 1); /* partial, caller must not use on error */
	ck_assert_int_eq(feature_mask_parse(&f, "sso,sso", "f", &e), -1);
	ck_assert_str_eq(e.message, "f: \"sso\" named twice");
	ck_assert_int_eq(feature_mask_parse(&f, "sso,", "f", &e), -1);
	ck_assert_int_eq(feature_mask_parse(&f, ",sso", "f", &e), -1);
	ck_assert_int_eq(feature_mask_parse(&f, NULL, "f", &e), -1);
	ck_assert_int_eq(scope_mask_parse(&s, "tenant:read,,users:read", "scopes", &e), -1);
	ck_assert_int_eq(scope_mask_parse(&s, "TENANT:READ", "scopes", &e), -1);
}
END_TEST

START_TEST(time_parse_rejects)
{
	static const char *bad[] = {
		"",
		"2026-11-22T10:00:00",
		"2026-13-01T00:00:00Z",
		"2026-02-29T00:00:00Z",
		"2026-11-22T24:00:00Z",
		"2026-11-22T10:60:00Z",
		"2026-11-22T10:00:60Z",
		"2026-11-22X10:00:00Z",
		"26-11-22",
		"2026-11-22T10:00:00.Z",
		"2026-11-22T10:00:00.1234567890Z",
		"2026-11-22T10:00:00Zjunk",
		"2026-11-22T10:00:00+25:00",
		"2026-11-22T10:00Z",
		"now",
	};
	struct err e;
	usec_t t = 5;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(time_parse(&t, bad[i], "at", &e) == -1, "%s", bad[i]);
		ck_assert_str_eq(e.field, "at");
		ck_assert_int_eq(t, 0);
	}
	ck_assert_int_eq(time_parse(&t, NULL, "at", &e), -1);
}
END_TEST

START_TEST(duration_parse_rejects)
{
	static const char *bad[] = { "",     "30", "d",    "30x",  "-5m",
				     "1.5h", "0s", "0d0h", "30d ", "99999999999999999w" };
	struct err e;
	usec_t d;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(duration_parse(&d, bad[i], "grace", &e) == -1, "%s", bad[i]);
	ck_assert_str_eq(e.message, "grace: duration is too long");
	ck_assert_int_eq(duration_parse(&d, NULL, "grace", &e), -1);
}
END_TEST

START_TEST(format_too_small)
{
	char buf[8];

	ck_assert_int_eq(time_format(buf, sizeof buf, 0), -1);
	ck_assert_int_eq(feature_mask_format(buf, 4, 1), -1);
	ck_assert_int_eq(feature_mask_format(NULL, 0, 1), -1);
	ck_assert_int_eq(day_format(buf, 5, 0), -1);
}
END_TEST

START_TEST(names_round_trip)
{
	enum tenant_status st;
	enum resource r;
	enum setting_type t;
	enum staff_role sr;

	for (int i = 0; i < TENANT_STATUS_COUNT; i++) {
		ck_assert_int_eq(tenant_status_parse(tenant_status_name(i), &st), 0);
		ck_assert_int_eq(st, i);
	}
	ck_assert_int_eq(resource_parse("storage_bytes", &r), 0);
	ck_assert_int_eq(r, RESOURCE_STORAGE);
	ck_assert_int_eq(setting_type_parse("timezone", &t), 0);
	ck_assert_int_eq(t, SETTING_TIMEZONE);
	ck_assert_int_eq(staff_role_parse("oncall", &sr), 0);
	ck_assert_int_eq(sr, STAFF_ONCALL);
	ck_assert_str_eq(scope_name(SCOPE_SETTINGS_WRITE), "settings:write");
	ck_assert_str_eq(quota_window_name(WINDOW_MONTH), "month");
	ck_assert_str_eq(member_role_name(ROLE_VIEWER), "viewer");
	ck_assert_str_eq(feature_name(FEATURE_SLA_GUARANTEE), "sla_guarantee");
}
END_TEST

START_TEST(masks)
{
	char buf[256];
	struct err e;
	feature_mask f;
	scope_mask s;

	ck_assert_int_eq(feature_mask_format(buf, sizeof buf, 0), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(feature_mask_parse(&f, "", "f", &e), 0);
	ck_assert_uint_eq(f, 0);
	ck_assert_int_eq(feature_mask_parse(&f, " sso , analytics", "f", &e), 0);
	ck_assert_uint_eq(f, 1u << FEATURE_SSO | 1u << FEATURE_ANALYTICS);
	ck_assert_int_eq(feature_mask_format(buf, sizeof buf, f), 13);
	ck_assert_str_eq(buf, "analytics,sso");
	ck_assert_int_eq(scope_mask_parse(&s, "users:read,tenant:read", "s", &e), 0);
	scope_mask_format(buf, sizeof buf, s);
	ck_assert_str_eq(buf, "tenant:read,users:read");
	scope_mask_format(buf, sizeof buf, (1u << SCOPE_COUNT) - 1);
	ck_assert_int_eq(scope_mask_parse(&s, buf, "s", &e), 0);
	ck_assert_uint_eq(s, (1u << SCOPE_COUNT) - 1);
}
END_TEST

START_TEST(times)
{
	char buf[TIME_LEN];
	struct err e;
	usec_t t;

	time_format(buf, sizeof buf, S(1795341600));
	ck_assert_str_eq(buf, "2026-11-22T10:00:00Z");
	time_format(buf, sizeof buf, S(1795341600) + 250000);
	ck_assert_str_eq(buf, "2026-11-22T10:00:00.250Z");
	time_format(buf, sizeof buf, S(1709251199) + 1);
	ck_assert_str_eq(buf, "2024-02-29T23:59:59.000001Z");
	time_format(buf, sizeof buf, -S(3600));
	ck_assert_str_eq(buf, "1969-12-31T23:00:00Z");
	time_format(buf, sizeof buf, -1);
	ck_assert_str_eq(buf, "1969-12-31T23:59:59.999999Z");

	ck_assert_int_eq(time_parse(&t, "2026-11-22T10:00:00Z", "at", &e), 0);
	ck_assert_int_eq(t, S(1795341600));
	ck_assert_int_eq(time_parse(&t, "2026-11-22 11:30:00+01:30", "at", &e), 0);
	ck_assert_int_eq(t, S(1795341600));
	ck_assert_int_eq(time_parse(&t, "2026-11-22t05:00:00-0500", "at", &e), 0);
	ck_assert_int_eq(t, S(1795341600));
	ck_assert_int_eq(time_parse(&t, "2026-11-22T12:00:00+02", "at", &e), 0);
	ck_assert_int_eq(t, S(1795341600));
	ck_assert_int_eq(time_parse(&t, "2000-03-01", "at", &e), 0);
	ck_assert_int_eq(t, S(951868800));
	ck_assert_int_eq(time_parse(&t, "2026-11-22T10:00:00.123456789Z", "at", &e), 0);
	ck_assert_int_eq(t, S(1795341600) + 123456);
	ck_assert_int_eq(time_parse(&t, "2026-11-22T10:00:00.5Z", "at", &e), 0);
	ck_assert_int_eq(t, S(1795341600) + 500000);
}
END_TEST

/* The hand-written digits of time_format against printf's, over times
 * from year 0 to 9999 with and without fractions; outside that range it
 * prints as printf does. */
START_TEST(time_format_digits)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	char got[TIME_LEN], want[TIME_LEN];
	struct civil c;

	for (int i = 0; i < 200000; i++) {
		usec_t t;
		int n;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* -62167219200 s is 0000-01-01, 253402300799 s is 9999-12-31 */
		t = (usec_t)(x % (uint64_t)(S(253402300799) + S(62167219200))) - S(62167219200);
		if (i % 3 == 0)
			t -= t % 1000000; /* whole seconds */
		else if (i % 3 == 1)
			t -= t % 1000; /* whole milliseconds */
		time_to_civil(&c, t);
		n = snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month,
			     c.day, c.hour, c.min, c.sec);
		if (c.usec && c.usec % 1000 == 0)
			n += snprintf(want + n, sizeof want - (size_t)n, ".%03d", c.usec / 1000);
		else if (c.usec)
			n += snprintf(want + n, sizeof want - (size_t)n, ".%06d", c.usec);
		snprintf(want + n, sizeof want - (size_t)n, "Z");
		ck_assert_int_eq(time_format(got, sizeof got, t), (int)strlen(want));
		ck_assert_str_eq(got, want);
	}
	ck_assert_int_gt(time_format(got, sizeof got, -S(62167219200) - 1), 0);
	ck_assert_str_eq(got, "-001-12-31T23:59:59.999999Z");
}
END_TEST

START_TEST(times_round_trip)
{
	static const usec_t ts[] = { 1,
				     -1,
				     S(951868800),
				     S(1709251199) + 7,
				     S(1795341600) + 999000,
				     INT64_C(253402300799999999) };
	char buf[TIME_LEN];
	struct err e;
	usec_t t;

	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		ck_assert_int_gt(time_format(buf, sizeof buf, ts[i]), 0);
		ck_assert_int_eq(time_parse(&t, buf, "at", &e), 0);
		ck_assert_int_eq(t, ts[i]);
	}
}
END_TEST

START_TEST(civil)
{
	struct civil c = { 2026, 13, 1, 0, 0, 0, 0 };
	char buf[DAY_LEN];

	ck_assert_int_eq(time_from_civil(&c), time_from_civil(&(struct civil){ 2027, 1, 1 }));
	c = (struct civil){ 2026, 0, 1 };
	ck_assert_int_eq(time_from_civil(&c), time_from_civil(&(struct civil){ 2025, 12, 1 }));
	time_to_civil(&c, S(1709251199));
	ck_assert_int_eq(c.year, 2024);
	ck_assert_int_eq(c.month, 2);
	ck_assert_int_eq(c.day, 29);
	ck_assert_int_eq(c.sec, 59);
	ck_assert_int_eq(day_format(buf, sizeof buf, S(1709251199)), 10);
	ck_assert_str_eq(buf, "2024-02-29");
}
END_TEST

START_TEST(durations)
{
	char buf[32];
	struct err e;
	usec_t d;

	ck_assert_int_eq(duration_parse(&d, "30d", "grace", &e), 0);
	ck_assert_int_eq(d, 30 * USEC_PER_DAY);
	ck_assert_int_eq(duration_parse(&d, "12h", "grace", &e), 0);
	ck_assert_int_eq(d, 12 * USEC_PER_HOUR);
	ck_assert_int_eq(duration_parse(&d, "90m", "grace", &e), 0);
	ck_assert_int_eq(d, 90 * USEC_PER_MIN);
	ck_assert_int_eq(duration_parse(&d, "1w1d1h1m1s", "grace", &e), 0);
	ck_assert_int_eq(d, 8 * USEC_PER_DAY + USEC_PER_HOUR + USEC_PER_MIN + USEC_PER_SEC);
	duration_format(buf, sizeof buf, d);
	ck_assert_str_eq(buf, "8d1h1m1s");
	duration_format(buf, sizeof buf, 90 * USEC_PER_SEC);
	ck_assert_str_eq(buf, "1m30s");
	duration_format(buf, sizeof buf, 0);
	ck_assert_str_eq(buf, "0s");
	duration_format(buf, sizeof buf, 500);
	ck_assert_str_eq(buf, "0s");
	duration_format(buf, sizeof buf, -(USEC_PER_DAY + 2 * USEC_PER_HOUR));
	ck_assert_str_eq(buf, "-1d2h");
}
END_TEST

/* An expired key is shown expired, in the CLI as in the console. */
START_TEST(api_key_states)
{
	struct api_key k = { .expires_at = 1000 };

	ck_assert_str_eq(api_key_state_name(api_key_state(&k, 999)), "active");
	ck_assert_str_eq(api_key_state_name(api_key_state(&k, 1000)), "expired");
	k.expires_at = 0;
	ck_assert_int_eq(api_key_state(&k, 1LL << 60), API_KEY_ACTIVE);
	k.revoked_at = 5;
	ck_assert_int_eq(api_key_state(&k, 1), API_KEY_REVOKED);
}
END_TEST

Suite *
suite_types(void)
{
	Suite *s = suite_create("types");
	TCase *bad = tcase_create("bad");
	TCase *good = tcase_create("good");

	tcase_add_test(bad, parse_rejects_unknown_and_null);
	tcase_add_test(bad, api_key_states);
	tcase_add_test(bad, mask_parse_rejects);
	tcase_add_test(bad, time_parse_rejects);
	tcase_add_test(bad, duration_parse_rejects);
	tcase_add_test(bad, format_too_small);
	tcase_add_test(good, names_round_trip);
	tcase_add_test(good, masks);
	tcase_add_test(good, times);
	tcase_add_test(good, times_round_trip);
	tcase_add_test(good, time_format_digits);
	tcase_add_test(good, civil);
	tcase_add_test(good, durations);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, good);
	return s;
}
