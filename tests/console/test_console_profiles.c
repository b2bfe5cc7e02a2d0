/* test_console_profiles.c - the real console in tmux against real
 * databases, for issue 21's profiles and journal: a profile chosen with
 * -p (bad lines of the file reported as file:line), a prod profile's
 * frame and read-only start, `:write REASON` (audited), the slug asked
 * before destructive actions in prod, `:profile NAME` switching database,
 * commands for scripts under -p; and the command journal: a session's
 * actions replayed from the journal with the command line against a
 * fresh database with the same starting data end in the same state. */
#include <check.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"

static char confdir[512], statedir[512], env[1200];

/* Writes the profiles file of the run's own config directory, and points
 * XDG_CONFIG_HOME and XDG_STATE_HOME of this process (for the command
 * line) and of the console (env) at the run's directories. */
static void
write_profiles(const char *text)
{
	char path[700];
	FILE *f;

	snprintf(confdir, sizeof confdir, "%s/conf-%d", getenv("TENANTRY_TEST_TMP"), (int)getpid());
	snprintf(statedir, sizeof statedir, "%s/state-%d", getenv("TENANTRY_TEST_TMP"),
		 (int)getpid());
	mkdir(confdir, 0700);
	snprintf(path, sizeof path, "%s/tenantry", confdir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/tenantry/profiles", confdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	setenv("XDG_CONFIG_HOME", confdir, 1);
	setenv("XDG_STATE_HOME", statedir, 1);
	snprintf(env, sizeof env, "XDG_CONFIG_HOME=%s XDG_STATE_HOME=%s", confdir, statedir);
}

/* A new database; its name stays (testdb_create's is overwritten by the
 * next one, the fixture's db among them, which is kept first). */
static const char *
new_db(void)
{
	static char names[4][64], kept[64];
	static int n;

	if (db != kept) {
		snprintf(kept, sizeof kept, "%s", db);
		db = kept;
	}
	snprintf(names[n % 4], sizeof names[0], "%s", testdb_create());
	return names[n++ % 4];
}

/* A fresh database with the console suites' three tenants. */
static const char *
fresh_db(void)
{
	const char *saved, *other = new_db();

	saved = db;
	db = other;
	make("Acme Console", "boss@acme-console.test", "professional");
	make("Globex Console", "boss@globex-console.test", "basic");
	make("東京 Console", "boss@tokyo-console.test", "enterprise");
	other = db;
	db = saved;
	return other;
}

/* Starting data: a second member of acme-console. */
static void
add_helper(PGconn *c)
{
	testdb_exec(c, "INSERT INTO tenantry.users (email, full_name) VALUES "
		       "('helper@acme-console.test', 'Helper')");
	testdb_exec(c, "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role) SELECT t.id, "
		       "u.id, 'member' FROM tenantry.tenants t, tenantry.users u WHERE t.slug = "
		       "'acme-console' AND u.email = 'helper@acme-console.test'");
}

/* A prod profile: PROD in the title (under NO_COLOR too), read-only until
 * :write REASON, which is audited and shown; destructive actions and a
 * downgrade ask for the slug; :profile switches database; -p works for
 * commands; a bad line of the file is reported as file:line. */
START_TEST(test_profiles_and_prod_safety)
{
	const char *db2 = new_db();
	char text[4096], *out = NULL, *errout = NULL, ci1[1024], ci2[1024];
	PGconn *pg2;

	{
		const char *saved = db;

		db = db2;
		make("Initech Console", "boss@initech-console.test", "basic");
		db = saved;
	}
	snprintf(ci1, sizeof ci1, "%s", testdb_conninfo(db, NULL));
	snprintf(ci2, sizeof ci2, "%s", testdb_conninfo(db2, NULL));
	snprintf(text, sizeof text,
		 "# where tenantry connects\n"
		 "profile live\n"
		 "  db %s\n"
		 "  as platform\n"
		 "  safety prod\n"
		 "  colour red\n"
		 "profile other\n"
		 "  db %s\n"
		 "  as platform\n"
		 "  safety staging\n"
		 "  safety careful\n",
		 ci1, ci2);
	write_profiles(text);

	/* commands for scripts use the profile; bad lines go to stderr */
	ck_assert_int_eq(
	    testcli_run(&out, &errout,
			(const char *const[]){ "-p", "other", "tenants", "list", NULL }),
	    0);
	ck_assert_ptr_nonnull(strstr(out, "initech-console"));
	ck_assert_ptr_null(strstr(out, "acme-console"));
	ck_assert_msg(strstr(errout, "tenantry/profiles:6: unknown setting colour"), "%s", errout);
	ck_assert_msg(strstr(errout, "tenantry/profiles:11: safety: want dev, staging or prod"),
		      "%s", errout);
	free(out);
	free(errout);
	ck_assert_int_eq(
	    testcli_run(NULL, &errout,
			(const char *const[]){ "--profile", "nosuch", "tenants", "list", NULL }),
	    64);
	ck_assert_msg(strstr(errout, "no profile nosuch"), "%s", errout);
	free(errout);

	add_helper(pg);
	snprintf(text, sizeof text, "%s NO_COLOR=1", env);
	term_start(&term, 120, 36, text, "-p live");
	term_expect(&term, "Problems in the configuration files");
	term_expect(&term, "profiles:6: unknown");
	term_expect(&term, "profiles:11: safety");
	term_keys(&term, "Escape", NULL);
	term_expect(&term, "acme-console");
	term_expect(&term, "PROD live");
	term_expect(&term, "[read-only]");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, "s", NULL);
	term_expect(&term, "read-only console: suspend refused");

	term_keys(&term, ":", NULL);
	term_type(&term, "write ticket 4711: rotate keys");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "writes on live allowed: ticket 4711: rotate keys");
	term_expect(&term, "[write: ticket 4711: rotate keys]");
	ck_assert_ptr_null(strstr(term.screen, "[read-only]"));
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.audit_log WHERE action = "
					"'console.write' AND new->>'reason' = 'ticket 4711: rotate "
					"keys' AND new->>'profile' = 'live'"),
			 1);

	/* deactivating a member asks for the slug first */
	term_keys(&term, "3", NULL);
	term_expect(&term, "helper@acme-console.test");
	term_keys(&term, "j", "x", NULL);
	term_expect(&term, "deactivate in acme-console (prod)");
	term_type(&term, "acme");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "type acme-console exactly to confirm");
	ck_assert_str_eq(
	    testdb_value(pg, "SELECT string_agg(active::text, ',' ORDER BY u.email) FROM "
			     "tenantry.tenant_users tu JOIN tenantry.tenants t ON "
			     "t.id = tu.tenant_id JOIN tenantry.users u ON u.id = tu.user_id "
			     "WHERE t.slug = 'acme-console'"),
	    "true,true");
	term_type(&term, "-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "helper@acme-console.test: member, inactive");
	ck_assert_str_eq(
	    testdb_value(pg, "SELECT string_agg(active::text, ',' ORDER BY u.email) FROM "
			     "tenantry.tenant_users tu JOIN tenantry.tenants t ON "
			     "t.id = tu.tenant_id JOIN tenantry.users u ON u.id = tu.user_id "
			     "WHERE t.slug = 'acme-console'"),
	    "true,false");

	/* a downgrade too */
	term_keys(&term, ":", NULL);
	term_type(&term, "tier basic");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "confirm (slug)");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "prod: type acme-console to confirm the downgrade");
	term_type(&term, "acme-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "acme-console: basic");
	ck_assert_str_eq(
	    testdb_value(pg, "SELECT tier FROM tenantry.tenants WHERE slug = 'acme-console'"),
	    "basic");

	/* another profile: another database, its own safety */
	term_keys(&term, ":", NULL);
	term_type(&term, "profile other");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "profile other (staging)");
	term_expect(&term, "initech-console");
	term_expect(&term, "STAGING other");
	ck_assert_msg(!strstr(term.screen, "acme-console"), "%s", term.screen);
	ck_assert_ptr_null(strstr(term.screen, "PROD"));
	/* not read-only: writes go to the other database */
	term_keys(&term, "s", NULL);
	term_type(&term, "initech-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "initech-console: suspended");
	pg2 = testdb_connect(db2, NULL);
	ck_assert_str_eq(testdb_value(pg2, "SELECT status FROM tenantry.tenants"), "suspended");
	PQfinish(pg2);
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
}
END_TEST

