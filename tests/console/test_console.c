/* test_console.c - the real console in tmux at fixed sizes, against a real
 * database (and a real tenantryd): open, filter, panes, lifecycle with slug
 * confirmation, live audit, resize, tiny terminal, read-only, command
 * line, help, configuration errors, view as tenant, settings, invitations
 * and roles, tier changes, mouse, control characters. A database going
 * away under the console is in test_console_db.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>
#include <locale.h>

#include "console.h"

static const char *
status_of(const char *slug)
{
	return testdb_value(
	    pg, slug[0] == 'a'
		    ? "SELECT status FROM tenantry.tenants WHERE slug = 'acme-console'"
		    : "SELECT status FROM tenantry.tenants WHERE slug = 'globex-console'");
}

/* Display column at which needle starts on the screen line holding key. */
static int
column_of(const char *screen, const char *key, const char *needle)
{
	const char *line = strstr(screen, key), *at;
	char buf[1024];
	wchar_t w[1024];
	size_t n;

	if (!line)
		return -1;
	while (line > screen && line[-1] != '\n')
		line--;
	if (!(at = strstr(line, needle)))
		return -1;
	n = (size_t)(at - line) < sizeof buf - 1 ? (size_t)(at - line) : sizeof buf - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	setlocale(LC_CTYPE, "C.UTF-8");
	if (mbstowcs(w, buf, 1024) == (size_t)-1)
		return -1;
	return wcswidth(w, 1024);
}

START_TEST(test_open_filter_and_panes)
{
	start(120, 36, NULL);
	term_expect(&term, "globex-console");
	term_expect(&term, "3 tenants");
	/* wide characters do not push the columns out of line */
	ck_assert_int_ge(column_of(term.screen, "東京", "active"), 10);
	ck_assert_int_eq(column_of(term.screen, "東京", "active"),
			 column_of(term.screen, "acme-console", "active"));

	term_keys(&term, "/", NULL);
	term_type(&term, "glob");
	ck_assert_msg(term_wait_gone(&term, "acme-console", 5000), "%s", term.screen);
	term_expect(&term, "globex-console");
	term_expect(&term, "1 shown");
	term_keys(&term, "Enter", "Enter", NULL);
	term_expect(&term, "Globex Console");
	term_expect(&term, "globex-console · basic · active");
	term_keys(&term, "5", NULL);
	term_expect(&term, "USED / LIMIT");
	term_expect(&term, "api_calls");
	term_keys(&term, "7", NULL);
	term_expect(&term, "tenant.create");
	term_keys(&term, "9", NULL);
	term_expect(&term, "NEAREST THEIR QUOTAS");
	term_keys(&term, "1", NULL);
	term_expect(&term, "filter /glob");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

START_TEST(test_suspend_needs_the_slug)
{
	start(120, 36, NULL);
	term_keys(&term, "Enter", NULL); /* acme-console is first by name */
	term_expect(&term, "Acme Console");
	term_keys(&term, "s", NULL);
	term_expect(&term, "Type the tenant's slug (acme-console)");
	term_type(&term, "acme");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "type acme-console exactly");
	ck_assert_str_eq(status_of("acme"), "active");
	term_type(&term, "-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "acme-console: suspended");
	ck_assert_str_eq(status_of("acme"), "suspended");
	term_keys(&term, "r", NULL);
	term_expect(&term, "acme-console: active");
	ck_assert_str_eq(status_of("acme"), "active");
}
END_TEST

START_TEST(test_live_audit_appears)
{
	struct store *st;
	struct err e;

	start(120, 36, NULL);
	term_expect(&term, "live audit");
	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	ck_assert_msg(
	    store_audit_event(st, "globex-console", "test.live", "widget", "w-42", "{\"n\": 1}", &e)
		== 0,
	    "%s", e.message);
	store_close(&st);
	term_expect(&term, "test.live widget w-42");
	/* and in the tenant's own audit pane, with its detail */
	term_keys(&term, ":", NULL);
	term_type(&term, "tenant globex-console");
	term_keys(&term, "Enter", "7", NULL);
	term_expect(&term, "test.live");
	term_keys(&term, "G", "Enter", NULL);
	term_expect(&term, "Audit entry");
	term_expect(&term, "n                    (none) → 1");
}
END_TEST

START_TEST(test_resize_and_tiny_terminal)
{
	start(120, 36, NULL);
	term_resize(&term, 50, 10);
	term_expect(&term, "needs a terminal of at least 60x14");
	term_resize(&term, 90, 24);
	term_expect(&term, "acme-console");
	term_expect(&term, "1 Tenants");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");

	/* started too small: it says so, and q still quits */
	term_stop(&term);
	term_start(&term, 40, 8, NULL, args);
	term_expect(&term, "needs a terminal");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

START_TEST(test_read_only_refuses_writes)
{
	start(120, 36, "--read-only");
	term_expect(&term, "[read-only]");
	ck_assert_ptr_null(strstr(term.screen, "s suspend"));
	term_keys(&term, "s", NULL);
	term_expect(&term, "read-only console: suspend refused");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, "D", NULL);
	term_expect(&term, "read-only console: delete refused");
	term_keys(&term, ":", NULL);
	term_type(&term, "suspend");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "read-only console: suspend refused");
	ck_assert_str_eq(status_of("acme"), "active");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"action LIKE 'tenant.status%%'"),
			 0);
}
END_TEST

