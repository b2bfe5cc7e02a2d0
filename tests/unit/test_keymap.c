/* test_keymap.c - keymap files: bad lines, lookups, the default keymap. */
#include <check.h>
#include <ncurses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/keymap.h"
#include "tui/keyname.h"

static char reports[4096];

static void
collect(void *ctx, const char *msg)
{
	int *count = ctx;

	(*count)++;
	strncat(reports, msg, sizeof(reports) - strlen(reports) - 2);
	strcat(reports, "\n");
}

static int
load(struct keymap *km, const char *text)
{
	int count = 0;
	int errors;

	reports[0] = '\0';
	errors = keymap_load_string(km, "t.keys", text, collect, &count);
	ck_assert_int_eq(errors, count);
	return errors;
}

static int
key(const char *name)
{
	int k;

	ck_assert_msg(keyname_parse(name, &k) == 0, "bad key %s", name);
	return k;
}

START_TEST(test_keymap_bad_input)
{
	struct keymap km;

	keymap_init(&km);
	ck_assert_int_eq(keymap_load_string(&km, "x", NULL, NULL, NULL), 0);
	ck_assert_int_eq(keymap_load_string(NULL, "x", "bind", NULL, NULL), 0);
	ck_assert_int_eq(keymap_lookup(NULL, PANE_TENANTS, 'q'), ACTION_NONE);
	ck_assert_int_eq(keymap_lookup(&km, PANE_COUNT, 'q'), ACTION_NONE);
	ck_assert_int_eq(keymap_bind(&km, PANE_COUNT, 'q', ACTION_QUIT), -1);
	ck_assert_int_eq(keymap_bind(&km, PANE_GLOBAL, 'q', ACTION_COUNT), -1);
	ck_assert_int_eq(keymap_unbind(&km, PANE_GLOBAL, 'q'), -1);
	ck_assert_int_eq(keymap_load_file(&km, NULL, NULL, NULL), -1);
	/* a file without complaints about bad lines still reports nothing */
	ck_assert_int_eq(keymap_load_string(&km, "x", "bind x", NULL, NULL), 1);
}
END_TEST

struct bad_line {
	const char *line;
	const char *report;
};

static const struct bad_line bad_lines[] = {
	{ "bind nowhere j move-down", "t.keys:2: unknown pane 'nowhere'\n" },
	{ "bind global <Nope> move-down", "t.keys:2: unknown key name '<Nope>'\n" },
	{ "bind global j jump-around", "t.keys:2: unknown action 'jump-around'\n" },
	{ "bind global j", "t.keys:2: bind: expected <pane> <key> <action>, got 2 words\n" },
	{ "bind global j move-down now",
	  "t.keys:2: bind: expected <pane> <key> <action>, got 4 words\n" },
	{ "bind", "t.keys:2: bind: expected <pane> <key> <action>, got 0 words\n" },
	{ "unbind global", "t.keys:2: unbind: expected <pane> <key>, got 1 word\n" },
	{ "unbind global j k", "t.keys:2: unbind: expected <pane> <key>, got 3 words\n" },
	{ "unbind space j", "t.keys:2: unknown pane 'space'\n" },
	{ "unbind global <Bad>", "t.keys:2: unknown key name '<Bad>'\n" },
	{ "bond global j move-down", "t.keys:2: unknown command 'bond'\n" },
	{ "Bind global j move-down", "t.keys:2: unknown command 'Bind'\n" },
	{ "bind Global j move-down", "t.keys:2: unknown pane 'Global'\n" },
	{ "bind global j Move-Down", "t.keys:2: unknown action 'Move-Down'\n" },
};

/* Each bad line is reported with its file and line, and the lines before
 * and after it still apply. */
START_TEST(test_keymap_bad_lines)
{
	const struct bad_line *b = &bad_lines[_i];
	char text[512];
	struct keymap km;

	snprintf(text, sizeof(text), "bind global q quit\n%s\nbind global x refresh\n", b->line);
	keymap_init(&km);
	ck_assert_int_eq(load(&km, text), 1);
	ck_assert_str_eq(reports, b->report);
	ck_assert_int_eq(keymap_lookup(&km, PANE_GLOBAL, 'q'), ACTION_QUIT);
	ck_assert_int_eq(keymap_lookup(&km, PANE_GLOBAL, 'x'), ACTION_REFRESH);
	ck_assert_int_eq(keymap_lookup(&km, PANE_GLOBAL, 'j'), ACTION_NONE);
}
END_TEST