/* Tenants, members, invitations and settings of a database, as text. */
static char *
state_of(PGconn *c)
{
	static const char *const sql[] = {
		"SELECT string_agg(slug || ' ' || name || ' ' || tier || ' ' || status, E'\\n' "
		"ORDER BY slug) FROM tenantry.tenants",
		"SELECT string_agg(t.slug || ' ' || u.email || ' ' || tu.role || ' ' || tu.active, "
		"E'\\n' ORDER BY t.slug, u.email) FROM tenantry.tenant_users tu JOIN "
		"tenantry.tenants t ON t.id = tu.tenant_id JOIN tenantry.users u ON u.id = "
		"tu.user_id",
		"SELECT string_agg(t.slug || ' ' || i.email || ' ' || i.role || ' ' || "
		"(i.revoked_at IS NULL), E'\\n' ORDER BY t.slug, i.email) FROM tenantry.invitations "
		"i JOIN tenantry.tenants t ON t.id = i.tenant_id",
		"SELECT string_agg(t.slug || ' ' || s.key || ' ' || s.value::text || ' ' || s.type, "
		"E'\\n' ORDER BY t.slug, s.key) FROM tenantry.tenant_settings s JOIN "
		"tenantry.tenants t ON t.id = s.tenant_id",
		"SELECT string_agg(t.slug || ' ' || q.resource || ' ' || q.quota_limit, E'\\n' ORDER BY "
		"t.slug, q.resource) FROM tenantry.quotas q JOIN tenantry.tenants t ON t.id = "
		"q.tenant_id",
	};
	char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);

	for (size_t k = 0; k < sizeof sql / sizeof *sql; k++)
		fprintf(f, "%s\n--\n", testdb_value(c, sql[k]));
	fclose(f);
	return all;
}