/* Support may not suspend: a plain sentence before any request, never
 * the database's "permission denied". */
START_TEST(test_support_refused_plainly)
{
	start(120, 36, "--as support");
	term_keys(&term, "s", NULL);
	term_expect(&term, "support staff may not do that (tenant.lifecycle)");
	ck_assert_ptr_null(strstr(term.screen, "permission denied"));
	ck_assert_str_eq(status_of("acme"), "active");
}
END_TEST

START_TEST(test_command_line_and_help)
{
	start(120, 36, NULL);
	term_keys(&term, ":", NULL);
	term_type(&term, "ten");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "glo");
	term_keys(&term, "Tab", NULL);
	term_expect(&term, ":tenant globex-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Globex Console");
	/* history: the same command comes back with Up */
	term_keys(&term, ":", "Up", NULL);
	term_expect(&term, ":tenant globex-console");
	term_keys(&term, "Escape", NULL);
	/* (an Esc followed at once by a key is read as Meta+key) */
	ck_assert(term_wait_gone(&term, ":tenant globex-console", 5000));
	term_keys(&term, ":", NULL);
	term_type(&term, "bogus");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "unknown command: bogus");
	term_keys(&term, "?", NULL);
	term_expect(&term, "Keys: Overview");
	term_expect(&term, "Quit the console");
	term_keys(&term, "j", "j", NULL); /* the pane's own keys, below the global ones */
	term_expect(&term, "Suspend the tenant");
	term_keys(&term, "Escape", NULL);
	ck_assert(term_wait_gone(&term, "Keys: Overview", 5000));
	term_keys(&term, ":", NULL);
	term_type(&term, "theme light");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "theme light");
	term_keys(&term, ":", NULL);
	term_type(&term, "q");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

START_TEST(test_bad_config_lines_are_reported)
{
	char dir[512], path[600];
	FILE *f;

	term_start(&term, 120, 36, NULL, "--version"); /* makes the home directory */
	term_stop(&term);
	snprintf(dir, sizeof dir, "%s/.config", term.home);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/.config/tenantry", term.home);
	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/keys", dir);
	f = fopen(path, "w");
	fputs("# mine\nbind nowhere x quit\nbind global Z quit\nbind global ! no-such-action\n", f);
	fclose(f);
	/* the same home again: term_start makes a new one, so pass it along */
	snprintf(path, sizeof path, "XDG_CONFIG_HOME=%s/.config", term.home);
	term_start(&term, 120, 36, path, args);
	term_expect(&term, "Problems in the configuration files");
	term_expect(&term, "keys:2:");
	term_expect(&term, "keys:4:");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "acme-console");
	term_keys(&term, "Z", NULL); /* the good line in between still applies */
	term_expect(&term, "console exited 0");
}
END_TEST

