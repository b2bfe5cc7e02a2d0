/* test_console_oncall.c - the real console in tmux against a real database,
 * for what an on-call engineer needs of the platform pane (issue 21, point
 * 3): its lists scroll with the cursor at 80x24 and at 160x45; its alerts
 * view groups alerts per tenant and resource (all of them, beyond a page,
 * also over tenantryd), filters them by age and acknowledges a group with
 * a key. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "console.h"

/* 40 open quota alerts on acme-console, one an hour back from now:
 * resource res-01 is the newest (shown first), res-40 the oldest. */
/* Does text appear above the live audit strip (in the pane itself)? The
 * strip shows the alerts' audit entries, labelled with their resource. */
static bool
in_pane(const char *screen, const char *text)
{
	const char *hit = strstr(screen, text), *strip = strstr(screen, "live audit");

	return hit && (!strip || hit < strip);
}

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
	ck_assert(!in_pane(term_capture(&term), "res-40"));
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
	ck_assert(!in_pane(term_capture(&term), "res-40"));
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
	ck_assert(!in_pane(term_capture(&term), "res-40"));
	term_keys(&term, "G", NULL);
	term_expect(&term, "res-40");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* acme-console's storage at 80, 95 and 100 % ten minutes ago, its
 * invitations at 80 % three days ago, globex-console's API calls at 95 %
 * three hours ago. */
static void
grouped_alerts(void)
{
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT t.id, 'quota', 'storage_bytes', th, "
			"now() - interval '1 day', now() - interval '10 minutes' "
			"FROM tenantry.tenants t, unnest(ARRAY[80, 95, 100]) th "
			"WHERE t.slug = 'acme-console'");
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT t.id, 'quota', 'invitations', 80, "
			"now() - interval '4 days', now() - interval '3 days' "
			"FROM tenantry.tenants t WHERE t.slug = 'acme-console'");
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT t.id, 'quota', 'api_calls', 95, "
			"now() - interval '1 day', now() - interval '3 hours' "
			"FROM tenantry.tenants t WHERE t.slug = 'globex-console'");
}

START_TEST(test_alerts_view)
{
	grouped_alerts();
	start(80, 24, NULL);
	term_keys(&term, "9", NULL);
	term_expect(&term, "5 alerts");
	term_keys(&term, "a", NULL);
	term_expect(&term, "ALERTS at any time");
	/* three rows, not five: the highest threshold, and how many */
	term_expect(&term, "3 tenant resources, 3 open");
	term_expect(&term, "storage_bytes  100%     3");
	term_expect(&term, "api_calls       95%     1");
	term_expect(&term, "invitations     80%     1");
	/* by age */
	term_keys(&term, ":", NULL);
	term_type(&term, "alerts 1h");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "ALERTS last 1h");
	term_expect(&term, "1 tenant resources");
	ck_assert_ptr_null(strstr(term_capture(&term), "api_calls"));
	term_keys(&term, ":", NULL);
	term_type(&term, "alerts 24h");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "ALERTS last 1d");
	term_expect(&term, "api_calls");
	ck_assert_ptr_null(strstr(term_capture(&term), "invitations"));
	term_keys(&term, ":", NULL);
	term_type(&term, "alerts soon");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "usage: :alerts");
	/* the first row (100 %) acknowledged with its three alerts */
	term_keys(&term, "g", "A", NULL);
	term_expect(&term, "acknowledged 3 alerts of acme-console storage_bytes");
	term_expect(&term, "acked ");
	ck_assert_str_eq(
	    testdb_value(pg, "SELECT count(*) FROM tenantry.alerts "
			     "WHERE resource = 'storage_bytes' AND acknowledged_at IS NULL"),
	    "0");
	ck_assert_str_eq(testdb_value(pg, "SELECT count(*) FROM tenantry.alerts "
					  "WHERE acknowledged_at IS NULL"),
			 "2");
	/* acknowledged rows go below the open ones */
	term_expect(&term, "1 open");
	{
		const char *open = strstr(term_capture(&term), "api_calls");
		const char *acked = strstr(term.screen, "storage_bytes");

		ck_assert_msg(open && acked && open < acked, "%s", term.screen);
	}
	/* a again: back to the overview */
	term_keys(&term, "a", NULL);
	term_expect(&term, "2 alerts");
	term_expect(&term, "TIER            TENANTS");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* A read-only console shows the view and refuses the key. */
