/* test_console_ops.c - the real console in tmux against a real database
 * (and a real tenantryd), for what issue 21 asked of it: copying ids and
 * shown-once secrets to the clipboard (OSC 52, read back from tmux's paste
 * buffer), forms that start on their first field, signing in again in
 * place when the token of a remote console expires, and the layout at
 * 80x24. */
#include <check.h>
#include <glob.h>
#include <jansson.h>
#include <oath.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "server/server.h"

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

/* A staff token of d's admin account that d takes for `seconds` from now
 * (the server allows 30 s past its exp), signed with d's own key: a token
 * lifetime shorter than tenantryd's --token-ttl allows. */
static char *
short_token(const struct testd *d, int seconds)
{
	struct server_config cfg = { .issuer = "tenantry",
				     .audience = "tenantry-api",
				     .token_ttl = seconds - 30,
				     .leeway = 30,
				     .jwt_secret_file = d->srv.secret_file };
	struct principal p = { .kind = PRINCIPAL_STAFF, .staff = STAFF_PLATFORM_ADMIN };
	struct err e = { 0 };
	int64_t expires;
	char *tok = NULL;

	snprintf(p.user_id, sizeof p.user_id, "%s",
		 testdb_value(pg, "SELECT id FROM tenantry.users WHERE "
				  "email = 'admin@example.com'"));
	snprintf(p.email, sizeof p.email, "admin@example.com");
	ck_assert_msg(auth_init(&cfg, &e) == 0, "%s", e.message);
	ck_assert_msg(auth_issue(&tok, &expires, &p, &e) == 0, "%s", e.message);
	auth_shutdown();
	return tok;
}

/* The token of a console on tenantryd expires: a sign-in dialog opens in
 * place; cancelled, the console stays as it is and says it is signed out;
 * signed in (after a wrong password), the panes load again and writes go
 * through with the new token. */
START_TEST(test_expired_token_signs_in_again)
{
	struct testd d;
	char tokfile[600], a[2048];
	char *tok;
	FILE *f;

	testd_start(&d, db);
	tok = short_token(&d, 6);
	snprintf(tokfile, sizeof tokfile, "%s/console-short-token-%d", getenv("TENANTRY_TEST_TMP"),
		 (int)getpid());
	f = fopen(tokfile, "w");
	fputs(tok, f);
	fclose(f);
	free(tok);
	snprintf(a, sizeof a, "--url %s --token-file %s", d.url, tokfile);
	term_start(&term, 120, 36, NULL, a);
	term_expect(&term, "globex-console");
	ck_assert_ptr_null(strstr(term.screen, "Sign in to"));
	poll(NULL, 0, 7000); /* the token is no longer taken */
	term_keys(&term, "R", NULL);
	term_expect(&term, "Sign in to http://127.0.0.1");
	term_expect(&term, "invalid token: expired");
	term_expect(&term, "admin@example.com"); /* the token's account, filled in */
	/* cancelled: as it was, and the bottom line says how to sign in */
	term_keys(&term, "Escape", NULL);
	term_expect(&term, "signed out (invalid token: expired)");
	term_expect(&term, ":sign-in");
	term_expect(&term, "globex-console");
	ck_assert_ptr_null(strstr(term.screen, "Sign in to"));
	/* and it does not come back by itself */
	term_keys(&term, "R", NULL);
	poll(NULL, 0, 1000);
	ck_assert_ptr_null(strstr(term_capture(&term), "Sign in to"));

	term_keys(&term, ":", NULL);
	term_type(&term, "sign-in");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Sign in to http://127.0.0.1");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "not the password");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "invalid email or password");
	term_type(&term, "correct horse battery");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "signed in again as admin@example.com");
	ck_assert_ptr_null(strstr(term.screen, "Sign in to"));
	/* the new token writes */
	term_keys(&term, "j", "Enter", NULL);
	term_expect(&term, "Globex Console");
	term_keys(&term, "s", NULL);
	term_type(&term, "globex-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "globex-console: suspended");
	ck_assert_str_eq(testdb_value(pg, "SELECT status FROM tenantry.tenants WHERE "
					  "slug = 'globex-console'"),
			 "suspended");
	term_stop(&term);
	testd_stop(&d);
}
END_TEST

