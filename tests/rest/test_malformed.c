/* test_malformed.c - a few thousand generated malformed requests against
 * the real tenantryd (issue 16): broken JSON, deep nesting, wrong types,
 * invalid and cut UTF-8, NUL bytes, huge numbers, huge and many headers
 * and query parameters, slow senders. None may crash the server or be
 * answered 5xx (the database is up), and /healthz answers throughout.
 * The generator is seeded, so a failure repeats; the seed and the
 * request's index are in the message. Request lines that arrive whole
 * name other HTTP versions too (HTTP/2.0, 0.9, 3.0 answer 400); slow ones
 * keep HTTP/1.1, see tenantryd(8). */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
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
request_of(struct text *r, const struct text *body, unsigned i, bool slow)
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
	adds(r, slow || pick(6) ? " HTTP/1.1" : versions[pick(8)]);
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
		request_of(&req, &body, i, i % 97 == 0);
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

/* libmicrohttpd would answer these 505; each gets 400 and a problem. */
START_TEST(test_other_http_versions)
{
	static const char *const lines[] = { "GET /healthz HTTP/2.0", "GET /healthz HTTP/0.9",
					     "POST /api/tenants HTTP/3.0",
					     "GET /api/tenants?x=1 HTTP/9.9 " };
	static char reply[8192];
	const char *db = testdb_create();

	testsrv_start(&srv, db, NULL);
	for (unsigned i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct text r = { 0 };

		adds(&r, lines[i]);
		adds(&r, "\r\nHost: x\r\n\r\n");
		ck_assert_int_eq(send_request(&r, false, reply, sizeof reply), 400);
		ck_assert_ptr_nonnull(strstr(reply, "application/problem+json"));
		free(r.s);
	}
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
	tcase_add_test(tc, test_malformed_requests);
	suite_add_tcase(s, tc);
	return s;
}
