/* test_activity.c - members' last_active_at and API keys' last_used_at
 * follow real requests on a real tenantryd (issue 19, point 3): a request
 * moves them within the flush interval, more requests in the same minute
 * write nothing more, no audit entry is written for them, and staff
 * requests touch no member. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rest.h"

#define WAIT_SECONDS 30 /* far above activity.c's 5 s flush */

/* One value of the database (superuser), in a static buffer. */
static const char *
db_value(const char *fmt, const char *arg)
{
	static char out[128];
	PGconn *c = testdb_connect(db, NULL);
	char sql[512];
	const char *v;

	snprintf(sql, sizeof sql, fmt, arg);
	v = testdb_value(c, sql);
	snprintf(out, sizeof out, "%s", v ? v : "");
	PQfinish(c);
	return out;
}

/* Waits until the query's value is not empty ("" is NULL); fails after
 * WAIT_SECONDS. */
static void
wait_set(const char *fmt, const char *arg)
{
	for (int i = 0; i < WAIT_SECONDS * 10; i++) {
		if (*db_value(fmt, arg))
			return;
		usleep(100 * 1000);
	}
	ck_abort_msg("not set within %d s: %s", WAIT_SECONDS, fmt);
}

#define MEMBER_SEEN                                                                                \
	"SELECT tu.last_active_at FROM tenantry.tenant_users tu JOIN tenantry.users u "            \
	"ON u.id = tu.user_id WHERE u.email = '%s'"
#define MEMBER_XMIN                                                                                \
	"SELECT tu.xmin FROM tenantry.tenant_users tu JOIN tenantry.users u "                      \
	"ON u.id = tu.user_id WHERE u.email = '%s'"

static void
clear_activity(void)
{
	PGconn *c = testdb_connect(db, NULL);

	testdb_exec(c, "UPDATE tenantry.tenant_users SET last_active_at = NULL");
	testdb_exec(c, "UPDATE tenantry.api_keys SET last_used_at = NULL");
	PQfinish(c);
}

/* A member's request moves their last_active_at; the next ones of the
 * same minute write nothing; no audit entry comes of it. */
START_TEST(test_member_activity_coalesced)
{
	char path[128], audit_before[32], xmin[32];

	clear_activity();
	snprintf(audit_before, sizeof audit_before, "%s",
		 db_value("SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", alpha));
	ck_assert_str_eq(db_value(MEMBER_SEEN, "member@alpha.test"), "");
	snprintf(path, sizeof path, "/api/tenants/%s", alpha);
	json_decref(call(200, "GET", path, member, NULL));
	wait_set(MEMBER_SEEN, "member@alpha.test");
	/* never in the future, and recent */
	ck_assert_str_eq(db_value("SELECT (last_active_at <= now() AND last_active_at > now() "
				  "- interval '5 minutes')::text FROM tenantry.tenant_users tu "
				  "JOIN tenantry.users u ON u.id = tu.user_id WHERE u.email = '%s'",
				  "member@alpha.test"),
			 "true");
	snprintf(xmin, sizeof xmin, "%s", db_value(MEMBER_XMIN, "member@alpha.test"));
	for (int i = 0; i < 20; i++)
		json_decref(call(200, "GET", path, member, NULL));
	sleep(7); /* longer than one flush */
	ck_assert_str_eq(db_value(MEMBER_XMIN, "member@alpha.test"), xmin);
	/* the other members did nothing */
	ck_assert_str_eq(db_value(MEMBER_SEEN, "viewer@alpha.test"), "");
	ck_assert_str_eq(
	    db_value("SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", alpha),
	    audit_before);
}
END_TEST

/* An API key's use moves its last_used_at, and the CLI shows it. */
START_TEST(test_key_last_used)
{
	char path[128];

	clear_activity();
	snprintf(path, sizeof path, "/api/tenants/%s", alpha);
	json_decref(call(200, "GET", path, key_read, NULL));
	wait_set("SELECT last_used_at FROM tenantry.api_keys WHERE tenant_id = '%s' "
		 "AND last_used_at IS NOT NULL",
		 alpha);
	ck_assert_str_eq(db_value("SELECT count(*) FROM tenantry.api_keys WHERE tenant_id = '%s' "
				  "AND last_used_at IS NOT NULL",
				  alpha),
			 "1");
}
END_TEST

/* Staff (also viewing as the tenant) are not members: nobody moves. */
START_TEST(test_staff_touch_no_member)
{
	char path[128];

	clear_activity();
	snprintf(path, sizeof path, "/api/tenants/%s", alpha);
	json_decref(call(200, "GET", path, platform, NULL));
	/* a member's request after it: once that one is in, the staff one
	 * (earlier, same flush or before) would be too */
	json_decref(call(200, "GET", path, viewer, NULL));
	wait_set(MEMBER_SEEN, "viewer@alpha.test");
	ck_assert_str_eq(db_value("SELECT count(*) FROM tenantry.tenant_users "
				  "WHERE last_active_at IS NOT NULL AND tenant_id = '%s'",
				  alpha),
			 "1");
}
END_TEST

Suite *
suite_activity(void)
{
	Suite *s = suite_create("activity");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_member_activity_coalesced);
	tcase_add_test(tc, test_key_last_used);
	tcase_add_test(tc, test_staff_touch_no_member);
	suite_add_tcase(s, tc);
	return s;
}
