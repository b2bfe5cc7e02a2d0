/* testlib.c - see testlib.h */
#include "testlib.h"
#include "store/remote.h"

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *testdb_conninfo(const char *db, const char *user)
{
	static char buf[512];
	snprintf(buf, sizeof buf, "host=%s port=%s dbname=%s user=%s",
		 env_or("TENANTRY_TEST_HOST", "/tmp"),
		 env_or("TENANTRY_TEST_PORT", "5432"), db,
		 user ? user : "postgres");
	return buf;
}

PGconn *testdb_connect(const char *db, const char *user)
{
	PGconn *c = PQconnectdb(testdb_conninfo(db, user));
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect %s as %s: %s", db,
		      user ? user : "postgres", PQerrorMessage(c));
	return c;
}

const char *testdb_create(void)
{
	static char name[64];
	static unsigned counter;
	snprintf(name, sizeof name, "t_%d_%u", (int)getpid(), counter++);
	PGconn *c = testdb_connect("postgres", NULL);
	char sql[160];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE tenantry_template",
		 name);
	testdb_exec(c, sql);
	PQfinish(c);
	return name;
}

void testdb_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

const char *testdb_sqlstate(PGconn *c, const char *sql)
{
	static char state[6];
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	state[0] = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(state, sizeof state, "%s", s ? s : "?????");
	}
	PQclear(r);
	return state;
}

const char *testdb_value(PGconn *c, const char *sql)
{
	static char buf[4096];
	PGresult *r = PQexec(c, sql);
	const char *out = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    !PQgetisnull(r, 0, 0)) {
		snprintf(buf, sizeof buf, "%s", PQgetvalue(r, 0, 0));
		out = buf;
	}
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQresultErrorMessage(r));
	PQclear(r);
	return out;
}

void testdb_login_role(const char *db, const char *name, const char *group)
{
	PGconn *c = testdb_connect(db, NULL);
	char sql[256];
	snprintf(sql, sizeof sql,
		 "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='%s') "
		 "THEN CREATE ROLE %s LOGIN; END IF; END$$",
		 name, name);
	testdb_exec(c, sql);
	snprintf(sql, sizeof sql, "GRANT %s TO %s", group, name);
	testdb_exec(c, sql);
	PQfinish(c);
}

static char *slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

int testcli_run(char **out, char **errout, const char *const argv[])
{
	char tmpl_o[] = "/tmp/tenantry-cli-outXXXXXX";
	char tmpl_e[] = "/tmp/tenantry-cli-errXXXXXX";
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e);
	if (fo < 0 || fe < 0)
		return -1;
	unlink(tmpl_o);
	unlink(tmpl_e);
	const char *bin = env_or("TENANTRY_BIN", "build/tenantry");
	pid_t pid = fork();
	if (pid == 0) {
		const char *args[64];
		int i = 0;
		args[i++] = bin;
		for (; argv[i - 1] && i < 63; i++)
			args[i] = argv[i - 1];
		args[i] = NULL;
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(bin, (char *const *)args);
		_exit(127);
	}
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	lseek(fo, 0, SEEK_SET);
	lseek(fe, 0, SEEK_SET);
	if (out)
		*out = slurp_fd(fo);
	if (errout)
		*errout = slurp_fd(fe);
	close(fo);
	close(fe);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *vformat(const char *fmt, va_list ap)
{
	static char sql[4096];
	vsnprintf(sql, sizeof sql, fmt, ap);
	return sql;
}

void testdb_execf(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	testdb_exec(c, vformat(fmt, ap));
	va_end(ap);
}

long long testdb_int(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	const char *sql, *v;
	va_start(ap, fmt);
	sql = vformat(fmt, ap);
	va_end(ap);
	v = testdb_value(c, sql);
	ck_assert_msg(v != NULL, "no value: %s", sql);
	return strtoll(v, NULL, 10);
}

const char *testdb_statef(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	const char *s;
	va_start(ap, fmt);
	s = testdb_sqlstate(c, vformat(fmt, ap));
	va_end(ap);
	return s;
}

int testdb_notifies(PGconn *c, char payloads[][128], int max, int want,
		    int timeout_ms)
{
	struct timespec t0, now;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		PGnotify *nt;
		long waited;
		struct pollfd p = { .fd = PQsocket(c), .events = POLLIN };

		ck_assert_int_eq(PQconsumeInput(c), 1);
		while ((nt = PQnotifies(c))) {
			if (n < max)
				snprintf(payloads[n], 128, "%s", nt->extra);
			n++;
			PQfreemem(nt);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - t0.tv_sec) * 1000
			 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (n >= want || waited >= timeout_ms)
			return n;
		poll(&p, 1, (int)(timeout_ms - waited));
	}
}