/* Opens acme-console and views it as a viewer with key, for reason; the
 * banner names C-x as the way out. The form starts on its first field
 * (the role); the reason is the third. */
static void
view_as_viewer(const char *key, const char *reason)
{
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, key, NULL);
	term_expect(&term, "View acme-console as a member");
	term_keys(&term, "Tab", "Tab", NULL);
	term_type(&term, reason);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Viewing acme-console as viewer");
	term_expect(&term, "C-x leaves");
}

START_TEST(test_view_as_tenant)
{
	start(120, 36, NULL);
	view_as_viewer("V", "ticket 4711");
	ck_assert_int_eq(
	    testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
			   "action = 'support.view_as.start' AND new->>'reason' = 'ticket 4711'"),
	    1);
	/* the tenant's own database role: only its own tenant is listed */
	term_keys(&term, "1", NULL);
	ck_assert_msg(term_wait_gone(&term, "globex-console", 5000), "%s", term.screen);
	term_expect(&term, "1 shown");
	/* a viewer may not suspend */
	term_keys(&term, "s", NULL);
	term_expect(&term, "a viewer of acme-console may not do that");
	term_keys(&term, "C-x", NULL);
	term_expect(&term, "back to the staff view");
	term_expect(&term, "globex-console");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"action = 'support.view_as.end'"),
			 1);
}
END_TEST

/* The banner names the key that leaves in the keymap in use; with the
 * emacs keymap that is C-x too (it quit the console once). */
START_TEST(test_view_as_emacs_keys)
{
	int ends;

	start(120, 36, "--keymap emacs");
	view_as_viewer("M-a", "ticket 4712");
	ends = testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "action = 'support.view_as.end'");
	term_keys(&term, "C-x", NULL);
	term_expect(&term, "back to the staff view");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"action = 'support.view_as.end'"),
			 ends + 1);
}
END_TEST

START_TEST(test_create_tenant)
{
	start(120, 36, NULL);
	term_keys(&term, "n", NULL);
	term_expect(&term, "New tenant");
	term_type(&term, "Initech Console");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "not-an-email");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "admin_email");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.tenants WHERE "
					"slug = 'initech-console'"),
			 0);
	term_keys(&term, "C-u", NULL);
	term_type(&term, "boss@initech.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "created initech-console");
	/* the first admin is invited: the token once, no account yet */
	term_expect(&term, "First admin's invitation (shown once)");
	term_expect(&term, "tenantry invite accept tni_");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Initech Console");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.tenants WHERE "
					"slug = 'initech-console'"),
			 1);
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.invitations WHERE "
					"email = 'boss@initech.test' AND role = 'admin'"),
			 1);
	ck_assert_int_eq(
	    testdb_int(pg, "SELECT count(*) FROM tenantry.users WHERE email = 'boss@initech.test'"),
	    0);
}
END_TEST

/* Staff actions on an account from the command line: a reset token shown
 * once, signing out everywhere; each audited. */
START_TEST(test_staff_account_actions)
{
	start(120, 36, NULL);
	term_keys(&term, ":", NULL);
	term_type(&term, "reset-password boss@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Issue a password reset");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Password reset token (shown once)");
	term_expect(&term, "tenantry account set-password tnr_");
	term_keys(&term, "Enter", NULL);
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.password_resets"), 1);
	term_keys(&term, ":", NULL);
	term_type(&term, "sign-out boss@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Sign out everywhere");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "every token ended");
	ck_assert_int_eq(testdb_int(pg,
				    "SELECT count(*) FROM tenantry.audit_log WHERE action IN "
				    "('user.password_reset_issue', 'user.sign_out_everywhere')"),
			 2);
	/* in the users pane, the member under the cursor by default */
	term_keys(&term, ":", NULL);
	term_type(&term, "tenant acme-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, "3", NULL);
	term_expect(&term, "boss@acme-console.test");
	term_keys(&term, ":", NULL);
	term_type(&term, "mfa-reset");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Reset the second factor");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "boss@acme-console.test: second factor off");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
					"'user.mfa_reset'"),
			 1);
	/* an unknown account: the form says so and stays */
	term_keys(&term, ":", NULL);
	term_type(&term, "mfa-reset nobody@nowhere.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Reset the second factor");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "no such user");
}
END_TEST

