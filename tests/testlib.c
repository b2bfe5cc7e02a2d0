/* testlib.c - see testlib.h; tenantryd and HTTP are in testsrv.c */
#include "testlib.h"

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *
test_env(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *
testdb_conninfo(const char *db, const char *user)
{
	static char buf[768];

	if (strchr(db, '=')) /* a cluster of its own: its superuser conninfo */
		snprintf(buf, sizeof buf, "%s%s%s", db, user ? " user=" : "", user ? user : "");
	else
		snprintf(buf, sizeof buf, "host=%s port=%s dbname=%s user=%s",
			 test_env("TENANTRY_TEST_HOST", "/tmp"),
			 test_env("TENANTRY_TEST_PORT", "5432"), db, user ? user : "postgres");
	return buf;
}

PGconn *
testdb_connect(const char *db, const char *user)
{
	PGconn *c = PQconnectdb(testdb_conninfo(db, user));
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect %s as %s: %s", db,
		      user ? user : "postgres", PQerrorMessage(c));
	return c;
}

const char *
testdb_create(void)
{
	static char name[64];
	static unsigned counter;
	snprintf(name, sizeof name, "t_%d_%u", (int)getpid(), counter++);
	PGconn *c = testdb_connect("postgres", NULL);
	char sql[160];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE tenantry_template", name);
	testdb_exec(c, sql);
	PQfinish(c);
	return name;
}

void
testdb_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQresultErrorMessage(r));
	PQclear(r);
}

const char *
testdb_sqlstate(PGconn *c, const char *sql)
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

const char *
testdb_value(PGconn *c, const char *sql)
{
	static char buf[4096];
	PGresult *r = PQexec(c, sql);
	const char *out = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		snprintf(buf, sizeof buf, "%s", PQgetvalue(r, 0, 0));
		out = buf;
	}
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return out;
}

void
testdb_login_role(const char *db, const char *name, const char *group)
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

static char *
slurp_fd(int fd)
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

int
testcli_run(char **out, char **errout, const char *const argv[])
{
	char tmpl_o[] = "/tmp/tenantry-cli-outXXXXXX";
	char tmpl_e[] = "/tmp/tenantry-cli-errXXXXXX";
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e);
	if (fo < 0 || fe < 0)
		return -1;
	unlink(tmpl_o);
	unlink(tmpl_e);
	const char *bin = test_env("TENANTRY_BIN", "build/tenantry");
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

static const char *
vformat(const char *fmt, va_list ap)
{
	static char sql[4096];
	vsnprintf(sql, sizeof sql, fmt, ap);
	return sql;
}

void
testdb_execf(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	testdb_exec(c, vformat(fmt, ap));
	va_end(ap);
}

long long
testdb_int(PGconn *c, const char *fmt, ...)
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

const char *
testdb_statef(PGconn *c, const char *fmt, ...)
{
	va_list ap;
	const char *s;
	va_start(ap, fmt);
	s = testdb_sqlstate(c, vformat(fmt, ap));
	va_end(ap);
	return s;
}

int
testdb_notifies(PGconn *c, char payloads[][128], int max, int want, int timeout_ms)
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
		waited = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (n >= want || waited >= timeout_ms)
			return n;
		poll(&p, 1, (int)(timeout_ms - waited));
	}
}

struct store *
teststore_open(const char *db, const char *user, enum store_role role, const char *tenant)
{
	char conninfo[512];
	struct store_config cfg = { 0 };
	struct store_context ctx = { .role = role, .actor = "test", .actor_kind = "staff" };
	struct store *st = NULL;
	struct err e = { 0 };

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, user));
	cfg.conninfo = conninfo;
	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "store_open: %s", e.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	ck_assert_msg(store_set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}

/* ---- a cluster of its own -------------------------------------------------- */

void
testcluster_start(struct testcluster *c, const char *name)
{
	char cmd[1024], path[300];
	FILE *f;

	snprintf(c->dir, sizeof c->dir, "%s/%s", getenv("TENANTRY_TEST_TMP"), name);
	snprintf(path, sizeof path, "%s.port", c->dir);
	snprintf(cmd, sizeof cmd, "PG_FSYNC=%s tests/pg.sh start %s >%s", c->fsync ? "on" : "off",
		 c->dir, path);
	ck_assert_int_eq(system(cmd), 0);
	f = fopen(path, "r");
	ck_assert(f && fscanf(f, "%d", &c->port) == 1);
	fclose(f);
	snprintf(c->conninfo, sizeof c->conninfo,
		 "host=%s/run port=%d dbname=postgres user=postgres", c->dir, c->port);
	if (!c->migrated)
		ck_assert_int_eq(
		    testcli_run(NULL, NULL,
				(const char *const[]){ "--db", c->conninfo, "migrate", NULL }),
		    0);
	c->migrated = true;
}

void
testcluster_stop(struct testcluster *c)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "tests/pg.sh stop %s", c->dir);
	ck_assert_int_eq(system(cmd), 0);
}

int
testnet_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert_msg(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0,
		      "connect to port %d: %s", port, strerror(errno));
	return fd;
}

int
testsse_open(int port, const char *path, const char *token, const char *last_id)
{
	char req[4096];
	int n, fd = testnet_connect(port);

	n = snprintf(req, sizeof req,
		     "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "Accept: text/event-stream\r\n%s%s%s\r\n",
		     path, token, last_id ? "Last-Event-ID: " : "", last_id ? last_id : "",
		     last_id ? "\r\n" : "");
	ck_assert(n > 0 && (size_t)n < sizeof req && write(fd, req, (size_t)n) == n);
	return fd;
}

void
test_clear_of_hour(int seconds)
{
	time_t now = time(NULL);
	int left = 3600 - (int)(now % 3600);

	if (left < seconds)
		sleep((unsigned)left + 1);
}

long
test_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int
test_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

void
testcluster_crash(struct testcluster *c)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "PG_STOP_MODE=immediate tests/pg.sh stop %s", c->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- audit chains ------------------------------------------------------------ */

int
test_chains(void *arg, const char *tenant_id, const struct audit_verdict *v)
{
	struct test_chains *s = arg;

	ck_assert_int_lt(s->n, 8);
	snprintf(s->id[s->n], ID_LEN, "%s", tenant_id);
	s->v[s->n++] = *v;
	return 0;
}

const struct audit_verdict *
test_chain_of(const struct test_chains *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return &s->v[i];
	ck_abort_msg("chain %s not visited", id);
	return NULL;
}

long long
testdb_terms_drift(PGconn *c)
{
	return testdb_int(c, "SELECT count(*) FROM ((SELECT term, name, tenant_id "
			     "FROM tenantry.tenant_terms EXCEPT ALL SELECT g, t.name, t.id "
			     "FROM tenantry.tenants t, tenantry.search_terms(t.search) g) "
			     "UNION ALL (SELECT g, t.name, t.id FROM tenantry.tenants t, "
			     "tenantry.search_terms(t.search) g EXCEPT ALL SELECT term, name, "
			     "tenant_id FROM tenantry.tenant_terms)) d");
}

int
testtenant_create(struct tenant *out, struct store *st, const struct tenant_new *n, struct err *e)
{
	struct tenant_new with = *n;
	char token[96];
	struct member m;
	struct err ae;

	with.invitation_token = token;
	if (store_tenant_create(out, st, &with, e) < 0)
		return -1;
	ck_assert_msg(store_invitation_accept(&m, st, token, "Admin", TESTLIB_PASSWORD, &ae) == 0,
		      "the first admin of %s could not accept: %s", out->slug, ae.message);
	return 0;
}
