/* test_rest_loop.c - tenantryd's long-lived connections and event loops,
 * end to end on a real server: the audit stream (live, resumed with
 * Last-Event-ID, across a lost database session), many requests in flight
 * on one loop, idle timeouts, connection limits across loops, large
 * headers, and database sessions opened off the loop. */
#include <check.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rest.h"

/* ---- the audit stream -------------------------------------------------------------- */

struct sse {
	int fd;
	char buf[65536];
	size_t len;
};

static void
sse_open_at(struct sse *s, int port, const char *path, const char *token, const char *last_id)
{
	s->fd = testsse_open(port, path, token, last_id);
	s->len = 0;
	s->buf[0] = '\0';
}

static void
sse_open(struct sse *s, const char *path, const char *token, const char *last_id)
{
	sse_open_at(s, srv.port, path, token, last_id);
}

/* Reads until needle appears or timeout_ms passes. */
static bool
sse_wait(struct sse *s, const char *needle, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		long ms;
		ssize_t n;

		if (strstr(s->buf, needle))
			return true;
		ms = test_ms_since(&t0);
		if (ms >= timeout_ms || s->len + 1 >= sizeof s->buf)
			return false;
		if (poll(&p, 1, (int)(timeout_ms - ms)) <= 0)
			continue;
		n = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
		if (n <= 0)
			return false;
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
	}
}

START_TEST(test_audit_stream)
{
	struct sse s, r;
	json_t *j;
	long long head;
	char last[32], want[64];
	PGconn *c = testdb_connect(db, NULL);

	j = call(200, "GET", "/api/tenants/beta-works/audit-logs?newest=1&limit=1", platform, NULL);
	head = json_integer_value(
	    json_object_get(json_array_get(json_object_get(j, "items"), 0), "seq"));
	json_decref(j);
	ck_assert_int_gt(head, 2);

	/* live: a new entry arrives as an event with id = seq */
	sse_open(&s, "/api/tenants/beta-works/audit-logs/stream", platform, NULL);
	ck_assert(sse_wait(&s, ": stream open", 5000));
	ck_assert_ptr_nonnull(strstr(s.buf, "Content-Type: text/event-stream"));
	json_decref(call(200, "PUT", "/api/tenants/beta-works/settings/motd", platform,
			 "{\"type\":\"string\",\"value\":\"live one\"}"));
	snprintf(want, sizeof want, "id: %lld\nevent: audit\n", head + 1);
	ck_assert_msg(sse_wait(&s, want, 5000), "no live event: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(s.buf, "live one"));

	/* resume from Last-Event-ID: exactly the entries after it */
	snprintf(last, sizeof last, "%lld", head - 2);
	sse_open(&r, "/api/tenants/beta-works/audit-logs/stream", platform, last);
	snprintf(want, sizeof want, "id: %lld\n", head + 1);
	ck_assert(sse_wait(&r, want, 5000));
	for (long long q = head - 1; q <= head + 1; q++) {
		snprintf(want, sizeof want, "id: %lld\n", q);
		ck_assert_int_eq(test_count(r.buf, want), 1);
	}
	snprintf(want, sizeof want, "id: %lld\n", head - 2);
	ck_assert_int_eq(test_count(r.buf, want), 0);
	close(r.fd);

	/* the database session goes away: the stream carries on, no gaps */
	testdb_exec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		       "WHERE usename = 'tenantry_app' AND pid <> pg_backend_pid()");
	json_decref(call(200, "PUT", "/api/tenants/beta-works/settings/motd", platform,
			 "{\"type\":\"string\",\"value\":\"after restart\"}"));
	snprintf(want, sizeof want, "id: %lld\n", head + 2);
	ck_assert_msg(sse_wait(&s, want, 8000), "no event after reconnect: %s", s.buf);
	ck_assert_ptr_nonnull(strstr(s.buf, "after restart"));
	snprintf(want, sizeof want, "id: %lld\n", head + 1);
	ck_assert_int_eq(test_count(s.buf, want), 1);
	close(s.fd);

	/* another tenant's stream is not found; a bad resume point is refused */
	json_decref(call(404, "GET", "/api/tenants/beta-works/audit-logs/stream", admin, NULL));
	PQfinish(c);
}
END_TEST

/* ---- one event loop, many requests ---------------------------------------------- */

/* Reads one whole HTTP reply (Content-Length framed) from fd into buf. */
static bool
read_reply(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t len = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const char *end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "Content-Length:");
		ssize_t n;

		if (end && cl && cl < end
		    && len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
			return true;
		if (len + 1 >= cap || poll(&p, 1, timeout_ms) <= 0)
			return false;
		if ((n = read(fd, buf + len, cap - 1 - len)) <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
	}
}

