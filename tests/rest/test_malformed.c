/* test_malformed.c - a few thousand generated malformed requests against
 * the real tenantryd (issue 16): broken JSON, deep nesting, wrong types,
 * invalid and cut UTF-8, NUL bytes, huge numbers, huge and many headers
 * and query parameters, slow senders. None may crash the server or be
 * answered 5xx (the database is up), and /healthz answers throughout.
 * The generator is seeded, so a failure repeats; the seed and the
 * request's index are in the message. Request lines name other HTTP
 * versions too (HTTP/2.0, 0.9, 3.0 answer 400), whole, trickled in a byte
 * at a time, and as a later request on a kept-alive connection. */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testlib.h"

#define REQUESTS 2400
#define SEED 16

static struct testsrv srv;
static char *token;
static char tenant[ID_LEN];
static unsigned long long rng = SEED;

static unsigned
pick(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

/* A growing request text. */
struct text {
	char *s;
	size_t len, cap;
};

static void
add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
adds(struct text *t, const char *s)
{
	add(t, s, strlen(s));
}

static const char *const routes[][2] = {
	{ "PUT", "/api/tenants/%s" },
	{ "POST", "/api/tenants" },
	{ "POST", "/api/tenants/%s/audit-logs" },
	{ "POST", "/api/audit-logs" },
	{ "PUT", "/api/tenants/%s/settings/k%u" },
	{ "POST", "/api/tenants/%s/invitations" },
	{ "POST", "/api/tenants/%s/usage/increment" },
	{ "POST", "/api/tenants/%s/quotas/check" },
	{ "POST", "/api/tenants/%s/api-keys" },
	{ "PUT", "/api/tenants/%s/features/sso" },
	{ "POST", "/api/tenants/%s/tier" },
	{ "POST", "/api/auth/login" },
	{ "POST", "/api/invitations/accept" },
	{ "GET", "/api/tenants/%s/audit-logs" },
	{ "GET", "/api/tenants" },
	{ "GET", "/api/tenants/%s/users" },
	{ "PUT", "/api/tiers/basic" },
	{ "GET", "/api/tenants/%s/usage-logs" },
};

static const char *const members[] = {
	"name",    "settings", "branding", "detail",   "action", "resource_id", "value",
	"type",    "email",    "role",     "resource", "amount", "scopes",      "expires_at",
	"enabled", "tier",     "password", "token",    "limit",  "domain",
};

static const char *const odd_values[] = {
	"1e999",
	"-1e999",
	"99999999999999999999999999",
	"-0",
	"0.0000000000001e-400",
	"\"\\u0000\"",
	"\"\\ud800\"",
	"\"\xc3\"",
	"\"\xed\xa0\x80\"",
	"\"\xf0\x9f\x98\"",
	"\"\xff\xfe\"",
	"[]",
	"{}",
	"null",
	"true",
	"\"\"",
	"9223372036854775808",
	"-9223372036854775809",
	"\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"",
	"1.5",
	"[1,2,[3]]",
};

/* A JSON body, mostly well formed with odd values, sometimes cut, deep or
 * salted with bytes that do not belong. */
static void
body_of(struct text *b)
{
	unsigned kind = pick(10), n = 1 + pick(4);

	if (kind == 0) { /* deep, past every limit or just over one */
		unsigned d = pick(2) ? 33 + pick(4) : 500 + pick(4000);

		char *closers = malloc(d + 2);
		bool close_all = pick(2);

		adds(b, "{\"");
		adds(b, members[pick(20)]);
		adds(b, "\":");
		for (unsigned i = 0; i < d; i++) {
			bool arr = pick(2);

			adds(b, arr ? "[" : "{\"a\":");
			closers[d - 1 - i] = arr ? ']' : '}';
		}
		adds(b, "1");
		closers[d] = '}';
		if (close_all) /* else left open: malformed and deep */
			add(b, closers, d + 1);
		free(closers);
		return;
	}
	adds(b, "{");
	for (unsigned i = 0; i < n; i++) {
		char num[32];

		adds(b, i ? ",\"" : "\"");
		adds(b, members[pick(20)]);
		adds(b, "\":");
		if (pick(3) == 0) {
			snprintf(num, sizeof num, "%d", (int)pick(100000) - 50000);
			adds(b, num);
		} else {
			adds(b, odd_values[pick(sizeof odd_values / sizeof odd_values[0])]);
		}
	}
	adds(b, "}");
	if (kind == 1)
		b->len = pick((unsigned)b->len + 1), b->s[b->len] = '\0'; /* cut */
	else if (kind == 2)
		b->s[pick((unsigned)b->len)] = (char)pick(256); /* a stray byte, NUL too */
	else if (kind == 3)
		adds(b, "garbage");
}

/* One request: method, path (with odd parameters), headers, body. */
static void
request_of(struct text *r, const struct text *body, unsigned i)
{
	static const char *const versions[] = {
		" HTTP/1.0", " HTTP/2.0", " HTTP/0.9", " HTTP/3.0",
		" HTTP/9.9", " HTTP/1.2", " HTTP/11",  " http/1.1"
	};
	const char *const *rt = routes[pick(sizeof routes / sizeof routes[0])];
	char path[512], line[256];
	unsigned head = pick(12);

	snprintf(path, sizeof path, rt[1], pick(8) ? tenant : "\xe2\x82", i);
	adds(r, rt[0]);
	adds(r, " ");
	adds(r, path);
	if (head == 0) { /* many parameters */
		unsigned n = 30 + pick(200);

		adds(r, "?");
		for (unsigned k = 0; k < n; k++) {
			snprintf(line, sizeof line, "%sp%u=%%%02x%%zz", k ? "&" : "", k, pick(256));
			adds(r, line);
		}
	} else if (head == 1) {
		adds(r, "?limit=99999999999999999999&after=-1&newest=%ff%00&action=%c3");
	}
	adds(r, pick(6) ? " HTTP/1.1" : versions[pick(8)]);
	adds(r, "\r\nHost: x\r\n");
	if (pick(10))
		snprintf(line, sizeof line, "Authorization: Bearer %s\r\n", token), adds(r, line);
	if (head == 2) { /* many headers */
		unsigned n = 40 + pick(80);

		for (unsigned k = 0; k < n; k++)
			snprintf(line, sizeof line, "X-H%u: v\r\n", k), adds(r, line);
	} else if (head == 3) { /* a huge one */
		adds(r, "X-Big: ");
		for (unsigned k = 0, n = 1000 + pick(20000); k < n; k++)
			add(r, "\xc3\xa9", 2);
		adds(r, "\r\n");
	} else if (head == 4) {
		adds(r, "User-Agent: ");
		for (unsigned k = 0; k < 60; k++)
			add(r, "\xe2\x82\xac", 3);
		adds(r, "\r\nX-View-As: \xff\r\nX-Tenant-ID: \xc3\r\n");
	} else if (head == 5) {
		adds(r, "Last-Event-ID: 99999999999999999999999\r\nIdempotency-Key: \x01\r\n");
	}
	snprintf(line, sizeof line,
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 body->len);
	adds(r, line);
	add(r, body->s ? body->s : "", body->len);
}

/* Sends r (in three slow pieces when slow) and returns the status; 0 when
 * the server closed without one (a refusal it may make: never a crash,
 * which the /healthz checks and the exit status catch). */
static int
send_request(const struct text *r, bool slow, char *reply, size_t cap)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
	size_t len = 0, sent = 0;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	while (sent < r->len) {
		size_t n = slow ? (r->len - sent + 2) / 3 + 1 : r->len - sent;
		ssize_t k =
		    send(fd, r->s + sent, n > r->len - sent ? r->len - sent : n, MSG_NOSIGNAL);

		if (k <= 0)
			break; /* answered and closed early (413, 431) */
		sent += (size_t)k;
		if (slow)
			poll(NULL, 0, 30);
	}
	reply[0] = '\0';
	while (len + 1 < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 10000) <= 0 || (k = read(fd, reply + len, cap - 1 - len)) <= 0)
			break;
		len += (size_t)k;
		reply[len] = '\0';
		if (strstr(reply, "\r\n\r\n"))
			break;
	}
	close(fd);
	sscanf(reply, "HTTP/1.1 %d", &status);
	return status;
}