/* The token `login` saved for d, found under state. */
static json_t *
saved_token(const char *state, char path[600])
{
	char pattern[600];
	glob_t g;
	json_t *j;

	snprintf(pattern, 600, "%s/tenantry/token-*.json", state);
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	snprintf(path, 600, "%s", g.gl_pathv[0]);
	globfree(&g);
	ck_assert_ptr_nonnull(j = json_load_file(path, 0, NULL));
	return j;
}

/* A console started with a saved token that has expired asks at once;
 * an account with a second factor is asked for its code; the new token
 * takes the saved one's place. */
START_TEST(test_sign_in_with_second_factor)
{
	struct testd d;
	char state[512], env[600], path[600], a[1024], code[16], body[64];
	char *b32, *raw = NULL;
	size_t rawlen;
	json_t *j;
	FILE *f;

	testd_start(&d, db);
	snprintf(state, sizeof state, "%s/state-%d", getenv("TENANTRY_TEST_TMP"), (int)getpid());
	setenv("XDG_STATE_HOME", state, 1);
	snprintf(path, sizeof path, "%s/admin.pw", getenv("TENANTRY_TEST_TMP"));
	f = fopen(path, "w");
	fputs("correct horse battery\n", f);
	fclose(f);
	ck_assert_int_eq(
	    testcli_run(NULL, NULL,
			(const char *const[]){ "--url", d.url, "login", "admin@example.com",
					       "--password-file", path, NULL }),
	    0);
	j = saved_token(state, path);
	json_object_set_new(j, "expires_at", json_string("2020-01-01T00:00:00Z"));
	ck_assert_int_eq(json_dump_file(j, path, 0), 0);
	json_decref(j);

	/* the account gets a second factor */
	j = testhttp_json(&d.srv, d.token, 200, "POST", "/api/auth/totp", "{}");
	b32 = strdup(json_string_value(json_object_get(j, "secret")));
	json_decref(j);
	ck_assert(oath_init() == OATH_OK);
	ck_assert(oath_base32_decode(b32, strlen(b32), &raw, &rawlen) == OATH_OK);
	ck_assert(oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	json_decref(testhttp_json(&d.srv, d.token, 200, "POST", "/api/auth/totp/confirm", body));

	snprintf(env, sizeof env, "XDG_STATE_HOME=%s", state);
	snprintf(a, sizeof a, "--url %s", d.url);
	term_start(&term, 120, 36, env, a);
	term_expect(&term, "Sign in to http://127.0.0.1");
	term_expect(&term, "admin@example.com"); /* from the saved token */
	term_keys(&term, "Tab", NULL);
	term_type(&term, "correct horse battery");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "a second factor code is required");
	/* the cursor is on the code now */
	ck_assert(oath_totp_generate(raw, rawlen, time(NULL), 30, 0, 6, code) == OATH_OK);
	term_type(&term, code);
	term_keys(&term, "Tab", "Tab", NULL); /* the password was cleared: again */
	term_type(&term, "correct horse battery");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "signed in again as admin@example.com");
	term_expect(&term, "globex-console");
	/* the saved token is the new one */
	j = saved_token(state, path);
	ck_assert_str_ne(json_string_value(json_object_get(j, "expires_at")),
			 "2020-01-01T00:00:00Z");
	json_decref(j);
	free(raw);
	free(b32);
	oath_done();
	term_stop(&term);
	testd_stop(&d);
}
END_TEST

/* Line y of the last capture (from 0) into buf. */
static const char *
line_at(int y, char *buf, size_t size)
{
	const char *l = term.screen, *end;

	for (int i = 0; i < y && l; i++)
		l = (l = strchr(l, '\n')) ? l + 1 : NULL;
	if (!l)
		l = "";
	end = strchr(l, '\n');
	snprintf(buf, size, "%.*s", end ? (int)(end - l) : (int)strlen(l), l);
	return buf;
}

#define LONG_SLUG "northwind-traders-international"

/* At 80x24 every pane keeps a long slug whole, the title the alert count
 * and the hint line `? help` (and `q quit`); the tenant list sizes its
 * columns by what they hold: the slug, then tier and status whole, the
 * name what is left. */
