/* test_profile.c - the profiles file parser and the journal's shell
 * quoting and lines. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/journal.h"
#include "tui/profile.h"

static char reports[4096];

static void
collect(void *ctx, const char *message)
{
	(void)ctx;
	snprintf(reports + strlen(reports), sizeof reports - strlen(reports), "%s\n", message);
}

START_TEST(test_profile_bad_lines)
{
	reports[0] = '\0';
	ck_assert_int_eq(profile_load_string("p", NULL, collect, NULL), 0);
	ck_assert_ptr_null(profile_find(NULL));
	ck_assert_ptr_null(profile_find("x"));
	ck_assert_int_eq(profile_load_string("p",
					     "db dbname=orphan\n"        /* 1: outside a block */
					     "profile\n"                 /* 2: no name */
					     "  safety prod\n"           /* 3: skipped with it */
					     "profile a b\n"             /* 4: two names */
					     "profile ok\n"              /* 5 */
					     "  db dbname=x  host=h  \n" /* 6 */
					     "  url http://x\n"          /* 7: both */
					     "  safety careful\n"        /* 8 */
					     "  as root\n"               /* 9 */
					     "  colour red\n"            /* 10 */
					     "  theme\n"                 /* 11: no value */
					     "profile ok\n"              /* 12: twice */
					     "  safety prod\n"           /* 13: skipped */
					     "profile p/2\n",            /* 14: bad name */
					     collect, NULL),
			 10);
	ck_assert_msg(strstr(reports, "p:1: db outside a profile"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:2: want `profile NAME`"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:4: want"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:7: profile ok has both db and url"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:8: safety: want dev, staging or prod, not careful"), "%s",
		      reports);
	ck_assert_msg(strstr(reports, "p:9: as: want"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:10: unknown setting colour"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:11: theme needs a value"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:12: profile ok is defined twice"), "%s", reports);
	ck_assert_msg(strstr(reports, "p:14: want"), "%s", reports);
	ck_assert_ptr_null(strstr(reports, "p:3:"));
	ck_assert_ptr_null(strstr(reports, "p:13:"));
	/* what was good stays */
	ck_assert_ptr_nonnull(profile_find("ok"));
	ck_assert_str_eq(profile_find("ok")->db, "dbname=x  host=h");
	ck_assert_ptr_null(profile_find("ok")->url);
	ck_assert_int_eq(profile_find("ok")->safety, PROFILE_DEV);
	profile_free_all();
}
END_TEST

START_TEST(test_profile_blocks)
{
	const char *names[4];

	reports[0] = '\0';
	ck_assert_int_eq(profile_load_string("p",
					     "# comment\n\n"
					     "profile live\r\n"
					     "  db host=db dbname=t\n"
					     "  as platform\n"
					     "  safety prod\n"
					     "profile stage\n"
					     "\turl https://x.example\n"
					     "\trole support\n"
					     "\ttheme light\n"
					     "\ttoken-file /t\n"
					     "\tsafety staging\n",
					     collect, NULL),
			 0);
	ck_assert_str_eq(reports, "");
	ck_assert_int_eq(profile_names(names, 4), 2);
	ck_assert_str_eq(names[0], "live");
	ck_assert_str_eq(profile_find("live")->db, "host=db dbname=t");
	ck_assert_str_eq(profile_find("live")->as, "platform");
	ck_assert_int_eq(profile_find("live")->safety, PROFILE_PROD);
	ck_assert_str_eq(profile_find("stage")->url, "https://x.example");
	ck_assert_str_eq(profile_find("stage")->as, "support");
	ck_assert_str_eq(profile_find("stage")->theme, "light");
	ck_assert_str_eq(profile_find("stage")->token_file, "/t");
	ck_assert_int_eq(profile_find("stage")->safety, PROFILE_STAGING);
	ck_assert_str_eq(profile_safety_name(PROFILE_PROD), "prod");
	ck_assert_str_eq(profile_safety_name(PROFILE_SAFETY_COUNT), "?");
	/* loading again replaces */
	profile_load_string("p", "profile other\n", collect, NULL);
	ck_assert_ptr_null(profile_find("live"));
	ck_assert_ptr_nonnull(profile_find("other"));
	profile_free_all();
}
END_TEST

START_TEST(test_journal_quoting)
{
	char *line = NULL;

	journal_add_word(&line, "tenantry");
	journal_add_word(&line, "acme-1");
	journal_add_word(&line, "a@b.test");
	journal_add_word(&line, "");
	journal_add_word(&line, "it's $HOME `x` \"q\"");
	journal_add_word(&line, "=x");
	journal_add_raw(&line, "\"$V\"");
	ck_assert_str_eq(line,
			 "tenantry acme-1 a@b.test '' 'it'\\''s $HOME `x` \"q\"' '=x' \"$V\"");
	free(line);
}
END_TEST

START_TEST(test_journal_lines)
{
	char dir[256], path[600];
	struct stat sb;
	char *text;

	snprintf(dir, sizeof dir, "/tmp/tenantry-journal-%d", (int)getpid());
	setenv("XDG_STATE_HOME", dir, 1);
	ck_assert_ptr_null(journal_tail(10));
	ck_assert_int_eq(journal_append("tenantry a\ntenantry b", "live", "ok"), 0);
	ck_assert_int_eq(journal_append("tenantry c", NULL, "error: no\nsuch\ttenant"), 0);
	ck_assert_int_eq(journal_append("", "live", "write: why"), 0);
	ck_assert_int_eq(journal_path(path, sizeof path), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	text = journal_tail(100);
	ck_assert_ptr_nonnull(strstr(text, "tenantry a  # 20"));
	ck_assert_ptr_nonnull(strstr(text, "Z live ok\ntenantry b  # 20"));
	ck_assert_ptr_nonnull(strstr(text, "Z - error: no such tenant\n# 20"));
	ck_assert_ptr_nonnull(strstr(text, "Z live write: why\n"));
	free(text);
	text = journal_tail(1);
	ck_assert_msg(strncmp(text, "# 20", 4) == 0 && !strchr(text, '\n')[1], "%s", text);
	free(text);
	unlink(path);
	snprintf(path, sizeof path, "%s/tenantry", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	rmdir(path);
	rmdir(dir);
	unsetenv("XDG_STATE_HOME");
}
END_TEST

Suite *
suite_profile(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, test_profile_bad_lines);
	tcase_add_test(tc, test_profile_blocks);
	tcase_add_test(tc, test_journal_quoting);
	tcase_add_test(tc, test_journal_lines);
	suite_add_tcase(s, tc);
	return s;
}