START_TEST(test_malformed_requests)
{
	static char reply[8192];
	int counts[6] = { 0 };
	const char *db = testdb_create();
	char *out = NULL;
	json_t *t;

	testsrv_start(&srv, db, (const char *const[]){ "--request-timeout", "5", NULL });
	token = testsrv_staff_token(&srv, "fuzz@malformed.test", "platform_admin");
	ck_assert_int_eq(testhttp(&srv, "POST", "/api/tenants", token,
				  "{\"name\":\"Malformed\",\"admin_email\":\"a@malformed.test\"}",
				  &out),
			 201);
	t = json_loads(out, 0, NULL);
	snprintf(tenant, sizeof tenant, "%s", json_string_value(json_object_get(t, "id")));
	json_decref(t);
	free(out);
	for (unsigned i = 0; i < REQUESTS; i++) {
		struct text body = { 0 }, req = { 0 };
		int st;

		body_of(&body);
		request_of(&req, &body, i);
		st = send_request(&req, i % 97 == 0, reply, sizeof reply);
		ck_assert_msg(st < 500 || st > 599, "seed %d request %u answered %d: %.300s", SEED,
			      i, st, req.s);
		counts[st / 100]++;
		if (i % 200 == 0)
			ck_assert_msg(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL) == 200,
				      "no /healthz after request %u: %.300s", i, req.s);
		free(body.s);
		free(req.s);
	}
	ck_assert_int_eq(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL), 200);
	/* most requests were read and judged, not dropped */
	ck_assert_int_gt(counts[4] + counts[2], REQUESTS * 9 / 10);
	free(token);
	ck_assert_int_eq(testsrv_stop(&srv), 0);
}
END_TEST