START_TEST(test_layout_80x24)
{
	const char *const panes[] = { "2", "3", "4", "5", "6", "7", "8", "9", "0", "1" };
	struct store *st;
	struct quota_result r;
	struct err e;
	char line[1024];

	make("Northwind Traders International", "boss@northwind.test", "professional");
	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	/* 92 GiB of 100: an alert (storage has no window: api_calls, by the
	 * hour, is back to 0 when the test runs over an hour's end) */
	ck_assert_msg(store_usage_increment(&r, st, LONG_SLUG, "storage_bytes", 92LL << 30, &e)
			  == 0,
		      "%s", e.message);
	store_close(&st);
	start(80, 24, NULL);
	term_expect(&term, "1 alerts");
	term_expect(&term, LONG_SLUG);
	/* the list: slug, tier and status whole on the tenant's row */
	{
		const char *row = strstr(term.screen, LONG_SLUG " ");

		ck_assert_msg(row, "%s", term.screen);
		ck_assert_msg(strstr(row, "professional active"), "%s", term.screen);
		row = strstr(term.screen, "acme-console ");
		ck_assert_msg(row && strstr(row, "professional active"), "%s", term.screen);
	}
	ck_assert_ptr_null(strstr(term.screen, "professio…"));
	term_keys(&term, ":", NULL);
	term_type(&term, "tenant " LONG_SLUG);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Northwind Traders International");
	for (size_t i = 0; i < sizeof panes / sizeof *panes; i++) {
		term_keys(&term, panes[i], NULL);
		poll(NULL, 0, 700);
		term_capture(&term);
		ck_assert_msg(strstr(line_at(0, line, sizeof line), "4 tenants · 1 alerts"),
			      "pane %s, title: %s", panes[i], line);
		/* the tab line: every pane's key, and the tenant's slug whole */
		ck_assert_msg(strstr(line_at(1, line, sizeof line), "▸ " LONG_SLUG),
			      "pane %s, tabs: %s", panes[i], line);
		ck_assert_msg(strstr(line, " 9 ") && strstr(line, " 0 "), "pane %s: %s", panes[i],
			      line);
		line_at(23, line, sizeof line);
		ck_assert_msg(strncmp(line, " ? help", 7) == 0 && strstr(line, "q quit"),
			      "pane %s, hints: %s", panes[i], line);
		ck_assert_msg(!strstr(term.screen, "northwind-traders-inte…")
				  && !strstr(term.screen, "northwind-traders-intern "),
			      "pane %s cuts the slug:\n%s", panes[i], term.screen);
	}
	/* the audit log and the platform's quotas name it whole too */
	term_keys(&term, "7", NULL);
	term_expect(&term, LONG_SLUG " test       tenant.create");
	term_keys(&term, "9", NULL);
	term_expect(&term, " " LONG_SLUG " storage_bytes");
}
END_TEST

/* dev@acme-console.test, a member of acme-console who may invite (an
 * override of the member role). */
static void
member_who_invites(void)
{
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct perm_overrides over = { 0 };
	struct invitation inv;
	struct member m;
	char token[96], user[ID_LEN];
	struct err e;

	ck_assert_msg(store_invitation_create(&inv, token, st, "acme-console",
					      "dev@acme-console.test", ROLE_MEMBER, &e)
			  == 0,
		      "%s", e.message);
	ck_assert_msg(store_invitation_accept(&m, st, token, "Dev", "correct horse battery", &e)
			  == 0,
		      "%s", e.message);
	perm_overrides_set(&over, PERM_INVITATIONS_MANAGE, 1);
	snprintf(user, sizeof user, "%s", m.user_id); /* m is zeroed first */
	ck_assert_msg(store_member_update(&m, st, "acme-console", user, NULL, -1, &over, &e) == 0,
		      "%s", e.message);
	store_close(&st);
}

/* On the console started (on acme-console): view as dev from the users
 * pane; their override lets them invite, and the database agrees; the
 * session and its audit entry name them. */
