/* test_console_webhooks.c - the webhook endpoints pane in the real console
 * (tmux): the platform's and a tenant's endpoints, a disabled one with its
 * reason, at 80 columns. */
#include "console/console.h"

START_TEST(test_webhooks_pane)
{
	testdb_exec(pg, "INSERT INTO tenantry.webhook_endpoints (tenant_id, url, event_types, "
			"secret) VALUES ('00000000-0000-0000-0000-000000000000', "
			"'https://h.example.com/all', '{}', 'v1:x')");
	testdb_exec(pg, "INSERT INTO tenantry.webhook_endpoints (tenant_id, url, event_types, "
			"secret, enabled, disabled_reason, failures) SELECT t.id, "
			"'https://acme.example.com/in', '{member.*}', 'v1:x', false, "
			"'4 failed attempts in a row', 4 FROM tenantry.tenants t "
			"WHERE t.slug = 'acme-console'");
	start(80, 30, "");
	term_keys(&term, "W", NULL);
	term_expect(&term, "OWNER");
	term_expect(&term, "https://h.example.com/all");
	term_expect(&term, "platform");
	term_expect(&term, "acme-console");
	term_expect(&term, "member.*");
	term_expect(&term, "disabled");
	/* the event types, from the code's list */
	term_expect(&term, "EVENT TYPES");
	term_expect(&term, "user.password_reset_requested");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

Suite *
suite_console_webhooks(void)
{
	Suite *s = suite_create("console_webhooks");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_webhooks_pane);
	suite_add_tcase(s, tc);
	return s;
}
