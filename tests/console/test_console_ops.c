/* test_console_ops.c - the real console in tmux against a real database
 * (and a real tenantryd), for what issue 21 asked of it: copying ids and
 * shown-once secrets to the clipboard (OSC 52, read back from tmux's paste
 * buffer), forms that start on their first field, signing in again in
 * place when the token of a remote console expires, and the layout at
 * 80x24. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

/* Empties tmux's paste buffers, so that the next copy is seen as new. */
static void
clipboard_clear(void)
{
	char cmd[256];

	snprintf(cmd, sizeof cmd, "tmux -L %s delete-buffer >/dev/null 2>&1", term.sock);
	ck_assert_int_ge(system(cmd), 0);
}

/* Waits for the bottom line to say "copied WHAT VALUE to the clipboard"
 * with tmux's newest paste buffer holding VALUE, and returns VALUE. */
static const char *
copied(const char *what)
{
	static char value[512];
	char head[96], buf[8192];

	snprintf(head, sizeof head, "copied %s ", what);
	for (int waited = 0; waited < 8000; waited += 50) {
		const char *at = strstr(term_capture(&term), head), *end;

		if (at && (end = strstr(at, " to the clipboard"))) {
			at += strlen(head);
			snprintf(value, sizeof value, "%.*s", (int)(end - at), at);
			if (strcmp(term_clipboard(&term, buf, sizeof buf), value) == 0)
				return value;
		}
		poll(NULL, 0, 50);
	}
	ck_abort_msg("no \"%s...\" with the paste buffer \"%s\" on:\n%s", head,
		     term_clipboard(&term, buf, sizeof buf), term.screen);
	return NULL;
}

/* The longest word that follows prefix on the screen: a token shown once
 * (not the cut prefix of one in a list behind the dialog). */
static const char *
shown(const char *prefix)
{
	static char word[256];
	const char *at = term_capture(&term);

	word[0] = '\0';
	while ((at = strstr(at, prefix))) {
		size_t n = 0;

		at += strlen(prefix);
		while (at[n]
		       && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_-",
				 at[n])
		       && n + 1 < sizeof word)
			n++;
		if (n > strlen(word))
			snprintf(word, sizeof word, "%.*s", (int)n, at);
	}
	ck_assert_msg(word[0], "no \"%s\" on:\n%s", prefix, term.screen);
	return word;
}

/* The secret of the dialog on screen: copied whole, never shown on the
 * bottom line. */
static void
copy_secret(const char *what, const char *want)
{
	char msg[128];

	snprintf(msg, sizeof msg, "copied the %s to the clipboard", what);
	term_keys(&term, "y", NULL);
	term_expect(&term, msg);
	ck_assert_msg(term_wait_clipboard(&term, want, 5000), "the paste buffer is not %s", want);
}

/* `y` copies the id of the row under the cursor in every pane, and the
 * shown-once dialogs their secret, through OSC 52 into tmux's buffer. */
