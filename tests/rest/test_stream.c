/* test_stream.c - the audit streams miss nothing and repeat nothing,
 * against a real tenantryd and a real PostgreSQL: a burst on the
 * all-tenants stream, a resume with Last-Event-ID, both streams across a
 * restart of PostgreSQL, and `audit tail` of every tenant; and a tenantryd
 * set up for a transaction pooler. */
#include <check.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static struct testsrv srv;
static const char *db;
static char *staff;
static char tenant[ID_LEN];

/* One request as the staff member that must answer want. */
static json_t *
call(int want, const char *method, const char *path, const char *body)
{
	return testhttp_json(&srv, staff, want, method, path, body);
}

static void
setup(void)
{
	db = testdb_create();
	testsrv_start(&srv, db, NULL);
	staff = testsrv_staff_token(&srv, "root@stream.test", "platform_admin");
	testsrv_tenant(&srv, staff, tenant, "Stream Co", "boss@stream.test");
}

static void
teardown(void)
{
	testsrv_stop(&srv);
	free(staff);
	staff = NULL;
}

/* ---- audit streams ----------------------------------------------------------- */

/* A stream read into a growing buffer. */
struct sse {
	int fd;
	char *buf;
	size_t len, cap;
};

static void
sse_open(struct sse *s, int port, const char *path, const char *last_id)
{
	s->fd = testsse_open(port, path, staff, last_id);
	s->len = 0;
	s->cap = 1 << 16;
	s->buf = calloc(1, s->cap);
}

static void
sse_close(struct sse *s)
{
	close(s->fd);
	free(s->buf);
	s->buf = NULL;
}

/* Reads until needle appears `times` times, or timeout_ms passes. */
static bool
sse_wait_n(struct sse *s, const char *needle, int times, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		long ms;
		ssize_t n;

		if (test_count(s->buf, needle) >= times)
			return true;
		if ((ms = test_ms_since(&t0)) >= timeout_ms)
			return false;
		if (s->len + 65536 > s->cap) {
			s->cap *= 2;
			s->buf = realloc(s->buf, s->cap);
		}
		if (poll(&p, 1, (int)(timeout_ms - ms)) <= 0)
			continue;
		if ((n = read(s->fd, s->buf + s->len, s->cap - 1 - s->len)) <= 0)
			return false;
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
	}
}

/* n audit entries "test.<tag>" with resource ids from..from+n-1, in one
 * commit, as psql would write them. */
static void
burst(PGconn *c, const char *tenant_id, const char *tag, int from, int n)
{
	testdb_execf(c,
		     "SELECT count(tenantry.audit_event('%s', 'test.%s', 'test', i::text, "
		     "NULL)) FROM generate_series(%d, %d) i",
		     tenant_id, tag, from, from + n - 1);
}

/* Each entry from..to of tag exactly `want` times on the stream. */
static void
expect_each(const struct sse *s, int from, int to, int want)
{
	char needle[64];

	for (int i = from; i <= to; i++) {
		snprintf(needle, sizeof needle, "\"resource_id\":\"%d\"", i);
		ck_assert_msg(test_count(s->buf, needle) == want, "entry %d seen %d times, not %d",
			      i, test_count(s->buf, needle), want);
	}
}

START_TEST(test_all_stream_burst)
{
	PGconn *c = testdb_connect(db, NULL);
	struct sse s;

	sse_open(&s, srv.port, "/api/audit-logs/stream", NULL);
	ck_assert(sse_wait_n(&s, ": stream open", 1, 5000));
	burst(c, tenant, "burst", 1, 300);
	ck_assert_msg(sse_wait_n(&s, "\"test.burst\"", 300, 10000), "%d of 300 arrived",
		      test_count(s.buf, "\"test.burst\""));
	poll(NULL, 0, 300);
	sse_wait_n(&s, "never", 1, 300);
	ck_assert_int_eq(test_count(s.buf, "\"test.burst\""), 300);
	expect_each(&s, 1, 300, 1);
	sse_close(&s);
	PQfinish(c);
}
END_TEST