/* More alerts than a page, over a real tenantryd: 700 acknowledged API-call
 * alerts of globex and 600 open storage alerts in the last day, one open
 * alert of acme older than all of them. The view shows every group (the
 * database folds them), open ones first, and acknowledges all 600 of a
 * group with its key (more than one listing holds), no other. */
START_TEST(test_alerts_view_beyond_a_page)
{
	struct testd d;

	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at, acknowledged_at, acknowledged_by) SELECT t.id, 'quota', "
			"'api_calls', 80, now() - g * interval '1 minute', now() - g * interval "
			"'1 minute', now(), 'night@example.com' FROM tenantry.tenants t, "
			"generate_series(1, 700) g WHERE t.slug = 'globex-console'");
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT t.id, 'quota', 'storage_bytes', 80, "
			"now() - g * interval '1 hour', now() - g * interval '1 second' "
			"FROM tenantry.tenants t, generate_series(1, 600) g "
			"WHERE t.slug = 'globex-console'");
	testdb_exec(pg, "INSERT INTO tenantry.alerts (tenant_id, kind, resource, threshold, "
			"period_start, at) SELECT t.id, 'quota', 'invitations', 95, "
			"now() - interval '4 days', now() - interval '3 days' "
			"FROM tenantry.tenants t WHERE t.slug = 'acme-console'");
	testd_start(&d, db);
	start_remote(&d, NULL);
	term_keys(&term, "9", NULL);
	term_expect(&term, "601 alerts");
	term_keys(&term, "a", NULL);
	term_expect(&term, "3 tenant resources, 2 open · 1301 alerts");
	term_expect(&term, "invitations     95%     1");
	term_expect(&term, "storage_bytes   80%   600");
	term_expect(&term, "api_calls       80%   700");
	term_expect(&term, "acked night@example.com");
	{
		const char *old = strstr(term_capture(&term), "invitations     95%");
		const char *open = strstr(term.screen, "storage_bytes   80%");
		const char *acked = strstr(term.screen, "api_calls       80%");

		ck_assert_msg(old && open && acked && old < open && open < acked, "%s",
			      term.screen);
	}
	term_keys(&term, "g", "j", "A", NULL);
	term_expect(&term, "acknowledged 600 alerts of globex-console storage_bytes");
	term_expect(&term, "1 open · 1301 alerts");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.alerts "
					"WHERE acknowledged_at IS NULL"),
			 1);
	term_stop(&term);
	testd_stop(&d);
}
END_TEST

START_TEST(test_alerts_ack_read_only)
{
	grouped_alerts();
	start(80, 24, "--read-only");
	term_keys(&term, ":", NULL);
	term_type(&term, "alerts all");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "storage_bytes");
	term_keys(&term, "A", NULL);
	term_expect(&term, "read-only console");
	ck_assert_str_eq(testdb_value(pg, "SELECT count(*) FROM tenantry.alerts "
					  "WHERE acknowledged_at IS NULL"),
			 "5");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* Every tenant's audit log, live, at 100x23 (no bottom strip below 24
 * lines, so what is on screen is the view's): entries arrive as they
 * commit, pause holds them back, / filters, the cursor scrolls. */