START_TEST(test_keymap_overlong_line)
{
	char *text = malloc(3 * KEYMAP_LINE_MAX);
	struct keymap km;
	size_t n;

	strcpy(text, "# first\n");
	n = strlen(text);
	memcpy(text + n, "bind global j move-down ", 24);
	memset(text + n + 24, '#', KEYMAP_LINE_MAX);
	strcpy(text + n + 24 + KEYMAP_LINE_MAX, "\nbind global q quit\n");
	keymap_init(&km);
	ck_assert_int_eq(load(&km, text), 1);
	ck_assert_str_eq(reports, "t.keys:2: line too long (more than 1024 characters)\n");
	ck_assert_int_eq(keymap_lookup(&km, PANE_GLOBAL, 'j'), ACTION_NONE);
	ck_assert_int_eq(keymap_lookup(&km, PANE_GLOBAL, 'q'), ACTION_QUIT);
	free(text);
}
END_TEST

START_TEST(test_keymap_many_bad_lines)
{
	struct keymap km;

	keymap_init(&km);
	ck_assert_int_eq(load(&km, "bind a b c\r\n"
				   "\n"
				   "   # indented comment\n"
				   "\tbind\tglobal\tj\tmove-down\t\r\n"
				   "frobnicate\n"
				   "bind global <Up> sideways"),
			 3);
	ck_assert_str_eq(reports, "t.keys:1: unknown pane 'a'\n"
				  "t.keys:5: unknown command 'frobnicate'\n"
				  "t.keys:6: unknown action 'sideways'\n");
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, 'j'), ACTION_MOVE_DOWN);
}
END_TEST

START_TEST(test_keymap_lookup_order)
{
	struct keymap km;
	int keys[8];

	keymap_init(&km);
	ck_assert_int_eq(load(&km, "bind global d delete\n"
				   "bind audit d detail\n"
				   "bind global <Enter> select\n"
				   "bind users <Enter> none\n"
				   "bind global M-x command\n"),
			 0);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, 'd'), ACTION_DELETE);
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, 'd'), ACTION_DETAIL);
	ck_assert_int_eq(keymap_lookup(&km, PANE_GLOBAL, 'd'), ACTION_DELETE);
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, '\r'), ACTION_SELECT);
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, KEY_ENTER), ACTION_SELECT);
	ck_assert_int_eq(keymap_lookup(&km, PANE_USERS, '\n'), ACTION_NONE);
	ck_assert_int_eq(keymap_lookup(&km, PANE_USERS, KEY_META | 'x'), ACTION_COMMAND);
	ck_assert_int_eq(keymap_lookup(&km, PANE_USERS, 'x'), ACTION_NONE);

	/* the audit pane hides the global d */
	ck_assert_int_eq(keymap_keys_for(&km, PANE_AUDIT, ACTION_DELETE, keys, 8), 0);
	ck_assert_int_eq(keymap_keys_for(&km, PANE_AUDIT, ACTION_DETAIL, keys, 8), 1);
	ck_assert_int_eq(keys[0], 'd');

	/* rebinding replaces, unbinding uncovers the global binding */
	ck_assert_int_eq(load(&km, "bind audit d follow\n"), 0);
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, 'd'), ACTION_FOLLOW);
	ck_assert_int_eq(load(&km, "unbind audit d\nunbind audit d\n"), 0);
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, 'd'), ACTION_DELETE);
	ck_assert_int_eq(load(&km, "unbind global d\n"), 0);
	ck_assert_int_eq(keymap_lookup(&km, PANE_AUDIT, 'd'), ACTION_NONE);
}
END_TEST

START_TEST(test_keymap_full_pane)
{
	struct keymap km;
	char line[64];
	int count = 0;

	keymap_init(&km);
	for (int i = 0; i < KEYMAP_MAX_BINDINGS; i++)
		ck_assert_int_eq(keymap_bind(&km, PANE_AUDIT, 0x1000 + i, ACTION_QUIT), 0);
	ck_assert_int_eq(keymap_bind(&km, PANE_AUDIT, 'q', ACTION_QUIT), -1);
	snprintf(line, sizeof(line), "bind audit q quit\n");
	reports[0] = '\0';
	ck_assert_int_eq(keymap_load_string(&km, "f", line, collect, &count), 1);
	ck_assert_str_eq(reports, "f:1: too many bindings in pane 'audit'\n");
}
END_TEST

/* Every action has a key in keymap file `file` (loaded into km); the
 * failure names each action without one and the line that adds it, as a
 * new action or pane (a row of PANES makes its pane-NAME action) needs. */