/* ---- HTTP versions other than 1.x ------------------------------------------- */

/* libmicrohttpd would answer these 505; each gets 400 and a problem. */
static const char *const bad_lines[] = { "GET /healthz HTTP/2.0", "GET /healthz HTTP/0.9",
					 "POST /api/tenants HTTP/3.0",
					 "GET /api/tenants?x=1 HTTP/9.9 " };

START_TEST(test_other_http_versions)
{
	static char reply[8192];
	const char *db = testdb_create();

	testsrv_start(&srv, db, NULL);
	for (unsigned i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		struct text r = { 0 };

		adds(&r, bad_lines[i]);
		adds(&r, "\r\nHost: x\r\n\r\n");
		ck_assert_int_eq(send_request(&r, false, reply, sizeof reply), 400);
		ck_assert_ptr_nonnull(strstr(reply, "application/problem+json"));
		free(r.s);
	}
	ck_assert_int_eq(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testsrv_stop(&srv), 0);
}
END_TEST

/* Sends s on fd: at once, or a byte a packet with a pause after each
 * (until the server, having answered, closes). */
static void
send_text(int fd, const char *s, bool trickle)
{
	size_t n = strlen(s);

	if (!trickle) {
		ck_assert(send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		if (send(fd, s + k, 1, MSG_NOSIGNAL) != 1)
			return; /* answered at the end of the request line */
		poll(NULL, 0, 3);
	}
}

/* Reads one response from fd (its head and Content-Length bytes of
 * body) into buf, NUL-terminated; its status, 0 when the connection
 * closed first. What follows it stays unread. */
static int
read_response(int fd, char *buf, size_t cap)
{
	size_t len = 0, want = 0;
	int status = 0;
	char *end;

	buf[0] = '\0';
	while (len + 1 < cap && (want == 0 || len < want)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const char *cl;
		ssize_t k;

		if (poll(&p, 1, 10000) <= 0 || (k = recv(fd, buf + len, 1, 0)) <= 0)
			break; /* a byte at a time: the next response stays unread */
		buf[++len] = '\0';
		if (want == 0 && (end = strstr(buf, "\r\n\r\n"))) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
	}
	if (want == 0 || len < want)
		return 0;
	sscanf(buf, "HTTP/1.%*d %d", &status);
	return status;
}

/* The response in buf is a problem with status and code, with its
 * request_id, and the server then closes. */
static void
assert_problem(int fd, const char *buf, int status, const char *code, const char *what)
{
	const char *body = strstr(buf, "\r\n\r\n");
	json_t *j = body ? json_loads(body + 4, 0, NULL) : NULL;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	ck_assert_msg(strstr(buf, "application/problem+json"), "%s: %s", what, buf);
	ck_assert_msg(j && json_integer_value(json_object_get(j, "status")) == status, "%s: %s",
		      what, buf);
	ck_assert_str_eq(json_string_value(json_object_get(j, "code")), code);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(j, "request_id")));
	json_decref(j);
	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	ck_assert_int_eq(recv(fd, &c, 1, 0), 0);
}

