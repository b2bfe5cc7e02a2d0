/* test_console_forecast.c - quota forecasts in the real console (tmux) at
 * 80 columns: the quotas pane's FORECAST column, the overview's gauges and
 * the platform pane's nearest list, ordered by when each quota is full. */
#include "console/console.h"

/* Usage written into the database: acme-console's storage grows 1,000 a
 * day from 10,000 of 100,000; globex-console's invitations are at 100 %. */
static void
usage(void)
{
	testdb_exec(pg, "INSERT INTO tenantry.usage_daily SELECT t.id, 'storage_bytes', "
			"(now() AT TIME ZONE 'UTC')::date - g, 1000 FROM tenantry.tenants t, "
			"generate_series(1, 14) g WHERE t.slug = 'acme-console'");
	testdb_exec(pg, "UPDATE tenantry.quotas q SET used = 10000, quota_limit = 100000 "
			"FROM tenantry.tenants t WHERE t.id = q.tenant_id "
			"AND t.slug = 'acme-console' AND q.resource = 'storage_bytes'");
	testdb_exec(pg, "UPDATE tenantry.quotas q SET used = quota_limit, "
			"period_start = tenantry.window_start(period, now(), period_start) "
			"FROM tenantry.tenants t WHERE t.id = q.tenant_id "
			"AND t.slug = 'globex-console' AND q.resource = 'invitations'");
}

START_TEST(test_quota_forecasts_shown)
{
	const char *full, *at100;

	usage();
	start(80, 40, "--tenant acme-console");
	term_keys(&term, "5", NULL);
	term_expect(&term, "FORECAST");
	term_expect(&term, "80% in 70 d, 100% in 90 d");
	term_expect(&term, "flat");
	/* the overview's gauges at 80 columns keep the time to 100% */
	term_keys(&term, "2", NULL);
	term_expect(&term, "100% in 90 d");
	term_keys(&term, "9", NULL);
	term_expect(&term, "NEAREST THEIR QUOTAS");
	term_expect(&term, "full in 90 d");
	term_expect(&term, "at 100%");
	/* at 100 % first, then the soonest full */
	at100 = strstr(term.screen, "at 100%");
	full = strstr(term.screen, "full in 90 d");
	ck_assert_msg(at100 && full && at100 < full, "%s", term.screen);
	ck_assert_ptr_nonnull(
	    strstr(at100 - 60 > term.screen ? at100 - 60 : term.screen, "globex-console"));
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

Suite *
suite_console_forecast(void)
{
	Suite *s = suite_create("console_forecast");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_quota_forecasts_shown);
	suite_add_tcase(s, tc);
	return s;
}