START_TEST(test_live_audit_view)
{
	start(100, 23, NULL);
	term_keys(&term, "9", "L", NULL);
	term_expect(&term, "LIVE AUDIT · every tenant");
	term_expect(&term, "following");
	testdb_exec(pg, "UPDATE tenantry.tenants SET name = 'Globex Renamed' "
			"WHERE slug = 'globex-console'");
	term_expect(&term, "tenant.update tenant globex-console");
	/* paused: the next one is held and counted, then shown */
	term_keys(&term, "p", NULL);
	term_expect(&term, "PAUSED");
	testdb_exec(pg, "UPDATE tenantry.tenants SET name = 'Acme Renamed' "
			"WHERE slug = 'acme-console'");
	term_expect(&term, "1 new held");
	ck_assert_ptr_null(strstr(term.screen, "tenant.update tenant acme-console"));
	term_keys(&term, "p", NULL);
	term_expect(&term, "tenant.update tenant acme-console");
	ck_assert_ptr_null(strstr(term.screen, "new held"));
	/* the oldest entries are above the screen; g goes there, G back */
	ck_assert_ptr_null(strstr(term.screen, "tenant.create tenant acme-console"));
	term_keys(&term, "g", NULL);
	term_expect(&term, "tenant.create tenant acme-console");
	ck_assert_ptr_null(strstr(term.screen, "tenant.update tenant acme-console"));
	term_keys(&term, "G", NULL);
	term_expect(&term, "tenant.update tenant acme-console");
	/* the filter keeps one tenant's lines */
	term_keys(&term, "/", NULL);
	term_type(&term, "globex");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "filter globex");
	term_expect(&term, "tenant.update tenant globex-console");
	ck_assert_msg(!strstr(term_capture(&term), "acme-console"), "%s", term.screen);
	term_keys(&term, "L", NULL);
	term_expect(&term, "NEAREST THEIR QUOTAS");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* History you can see: the 24-hour strip (one sparkline a status, sign-ins,
 * audited writes) and churn per month beside the revenue by tier. */
START_TEST(test_history_strip)
{
	char month[8], row[64];
	time_t now = time(NULL);
	struct tm tm;

	testdb_exec(pg, "UPDATE tenantry.tenants SET status = 'suspended' "
			"WHERE slug = 'globex-console'");
	testdb_exec(pg, "UPDATE tenantry.tenants SET tier = 'enterprise' "
			"WHERE slug = 'acme-console'");
	gmtime_r(&now, &tm);
	strftime(month, sizeof month, "%Y-%m", &tm);
	snprintf(row, sizeof row, "%s     0     1     0", month);
	start(100, 45, NULL);
	term_keys(&term, "9", NULL);
	term_expect(&term, "LAST 24 H");
	term_expect(&term, "MONTH    LEFT    UP  DOWN");
	term_expect(&term, row);
	term_expect(&term, "audited writes");
	term_expect(&term, "in 24 h");
	/* one suspended tenant now (the strip's line, not the counts') */
	{
		const char *line = strstr(term.screen, " suspended    ");
		const char *end = line ? strchr(line, '\n') : NULL;

		ck_assert_msg(line && end, "%s", term.screen);
		ck_assert_msg(memmem(line, (size_t)(end - line), "1 now", 5), "%s", term.screen);
	}
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* The tier-change preview names the features each lower tier turns off. */
START_TEST(test_tier_preview_features)
{
	start(100, 30, "--tenant acme-console");
	term_keys(&term, "2", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, ":", NULL);
	term_type(&term, "tier");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Tier of acme-console (now professional)");
	term_expect(&term, "free turns off:");
	term_expect(&term, "basic turns off:");
	/* nothing changed by looking (the form closed before q, which
	 * would otherwise be read with the Escape as M-q) */
	term_keys(&term, "Escape", NULL);
	ck_assert_msg(term_wait_gone(&term, "Tier of acme-console", 8000), "%s", term.screen);
	ck_assert_str_eq(testdb_value(pg, "SELECT tier FROM tenantry.tenants "
					  "WHERE slug = 'acme-console'"),
			 "professional");
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
	tcase_add_test(tc, test_alerts_view);
	tcase_add_test(tc, test_alerts_view_beyond_a_page);
	tcase_add_test(tc, test_alerts_ack_read_only);
	tcase_add_test(tc, test_live_audit_view);
	tcase_add_test(tc, test_history_strip);
	tcase_add_test(tc, test_tier_preview_features);
	suite_add_tcase(s, tc);
	return s;
}