static void
assert_refused(int fd, const char *buf, const char *line)
{
	assert_problem(fd, buf, 400, "bad_request", line);
}

/* The request line, and the rest of the head, arrive a byte at a time. */
START_TEST(test_other_http_versions_trickled)
{
	static char reply[8192];
	const char *db = testdb_create();
	int one = 1;

	testsrv_start(&srv, db, NULL);
	for (unsigned i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		int fd = testnet_connect(srv.port);

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		send_text(fd, bad_lines[i], true);
		send_text(fd, "\r\nHost: x\r\n\r\n", true);
		ck_assert_int_eq(read_response(fd, reply, sizeof reply), 400);
		assert_refused(fd, reply, bad_lines[i]);
		close(fd);
	}
	ck_assert_int_eq(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testsrv_stop(&srv), 0);
}
END_TEST

/* The request after an answered one on the same connection: sent after
 * the answer (whole or trickled), or pipelined behind the first. */
START_TEST(test_other_http_versions_kept_alive)
{
	static const char ok[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	static char reply[8192];
	const char *db = testdb_create();
	int one = 1;

	testsrv_start(&srv, db, NULL);
	for (unsigned i = 0; i < 3 * (sizeof bad_lines / sizeof bad_lines[0]); i++) {
		const char *line = bad_lines[i / 3];
		unsigned how = i % 3; /* 0 whole, 1 trickled, 2 pipelined */
		int fd = testnet_connect(srv.port);
		char bad[256];

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		snprintf(bad, sizeof bad, "%s%s\r\nHost: x\r\n\r\n", how == 2 ? ok : "", line);
		if (how != 2) {
			send_text(fd, ok, false);
			ck_assert_int_eq(read_response(fd, reply, sizeof reply), 200);
			ck_assert_ptr_null(strcasestr(reply, "Connection: close"));
		}
		send_text(fd, bad, how == 1);
		if (how == 2)
			ck_assert_int_eq(read_response(fd, reply, sizeof reply), 200);
		ck_assert_msg(read_response(fd, reply, sizeof reply) == 400, "%s (%u): %s", line,
			      how, reply);
		assert_refused(fd, reply, line);
		close(fd);
	}
	ck_assert_int_eq(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testsrv_stop(&srv), 0);
}
END_TEST

/* What libmicrohttpd refuses by itself is a problem too: a request line
 * it cannot parse, a head larger than a connection's memory. */
START_TEST(test_library_refusals)
{
	static char reply[8192];
	const char *db = testdb_create();
	struct text big = { 0 };
	int fd;

	testsrv_start(&srv, db, NULL);
	fd = testnet_connect(srv.port);
	send_text(fd, "GET /healthz HTTP/1.x\r\nHost: x\r\n\r\n", false);
	ck_assert_int_eq(read_response(fd, reply, sizeof reply), 400);
	assert_problem(fd, reply, 400, "bad_request", "HTTP/1.x");
	close(fd);
	adds(&big, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	for (int k = 0; k < 70000; k++)
		adds(&big, "a");
	adds(&big, "\r\n\r\n");
	fd = testnet_connect(srv.port);
	send(fd, big.s, big.len, MSG_NOSIGNAL); /* it may answer before all is read */
	ck_assert_int_eq(read_response(fd, reply, sizeof reply), 431);
	assert_problem(fd, reply, 431, "header_fields_too_large", "a 70 KB header");
	close(fd);
	free(big.s);
	ck_assert_int_eq(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testsrv_stop(&srv), 0);
}
END_TEST

Suite *
suite_malformed(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc = tcase_create("requests");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_other_http_versions);
	tcase_add_test(tc, test_other_http_versions_trickled);
	tcase_add_test(tc, test_other_http_versions_kept_alive);
	tcase_add_test(tc, test_library_refusals);
	tcase_add_test(tc, test_malformed_requests);
	suite_add_tcase(s, tc);
	return s;
}
