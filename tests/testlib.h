/* testlib.h - helpers for suites that need the real servers started by
 * tests/run.sh: fresh databases copied from the migrated template, libpq
 * connections as a given role, and running the real tenantry binary
 * (testlib.c); a real tenantryd and HTTP requests to it (testsrv.c). */
#ifndef TENANTRY_TESTLIB_H
#define TENANTRY_TESTLIB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

#include "store/secret.h"
#include "store/store.h"

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

/* printf-style variants: run, first value as a number (fails the test
 * when there is none), SQLSTATE of the error or "". */
void testdb_execf(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
long long testdb_int(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *testdb_statef(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rows of tenant_terms that differ (either way, duplicates counted) from
 * what its trigger writes for the tenants now: 0 when it is in step. */
long long testdb_terms_drift(PGconn *c);

/* Collects NOTIFY payloads on c until `want` arrived or timeout_ms passed;
 * returns how many arrived (payloads beyond max are counted, not kept). */
int testdb_notifies(PGconn *c, char payloads[][128], int max, int want, int timeout_ms);

/* A store on database db as user (NULL = superuser) with the given role,
 * tenant (may be NULL) and actor "test"; fails the test on error. */
struct store *
teststore_open(const char *db, const char *user, enum store_role role, const char *tenant);

/* store_tenant_create, then its first admin accepts the invitation with
 * the password TESTLIB_PASSWORD (an existing account consents with it), so
 * the tenant has its admin member as fixtures expect. Returns as
 * store_tenant_create; the acceptance must succeed or the test fails. */
#define TESTLIB_PASSWORD "correct horse battery"
int
testtenant_create(struct tenant *out, struct store *st, const struct tenant_new *n, struct err *e);

/* audit_verify_all's verdicts, in the order they came (test_chains as the
 * callback; more than 8 chains fails the test). */
struct test_chains {
	int n;
	char id[8][ID_LEN];
	struct audit_verdict v[8];
};
int test_chains(void *arg, const char *tenant_id, const struct audit_verdict *v);
/* The verdict of tenant_id's chain; fails the test when it was not seen. */
const struct audit_verdict *test_chain_of(const struct test_chains *s, const char *id);

/* ---- small things several suites need ---------------------------------------- */

/* The environment variable name, or dflt when it is unset or empty. */
const char *test_env(const char *name, const char *dflt);

/* A TCP connection to 127.0.0.1:port, or the test fails. */
int testnet_connect(int port);
/* Opens an audit stream on 127.0.0.1:port: GET path as token, with
 * Last-Event-ID when last_id is not NULL. The connection, or the test
 * fails. */
int testsse_open(int port, const char *path, const char *token, const char *last_id);
/* Milliseconds since t0 (CLOCK_MONOTONIC). */
long test_ms_since(const struct timespec *t0);
/* How often needle stands in hay (overlapping ones counted). */
int test_count(const char *hay, const char *needle);
/* Returns when the next hour (UTC) is at least seconds away, waiting past
 * it when it is nearer: a test whose hourly (api_calls) or daily
 * (invitations) quota must not start a new window before it ends. */
void test_clear_of_hour(int seconds);

/* ---- a cluster of its own -------------------------------------------------- */

/* A private PostgreSQL cluster under the run's temporary directory, for
 * tests that stop and start the database under a running client. */
struct testcluster {
	char dir[256];
	int port;
	char conninfo[512]; /* superuser, database postgres */
	bool migrated;
	bool fsync; /* durability under test: fsync on */
};

/* Starts the cluster NAME (again, on the same port, after a stop) and
 * migrates it the first time; fails the test otherwise. */
void testcluster_start(struct testcluster *c, const char *name);
/* Stops it (fast shutdown); fails the test when pg.sh fails. */
void testcluster_stop(struct testcluster *c);
/* Stops it as a crash would (immediate shutdown: no checkpoint, sessions
 * cut); the next start recovers from the WAL. */
void testcluster_crash(struct testcluster *c);

/* ---- tenantryd (testsrv.c) ------------------------------------------------ */

/* A real tenantryd (TENANTRY_SERVER_BIN) on database db, on a free loopback
 * port, with a fresh HS256 secret and the run's master key. */
struct testsrv {
	int pid;
	int port;
	char url[64];
	char db[256];
	char secret_file[256];
	char log_file[256];
};

/* db is a database of the run's cluster or a conninfo without a user
 * (its own cluster). Starts the server with extra options (NULL-terminated, may be NULL) and
 * waits until /healthz answers; fails the test otherwise. */
void testsrv_start(struct testsrv *s, const char *db, const char *const extra[]);
/* Stops it (SIGTERM, then waits up to 5 s, then SIGKILL): its exit status,
 * -1 when it had to be killed or died of a signal. */
int testsrv_stop(struct testsrv *s);

/* One HTTP request. path is appended to the server's URL; token (may be
 * NULL) is sent as a bearer credential; headers are extra "Name: value"
 * lines (NULL-terminated, may be NULL). Returns the status; *out gets the
 * body (malloc'd, may be NULL) and *hdrs the response headers. */
int testhttp(const struct testsrv *s, const char *method, const char *path, const char *token,
	     const char *body, char **out);
int testhttp_full(const struct testsrv *s, const char *method, const char *path, const char *token,
		  const char *const headers[], const char *body, size_t body_len, char **out,
		  char **hdrs);

/* Creates (or resets) a staff account with the given role and password
 * "correct horse battery", then logs in; returns the token (malloc'd). */
char *testsrv_staff_token(const struct testsrv *s, const char *email, const char *staff_role);
/* One request as token with an optional Idempotency-Key (NULL: none):
 * the status, *out the body (malloc'd, may be NULL) and *replayed (may be
 * NULL) whether tenantryd answered with a kept answer. */
int testhttp_key(const struct testsrv *s, const char *token, const char *method, const char *path,
		 const char *body, const char *key, char **out, bool *replayed);
/* One request as token that must answer want (else the test fails): the
 * reply's JSON (a new reference, NULL for no body). */
json_t *testhttp_json(const struct testsrv *s, const char *token, int want, const char *method,
		      const char *path, const char *body);
/* Creates an enterprise tenant over the API as token (a staff member's);
 * its id in id, or the test fails. */
void testsrv_tenant(const struct testsrv *s, const char *token, char id[ID_LEN], const char *name,
		    const char *email);
/* Logs in over the API; returns the token (malloc'd) or NULL on failure. */
char *
testsrv_login(const struct testsrv *s, const char *email, const char *password, const char *tenant);

/* ---- a real tenantryd (testsrv.c) ----------------------------------------- */

/* tenantryd serving database db (as tenantry_app) on a free loopback port,
 * with a staff account admin@example.com (platform_admin) whose token is
 * in token. */
struct testd {
	struct testsrv srv;
	int pid;
	char url[64];
	char db[64];
	char token[2048];
	char log[256]; /* the server's stderr */
};

/* Starts tenantryd on db and signs the staff account in; fails the test
 * when it does not come up. The server dies with the test's process. */
void testd_start(struct testd *d, const char *db);
/* Stops it (SIGTERM, then waits); accepts a stopped one. */
void testd_stop(struct testd *d);
/* A REST store on d with its staff token (NULL = d->token), the given
 * role and tenant (may be NULL); fails the test on error. */
struct store *
testd_store(const struct testd *d, const char *token, enum store_role role, const char *tenant);

#endif