static void
every_action_bound(const struct keymap *km, const char *file)
{
	char missing[4096] = "";
	size_t n = 0;

	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		bool bound = false;

		for (int p = 0; p < PANE_COUNT && !bound; p++)
			bound = keymap_keys_for(km, (enum pane)p, (enum action)a, NULL, 0) > 0;
		if (!bound)
			n += (size_t)snprintf(
			    missing + n, n < sizeof(missing) ? sizeof(missing) - n : 0,
			    "\n  bind global KEY %s", action_name((enum action)a));
	}
	ck_assert_msg(!missing[0],
		      "%s binds no key to some actions; add these lines, each with a KEY no "
		      "other line of the pane binds (or bind PANE KEY ACTION for one pane):%s",
		      file, missing);
}

START_TEST(test_keymap_default_every_action)
{
	struct keymap km;

	keymap_default(&km);
	every_action_bound(&km, "keymaps/default.keys");
	ck_assert_int_eq(keymap_unbound_action(&km), ACTION_NONE);
	keymap_init(&km);
	ck_assert_int_eq(keymap_unbound_action(&km), ACTION_QUIT);
}
END_TEST

START_TEST(test_keymap_default_matches_file)
{
	struct keymap builtin, file;
	int count = 0;

	keymap_default(&builtin);
	keymap_init(&file);
	reports[0] = '\0';
	ck_assert_int_eq(
	    keymap_load_string(&builtin, "builtin", keymap_default_text(), collect, &count), 0);
	ck_assert_int_eq(keymap_load_file(&file, "keymaps/default.keys", collect, &count), 0);
	ck_assert_str_eq(reports, "");
	ck_assert(keymap_equal(&builtin, &file));
	ck_assert_int_eq(keymap_lookup(&file, PANE_TENANTS, 'j'), ACTION_MOVE_DOWN);
	ck_assert_int_eq(keymap_lookup(&file, PANE_AUDIT, '\n'), ACTION_DETAIL);
	ck_assert_int_eq(keymap_lookup(&file, PANE_TENANTS, '\n'), ACTION_SELECT);

	/* keymap_equal sees a difference */
	ck_assert_int_eq(load(&file, "bind global j move-up\n"), 0);
	ck_assert(!keymap_equal(&builtin, &file));
}
END_TEST

START_TEST(test_keymap_emacs_file)
{
	struct keymap km;
	int count = 0;
	enum action a;

	keymap_init(&km);
	reports[0] = '\0';
	ck_assert_int_eq(keymap_load_file(&km, "keymaps/emacs.keys", collect, &count), 0);
	ck_assert_str_eq(reports, "");
	a = keymap_unbound_action(&km);
	every_action_bound(&km, "keymaps/emacs.keys");
	ck_assert_int_eq(a, ACTION_NONE);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("C-n")), ACTION_MOVE_DOWN);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("M-v")), ACTION_PAGE_UP);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("M-<")), ACTION_MOVE_HOME);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("C-g")), ACTION_CANCEL);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("M-x")), ACTION_COMMAND);
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("C-s")), ACTION_FILTER);
	/* C-x leaves a member's view, as in the default keymap: the banner
	 * says so, and it must not quit the console instead */
	ck_assert_int_eq(keymap_lookup(&km, PANE_TENANTS, key("C-x")), ACTION_LEAVE_VIEW_AS);
}
END_TEST

START_TEST(test_keymap_list)
{
	struct keymap km;
	struct keymap_binding b[KEYMAP_MAX_BINDINGS * 2];
	size_t n, n_global;
	bool quit = false, detail = false, select_enter = false;

	keymap_default(&km);
	n_global = keymap_list(&km, PANE_GLOBAL, b, 0);
	ck_assert_uint_eq(n_global, km.nbind[PANE_GLOBAL]);
	n = keymap_list(&km, PANE_AUDIT, b, sizeof(b) / sizeof(b[0]));
	ck_assert_uint_gt(n, n_global);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_ne(b[i].action, ACTION_NONE);
		if (i > 0)
			ck_assert_int_le(b[i - 1].action, b[i].action);
		quit |= b[i].action == ACTION_QUIT && b[i].key == 'q';
		detail |= b[i].action == ACTION_DETAIL && b[i].key == '\n';
		select_enter |= b[i].action == ACTION_SELECT && b[i].key == '\n';
	}
	ck_assert(quit);
	ck_assert(detail);
	ck_assert(!select_enter);
}
END_TEST

