/* test_console_db.c - the real console in tmux when its database fails
 * under it: a restart mid-session (reconnecting, then the audit it missed),
 * an idle console whose database is killed, and a save whose commit was
 * cut (outcome unknown). */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console.h"

/* The database goes away mid-session: "reconnecting…", then the console
 * carries on by itself and the audit it missed shows up. */
START_TEST(test_database_restart)
{
	struct testcluster pgc = { 0 };
	const char *conninfo;
	char a[1024];
	struct store *st;
	struct err e;

	testcluster_start(&pgc, "console-pg");
	conninfo = pgc.conninfo;
	ck_assert_int_eq(
	    testcli_run(NULL, NULL,
			(const char *const[]){ "--db", conninfo, "tenants", "create", "--name",
					       "Restart Corp", "--admin-email", "boss@restart.test",
					       "--tier", "basic", NULL }),
	    0);
	snprintf(a, sizeof a, "--db '%s' --as platform", conninfo);
	term_start(&term, 120, 36, NULL, a);
	term_expect(&term, "restart-corp");

	testcluster_stop(&pgc);
	term_keys(&term, "R", NULL);
	term_expect(&term, "reconnecting");
	testcluster_start(&pgc, "console-pg");
	ck_assert_msg(term_wait_gone(&term, "reconnecting", 15000), "%s", term.screen);
	term_expect(&term, "restart-corp");
	{
		struct store_config cfg = { .conninfo = conninfo };
		struct store_context ctx = { .role = STORE_ROLE_PLATFORM, .actor = "test" };

		ck_assert(store_open(&st, &cfg, &e) == 0);
		ck_assert(store_set_context(st, &ctx, &e) == 0);
		ck_assert_msg(
		    store_audit_event(st, "restart-corp", "test.after_restart", "x", "y", NULL, &e)
			== 0,
		    "%s", e.message);
		store_close(&st);
	}
	ck_assert_msg(term_wait(&term, "test.after_restart", 15000), "%s", term.screen);
	term_stop(&term);
	testcluster_stop(&pgc);
}
END_TEST

/* An idle console, the database killed at once: "reconnecting…" within
 * two seconds with no key pressed, no library message over the screen,
 * and the console carries on when the database is back. */
START_TEST(test_idle_connection_lost)
{
	struct testcluster pgc = { 0 };
	char a[1024];
	struct timespec t0, t1;
	long ms;

	testcluster_start(&pgc, "console-idle");
	ck_assert_int_eq(
	    testcli_run(NULL, NULL,
			(const char *const[]){ "--db", pgc.conninfo, "tenants", "create", "--name",
					       "Idle Corp", "--admin-email", "boss@idle.test",
					       "--tier", "basic", NULL }),
	    0);
	snprintf(a, sizeof a, "--db '%s' --as platform", pgc.conninfo);
	term_start(&term, 120, 36, NULL, a);
	term_expect(&term, "idle-corp");
	poll(NULL, 0, 1500); /* idle */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	testcluster_crash(&pgc);
	ck_assert_msg(term_wait(&term, "reconnecting", 4000), "%s", term.screen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_msg(ms <= 2500, "noticed after %ld ms", ms);
	poll(NULL, 0, 500);
	term_capture(&term);
	ck_assert_msg(!strstr(term.screen, "WARNING") && !strstr(term.screen, "terminating")
			  && !strstr(term.screen, "server closed"),
		      "%s", term.screen);
	testcluster_start(&pgc, "console-idle");
	ck_assert_msg(term_wait_gone(&term, "reconnecting", 15000), "%s", term.screen);
	term_expect(&term, "idle-corp");
	term_stop(&term);
	testcluster_stop(&pgc);
}
END_TEST

/* A save whose commit was cut: the form says the outcome is unknown and
 * the pane behind is read again; nothing pretends it was saved. */
START_TEST(test_save_outcome_unknown)
{
	testdb_exec(pg, "CREATE FUNCTION tenantry.test_sleep() RETURNS trigger LANGUAGE plpgsql "
			"AS $$ BEGIN IF NEW.key LIKE 'slow-%' THEN PERFORM pg_sleep(3); END IF; "
			"RETURN NULL; END $$");
	testdb_exec(pg, "CREATE CONSTRAINT TRIGGER test_sleep AFTER INSERT OR UPDATE ON "
			"tenantry.tenant_settings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
			"EXECUTE FUNCTION tenantry.test_sleep()");
	start(120, 36, "--tenant acme-console");
	term_expect(&term, "Acme Console");
	term_keys(&term, "6", "n", NULL);
	term_expect(&term, "Key: a-z 0-9");
	term_type(&term, "slow-console");
	term_keys(&term, "Tab", "Tab", NULL);
	term_type(&term, "v");
	term_keys(&term, "Enter", NULL);
	for (int i = 0; i < 100
			&& testdb_int(pg, "SELECT count(pg_terminate_backend(pid)) FROM "
					  "pg_stat_activity WHERE wait_event = 'PgSleep' "
					  "AND pid <> pg_backend_pid()")
			       == 0;
	     i++)
		poll(NULL, 0, 50);
	term_expect(&term, "outcome unknown");
	ck_assert_ptr_null(strstr(term.screen, "saved slow-console"));
	ck_assert_int_eq(testdb_int(pg, "SELECT count(*) FROM tenantry.tenant_settings "
					"WHERE key = 'slow-console'"),
			 0);
}
END_TEST

Suite *
suite_console_db(void)
{
	Suite *s = suite_create("console_db");
	TCase *tc = tcase_create("tmux");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_database_restart);
	tcase_add_test(tc, test_idle_connection_lost);
	tcase_add_test(tc, test_save_outcome_unknown);
	suite_add_tcase(s, tc);
	return s;
}
