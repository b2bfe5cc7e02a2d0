/* test_action.c - the action and pane lists: names, help texts, parsing. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tui/action.h"

START_TEST(test_action_bad_input)
{
	enum action a = ACTION_QUIT;

	ck_assert_int_eq(action_parse(NULL, &a), -1);
	ck_assert_int_eq(action_parse("", &a), -1);
	ck_assert_int_eq(action_parse("Quit", &a), -1);
	ck_assert_int_eq(action_parse("quit ", &a), -1);
	ck_assert_int_eq(a, ACTION_QUIT);
	ck_assert_str_eq(action_name((enum action) - 1), "?");
	ck_assert_str_eq(action_name(ACTION_COUNT), "?");
	ck_assert_str_eq(action_help(ACTION_COUNT), "");
	ck_assert_str_eq(action_help(ACTION_NONE), "");
}
END_TEST

START_TEST(test_action_every_name_and_help)
{
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		const char *name = action_name((enum action)a);
		enum action back = ACTION_NONE;

		ck_assert_ptr_nonnull(name);
		ck_assert_int_gt(strlen(name), 2);
		ck_assert_msg(strspn(name, "abcdefghijklmnopqrstuvwxyz-") == strlen(name),
			      "action name '%s' is not lower-case words", name);
		ck_assert_int_gt(strlen(action_help((enum action)a)), 8);
		ck_assert_int_eq(action_parse(name, &back), 0);
		ck_assert_int_eq(back, a);
		for (int b = a + 1; b < ACTION_COUNT; b++)
			ck_assert_str_ne(name, action_name((enum action)b));
	}
}
END_TEST

START_TEST(test_action_none)
{
	enum action a = ACTION_QUIT;

	ck_assert_str_eq(action_name(ACTION_NONE), "none");
	ck_assert_int_eq(action_parse("none", &a), 0);
	ck_assert_int_eq(a, ACTION_NONE);
}
END_TEST

START_TEST(test_action_known_names)
{
	static const char *const want[] = {
		"quit",          "help",         "command",       "filter",       "next-pane",
		"prev-pane",     "pane-tenants", "pane-platform", "move-up",      "move-down",
		"page-up",       "page-down",    "move-home",     "move-end",     "select",
		"back",          "refresh",      "sort-next",     "sort-reverse", "create-tenant",
		"edit",          "save",         "cancel",        "delete",       "suspend",
		"resume",        "restore",      "change-tier",   "change-role",  "deactivate",
		"remove-member", "invite",       "resend",        "revoke",       "reveal-secret",
		"follow",        "pause",        "filter-action", "filter-actor", "detail",
		"create-apikey", "view-as",      "leave-view-as", "theme-next",   "redraw",
		"toggle-mouse",
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(action_parse(want[i], NULL) == 0, "no action %s", want[i]);
}
END_TEST

START_TEST(test_action_jump_pane)
{
	ck_assert_int_eq(action_jump_pane(ACTION_PANE_TENANTS), PANE_TENANTS);
	ck_assert_int_eq(action_jump_pane(ACTION_PANE_AUDIT), PANE_AUDIT);
	ck_assert_int_eq(action_jump_pane(ACTION_PANE_PLATFORM), PANE_PLATFORM);
	ck_assert_int_eq(action_jump_pane(ACTION_QUIT), -1);
	ck_assert_int_eq(action_jump_pane(ACTION_NONE), -1);
}
END_TEST

/* Each row of PANES makes its pane-NAME action, which goes to that pane:
 * adding a pane adds its action. */
START_TEST(test_action_of_every_pane)
{
	for (int p = 0; p < PANE_GLOBAL; p++) {
		char name[64];
		enum action a = ACTION_NONE;

		snprintf(name, sizeof(name), "pane-%s", pane_name((enum pane)p));
		ck_assert_msg(action_parse(name, &a) == 0, "no action %s", name);
		ck_assert_int_eq(action_jump_pane(a), p);
		ck_assert(!action_writes(a));
		ck_assert_msg(strncmp(action_help(a), "Go to the ", 10) == 0,
			      "the help of %s does not say where it goes", name);
	}
}
END_TEST

START_TEST(test_pane_names)
{
	enum pane p = PANE_AUDIT;

	ck_assert_int_eq(pane_parse(NULL, &p), -1);
	ck_assert_int_eq(pane_parse("Global", &p), -1);
	ck_assert_int_eq(pane_parse("nope", &p), -1);
	ck_assert_int_eq(p, PANE_AUDIT);
	ck_assert_str_eq(pane_name(PANE_COUNT), "?");
	ck_assert_str_eq(pane_title(PANE_COUNT), "?");
	ck_assert_int_eq(pane_parse("global", &p), 0);
	ck_assert_int_eq(p, PANE_GLOBAL);
	for (int i = 0; i < PANE_COUNT; i++) {
		ck_assert_int_eq(pane_parse(pane_name((enum pane)i), &p), 0);
		ck_assert_int_eq(p, i);
		ck_assert_int_gt(strlen(pane_title((enum pane)i)), 0);
	}
	ck_assert_str_eq(pane_name(PANE_APIKEYS), "apikeys");
	ck_assert_str_eq(pane_title(PANE_APIKEYS), "Keys");
}
END_TEST

START_TEST(test_pane_cycle)
{
	ck_assert_int_eq(pane_cycle(PANE_TENANTS, 1), PANE_OVERVIEW);
	ck_assert_int_eq(pane_cycle(PANE_PLATFORM, 1), PANE_JOBS);
	ck_assert_int_eq(pane_cycle(PANE_JOBS, 1), PANE_WEBHOOKS);
	ck_assert_int_eq(pane_cycle(PANE_WEBHOOKS, 1), PANE_TENANTS);
	ck_assert_int_eq(pane_cycle(PANE_TENANTS, -1), PANE_WEBHOOKS);
	ck_assert_int_eq(pane_cycle(PANE_AUDIT, 0), PANE_AUDIT);
	ck_assert_int_eq(pane_cycle(PANE_GLOBAL, 1), PANE_TENANTS);
	for (int i = 0; i < PANE_GLOBAL; i++)
		ck_assert_int_eq(pane_cycle(pane_cycle((enum pane)i, 1), -1), i);
}
END_TEST

Suite *
suite_action(void)
{
	Suite *s = suite_create("action");
	TCase *tc = tcase_create("action");

	tcase_add_test(tc, test_action_bad_input);
	tcase_add_test(tc, test_action_every_name_and_help);
	tcase_add_test(tc, test_action_none);
	tcase_add_test(tc, test_action_known_names);
	tcase_add_test(tc, test_action_jump_pane);
	tcase_add_test(tc, test_action_of_every_pane);
	tcase_add_test(tc, test_pane_names);
	tcase_add_test(tc, test_pane_cycle);
	suite_add_tcase(s, tc);
	return s;
}