START_TEST(test_keymap_files_and_user)
{
	char dir[] = "/tmp/tenantry-keys-XXXXXX";
	char path[512], found[600];
	struct keymap km;
	int count = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	ck_assert_int_eq(keymap_user_path(path, sizeof(path)), 0);
	snprintf(found, sizeof(found), "%s/tenantry/keys", dir);
	ck_assert_str_eq(path, found);

	keymap_default(&km);
	ck_assert_int_eq(keymap_load_user(&km, collect, &count), 0);
	ck_assert_int_eq(count, 0);

	snprintf(path, sizeof(path), "%s/tenantry", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/tenantry/keys", dir);
	f = fopen(path, "w");
	fputs("bind global X quit\nbind global y nonsense\n", f);
	fclose(f);
	reports[0] = '\0';
	ck_assert_int_eq(keymap_load_user(&km, collect, &count), 1);
	snprintf(found, sizeof(found), "%s:2: unknown action 'nonsense'\n", path);
	ck_assert_str_eq(reports, found);
	ck_assert_int_eq(keymap_lookup(&km, PANE_USERS, 'X'), ACTION_QUIT);
	ck_assert_int_eq(keymap_lookup(&km, PANE_USERS, 'j'), ACTION_MOVE_DOWN);

	reports[0] = '\0';
	ck_assert_int_eq(keymap_load_file(&km, "/nonexistent/k", collect, &count), -1);
	ck_assert_str_eq(reports, "/nonexistent/k: No such file or directory\n");

	unsetenv("TENANTRY_KEYMAPS_DIR");
	ck_assert_int_eq(keymap_find("emacs", found, sizeof(found)), 0);
	ck_assert_str_eq(found, "keymaps/emacs.keys");
	ck_assert_int_eq(keymap_find("nope", found, sizeof(found)), -1);
	/* a name with a slash is a path: one that is not there */
	snprintf(path, sizeof(path), "%s/no/such.keys", dir);
	ck_assert_int_eq(keymap_find(path, found, sizeof(found)), -1);
	ck_assert_int_eq(keymap_find(".hidden", found, sizeof(found)), -1);
	ck_assert_int_eq(keymap_find("keymaps/default.keys", found, sizeof(found)), 0);
	snprintf(path, sizeof(path), "%s/tenantry/keymaps", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/tenantry/keymaps/emacs.keys", dir);
	f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(keymap_find("emacs", found, sizeof(found)), 0);
	ck_assert_str_eq(found, path);
	unlink(path);
	snprintf(path, sizeof(path), "%s/tenantry/keymaps", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/tenantry/keys", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/tenantry", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
}
END_TEST

/* The manual page describes every action. */
START_TEST(test_keymap_manual_lists_every_action)
{
	FILE *f = fopen("docs/tenantry-keys.5", "r");
	static char page[65536];
	char want[128];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(page, 1, sizeof(page) - 1, f);
	fclose(f);
	page[n] = '\0';
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
		snprintf(want, sizeof(want), "\n.It Cm %s\n", action_name((enum action)a));
		ck_assert_msg(strstr(page, want),
			      "docs/tenantry-keys.5 lacks the action %s: add under .Ss Actions\n"
			      ".It Cm %s\n%s.\n.Pq Li \\&KEY",
			      action_name((enum action)a), action_name((enum action)a),
			      action_help((enum action)a));
	}
	for (int p = 0; p < PANE_COUNT; p++) {
		snprintf(want, sizeof(want), "\n.It Cm %s\n", pane_name((enum pane)p));
		ck_assert_msg(strstr(page, want),
			      "docs/tenantry-keys.5 lacks the pane %s: add under .Ss Panes\n"
			      ".It Cm %s\nWhat the pane shows and does.",
			      pane_name((enum pane)p), pane_name((enum pane)p));
	}
}
END_TEST

/* Every manual page is clean under mandoc's linter (warnings and up). */
START_TEST(test_manuals_lint_clean)
{
	ck_assert_int_eq(system("mandoc -T lint -W warning docs/tenantry.1 docs/tenantry-keys.5 "
				"docs/tenantry-theme.5 docs/tenantryd.8"),
			 0);
}
END_TEST

Suite *
suite_keymap(void)
{
	Suite *s = suite_create("keymap");
	TCase *tc = tcase_create("keymap");

	tcase_add_test(tc, test_keymap_bad_input);
	tcase_add_loop_test(tc, test_keymap_bad_lines, 0, sizeof(bad_lines) / sizeof(bad_lines[0]));
	tcase_add_test(tc, test_keymap_overlong_line);
	tcase_add_test(tc, test_keymap_many_bad_lines);
	tcase_add_test(tc, test_keymap_lookup_order);
	tcase_add_test(tc, test_keymap_full_pane);
	tcase_add_test(tc, test_keymap_default_every_action);
	tcase_add_test(tc, test_keymap_default_matches_file);
	tcase_add_test(tc, test_keymap_emacs_file);
	tcase_add_test(tc, test_keymap_list);
	tcase_add_test(tc, test_keymap_files_and_user);
	tcase_add_test(tc, test_keymap_manual_lists_every_action);
	tcase_add_test(tc, test_manuals_lint_clean);
	suite_add_tcase(s, tc);
	return s;
}
