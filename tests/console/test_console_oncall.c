/* test_console_oncall.c - the real console in tmux against a real database,
 * for what an on-call engineer needs of the platform pane (issue 21, point
 * 3): its lists scroll with the cursor at 80x24 and at 160x45. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "console.h"

/* 40 open quota alerts on acme-console, one an hour back from now:
 * resource res-01 is the newest (shown first), res-40 the oldest. */
static void
alerts(void)
{
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT t.id, 'quota', 'res-' || lpad(g::text, 2, '0'), "
			"80, now() - g * interval '1 hour', now() - (g - 1) * interval '1 hour' "
			"- interval '1 minute' FROM tenantry.tenants t, generate_series(1, 40) g "
			"WHERE t.slug = 'acme-console'");
}

/* The platform pane's alerts at 80x24: the cursor walks past the bottom
 * of the screen and the rows follow it; back at the top the counts show
 * again. */
START_TEST(test_platform_scrolls)
{
	alerts();
	start(80, 24, NULL);
	term_keys(&term, "9", NULL);
	term_expect(&term, "tenants:");
	ck_assert_ptr_null(strstr(term_capture(&term), "res-40"));
	term_keys(&term, "G", NULL);
	term_expect(&term, "res-40");
	term_capture(&term);
	ck_assert_msg(!strstr(term.screen, "tenants:"), "%s", term.screen);
	/* step up one row at a time: res-30 comes back into view */
	for (int i = 0; i < 10; i++)
		term_keys(&term, "k", NULL);
	term_expect(&term, "res-30");
	term_keys(&term, "g", NULL);
	term_expect(&term, "tenants:");
	ck_assert_ptr_null(strstr(term_capture(&term), "res-40"));
	/* Enter opens the tenant under the (visible) cursor */
	term_keys(&term, "G", NULL);
	term_expect(&term, "res-40");
	ck_assert_ptr_null(strstr(term.screen, "Acme Console"));
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* At 160x45 every one of the 40 alerts can be reached, the last one too. */
START_TEST(test_platform_scrolls_wide)
{
	alerts();
	start(160, 45, NULL);
	term_keys(&term, "9", NULL);
	term_expect(&term, "OPEN ALERTS (40)");
	term_expect(&term, "res-01");
	ck_assert_ptr_null(strstr(term_capture(&term), "res-40"));
	term_keys(&term, "G", NULL);
	term_expect(&term, "res-40");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

Suite *
suite_console_oncall(void)
{
	Suite *s = suite_create("console_oncall");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_platform_scrolls);
	tcase_add_test(tc, test_platform_scrolls_wide);
	suite_add_tcase(s, tc);
	return s;
}