/* A console session's actions, replayed from its journal with the
 * command line against a fresh database with the same starting data,
 * leave that database as the session left the first. */
START_TEST(test_journal_replays_the_session)
{
	char text[4096], path[700], line[4096], bindir[512], cmd[6000];
	const char *db2;
	char *first, *second, *out = NULL;
	struct stat sb;
	PGconn *pg2;
	FILE *f;
	int n = 0;

	snprintf(text, sizeof text, "profile dev\n  db %s\n  as platform\n",
		 testdb_conninfo(db, NULL));
	write_profiles(text);
	add_helper(pg);
	term_start(&term, 120, 40, env, "-p dev");
	term_expect(&term, "acme-console");
	term_expect(&term, "dev");

	/* create a tenant (its first admin is invited) */
	term_keys(&term, "n", NULL);
	term_expect(&term, "New tenant");
	term_type(&term, "Replay Co's");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "boss@replay.test");
	term_keys(&term, "Tab", NULL);
	term_type(&term, "Ann \"Boss\" O'Neil");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "First admin's invitation (shown once)");
	term_keys(&term, "Enter", NULL);
	/* an invitation, and a setting, on acme-console */
	term_keys(&term, ":", NULL);
	term_type(&term, "tenant acme-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Acme Console");
	term_keys(&term, ":", NULL);
	term_type(&term, "invite new.hire@acme-console.test manager");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Invitation token (shown once)");
	term_keys(&term, "Enter", NULL);
	term_keys(&term, "6", "n", NULL);
	term_expect(&term, "Key: a-z 0-9");
	term_type(&term, "welcome.text");
	term_keys(&term, "Tab", "Tab", NULL);
	term_type(&term, "it's $HOME; `date` \"quoted\"");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "saved welcome.text");
	/* a member's role */
	term_keys(&term, "3", NULL);
	term_expect(&term, "helper@acme-console.test");
	term_keys(&term, "j", "c", NULL);
	term_expect(&term, "Role of helper@acme-console.test");
	term_keys(&term, "Right", "Enter", NULL); /* member -> viewer */
	term_expect(&term, "helper@acme-console.test: viewer, active");
	/* a quota limit */
	term_keys(&term, "5", NULL);
	term_expect(&term, "USED / LIMIT");
	term_keys(&term, "e", NULL);
	term_expect(&term, "limit");
	for (int k = 0; k < 24; k++)
		term_keys(&term, "BSpace", NULL);
	term_type(&term, "42");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "limit set to 42");
	/* suspend and resume globex-console, and suspend acme-console */
	term_keys(&term, ":", NULL);
	term_type(&term, "tenant globex-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "▸ globex-console");
	term_keys(&term, ":", NULL);
	term_type(&term, "suspend");
	term_keys(&term, "Enter", NULL);
	term_type(&term, "globex-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "globex-console: suspended");
	term_keys(&term, ":", NULL);
	term_type(&term, "resume");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "globex-console: active");
	/* a failed action is recorded with its error */
	term_keys(&term, ":", NULL);
	term_type(&term, "invite nobody admin");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "email");

	/* :journal shows it, newest first */
	term_keys(&term, ":", NULL);
	term_type(&term, "journal");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "Journal, newest first");
	term_expect(&term, "tenantry -p dev tenants resume globex-console");
	ck_assert_msg(strstr(term.screen, "tenants resume globex-console")
			  < strstr(term.screen, "tenants suspend globex-console"),
		      "%s", term.screen);
	term_keys(&term, "Enter", NULL);
	term_wait_gone(&term, "Journal, newest first", 5000);
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");

	/* the journal: private, one command line an action, with its outcome */
	snprintf(path, sizeof path, "%s/tenantry", statedir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/tenantry/journal", statedir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);

	first = state_of(pg);
	db2 = fresh_db();
	pg2 = testdb_connect(db2, NULL);
	add_helper(pg2);
	second = state_of(pg2);
	ck_assert_str_ne(first, second);
	free(second);
	/* the same profile name, on the fresh database */
	snprintf(text, sizeof text, "profile dev\n  db %s\n  as platform\n",
		 testdb_conninfo(db2, NULL));
	write_profiles(text);
	snprintf(bindir, sizeof bindir, "%s", getenv("TENANTRY_BIN"));
	dirname(bindir); /* in place: the directory of the tenantry under test */
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		ck_assert_msg(strncmp(line, "tenantry -p dev ", 16) == 0, "%s", line);
		ck_assert_msg(strstr(line, "  # 20") && strstr(line, "Z dev "), "%s", line);
		if (!strstr(line, "Z dev ok")) {
			ck_assert_msg(strstr(line, "invite globex-console nobody admin  #")
					  && strstr(line, "Z dev error: "),
				      "%s", line);
			continue;
		}
		/* pasted into a shell as it is */
		snprintf(cmd, sizeof cmd, "PATH=%s:$PATH; exec >/dev/null 2>&1; %s", bindir, line);
		ck_assert_msg(system(cmd) == 0, "replaying %s", line);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 7);
	second = state_of(pg2);
	ck_assert_str_eq(first, second);
	ck_assert_ptr_nonnull(strstr(first, "replay-co-s Replay Co's"));
	ck_assert_ptr_nonnull(strstr(first, "welcome.text"));
	ck_assert_ptr_nonnull(strstr(first, "globex-console Globex Console basic active"));
	free(first);
	free(second);
	free(out);
	PQfinish(pg2);
}
END_TEST

