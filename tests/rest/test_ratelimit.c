/* test_ratelimit.c - a tenant's hourly API rate held across two real
 * tenantryd on one database: requests alternate between the instances, the
 * total served stays within the limit plus the bound tenantryd(8) states,
 * every tenant answer carries the RateLimit-* headers, and the calls served
 * show as api_calls usage in the database once flushed (also at
 * shutdown). */
#include <check.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define LIMIT 40
#define BUDGET 4 /* ratelimit.c: a 64th of the limit, at least 4 */

static struct testsrv a, b;
static const char *db;
static char *staff, *key;
static char tenant[ID_LEN];

static void
setup(void)
{
	const char *shared[] = { "--jwt-secret-file", NULL, NULL };
	char path[256];

	db = testdb_create();
	testsrv_start(&a, db, NULL);
	shared[1] = a.secret_file;
	testsrv_start(&b, db, shared); /* the instances share the signing secret */
	staff = testsrv_staff_token(&a, "root@rate.test", "platform_admin");
	testsrv_tenant(&a, staff, tenant, "Rate Co", "boss@rate.test");
	snprintf(path, sizeof path, "/api/tenants/%s/api-keys", tenant);
	{
		json_t *k = testhttp_json(&a, staff, 201, "POST", path,
					  "{\"name\":\"k\",\"scopes\":[\"tenant:read\"]}");

		key = strdup(json_string_value(json_object_get(k, "key")));
		json_decref(k);
	}
}

static void
teardown(void)
{
	testsrv_stop(&b);
	testsrv_stop(&a);
	free(staff);
	free(key);
	staff = key = NULL;
}

static void
set_limit(long limit)
{
	char path[256], body[64];

	snprintf(path, sizeof path, "/api/tenants/%s/quotas/api_calls", tenant);
	snprintf(body, sizeof body, "{\"limit\":%ld}", limit);
	json_decref(testhttp_json(&a, staff, 200, "PUT", path, body));
}

/* The value of header name in hdrs, or -1 when it is absent. */
static long
header(const char *hdrs, const char *name)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof want, "\n%s: ", name);
	if (!hdrs || !(p = strcasestr(hdrs, want)))
		return -1;
	return strtol(p + strlen(want), NULL, 10);
}

/* Waits (up to 10 s) until the database counts want api_calls for the
 * tenant in the quota and in the day's usage; returns what it counts. */
static long long
counted(PGconn *c, long long want)
{
	long long used = -1, daily = -1;

	for (int i = 0; i < 200; i++) {
		used = testdb_int(c,
				  "SELECT used FROM tenantry.quotas WHERE tenant_id = '%s' "
				  "AND resource = 'api_calls'",
				  tenant);
		daily = testdb_int(c,
				   "SELECT coalesce(sum(amount), 0) FROM tenantry.usage_daily "
				   "WHERE tenant_id = '%s' AND resource = 'api_calls'",
				   tenant);
		if (used == want && daily == want)
			break;
		poll(NULL, 0, 50);
	}
	ck_assert_int_eq(daily, used);
	return used;
}

START_TEST(test_two_instances)
{
	test_clear_of_hour(30); /* api_calls counts by the hour */
	PGconn *c = testdb_connect(db, NULL);
	long last[2] = { LIMIT + 1, LIMIT + 1 };
	int served = 0, refused[2] = { 0, 0 };

	set_limit(LIMIT);
	for (int i = 0; i < 3 * LIMIT; i++) {
		const struct testsrv *s = i % 2 ? &b : &a;
		char *hdrs = NULL, *out = NULL;
		int st = testhttp_full(s, "GET", "/api/tenants/current", key, NULL, NULL, 0, &out,
				       &hdrs);
		long rem = header(hdrs, "RateLimit-Remaining");

		ck_assert_msg(st == 200 || st == 429, "status %d: %s", st, out ? out : "");
		ck_assert_int_eq(header(hdrs, "RateLimit-Limit"), LIMIT);
		ck_assert_int_ge(rem, 0);
		ck_assert_int_gt(header(hdrs, "RateLimit-Reset"), 0);
		ck_assert_int_le(header(hdrs, "RateLimit-Reset"), 3600);
		if (st == 200) {
			served++;
			/* each instance's count only grows within the window */
			ck_assert_msg(rem < last[i % 2] || rem == 0, "remaining %ld after %ld", rem,
				      last[i % 2]);
		} else {
			refused[i % 2]++;
			ck_assert_int_eq(rem, 0);
			ck_assert_int_gt(header(hdrs, "Retry-After"), 0);
			ck_assert_ptr_nonnull(strstr(out, "\"rate_limited\""));
		}
		last[i % 2] = rem;
		free(hdrs);
		free(out);
	}
	/* the limit holds for the two together, within the stated bound, and
	 * nothing is refused before it is reached */
	ck_assert_int_ge(served, LIMIT);
	ck_assert_int_le(served, LIMIT + 2 * BUDGET);
	ck_assert_int_gt(refused[0], 0);
	ck_assert_int_gt(refused[1], 0);
	/* every call served is counted once, refused ones not at all */
	ck_assert_int_eq(counted(c, served), served);
	{
		char path[256];
		json_t *q;
		long long used = -1;

		snprintf(path, sizeof path, "/api/tenants/%s/quotas", tenant);
		q = testhttp_json(&b, staff, 200, "GET", path, NULL);
		for (size_t i = 0; i < json_array_size(json_object_get(q, "items")); i++) {
			json_t *row = json_array_get(json_object_get(q, "items"), i);

			if (strcmp(json_string_value(json_object_get(row, "resource")), "api_calls")
			    == 0)
				used = json_integer_value(json_object_get(row, "used"));
		}
		json_decref(q);
		ck_assert_int_eq(used, served);
	}
	PQfinish(c);
}
END_TEST

/* Calls not yet flushed are sent when tenantryd stops. */
START_TEST(test_flush_at_shutdown)
{
	test_clear_of_hour(30); /* api_calls counts by the hour */
	PGconn *c = testdb_connect(db, NULL);

	set_limit(100000);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(testhttp(&b, "GET", "/api/tenants/current", key, NULL, NULL), 200);
	ck_assert_int_eq(testsrv_stop(&b), 0);
	ck_assert_int_eq(counted(c, 3), 3);
	testsrv_start(&b, db, (const char *[]){ "--jwt-secret-file", a.secret_file, NULL });
	PQfinish(c);
}
END_TEST

/* Staff are not rate-limited and get no RateLimit headers; nor does a
 * tenant without a limit. */
START_TEST(test_headers_only_with_a_limit)
{
	char *hdrs = NULL, path[256];

	snprintf(path, sizeof path, "/api/tenants/%s", tenant);
	ck_assert_int_eq(testhttp_full(&a, "GET", path, staff, NULL, NULL, 0, NULL, &hdrs), 200);
	ck_assert_int_eq(header(hdrs, "RateLimit-Limit"), -1);
	free(hdrs);
	set_limit(-1);
	ck_assert_int_eq(
	    testhttp_full(&a, "GET", "/api/tenants/current", key, NULL, NULL, 0, NULL, &hdrs), 200);
	ck_assert_int_eq(header(hdrs, "RateLimit-Limit"), -1);
	ck_assert_int_eq(header(hdrs, "RateLimit-Remaining"), -1);
	free(hdrs);
}
END_TEST

Suite *
suite_ratelimit(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("shared");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_two_instances);
	tcase_add_test(tc, test_flush_at_shutdown);
	tcase_add_test(tc, test_headers_only_with_a_limit);
	suite_add_tcase(s, tc);
	return s;
}