START_TEST(test_remote_console)
{
	struct testd d;

	testd_start(&d, db);
	start_remote(&d, NULL);
	term_expect(&term, d.url);
	term_expect(&term, "globex-console");
	term_keys(&term, "j", "Enter", NULL);
	term_expect(&term, "Globex Console");
	term_keys(&term, "s", NULL);
	term_type(&term, "globex-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "globex-console: suspended");
	ck_assert_str_eq(status_of("globex"), "suspended");
	term_stop(&term);
	testd_stop(&d);
}
END_TEST

/* A typed setting is checked before it is sent; a secret stays masked
 * until an audited reveal. */
START_TEST(test_settings_edit_and_reveal)
{
	start(120, 36, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	term_keys(&term, "6", "n", NULL);
	term_expect(&term, "Key: a-z 0-9");
	term_type(&term, "projects.max");
	term_keys(&term, "Tab", "i", "Tab", NULL);
	term_expect(&term, "‹ int ›");
	term_type(&term, "lots");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "whole number");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.tenant_settings "
					"WHERE key = 'projects.max'"),
			 0);
	term_keys(&term, "C-u", NULL);
	term_type(&term, "42");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "saved projects.max");
	ck_assert_str_eq(testdb_value(pg,
				      "SELECT value || ':' || type FROM tenantry.tenant_settings "
				      "WHERE key = 'projects.max'"),
			 "42:int");

	term_keys(&term, "n", NULL);
	term_expect(&term, "Key: a-z 0-9");
	term_type(&term, "smtp.password");
	term_keys(&term, "Tab", "s", NULL);
	term_expect(&term, "‹ secret ›");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "hunter2-xyz");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "saved smtp.password");
	term_expect(&term, "smtp.password");
	ck_assert_ptr_null(strstr(term.screen, "hunter2-xyz"));
	ck_assert_int_eq(
	    testdb_int(pg, "SELECT count(*) FROM tenantry.tenant_settings WHERE "
			   "key = 'smtp.password' AND encrypted AND value <> 'hunter2-xyz'"),
	    1);
	term_keys(&term, "G", "v", NULL);
	term_expect(&term, "revealed smtp.password (audited)");
	term_expect(&term, "hunter2-xyz");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"action = 'secret.reveal'"),
			 1);
}
END_TEST