/* A profile on a tenantryd (url and token-file) and one on a database:
 * :profile goes from one to the other and back, and the journal names
 * the profile in use. */
START_TEST(test_profile_switch_remote)
{
	struct testd d;
	char text[4096], tokfile[600], ci[1024], path[700], *journal;
	const char *db2 = new_db();
	FILE *f;

	{
		const char *saved = db;

		db = db2;
		make("Initech Console", "boss@initech-console.test", "basic");
		db = saved;
	}
	testd_start(&d, db);
	snprintf(tokfile, sizeof tokfile, "%s/profile-token-%d", getenv("TENANTRY_TEST_TMP"),
		 (int)getpid());
	ck_assert_ptr_nonnull(f = fopen(tokfile, "w"));
	fputs(d.token, f);
	fclose(f);
	snprintf(ci, sizeof ci, "%s", testdb_conninfo(db2, NULL));
	snprintf(text, sizeof text,
		 "profile remote\n  url %s\n  token-file %s\n  safety staging\n"
		 "profile local\n  db %s\n  as platform\n",
		 d.url, tokfile, ci);
	write_profiles(text);
	term_start(&term, 120, 36, env, "-p remote");
	term_expect(&term, "globex-console");
	term_expect(&term, "STAGING remote");
	term_keys(&term, ":", NULL);
	term_type(&term, "profile local");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "profile local (dev)");
	term_expect(&term, "initech-console");
	ck_assert_ptr_null(strstr(term.screen, "globex-console"));
	ck_assert_ptr_null(strstr(term.screen, "STAGING"));
	term_keys(&term, ":", NULL);
	term_type(&term, "profile remote");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "profile remote (staging)");
	term_expect(&term, "globex-console");
	/* a write through the server, journalled under the profile */
	term_keys(&term, "s", NULL);
	term_type(&term, "acme-console");
	term_keys(&term, "Enter", NULL);
	term_expect(&term, "acme-console: suspended");
	ck_assert_str_eq(
	    testdb_value(pg, "SELECT status FROM tenantry.tenants WHERE slug = 'acme-console'"),
	    "suspended");
	term_keys(&term, "q", NULL);
	term_expect(&term, "console exited 0");
	snprintf(path, sizeof path, "%s/tenantry/journal", statedir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	journal = calloc(1, 4096);
	ck_assert_uint_gt(fread(journal, 1, 4095, f), 0);
	fclose(f);
	ck_assert_msg(strstr(journal, "tenantry -p remote tenants suspend acme-console  # "), "%s",
		      journal);
	ck_assert_msg(strstr(journal, "Z remote ok"), "%s", journal);
	free(journal);
	testd_stop(&d);
}
END_TEST

Suite *
suite_console_profiles(void)
{
	Suite *s = suite_create("console_profiles");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_profiles_and_prod_safety);
	tcase_add_test(tc, test_journal_replays_the_session);
	tcase_add_test(tc, test_profile_switch_remote);
	suite_add_tcase(s, tc);
	return s;
}
