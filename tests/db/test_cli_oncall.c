/* test_cli_oncall.c - the real `tenantry` binary against a real database,
 * for on-call: `alerts list` with the tenant's slug, who acknowledged
 * each alert, and --since DURATION; `tenants tier --dry-run`. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static char conninfo[512], dbname[64];
static char *out, *errout;
static PGconn *pg;

/* clang-format off */
#define RUN(...)                                                             \
	(free(out), free(errout), out = errout = NULL,                       \
	 testcli_run(&out, &errout,                                           \
		     (const char *const[]){ "--db", conninfo, __VA_ARGS__, NULL }))
/* clang-format on */

/* oncall-co: storage at 80 % ten minutes ago, invitations at 95 % two
 * days ago (acknowledged by pager@example.com). */
static void
setup(void)
{
	snprintf(dbname, sizeof dbname, "%s", testdb_create());
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(dbname, NULL));
	out = errout = NULL;
	pg = testdb_connect(dbname, NULL);
	ck_assert_int_eq(RUN("tenants", "create", "--name", "Oncall Co", "--slug", "oncall-co",
			     "--admin-email", "a@oncall.example", "--tier", "enterprise"),
			 0);
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT id, 'quota', 'storage_bytes', 80, "
			"now() - interval '1 day', now() - interval '10 minutes' "
			"FROM tenantry.tenants WHERE slug = 'oncall-co'");
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at, acknowledged_at, acknowledged_by) SELECT id, 'quota', "
			"'invitations', 95, now() - interval '3 days', now() - interval '2 days', "
			"now() - interval '1 day', 'pager@example.com' "
			"FROM tenantry.tenants WHERE slug = 'oncall-co'");
}

static void
teardown(void)
{
	PQfinish(pg);
	free(out);
	free(errout);
}

START_TEST(test_alerts_list_since)
{
	ck_assert_int_eq(RUN("alerts", "list", "--all"), 0);
	ck_assert_msg(strstr(out, "SLUG") && strstr(out, "ACKNOWLEDGED"), "%s", out);
	ck_assert_msg(strstr(out, "oncall-co"), "%s", out);
	ck_assert_msg(strstr(out, "pager@example.com"), "%s", out);
	ck_assert_msg(strstr(out, "invitations") && strstr(out, "storage_bytes"), "%s", out);
	/* open only by default */
	ck_assert_int_eq(RUN("alerts", "list"), 0);
	ck_assert_msg(!strstr(out, "invitations") && strstr(out, "storage_bytes"), "%s", out);
	/* the last hour, the last three days */
	ck_assert_int_eq(RUN("alerts", "list", "--all", "--since", "1h"), 0);
	ck_assert_msg(!strstr(out, "invitations") && strstr(out, "storage_bytes"), "%s", out);
	ck_assert_int_eq(RUN("alerts", "list", "--all", "--since", "3d"), 0);
	ck_assert_msg(strstr(out, "invitations") && strstr(out, "storage_bytes"), "%s", out);
	ck_assert_int_eq(RUN("alerts", "list", "oncall-co", "--since", "5m"), 0);
	ck_assert_msg(!strstr(out, "storage_bytes"), "%s", out);
	/* one resource */
	ck_assert_int_eq(RUN("alerts", "list", "--all", "--resource", "invitations"), 0);
	ck_assert_msg(strstr(out, "invitations") && !strstr(out, "storage_bytes"), "%s", out);
	ck_assert_int_ne(RUN("alerts", "list", "--resource", "\x1b[2Jdisk"), 0);
	ck_assert_msg(strstr(errout, "resource is one of") && !strstr(errout, "\x1b"), "%s",
		      errout);
	ck_assert_int_eq(RUN("alerts", "list", "--json", "--since", "1h"), 0);
	ck_assert_msg(strstr(out, "\"slug\": \"oncall-co\""), "%s", out);
	/* bad input: a clear error, exit 64 */
	ck_assert_int_eq(RUN("alerts", "list", "--since", "yesterday"), 64);
	ck_assert_msg(strstr(errout, "--since wants a duration"), "%s", errout);
}
END_TEST

/* More alerts than a list holds: the newest 500, and a line that says so
 * (on stderr: the table stays a table). */
START_TEST(test_alerts_list_full)
{
	ck_assert_int_eq(RUN("alerts", "list", "--all"), 0);
	ck_assert_ptr_null(strstr(errout, "the newest"));
	testdb_exec(pg,
		    "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
		    "period_start, at) SELECT id, 'quota', 'api_calls', 80, "
		    "now() - g * interval '1 hour', now() - g * interval '1 minute' "
		    "FROM tenantry.tenants, generate_series(1, 600) g WHERE slug = 'oncall-co'");
	ck_assert_int_eq(RUN("alerts", "list", "--all"), 0);
	ck_assert_int_eq(test_count(out, "oncall-co"), 500);
	ck_assert_msg(strstr(errout, "the newest 500 alerts"), "%s", errout);
}
END_TEST

/* The dry run prints what the console's preview shows and changes
 * nothing. */
START_TEST(test_tier_dry_run)
{
	json_t *j, *off;

	ck_assert_int_eq(RUN("tenants", "tier", "oncall-co", "free", "--dry-run"), 0);
	ck_assert_msg(strstr(out, "oncall-co: enterprise -> free (downgrade)"), "%s", out);
	ck_assert_msg(strstr(out, "turns off: ") && strstr(out, "sso"), "%s", out);
	ck_assert_msg(strstr(out, "nothing changed (--dry-run)"), "%s", out);
	ck_assert_str_eq(testdb_value(pg, "SELECT tier FROM tenantry.tenants "
					  "WHERE slug = 'oncall-co'"),
			 "enterprise");
	/* a feature switched off for the tenant already is not turned off */
	testdb_exec(pg, "UPDATE tenantry.tenants SET features = "
			"features || '{\"sso\": false}'::jsonb WHERE slug = 'oncall-co'");
	ck_assert_int_eq(RUN("tenants", "tier", "oncall-co", "free", "--dry-run", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	off = json_object_get(j, "features_off");
	ck_assert_msg(json_array_size(off) > 0, "%s", out);
	for (size_t i = 0; i < json_array_size(off); i++)
		ck_assert_str_ne(json_string_value(json_array_get(off, i)), "sso");
	ck_assert(json_is_false(json_object_get(j, "changed")));
	json_decref(j);
	/* an upgrade turns nothing off */
	ck_assert_int_eq(RUN("tenants", "tier", "oncall-co", "enterprise", "--dry-run"), 0);
	ck_assert_msg(strstr(out, "turns off no feature"), "%s", out);
	ck_assert_int_eq(RUN("tenants", "tier", "oncall-co", "platinum", "--dry-run"), 64);
	ck_assert_msg(strstr(errout, "unknown tier platinum"), "%s", errout);
}
END_TEST

Suite *
suite_cli_oncall(void)
{
	Suite *s = suite_create("cli_oncall");
	TCase *tc = tcase_create("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_alerts_list_since);
	tcase_add_test(tc, test_alerts_list_full);
	tcase_add_test(tc, test_tier_dry_run);
	suite_add_tcase(s, tc);
	return s;
}