/* Several invitations from one form of lines, a result each. */
START_TEST(test_invite_many)
{
	start(120, 40, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	term_keys(&term, "4", "I", NULL);
	term_expect(&term, "Invite several people");
	term_type(&term, "one@acme-console.test, viewer");
	term_keys(&term, "Enter", NULL);
	term_type(&term, "boss@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_type(&term, "not an address");
	term_keys(&term, "Enter", "Enter", NULL);
	term_expect(&term, "Invitations (tokens shown once)");
	term_expect(&term, "one@acme-console.test (viewer): sent");
	term_expect(&term, "boss@acme-console.test (member): already_member");
	term_expect(&term, "not an address (member): invalid");
	term_expect(&term, "invited 1 of 3");
	ck_assert_str_eq(testdb_value(pg, "SELECT role FROM tenantry.invitations WHERE "
					  "email = 'one@acme-console.test'"),
			 "viewer");
}
END_TEST

/* Invite (the token once), then change a member's role. */
START_TEST(test_invite_and_change_role)
{
	start(120, 36, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	term_keys(&term, "4", "i", NULL);
	term_expect(&term, "Invite someone");
	term_type(&term, "new.hire@acme-console.test");
	term_keys(&term, "Tab", "v", "Enter", NULL);
	term_expect(&term, "Invitation token (shown once)");
	term_expect(&term, "tenantry invite accept tni_");
	ck_assert_str_eq(testdb_value(pg, "SELECT role FROM tenantry.invitations WHERE "
					  "email = 'new.hire@acme-console.test'"),
			 "viewer");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "new.hire@acme-console.test");
	term_expect(&term, "pending");

	/* the only admin may not be demoted: the form says why and stays */
	term_keys(&term, "3", NULL);
	term_expect(&term, "boss@acme-console.test");
	term_keys(&term, "c", NULL);
	term_expect(&term, "Role of boss@acme-console.test");
	term_keys(&term, "Right", "Enter", NULL);
	term_expect(&term, "the last active admin");
	term_keys(&term, "Escape", NULL);
	ck_assert(term_wait_gone(&term, "Role of", 5000));
	{
		struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
		struct invitation inv;
		struct member m;
		char token[96];
		struct err e;

		ck_assert_msg(store_invitation_create(&inv, token, st, "acme-console",
						      "dev@acme-console.test", ROLE_MEMBER, &e)
				  == 0,
			      "%s", e.message);
		ck_assert_msg(
		    store_invitation_accept(&m, st, token, "Dev", "correct horse battery", &e) == 0,
		    "%s", e.message);
		store_close(&st);
	}
	term_keys(&term, "R", NULL);
	term_expect(&term, "dev@acme-console.test");
	term_keys(&term, "G", "c", NULL);
	term_expect(&term, "Role of dev@acme-console.test");
	term_keys(&term, "Right", "Enter", NULL); /* member -> viewer */
	term_expect(&term, "dev@acme-console.test: viewer, active");
	ck_assert_str_eq(testdb_value(pg, "SELECT tu.role FROM tenantry.tenant_users tu JOIN "
					  "tenantry.users u ON u.id = tu.user_id WHERE "
					  "u.email = 'dev@acme-console.test'"),
			 "viewer");
	term_keys(&term, "x", NULL);
	term_expect(&term, "dev@acme-console.test: viewer, inactive");
	ck_assert_str_eq(testdb_value(pg, "SELECT tu.active::text FROM tenantry.tenant_users tu "
					  "JOIN tenantry.users u ON u.id = tu.user_id WHERE "
					  "u.email = 'dev@acme-console.test'"),
			 "false");
}
END_TEST

/* A downgrade shows first what it would break, and needs the slug to go
 * through anyway; an upgrade just happens. */
START_TEST(test_tier_change_preview)
{
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct quota_result r;
	struct err e;

	ck_assert_msg(store_usage_increment(&r, st, "acme-console", "storage_bytes", 8LL << 30, &e)
			  == 0,
		      "%s", e.message);
	store_close(&st);
	start(120, 36, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	term_keys(&term, "t", NULL);
	term_expect(&term, "Tier of acme-console (now professional)");
	term_expect(&term, "basic would break: storage_bytes 8 GiB > 5 GiB");
	term_expect(&term, "free would break: storage_bytes");
	term_keys(&term, "Left", NULL); /* professional -> basic */
	term_expect(&term, "‹ basic ›");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "over basic's limits: type the slug to force it");
	ck_assert_str_eq(testdb_value(pg, "SELECT tier FROM tenantry.tenants WHERE "
					  "slug = 'acme-console'"),
			 "professional");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "acme-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "acme-console: basic");
	ck_assert_str_eq(testdb_value(pg, "SELECT tier FROM tenantry.tenants WHERE "
					  "slug = 'acme-console'"),
			 "basic");
	term_keys(&term, ":", NULL);
	term_type(&term, "tier enterprise");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Tier of acme-console (now basic)");
	term_expect(&term, "‹ enterprise ›");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "acme-console: enterprise");
}
END_TEST

/* The jobs pane (0): every job, never run, then the run `tenantry jobs
 * run` did with its outcome, after a refresh. */
START_TEST(test_jobs_pane)
{
	start(140, 36, NULL);
	term_expect(&term, "0 Jobs");
	term_keys(&term, "0", NULL);
	term_expect(&term, "NEXT RUN");
	term_expect(&term, "invitation_expiry");
	term_expect(&term, "never run");
	ck_assert_int_eq(
	    testcli_run(NULL, NULL,
			(const char *const[]){ "--db", testdb_conninfo(db, NULL), "jobs", "run",
					       "--once", "--job", "trial_end", "--force", NULL }),
	    0);
	term_keys(&term, "R", NULL);
	ck_assert_msg(term_wait(&term, " ok ", 8000), "%s", term.screen);
	term_expect(&term, "usage_rollup");
}
END_TEST

/* Mouse: a click on a tab switches panes, a double click on a row opens
 * it, the wheel moves the cursor. */
START_TEST(test_mouse)
{
	int x;

	start(120, 36, NULL);
	term_capture(&term);
	x = term_column(&term, 1, "9 Platform");
	ck_assert_int_gt(x, 0);
	term_click(&term, x + 2, 1, false);
	term_expect(&term, "NEAREST THEIR QUOTAS");
	term_click(&term, term_column(&term, 1, "1 Tenants") + 2, 1, false);
	term_expect(&term, "SLUG");
	/* rows: title, tabs, the list's info line and header, then tenants */
	term_click(&term, 5, 5, true);
	term_expect(&term, "Globex Console");
	term_keys(&term, "1", NULL);
	term_expect(&term, "SLUG");
	term_wheel(&term, 5, 6, true);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "東京 Console");
}
END_TEST