/* The id of the event that carries needle. */
static void
event_id(char out[64], const struct sse *s, const char *needle)
{
	const char *p = strstr(s->buf, needle), *id = NULL;

	ck_assert_ptr_nonnull(p);
	for (const char *q = s->buf; (q = strstr(q, "id: ")) && q < p; q++)
		id = q;
	ck_assert_ptr_nonnull(id);
	snprintf(out, 64, "%.*s", (int)strcspn(id + 4, "\n"), id + 4);
}

START_TEST(test_all_stream_resume)
{
	PGconn *c = testdb_connect(db, NULL);
	struct sse a, b;
	char last[64];

	sse_open(&a, srv.port, "/api/audit-logs/stream", NULL);
	ck_assert(sse_wait_n(&a, ": stream open", 1, 5000));
	for (int k = 0; k < 10; k++)
		burst(c, tenant, "resume", 1 + 100 * k, 100);
	ck_assert(sse_wait_n(&a, "\"resource_id\":\"500\"", 1, 10000));
	event_id(last, &a, "\"resource_id\":\"500\"");
	sse_close(&a);
	/* resume after entry 500: 501..1000 once each, nothing before */
	sse_open(&b, srv.port, "/api/audit-logs/stream", last);
	ck_assert_msg(sse_wait_n(&b, "\"test.resume\"", 500, 10000), "%d of 500 (from %s)",
		      test_count(b.buf, "\"test.resume\""), last);
	sse_wait_n(&b, "never", 1, 300);
	ck_assert_int_eq(test_count(b.buf, "\"test.resume\""), 500);
	expect_each(&b, 501, 1000, 1);
	expect_each(&b, 1, 500, 0);
	sse_close(&b);
	/* a resume point that is no cursor is refused */
	json_decref(call(422, "GET", "/api/audit-logs/stream?after=12:34", NULL));
	PQfinish(c);
}
END_TEST

/* Both streams across a restart of PostgreSQL, with entries committed
 * while tenantryd's sessions were reconnecting. */
START_TEST(test_streams_restart)
{
	struct testcluster pgc = { 0 };
	struct testsrv s2;
	struct sse all, one;
	char id[ID_LEN], path[256], *saved = staff;
	PGconn *c;

	testcluster_start(&pgc, "fault-restart");
	testsrv_start(&s2, pgc.conninfo, NULL);
	staff = testsrv_staff_token(&s2, "root@restart.test", "platform_admin");
	testsrv_tenant(&s2, staff, id, "Restart Co", "boss@restart.test");
	sse_open(&all, s2.port, "/api/audit-logs/stream", NULL);
	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs/stream", id);
	sse_open(&one, s2.port, path, NULL);
	ck_assert(sse_wait_n(&all, ": stream open", 1, 5000));
	ck_assert(sse_wait_n(&one, ": stream open", 1, 5000));
	c = PQconnectdb(pgc.conninfo);
	burst(c, id, "restart", 1, 50);
	ck_assert(sse_wait_n(&all, "\"test.restart\"", 50, 10000));
	PQfinish(c);

	testcluster_stop(&pgc);
	testcluster_start(&pgc, "fault-restart");
	c = PQconnectdb(pgc.conninfo);
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	burst(c, id, "restart", 51, 50);
	ck_assert_msg(sse_wait_n(&all, "\"test.restart\"", 100, 15000), "all: %d of 100",
		      test_count(all.buf, "\"test.restart\""));
	ck_assert_msg(sse_wait_n(&one, "\"test.restart\"", 100, 15000), "one: %d of 100",
		      test_count(one.buf, "\"test.restart\""));
	sse_wait_n(&all, "never", 1, 300);
	expect_each(&all, 1, 100, 1);
	expect_each(&one, 1, 100, 1);
	sse_close(&all);
	sse_close(&one);
	PQfinish(c);
	free(staff);
	staff = saved;
	testsrv_stop(&s2);
	testcluster_stop(&pgc);
}
END_TEST

/* audit tail without a tenant follows every chain from --since now:
 * two tenants' bursts, each entry once, nothing from before. */