static void
view_as_dev_and_invite(const char *invitee)
{
	char sql[512];

	term_keys(&term, "3", NULL);
	term_expect(&term, "dev@acme-console.test");
	term_keys(&term, "G", "V", NULL);
	term_expect(&term, "View acme-console as a member");
	term_expect(&term, "dev@acme-console.test");
	term_keys(&term, "Tab", "Tab", NULL);
	term_type(&term, "ticket 4714");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Viewing acme-console as dev@acme-console.test (member; "
			   "+invitations.manage)");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.view_as_sessions WHERE "
					"ended_at IS NULL AND member = 'dev@acme-console.test' "
					"AND permissions = '{\"invitations.manage\": true}'"),
			 1);
	ck_assert_int_eq(testdb_int(pg,
				    "SELECT count(*) FROM tenantry.audit_log WHERE action = "
				    "'support.view_as.start' AND new->>'reason' = "
				    "'ticket 4714' AND new->>'member' = 'dev@acme-console.test'"),
			 1);
	term_keys(&term, "4", "i", NULL);
	term_expect(&term, "Invite someone");
	term_type(&term, invitee);
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Invitation token (shown once)");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM tenantry.invitations WHERE email = '%s'",
		 invitee);
	ck_assert_int_eq(testdb_int(pg, sql), 1);
	term_keys(&term, "Enter", "C-x", NULL);
	term_expect(&term, "back to the staff view");
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.view_as_sessions WHERE "
					"ended_at IS NULL"),
			 0);
}

/* View-as one member: their role and their permission overrides apply,
 * in the console's checks and in the database; viewing as the bare role
 * does not have the override. */
START_TEST(test_view_as_a_member)
{
	member_who_invites();
	start(120, 36, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	view_as_dev_and_invite("via-override@acme-console.test");

	/* the bare role has no such override */
	term_keys(&term, "2", "V", NULL);
	term_expect(&term, "View acme-console as a member");
	term_keys(&term, "Right", "Tab", "Tab", NULL); /* viewer -> member */
	term_type(&term, "ticket 4715");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Viewing acme-console as member (tenant database role)");
	term_keys(&term, "4", "i", NULL);
	term_expect(&term, "a member of acme-console may not do that (invitations.manage)");
	/* someone who is not a member: the form says so */
	term_keys(&term, "C-x", NULL);
	term_expect(&term, "back to the staff view");
	term_keys(&term, ":", NULL);
	term_type(&term, "view-as nobody@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "View acme-console as a member");
	term_keys(&term, "Tab", "Tab", NULL);
	term_type(&term, "ticket 4716");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "nobody@acme-console.test is not a member of acme-console");
}
END_TEST

/* The same over tenantryd: the session names the member, and the server
 * holds the requests made under it to their role and overrides. */
START_TEST(test_view_as_a_member_remote)
{
	struct testd d;

	member_who_invites();
	testd_start(&d, db);
	start_remote(&d, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	view_as_dev_and_invite("remote-override@acme-console.test");
	/* the invitation was made under the session, by the staff member */
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
					"'invitation.create' AND label = "
					"'remote-override@acme-console.test' AND actor = "
					"'admin@example.com'"),
			 1);
	term_stop(&term);
	testd_stop(&d);
}
END_TEST

/* A staff reset mailed from the console: sealed for the mailer, shown to
 * nobody, and journalled as the command that does the same. */
START_TEST(test_reset_mailed)
{
	start(120, 36, NULL);
	term_keys(&term, ":", NULL);
	term_type(&term, "reset-password boss@acme-console.test");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Issue a password reset");
	term_expect(&term, "show the token");
	term_keys(&term, "Tab", "Right", NULL);
	term_expect(&term, "mail a link");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "boss@acme-console.test: a reset link is mailed to the account");
	ck_assert_ptr_null(strstr(term.screen, "shown once"));
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.outbox WHERE type = "
					"'user.password_reset_requested' AND mail_state = "
					"'pending' AND sealed LIKE 'v1:%%'"),
			 1);
	{
		char path[600], text[8192] = "";
		FILE *f;
		size_t n;

		snprintf(path, sizeof path, "%s/.local/state/tenantry/journal", term.home);
		f = fopen(path, "r");
		ck_assert_msg(f, "no journal at %s", path);
		n = fread(text, 1, sizeof text - 1, f);
		text[n] = '\0';
		fclose(f);
		ck_assert_msg(strstr(text, " account reset-password boss@acme-console.test --mail"),
			      "%s", text);
	}
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
	tcase_add_test(tc, test_expired_token_signs_in_again);
	tcase_add_test(tc, test_sign_in_with_second_factor);
	tcase_add_test(tc, test_layout_80x24);
	tcase_add_test(tc, test_view_as_a_member);
	tcase_add_test(tc, test_view_as_a_member_remote);
	tcase_add_test(tc, test_reset_mailed);
	suite_add_tcase(s, tc);
	return s;
}