struct store *teststore_open(const char *db, const char *user,
			     enum store_role role, const char *tenant)
{
	char conninfo[512];
	struct store_config cfg = { 0 };
	struct store_context ctx = { .role = role, .actor = "test",
				     .actor_kind = "staff" };
	struct store *st = NULL;
	struct err e = { 0 };

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, user));
	cfg.conninfo = conninfo;
	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "store_open: %s", e.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	ck_assert_msg(st->ops->set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}

/* ---- a real tenantryd ----------------------------------------------------- */

#define TESTD_STAFF "admin@example.com"
#define TESTD_PASSWORD "correct horse battery"

/* A file under the run's temporary directory, created once. */
static const char *test_file(const char *name, const char *content)
{
	static char path[3][512];
	static int next;
	char *p = path[next++ % 3];
	FILE *f;

	snprintf(p, 512, "%s/%s", env_or("TENANTRY_TEST_TMP", "/tmp"), name);
	if (access(p, R_OK) != 0) {
		f = fopen(p, "w");
		ck_assert_msg(f != NULL, "cannot write %s", p);
		fputs(content, f);
		fclose(f);
		chmod(p, 0600);
	}
	return p;
}

static const char *tenantryd_bin(void)
{
	static char bin[512];
	const char *cli = env_or("TENANTRY_BIN", "build/tenantry");

	snprintf(bin, sizeof bin, "%sd", cli);
	return bin;
}

static int read_port(const char *path, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		FILE *f = fopen(path, "r");
		int port = 0;

		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port > 0)
			return port;
		poll(NULL, 0, 20);
	}
	return -1;
}

static void testd_staff(struct testd *d)
{
	const char *pw = test_file("staff.pw", TESTD_PASSWORD "\n");
	struct remote_login l;
	struct err e = { 0 };
	char *out = NULL, *errout = NULL;
	char conninfo[512];
	int rc;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(d->db, NULL));
	rc = testcli_run(&out, &errout, (const char *const[]){ "--db", conninfo,
			 "staff", "add", TESTD_STAFF, "--role", "platform_admin",
			 "--password-file", pw, NULL });
	ck_assert_msg(rc == 0, "staff add: %s", errout ? errout : "");
	free(out);
	free(errout);
	ck_assert_msg(remote_login(&l, d->url, TESTD_STAFF, TESTD_PASSWORD, NULL,
				   NULL, &e) == 0, "login: %s", e.message);
	snprintf(d->token, sizeof d->token, "%s", l.token);
	remote_login_clear(&l);
}

void testd_start(struct testd *d, const char *db)
{
	const char *jwt = test_file("jwt.secret",
				    "a-test-only-secret-of-more-than-32-bytes\n");
	char conninfo[512], portfile[512];
	int port;
	pid_t pid;

	memset(d, 0, sizeof *d);
	snprintf(d->db, sizeof d->db, "%s", db);
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, "tenantry_app"));
	snprintf(portfile, sizeof portfile, "%s/%s.port",
		 env_or("TENANTRY_TEST_TMP", "/tmp"), db);
	snprintf(d->log, sizeof d->log, "%s/%s.tenantryd.log",
		 env_or("TENANTRY_TEST_TMP", "/tmp"), db);
	unlink(portfile);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int log = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(log, 2);
		dup2(log, 1);
		execl(tenantryd_bin(), "tenantryd", "--db", conninfo, "--listen",
		      "127.0.0.1:0", "--port-file", portfile, "--jwt-secret-file", jwt,
		      "--master-key-file", env_or("TENANTRY_MASTER_KEY_FILE", ""),
		      "--db-pool", "2", "--keepalive", "1", (char *)NULL);
		_exit(127);
	}
	d->pid = pid;
	port = read_port(portfile, 10000);
	ck_assert_msg(port > 0, "tenantryd did not start; see %s", d->log);
	snprintf(d->url, sizeof d->url, "http://127.0.0.1:%d", port);
	testd_staff(d);
}

void testd_stop(struct testd *d)
{
	int status;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
}

struct store *testd_store(const struct testd *d, const char *token,
			  enum store_role role, const char *tenant)
{
	struct store_config cfg = { .url = d->url, .token = token ? token : d->token };
	struct store_context ctx = { .role = role };
	struct store *st = NULL;
	struct err e = { 0 };

	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "store_open: %s", e.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	ck_assert_msg(st->ops->set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}

/* The test binary links tenantryd's modules without its main.c, which
 * defines this; weak, so a definition elsewhere wins. */
struct server_config;
const struct server_config *server_cfg __attribute__((weak));