START_TEST(test_audit_tail_every_tenant)
{
	PGconn *c = testdb_connect(db, NULL);
	char other[ID_LEN], path[] = "/tmp/tenantry-tail-XXXXXX", *text = NULL;
	const char *bin = getenv("TENANTRY_BIN") ? getenv("TENANTRY_BIN") : "build/tenantry";
	struct timespec t0;
	int fd = mkstemp(path), lines = 0;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	testsrv_tenant(&srv, staff, other, "Tail Two", "boss@tail-two.test");
	burst(c, tenant, "tail", 9001, 5); /* before: not printed */
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		execl(bin, bin, "--db", testdb_conninfo(db, NULL), "--json", "audit", "tail",
		      "--since", "now", (char *)NULL);
		_exit(127);
	}
	poll(NULL, 0, 1000);
	burst(c, tenant, "tail", 1, 300);
	burst(c, other, "tail", 301, 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (test_ms_since(&t0) < 15000) {
		free(text);
		text = NULL;
		lseek(fd, 0, SEEK_SET);
		{
			FILE *f = fdopen(dup(fd), "r");
			size_t cap = 0;

			ck_assert_ptr_nonnull(f);
			lines = (int)getdelim(&text, &cap, '\0', f) > 0
				    ? test_count(text, "\"test.tail\"")
				    : 0;
			fclose(f);
		}
		if (lines >= 600)
			break;
		poll(NULL, 0, 200);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(fd);
	unlink(path);
	ck_assert_msg(lines == 600, "%d of 600 entries", lines);
	{
		struct sse fake = { .buf = text };

		expect_each(&fake, 1, 600, 1);
		expect_each(&fake, 9001, 9005, 0);
	}
	free(text);
	PQfinish(c);
}
END_TEST

/* Behind a transaction pooler (--db-unnamed-statements 1): tenantryd
 * serves and writes as usual, and the live feed and the webhook workers'
 * listener LISTEN on sessions of --db-direct (another login here, to tell
 * them apart), not on --db. */
START_TEST(test_pooler_options)
{
	PGconn *c = testdb_connect(db, NULL);
	struct testsrv two;
	char direct[512], *token, path[128];
	const char *extra[] = { "--db-unnamed-statements", "1", "--db-direct", direct, NULL };
	struct sse s;
	json_t *j;

	testdb_login_role(db, "feed_direct", "tenantry_app");
	snprintf(direct, sizeof direct, "%s", testdb_conninfo(db, "feed_direct"));
	testsrv_start(&two, db, extra);
	token = testsrv_staff_token(&two, "root2@stream.test", "platform_admin");
	s.fd = testsse_open(two.port, "/api/audit-logs/stream", token, NULL);
	s.len = 0;
	s.cap = 1 << 16;
	s.buf = calloc(1, s.cap);
	ck_assert(sse_wait_n(&s, ": stream open", 1, 5000));
	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs", tenant);
	for (int i = 0; i < 20; i++) {
		char body[128];

		snprintf(body, sizeof body,
			 "{\"action\":\"test.unnamed\",\"resource_type\":\"test\","
			 "\"resource_id\":\"%d\"}",
			 i + 1);
		json_decref(testhttp_json(&two, token, 204, "POST", path, body));
	}
	j = testhttp_json(&two, token, 200, "GET", path, NULL);
	json_decref(j);
	burst(c, tenant, "unnamed", 21, 10);
	ck_assert_msg(sse_wait_n(&s, "\"test.unnamed\"", 30, 10000), "%d of 30 arrived",
		      test_count(s.buf, "\"test.unnamed\""));
	expect_each(&s, 1, 30, 1);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
				       "current_database() AND usename = 'feed_direct' "
				       "AND application_name = 'tenantry-feed'"),
			 1);
	/* and so does the webhook workers' listener, and nothing else */
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
				       "current_database() AND usename = 'feed_direct' "
				       "AND application_name = 'tenantry-webhooks'"),
			 1);
	ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
				       "current_database() AND usename = 'feed_direct' "
				       "AND application_name NOT IN ('tenantry-feed', "
				       "'tenantry-webhooks')"),
			 0);
	sse_close(&s);
	free(token);
	ck_assert_int_eq(testsrv_stop(&two), 0);
	PQfinish(c);
}
END_TEST

Suite *
suite_stream(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("audit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_all_stream_burst);
	tcase_add_test(tc, test_all_stream_resume);
	tcase_add_test(tc, test_streams_restart);
	tcase_add_test(tc, test_audit_tail_every_tenant);
	tcase_add_test(tc, test_pooler_options);
	suite_add_tcase(s, tc);
	return s;
}