/* Text from the database never reaches the terminal raw, and a locale
 * that is not UTF-8 gets ASCII drawing. */
START_TEST(test_control_characters_and_ascii)
{
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct err e;

	ck_assert_msg(store_audit_event(st, "acme-console", "test.evil", "x",
					"\x1b]2;pwned\x07\x1b[31mred", NULL, &e)
			  == 0,
		      "%s", e.message);
	store_close(&st);
	start(120, 36, NULL);
	/* ESC and BEL became U+FFFD; the title escape did not run */
	term_expect(&term, "\xef\xbf\xbd]2;pwned\xef\xbf\xbd\xef\xbf\xbd[31mred");
	term_stop(&term);

	term_start(&term, 120, 36, "LANG=C LC_ALL=C", args);
	term_expect(&term, "acme-console");
	term_expect(&term, " tenantry | pg:");
	term_expect(&term, "?[31mred"); /* '?' stands for what ASCII cannot show */
	ck_assert_ptr_null(strstr(term.screen, "\xe2\x94\x80")); /* no box drawing */
}
END_TEST

Suite *
suite_console(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_open_filter_and_panes);
	tcase_add_test(tc, test_suspend_needs_the_slug);
	tcase_add_test(tc, test_live_audit_appears);
	tcase_add_test(tc, test_resize_and_tiny_terminal);
	tcase_add_test(tc, test_read_only_refuses_writes);
	tcase_add_test(tc, test_support_refused_plainly);
	tcase_add_test(tc, test_command_line_and_help);
	tcase_add_test(tc, test_bad_config_lines_are_reported);
	tcase_add_test(tc, test_view_as_tenant);
	tcase_add_test(tc, test_create_tenant);
	tcase_add_test(tc, test_staff_account_actions);
	tcase_add_test(tc, test_remote_console);
	tcase_add_test(tc, test_tier_change_preview);
	tcase_add_test(tc, test_settings_edit_and_reveal);
	tcase_add_test(tc, test_invite_and_change_role);
	tcase_add_test(tc, test_invite_many);
	tcase_add_test(tc, test_mouse);
	tcase_add_test(tc, test_jobs_pane);
	tcase_add_test(tc, test_control_characters_and_ascii);
	tcase_add_test(tc, test_view_as_emacs_keys);
	suite_add_tcase(s, tc);
	return s;
}