START_TEST(test_copy_ids_and_secrets)
{
	char want[512], sql[1024];
	const char *v;

	start(120, 40, NULL);
	term_clipboard_on(&term);
	/* the tenant list: acme-console is first by name */
	snprintf(want, sizeof want, "%s",
		 testdb_value(pg, "SELECT id FROM tenantry.tenants WHERE slug = 'acme-console'"));
	term_keys(&term, "y", NULL);
	ck_assert_str_eq(copied("tenant id"), want);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	clipboard_clear();
	term_keys(&term, "y", NULL);
	ck_assert_str_eq(copied("tenant id"), want);

	term_keys(&term, "3", NULL);
	term_expect(&term, "boss@acme-console.test");
	term_keys(&term, "y", NULL);
	ck_assert_str_eq(copied("user id"), testdb_value(pg, "SELECT id FROM tenantry.users WHERE "
							     "email = 'boss@acme-console.test'"));

	/* an invitation: its token in the dialog, then its id in the list */
	term_keys(&term, "4", "i", NULL);
	term_expect(&term, "Invite someone");
	term_type(&term, "copy.me@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Invitation token (shown once)");
	term_expect(&term, "y copy");
	snprintf(want, sizeof want, "tni_%s", shown("tni_"));
	copy_secret("invitation token", want);
	ck_assert_ptr_null(strstr(term.screen, "copied the invitation token tni_"));
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "copy.me@acme-console.test");
	term_keys(&term, "y", NULL);
	ck_assert_str_eq(copied("invitation id"),
			 testdb_value(pg, "SELECT id FROM tenantry.invitations WHERE "
					  "email = 'copy.me@acme-console.test'"));

	term_keys(&term, "5", NULL);
	term_expect(&term, "USED / LIMIT");
	term_keys(&term, "y", NULL);
	v = copied("resource");
	ck_assert_msg(strstr(term.screen, v), "%s", v);

	term_keys(&term, "6", "n", NULL);
	term_expect(&term, "Key: a-z 0-9");
	term_type(&term, "copy.me");
	term_keys(&term, "Tab", "i", "Tab", NULL);
	term_type(&term, "7");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "saved copy.me");
	term_keys(&term, "y", NULL);
	ck_assert_str_eq(copied("setting key"), "copy.me");

	term_keys(&term, "7", NULL);
	term_expect(&term, "tenant.create");
	term_keys(&term, "y", NULL);
	v = copied("entry hash");
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM tenantry.audit_log WHERE encode(hash, 'hex') = '%s'", v);
	ck_assert_int_eq(testdb_int(pg, sql), 1);

	/* an API key: the key itself once, then its id */
	term_keys(&term, "8", "n", NULL);
	term_expect(&term, "New API key for acme-console");
	term_type(&term, "copy-ci");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "API key (shown once)");
	snprintf(want, sizeof want, "tnt_%s", shown("tnt_"));
	copy_secret("API key", want);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "copy-ci");
	term_keys(&term, "y", NULL);
	ck_assert_str_eq(copied("key id"), testdb_value(pg, "SELECT id FROM tenantry.api_keys "
							    "WHERE name = 'copy-ci'"));

	term_keys(&term, "9", NULL);
	term_expect(&term, "NEAREST THEIR QUOTAS");
	term_keys(&term, "y", NULL);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM tenantry.tenants WHERE id = '%s'",
		 copied("tenant id"));
	ck_assert_int_eq(testdb_int(pg, sql), 1);

	term_keys(&term, "0", NULL);
	term_expect(&term, "NEXT RUN");
	term_keys(&term, "y", NULL);
	v = copied("job");
	ck_assert_msg(strstr(term.screen, v), "%s", v);

	/* a staff reset token */
	term_keys(&term, ":", NULL);
	term_type(&term, "reset-password boss@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Issue a password reset");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Password reset token (shown once)");
	snprintf(want, sizeof want, "tnr_%s", shown("tnr_"));
	copy_secret("reset token", want);
	term_keys(&term, "Enter", NULL);

	/* the help names the key */
	term_keys(&term, "?", NULL);
	term_expect(&term, "Copy the id under the cursor");
}
END_TEST

/* The view-as form starts on its first field, the role, as every form
 * does; a refusal puts the cursor on the field it is about. */
START_TEST(test_view_as_form_starts_on_its_first_field)
{
	start(120, 36, NULL);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, "V", NULL);
	term_expect(&term, "View acme-console as a member");
	term_expect(&term, "‹ viewer ›");
	term_keys(&term, "Right", NULL); /* on the role: the next one */
	term_expect(&term, "‹ member ›");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "give a reason");
	term_type(&term, "ticket 4713"); /* into the reason, where the cursor went */
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Viewing acme-console as member");
	ck_assert_int_eq(
	    testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE "
			   "action = 'support.view_as.start' AND new->>'reason' = 'ticket 4713'"),
	    1);
	term_keys(&term, "C-x", NULL);
	term_expect(&term, "back to the staff view");

	/* the other forms: what is typed first goes into the first field */
	term_keys(&term, "4", "i", NULL);
	term_expect(&term, "Invite someone");
	term_type(&term, "first@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Invitation token (shown once)");
	term_keys(&term, "Enter", "8", "n", NULL);
	term_expect(&term, "New API key for acme-console");
	term_type(&term, "first-key");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "API key (shown once)");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.api_keys WHERE "
					"name = 'first-key'"),
			 1);
}
END_TEST

Suite *
suite_console_ops(void)
{
	Suite *s = suite_create("console_ops");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_copy_ids_and_secrets);
	tcase_add_test(tc, test_view_as_form_starts_on_its_first_field);
	suite_add_tcase(s, tc);
	return s;
}
