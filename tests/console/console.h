/* console.h - the fixture of the console suites (test_console.c,
 * test_console_db.c): a fresh database with three tenants (acme-console,
 * globex-console, 東京 Console), a superuser connection to it, and the real
 * console started in tmux on it. Each suite that includes it has a fixture
 * of its own. */
#ifndef TENANTRY_TEST_CONSOLE_H
#define TENANTRY_TEST_CONSOLE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/term.h"
#include "testlib.h"

/* The test's database, the console's arguments on it (superuser, platform
 * role), the console's terminal, and a superuser connection. */
static const char *db;
static char args[2048];
static struct term term;
static PGconn *pg;

static inline void
make(const char *name, const char *email, const char *tier)
{
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct tenant_new n = { .name = name, .admin_email = email, .tier = tier };
	struct tenant t;
	struct err e;

	ck_assert_msg(testtenant_create(&t, st, &n, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	store_close(&st);
}

static inline void
setup(void)
{
	db = testdb_create();
	make("Acme Console", "boss@acme-console.test", "professional");
	make("Globex Console", "boss@globex-console.test", "basic");
	make("東京 Console", "boss@tokyo-console.test", "enterprise");
	snprintf(args, sizeof args, "--db '%s' --as platform", testdb_conninfo(db, NULL));
	pg = testdb_connect(db, NULL);
	memset(&term, 0, sizeof term);
}

static inline void
teardown(void)
{
	term_stop(&term);
	PQfinish(pg);
}

static inline void
start(int w, int h, const char *extra)
{
	char a[4096];

	snprintf(a, sizeof a, "%s %s", args, extra ? extra : "");
	term_start(&term, w, h, NULL, a);
	term_expect(&term, "acme-console");
}

/* The console at 120x36 over d (a real tenantryd), its staff token in a
 * file, with extra arguments (may be NULL). */
static inline void
start_remote(const struct testd *d, const char *extra)
{
	char tokfile[600], a[2048];
	FILE *f;

	snprintf(tokfile, sizeof tokfile, "%s/console-token-%d", getenv("TENANTRY_TEST_TMP"),
		 (int)getpid());
	f = fopen(tokfile, "w");
	ck_assert_ptr_nonnull(f);
	fputs(d->token, f);
	fclose(f);
	snprintf(a, sizeof a, "--url %s --token-file %s %s", d->url, tokfile, extra ? extra : "");
	term_start(&term, 120, 36, NULL, a);
}

#endif
