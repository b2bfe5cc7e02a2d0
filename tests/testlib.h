/* testlib.h - helpers for suites that need the real servers started by
 * tests/run.sh: fresh databases copied from the migrated template, libpq
 * connections as a given role, and running the real tenantry binary. */
#ifndef TENANTRY_TESTLIB_H
#define TENANTRY_TESTLIB_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Creates a fresh database from tenantry_template; returns its name
 * (static buffer, valid until the next call). Aborts the test on failure. */
const char *testdb_create(void);

/* Conninfo for database db as user (NULL = "postgres", the superuser),
 * in a static buffer. */
const char *testdb_conninfo(const char *db, const char *user);

/* Connects or fails the test. */
PGconn *testdb_connect(const char *db, const char *user);

/* Runs sql (no parameters) and fails the test unless it succeeds. */
void testdb_exec(PGconn *c, const char *sql);

/* Runs sql and returns the SQLSTATE of the error, or "" on success
 * (static buffer). */
const char *testdb_sqlstate(PGconn *c, const char *sql);

/* First column of the first row as text (static buffer), or NULL. */
const char *testdb_value(PGconn *c, const char *sql);

/* Runs the tenantry binary with argv (NULL-terminated, without argv[0]),
 * capturing stdout and stderr into malloc'd strings (may be NULL).
 * Returns the exit status, or -1 when it could not run. */
int testcli_run(char **out, char **errout, const char *const argv[]);

/* Superuser role: creates a login role `name` that is a member of group. */
void testdb_login_role(const char *db, const char *name, const char *group);

#endif
