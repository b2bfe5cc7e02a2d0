/* test_cli_oncall.c - the real `tenantry` binary against a real database,
 * for on-call: `alerts list` with the tenant's slug, who acknowledged
 * each alert, and --since DURATION. */
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
			     "--admin-email", "a@oncall.example"),
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
	ck_assert_int_eq(RUN("alerts", "list", "--json", "--since", "1h"), 0);
	ck_assert_msg(strstr(out, "\"slug\": \"oncall-co\""), "%s", out);
	/* bad input: a clear error, exit 64 */
	ck_assert_int_eq(RUN("alerts", "list", "--since", "yesterday"), 64);
	ck_assert_msg(strstr(errout, "--since wants a duration"), "%s", errout);
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
	suite_add_tcase(s, tc);
	return s;
}
