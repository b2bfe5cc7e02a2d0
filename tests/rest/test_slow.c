/* test_slow.c - slow and greedy clients against a real tenantryd, on
 * loopback only: a refusal at each connection limit is a 503 with
 * Retry-After (a log line, a metric) while /healthz stays reachable; a
 * request trickling in is cut at its deadline; a closed audit stream frees
 * its place at once; a normal client is served during a slowloris of 500
 * connections. Loopback addresses 127.0.0.x stand for distinct clients. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static const char *db;

static long
ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A connection from 127.0.0.<host> to port; -1 when refused. */
static int
dial(int port, int host, bool nonblock)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	char a[32];

	snprintf(a, sizeof a, "127.0.0.%d", host);
	inet_pton(AF_INET, a, &src.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert(fd >= 0 && bind(fd, (struct sockaddr *)&src, sizeof src) == 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends req on fd and reads the reply's head (and what came with it);
 * the status, 0 when the connection closed without one. */
static int
ask(int fd, const char *req, char *reply, size_t cap, int timeout_ms)
{
	size_t len = 0;
	int status = 0;

	reply[0] = '\0';
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return 0;
	while (!strstr(reply, "\r\n\r\n") && len + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_ms) <= 0 || (n = read(fd, reply + len, cap - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		reply[len] = '\0';
	}
	sscanf(reply, "HTTP/1.1 %d", &status);
	return status;
}

static const char api[] = "GET /api/tiers HTTP/1.1\r\nHost: x\r\n\r\n";
static const char health[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

/* A staff token of the running server, taken before any limit is
 * reached (/metrics needs one; it stays reachable past the limits). */
static char *watch;

static void
start(struct testsrv *s, const char *const extra[])
{
	testsrv_start(s, db, extra);
	free(watch);
	watch = testsrv_staff_token(s, "watch@slow.test", "oncall");
}

/* A metric's value in the server's /metrics, -1 when absent. */
static long long
metric(const struct testsrv *s, const char *name)
{
	char *out = NULL, *p, line[256];
	long long v = -1;

	snprintf(line, sizeof line, "\n%s", name); /* the sample, not its HELP */
	ck_assert_int_eq(testhttp(s, "GET", "/metrics", watch, NULL, &out), 200);
	if ((p = strstr(out, line)))
		v = atoll(p + strlen(line));
	free(out);
	return v;
}

static bool
log_has(const struct testsrv *s, const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(s->log_file, "r");

	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

static void
setup(void)
{
	db = testdb_create();
}

/* --max-per-ip 3, --max-connections 6: each limit answers 503 with
 * Retry-After, logs and counts it, and /healthz stays reachable on a
 * connection over the limit; far past the limits a connection is closed. */
START_TEST(test_refusals_at_each_limit)
{
	const char *extra[] = { "--threads", "2", "--max-per-ip", "3", "--max-connections",
				"6",         NULL };
	struct testsrv s;
	char reply[4096];
	int held[6], over, fd, closed = 0, fds[64];

	start(&s, extra);
	for (int i = 0; i < 3; i++) {
		int st = 0;

		/* the harness's own connection (its /healthz at start) may still
		 * be counted for a moment after it closed: wait for its release */
		for (int try = 0; try < 30 && st != 401; try++) {
			if (try) {
				close(held[i]);
				usleep(100000);
			}
			held[i] = dial(s.port, 1, false);
			st = ask(held[i], api, reply, sizeof reply, 3000);
			if (st != 503 || !strstr(reply, "too_many_connections"))
				break;
		}
		for (char *q = reply; *q; q++)
			*q = *q == '\r' || *q == '\n' ? ' ' : *q;
		ck_assert_msg(st == 401, "connection %d: %d %s", i, st, reply);
	}
	/* the address's limit */
	over = dial(s.port, 1, false);
	ck_assert_int_eq(ask(over, api, reply, sizeof reply, 3000), 503);
	ck_assert_ptr_nonnull(strcasestr(reply, "Retry-After: 1"));
	close(over);
	over = dial(s.port, 1, false);
	ck_assert_int_eq(ask(over, health, reply, sizeof reply, 3000), 200);
	ck_assert_int_ge(metric(&s, "tenantryd_connections_refused_total{limit=\"max-per-ip\"} "),
			 1);
	ck_assert(log_has(&s, "over --max-per-ip"));
	close(over);
	/* the total: another address fills it, a third is refused */
	for (int i = 3; i < 6; i++) {
		held[i] = dial(s.port, 2, false);
		ck_assert_int_eq(ask(held[i], api, reply, sizeof reply, 3000), 401);
	}
	fd = dial(s.port, 3, false);
	ck_assert_int_eq(ask(fd, api, reply, sizeof reply, 3000), 503);
	close(fd);
	fd = dial(s.port, 3, false);
	ck_assert_int_eq(
	    ask(fd, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n", reply, sizeof reply, 3000), 200);
	close(fd);
	ck_assert_int_ge(
	    metric(&s, "tenantryd_connections_refused_total{limit=\"max-connections\"} "), 1);
	/* far past them: closed without a byte, counted. The listener
	 * accepts a connection once its first bytes arrive, and one that
	 * is sending a request may be evicted for a newcomer: these hold
	 * their places as kept-alive connections that were just answered. */
	for (int i = 0; i < 64; i++)
		if ((fds[i] = dial(s.port, 4, false)) >= 0
		    && ask(fds[i], health, reply, sizeof reply, 2000) == 0)
			closed++;
	for (int i = 0; i < 64; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ck_assert_int_gt(closed, 0);
	ck_assert_int_ge(metric(&s, "tenantryd_connections_refused_total{limit=\"hard\"} "), 1);
	for (int i = 0; i < 6; i++)
		close(held[i]);
	ck_assert_int_eq(testsrv_stop(&s), 0);
}
END_TEST

/* A request whose bytes trickle in is closed at --request-timeout after
 * its first byte, although each byte reset the idle timeout. */
START_TEST(test_request_deadline)
{
	const char *extra[] = { "--request-timeout", "2", "--timeout", "30", NULL };
	struct testsrv s;
	int fd;
	long t0, closed_at = -1;

	start(&s, extra);
	fd = dial(s.port, 1, false);
	ck_assert(send(fd, "GET /healthz HTTP/1.1\r\n", 23, MSG_NOSIGNAL) == 23);
	t0 = ms_now();
	while (ms_now() - t0 < 8000) {
		char c;
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (send(fd, "X", 1, MSG_NOSIGNAL) != 1
		    || (poll(&p, 1, 300) > 0 && read(fd, &c, 1) <= 0)) {
			closed_at = ms_now() - t0;
			break;
		}
	}
	close(fd);
	ck_assert_msg(closed_at >= 1500 && closed_at < 5000, "closed after %ld ms", closed_at);
	ck_assert_int_ge(metric(&s, "tenantryd_request_timeouts_total "), 1);
	ck_assert_int_eq(testsrv_stop(&s), 0);
}
END_TEST

/* An audit stream the client closes frees its address's place at once:
 * with --max-per-ip 2, six streams opened and dropped one after another,
 * then a request, are all served. */
START_TEST(test_closed_stream_frees_its_place)
{
	const char *extra[] = { "--max-per-ip", "2", "--keepalive", "30", NULL };
	struct testsrv s;
	char *tok, req[4096], reply[4096];

	start(&s, extra);
	tok = testsrv_staff_token(&s, "streams@slow.test", "platform_admin");
	snprintf(req, sizeof req,
		 "GET /api/audit-logs/stream HTTP/1.1\r\nHost: x\r\n"
		 "Authorization: Bearer %s\r\n\r\n",
		 tok);
	for (int i = 0; i < 6; i++) {
		int fd = dial(s.port, 1, false);

		ck_assert_msg(ask(fd, req, reply, sizeof reply, 3000) == 200, "stream %d: %s", i,
			      reply);
		close(fd);
		poll(NULL, 0, 20);
	}
	for (int i = 0; i < 2; i++) {
		int fd = dial(s.port, 1, false);

		ck_assert_int_eq(ask(fd, api, reply, sizeof reply, 3000), 401);
		close(fd);
	}
	free(tok);
	ck_assert_int_eq(testsrv_stop(&s), 0);
}
END_TEST

/* 500 connections from eight addresses (the normal client's among them)
 * each send half a request head and a byte now and then, and reconnect
 * when let go; meanwhile a client of the first address asks every 100 ms
 * on a new connection. Every one of its requests is served. */
START_TEST(test_slowloris)
{
	const char *extra[] = { "--threads", "2", NULL };
	enum { N = 500 };
	static int fds[N];
	struct testsrv s;
	char reply[4096];
	int asked = 0, served = 0, reconnects = 0;
	long t0, last_tick = 0;

	start(&s, extra);
	for (int i = 0; i < N; i++)
		fds[i] = -1;
	t0 = ms_now();
	while (ms_now() - t0 < 4000) {
		int fd;

		if (ms_now() - last_tick >= 250) { /* the attackers' turn */
			last_tick = ms_now();
			for (int i = 0; i < N; i++) {
				char c[64];

				if (fds[i] >= 0
				    && (send(fds[i], "a", 1, MSG_NOSIGNAL) < 0
					|| recv(fds[i], c, sizeof c, MSG_DONTWAIT) == 0)) {
					close(fds[i]);
					fds[i] = -1;
					reconnects++;
				}
				if (fds[i] < 0 && (fds[i] = dial(s.port, 1 + i % 8, true)) >= 0)
					(void)send(fds[i], "GET /healthz HTTP/1.1\r\nX-Slow: ", 31,
						   MSG_NOSIGNAL);
			}
		}
		fd = dial(s.port, 1, false);
		asked++;
		if (fd >= 0 && ask(fd, api, reply, sizeof reply, 2000) == 401)
			served++;
		else if (getenv("SLOW_DEBUG"))
			fprintf(stderr, "%ld: %.60s\n", ms_now() - t0, reply);
		if (fd >= 0)
			close(fd);
		poll(NULL, 0, 100);
	}
	for (int i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ck_assert_msg(served == asked, "%d of %d requests served (%d attacker reconnects)", served,
		      asked, reconnects);
	ck_assert_int_ge(metric(&s, "tenantryd_connections_evicted_total "), 1);
	ck_assert_int_eq(testhttp(&s, "GET", "/healthz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testsrv_stop(&s), 0);
}
END_TEST

Suite *
suite_slow(void)
{
	Suite *s = suite_create("slow");
	TCase *tc = tcase_create("connections");

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_refusals_at_each_limit);
	tcase_add_test(tc, test_request_deadline);
	tcase_add_test(tc, test_closed_stream_frees_its_place);
	tcase_add_test(tc, test_slowloris);
	suite_add_tcase(s, tc);
	return s;
}
