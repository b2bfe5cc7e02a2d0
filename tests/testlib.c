/* testlib.c - see testlib.h */
#include "testlib.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