START_TEST(test_one_loop_many_requests)
{
	const char *extra[] = { "--threads", "1", "--db-pool", "2", "--keepalive", "1", NULL };
	enum { N = 24 };
	struct testsrv s2;
	struct sse live;
	char *beta_key = make_key("beta-works", "[\"tenant:read\"]"), *staff, want[64];
	int fds[N];
	static char reply[N][8192];
	json_t *j;
	long long head;

	testsrv_start(&s2, db, extra);
	staff = testsrv_staff_token(&s2, "loop@ops.test", "platform_admin");
	j = call(200, "GET", "/api/tenants/alpha-labs/audit-logs?newest=1&limit=1", platform, NULL);
	head = json_integer_value(
	    json_object_get(json_array_get(json_object_get(j, "items"), 0), "seq"));
	json_decref(j);

	/* a stream holds its place on the only loop without holding it up */
	sse_open_at(&live, s2.port, "/api/tenants/alpha-labs/audit-logs/stream", staff, NULL);
	ck_assert(sse_wait(&live, ": stream open", 5000));

	/* all sent before any is read: they are in flight together, twelve
	 * times as many as there are sessions, each with its own tenant */
	for (int i = 0; i < N; i++) {
		const char *key = i % 3 == 1 ? beta_key : key_read;
		const char *id = i % 3 == 0 ? alpha : beta; /* i % 3 == 2: alpha's key, beta's id */
		char req[1024];
		int n = snprintf(req, sizeof req,
				 "GET /api/tenants/%s HTTP/1.1\r\nHost: x\r\n"
				 "Authorization: Bearer %s\r\n\r\n",
				 id, key);

		fds[i] = testnet_connect(s2.port);
		ck_assert(write(fds[i], req, (size_t)n) == n);
	}
	for (int i = 0; i < N; i++) {
		ck_assert_msg(read_reply(fds[i], reply[i], sizeof reply[i], 10000),
			      "request %d: no reply: %s", i, reply[i]);
		close(fds[i]);
	}
	for (int i = 0; i < N; i++) {
		char id[ID_LEN + 8];

		if (i % 3 == 2) {
			ck_assert_msg(strncmp(reply[i], "HTTP/1.1 404", 12) == 0, "%d: %s", i,
				      reply[i]);
			ck_assert_ptr_null(strstr(reply[i], "beta-works"));
			ck_assert_ptr_null(strstr(reply[i], "\"slug\""));
			continue;
		}
		snprintf(id, sizeof id, "\"id\":\"%s\"", i % 3 == 0 ? alpha : beta);
		ck_assert_msg(strncmp(reply[i], "HTTP/1.1 200", 12) == 0, "%d: %s", i, reply[i]);
		ck_assert_msg(strstr(reply[i], id), "request %d got another tenant: %s", i,
			      reply[i]);
	}

	/* the stream is still served: a new entry arrives on it */
	json_decref(call(200, "PUT", "/api/tenants/alpha-labs/settings/motd", platform,
			 "{\"type\":\"string\",\"value\":\"one loop\"}"));
	snprintf(want, sizeof want, "id: %lld\nevent: audit\n", head + 1);
	ck_assert_msg(sse_wait(&live, want, 5000), "no live event: %s", live.buf);
	ck_assert_ptr_nonnull(strstr(live.buf, "one loop"));

	/* a login's password check (tens of ms of CPU) does not hold the loop:
	 * a request sent while it runs is answered in a fraction of the
	 * login's time, not after it */
	{
		char body[256], req[1024];
		const char hz[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
		struct timespec t0, tb0, tb1, t1;
		int a = testnet_connect(s2.port), b = testnet_connect(s2.port), n;
		double login_ms, health_ms;

		snprintf(body, sizeof body,
			 "{\"email\":\"admin2@alpha.test\",\"password\":\"%s\","
			 "\"tenant\":\"alpha-labs\"}",
			 PW);
		n = snprintf(req, sizeof req,
			     "POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			     strlen(body), body);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ck_assert(write(a, req, (size_t)n) == n);
		poll(NULL, 0, 5); /* the login's task has reached the hash */
		clock_gettime(CLOCK_MONOTONIC, &tb0);
		ck_assert(write(b, hz, sizeof hz - 1) == (ssize_t)(sizeof hz - 1));
		ck_assert(read_reply(b, reply[0], sizeof reply[0], 5000));
		clock_gettime(CLOCK_MONOTONIC, &tb1);
		ck_assert(strncmp(reply[0], "HTTP/1.1 200", 12) == 0);
		ck_assert(read_reply(a, reply[1], sizeof reply[1], 10000));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ck_assert_msg(strncmp(reply[1], "HTTP/1.1 200", 12) == 0, "%s", reply[1]);
		ck_assert_ptr_nonnull(strstr(reply[1], "\"token\""));
		login_ms =
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		health_ms = (double)(tb1.tv_sec - tb0.tv_sec) * 1e3
			    + (double)(tb1.tv_nsec - tb0.tv_nsec) / 1e6;
		ck_assert_msg(health_ms < login_ms / 3,
			      "healthz took %.1f ms during a %.1f ms login: "
			      "the loop waited for the hash",
			      health_ms, login_ms);
		close(a);
		close(b);
	}

	/* SIGTERM with the stream still open: it ends, and the server exits 0 */
	ck_assert_int_eq(testsrv_stop(&s2), 0);
	close(live.fd);
	free(staff);
	free(beta_key);
}
END_TEST

/* The loops keep libmicrohttpd's clock: an idle connection is closed after
 * --timeout, a busy one is not; and they stop cleanly under requests. */
START_TEST(test_idle_timeout)
{
	const char *extra[] = { "--timeout", "1", NULL };
	struct testsrv s3;
	char buf[256];
	struct pollfd p;
	int idle, busy, n;

	testsrv_start(&s3, db, extra);
	idle = testnet_connect(s3.port);
	busy = testnet_connect(s3.port);
	for (int i = 0; i < 6; i++) { /* 1.8 s of requests, one every 0.3 s */
		const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
		static char reply[4096];

		ck_assert(write(busy, req, sizeof req - 1) == (ssize_t)(sizeof req - 1));
		ck_assert_msg(read_reply(busy, reply, sizeof reply, 5000), "busy: %s", reply);
		ck_assert(strncmp(reply, "HTTP/1.1 200", 12) == 0);
		poll(NULL, 0, 300);
	}
	p = (struct pollfd){ .fd = idle, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	n = (int)read(idle, buf, sizeof buf);
	ck_assert_int_eq(n, 0); /* closed, without a reply */
	close(idle);

	/* stopping: a request on a kept-alive connection gets 503 and a close
	 * (or finds the connection closed), and the server exits 0 */
	kill(s3.pid, SIGTERM);
	for (int i = 0; i < 20; i++) {
		char req[512];
		static char reply[4096];
		int k = snprintf(req, sizeof req,
				 "GET /api/tenants/%s HTTP/1.1\r\nHost: x\r\n"
				 "Authorization: Bearer %s\r\n\r\n",
				 alpha, key_read);

		if (write(busy, req, (size_t)k) != k
		    || !read_reply(busy, reply, sizeof reply, 5000))
			break; /* closed */
		ck_assert_msg(strncmp(reply, "HTTP/1.1 200", 12) == 0
				  || (strncmp(reply, "HTTP/1.1 503", 12) == 0
				      && strcasestr(reply, "Connection: close")),
			      "%s", reply);
	}
	close(busy);
	ck_assert_int_eq(testsrv_stop(&s3), 0);
}
END_TEST

/* Connection limits hold for the server, not per loop: with two loops and
 * --max-per-ip 3, a fourth connection from the address is refused, and a
 * place that frees up is taken again. (A refused connection is answered
 * 503, and /healthz stays reachable on it: the probe is an API route,
 * answered 401 without a token when the connection was taken.) */
static bool
served(int fd)
{
	const char req[] = "GET /api/tiers HTTP/1.1\r\nHost: x\r\n\r\n";
	static char reply[4096];

	return write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)
	       && read_reply(fd, reply, sizeof reply, 3000)
	       && strncmp(reply, "HTTP/1.1 401", 12) == 0;
}

START_TEST(test_connection_limits)
{
	const char *extra[] = { "--threads", "2", "--max-per-ip", "3", NULL };
	struct testsrv s4;
	int fds[3], extra_fd;
	bool again = false;

	testsrv_start(&s4, db, extra);
	for (int round = 0; round < 3; round++) { /* the loops accept in any order */
		for (int i = 0; i < 3; i++) {
			fds[i] = testnet_connect(s4.port);
			ck_assert_msg(served(fds[i]), "connection %d of 3 refused", i + 1);
		}
		extra_fd = testnet_connect(s4.port);
		ck_assert_msg(!served(extra_fd), "a fourth connection was served");
		close(extra_fd);
		close(fds[0]);
		for (int i = 0; i < 40 && !again; i++) { /* until the server saw the close */
			int fd = testnet_connect(s4.port);

			again = served(fd);
			if (again)
				fds[0] = fd;
			else
				close(fd), poll(NULL, 0, 50);
		}
		ck_assert_msg(again, "the freed place was not taken again");
		again = false;
		for (int i = 0; i < 3; i++)
			close(fds[i]);
		poll(NULL, 0, 100); /* the closes reach the server */
	}
	ck_assert_int_eq(testsrv_stop(&s4), 0);
}
END_TEST

/* One request with a header line of pad bytes on its own connection; the
 * status line's code, or 0 if the connection closed without one. */
static int
padded_request(const char *path, const char *token, size_t pad)
{
	size_t cap = pad + 1024, n;
	char *req = malloc(cap), reply[8192];
	int status = 0, fd;

	ck_assert_ptr_nonnull(req);
	n = (size_t)snprintf(req, cap,
			     "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
			     "%s\r\nX-Pad: ",
			     path, token);
	memset(req + n, 'p', pad);
	n += pad;
	n += (size_t)snprintf(req + n, cap - n, "\r\n\r\n");
	fd = testnet_connect(srv.port);
	/* the server may answer 431 and close before it has read all: a
	 * short write or EPIPE is fine, the reply is what counts */
	(void)send(fd, req, n, MSG_NOSIGNAL);
	read_reply(fd, reply, sizeof reply, 5000);
	sscanf(reply, "HTTP/1.1 %d", &status);
	close(fd);
	free(req);
	return status;
}

/* The per-connection memory holds a request's headers: a 12 KB header
 * (a large cookie, say) is served; one over the limit is refused with 431
 * and the server goes on serving. */
START_TEST(test_large_headers)
{
	char path[128];

	snprintf(path, sizeof path, "/api/tenants/%s", alpha);
	ck_assert_int_eq(padded_request(path, admin, 12000), 200);
	ck_assert_int_eq(padded_request(path, admin, 200000), 431);
	ck_assert_int_eq(padded_request(path, admin, 10), 200);
}
END_TEST

/* Opening a database session blocks in libpq for as long as the server
 * takes to answer, up to connect_timeout; tenantryd does it on a helper
 * thread, so the loop serves meanwhile. The conninfo names first an
 * address that accepts TCP and never answers (connect_timeout=2 moves on
 * to the real server, after one to two seconds: libpq counts whole
 * seconds), so every session is that slow to open. */
START_TEST(test_session_opens_off_the_loop)
{
	const char *extra[] = { "--threads", "1", "--db-pool", "4", NULL };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int mute = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), fds[3];
	static const char hz[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	struct testsrv s5;
	struct timespec t0;
	char conninfo[512], req[256], reply[4096];
	long waited;
	int h;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert(bind(mute, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(mute, 16) == 0);
	ck_assert(getsockname(mute, (struct sockaddr *)&sa, &len) == 0);
	ck_assert(getenv("TENANTRY_TEST_HOST") && getenv("TENANTRY_TEST_PORT"));
	snprintf(conninfo, sizeof conninfo,
		 "host=127.0.0.1,%s port=%d,%s dbname=%s "
		 "connect_timeout=2",
		 getenv("TENANTRY_TEST_HOST"), ntohs(sa.sin_port), getenv("TENANTRY_TEST_PORT"),
		 db);
	testsrv_start(&s5, conninfo, extra);
	/* three readiness checks at once: each pings the database on a
	 * session of its own; the pool has one open, so two are opened */
	for (int i = 0; i < 3; i++) {
		int n = snprintf(req, sizeof req, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

		fds[i] = testnet_connect(s5.port);
		ck_assert(write(fds[i], req, (size_t)n) == n);
	}
	poll(NULL, 0, 300); /* the sessions are opening */
	h = testnet_connect(s5.port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(write(h, hz, sizeof hz - 1) == (ssize_t)(sizeof hz - 1));
	ck_assert_msg(read_reply(h, reply, sizeof reply, 5000) && strstr(reply, "\"ok\""),
		      "no /healthz reply: %s", reply);
	waited = test_ms_since(&t0);
	ck_assert_msg(waited < 1000, "/healthz waited %ld ms for sessions being opened", waited);
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(read_reply(fds[i], reply, sizeof reply, 10000)
				  && strstr(reply, "\"ready\""),
			      "request %d: %s", i, reply);
		close(fds[i]);
	}
	close(h);
	close(mute);
	ck_assert_int_eq(testsrv_stop(&s5), 0);
}
END_TEST

Suite *
suite_rest_loop(void)
{
	Suite *s = suite_create("rest_loop");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_audit_stream);
	tcase_add_test(tc, test_one_loop_many_requests);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_connection_limits);
	tcase_add_test(tc, test_large_headers);
	tcase_add_test(tc, test_session_opens_off_the_loop);
	suite_add_tcase(s, tc);
	return s;
}
