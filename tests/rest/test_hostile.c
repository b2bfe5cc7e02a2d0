/* test_hostile.c - what an attacker with an ordinary account sends must
 * never take tenantryd down (issue 16): JSON nested thousands of levels
 * deep in a request and in rows already stored, text cut inside a UTF-8
 * character, and a long User-Agent. Each test ends by asking /healthz. */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/json_limit.h"
#include "testlib.h"

static struct testsrv srv;
static const char *db;
static char *platform, *support;
static char tenant[ID_LEN];

/* {"key": {"a": {"a": ... 1 ... }}} with the member nested depth levels. */
static char *
nested_body(const char *key, int depth)
{
	size_t cap = (size_t)depth * 6 + 64, n;
	char *s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	n = (size_t)snprintf(s, cap, "{\"%s\":", key);
	for (int i = 0; i < depth; i++)
		n += (size_t)snprintf(s + n, cap - n, "{\"a\":");
	n += (size_t)snprintf(s + n, cap - n, "1");
	for (int i = 0; i < depth; i++)
		s[n++] = '}';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

/* The status; the problem's field must be `field` when given. */
static int
send_json(const char *method, const char *path, const char *token, const char *body,
	  const char *field)
{
	char *out = NULL;
	int st = testhttp(&srv, method, path, token, body, &out);

	if (field) {
		json_t *j = out ? json_loads(out, 0, NULL) : NULL;

		ck_assert_msg(j, "%s %s: no problem body (%d)", method, path, st);
		ck_assert_str_eq(json_string_value(json_object_get(j, "field")), field);
		json_decref(j);
	}
	free(out);
	return st;
}

static void
assert_alive(void)
{
	ck_assert_int_eq(testhttp(&srv, "GET", "/healthz", NULL, NULL, NULL), 200);
}

static void
setup(void)
{
	char *out = NULL;
	json_t *t;

	db = testdb_create();
	testsrv_start(&srv, db, NULL);
	platform = testsrv_staff_token(&srv, "root@hostile.test", "platform_admin");
	support = testsrv_staff_token(&srv, "help@hostile.test", "support");
	ck_assert_int_eq(testhttp(&srv, "POST", "/api/tenants", platform,
				  "{\"name\":\"Deep Corp\",\"admin_email\":\"a@deep.test\","
				  "\"domain\":\"deep.test\"}",
				  &out),
			 201);
	t = json_loads(out, 0, NULL);
	snprintf(tenant, sizeof tenant, "%s", json_string_value(json_object_get(t, "id")));
	json_decref(t);
	free(out);
}

static void
teardown(void)
{
	testsrv_stop(&srv);
}

/* settings and branding nested 1,690 levels crashed the server (its dump
 * recursed past a task's stack); now 422 naming the member, and the
 * limit itself is accepted. */
START_TEST(test_deep_settings_and_branding)
{
	const char *keys[] = { "settings", "branding" };
	char path[128];

	snprintf(path, sizeof path, "/api/tenants/%s", tenant);
	for (int k = 0; k < 2; k++) {
		char *deep = nested_body(keys[k], 1690), *over = nested_body(keys[k], 33);
		char *at = nested_body(keys[k], JSON_DEPTH_MAX);

		ck_assert_int_eq(send_json("PUT", path, platform, deep, keys[k]), 422);
		assert_alive();
		ck_assert_int_eq(send_json("PUT", path, platform, over, keys[k]), 422);
		ck_assert_int_eq(send_json("PUT", path, platform, at, NULL), 200);
		free(deep);
		free(over);
		free(at);
	}
	assert_alive();
}
END_TEST

/* A staff member's audit detail likewise; and a setting of type json. */
START_TEST(test_deep_audit_detail_and_json_setting)
{
	char path[128], *deep = nested_body("detail", 1700), *body;
	size_t n;

	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs", tenant);
	n = strlen(deep);
	body = malloc(n + 64);
	/* {"action":"support.note","detail":{...}} */
	snprintf(body, n + 64, "{\"action\":\"support.note\",%s", deep + 1);
	ck_assert_int_eq(send_json("POST", path, support, body, "detail"), 422);
	ck_assert_int_eq(send_json("POST", "/api/audit-logs", platform, body, "detail"), 422);
	assert_alive();
	free(body);
	free(deep);

	/* 40 levels inside a string value: parsed by the validator */
	snprintf(path, sizeof path, "/api/tenants/%s/settings/deep", tenant);
	body = malloc(512);
	n = (size_t)snprintf(body, 512, "{\"type\":\"json\",\"value\":\"");
	for (int i = 0; i < 40; i++)
		body[n++] = '[';
	for (int i = 0; i < 40; i++)
		body[n++] = ']';
	snprintf(body + n, 512 - n, "\"}");
	ck_assert_int_eq(send_json("PUT", path, platform, body, "value"), 422);
	free(body);
	assert_alive();
}
END_TEST

/* The database holds rows to the same limits, however they are written. */
START_TEST(test_database_refuses_deep_values)
{
	PGconn *c = testdb_connect(db, NULL);
	char sql[256];

	snprintf(sql, sizeof sql,
		 "UPDATE tenantry.tenants SET settings = "
		 "('{\"a\":' || repeat('[', 40) || repeat(']', 40) || '}')::jsonb "
		 "WHERE id = '%s'",
		 tenant);
	ck_assert_str_eq(testdb_sqlstate(c, sql), "23514");
	snprintf(sql, sizeof sql,
		 "UPDATE tenantry.tenants SET branding = "
		 "jsonb_build_object('a', repeat('x', 40000)) WHERE id = '%s'",
		 tenant);
	ck_assert_str_eq(testdb_sqlstate(c, sql), "23514");
	snprintf(sql, sizeof sql,
		 "SELECT tenantry.audit_event('%s', 'support.note', 'x', "
		 "'y', (repeat('[', 40) || repeat(']', 40))::jsonb)",
		 tenant);
	ck_assert_str_eq(testdb_sqlstate(c, sql), "23514");
	ck_assert_str_eq(testdb_value(c, "SELECT tenantry.jsonb_depth('{\"a\":[{}]}')"), "3");
	PQfinish(c);
}
END_TEST

/* Reads one audit stream's bytes until needle shows or the time is up. */
static bool
stream_until(int fd, char *buf, size_t cap, const char *needle, int timeout_ms)
{
	size_t len = 0;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	buf[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long ms;
		ssize_t k;

		if (strstr(buf, needle))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= timeout_ms || len + 1 >= cap)
			return false;
		if (poll(&p, 1, (int)(timeout_ms - ms)) <= 0)
			continue;
		if ((k = read(fd, buf + len, cap - 1 - len)) <= 0)
			return false;
		len += (size_t)k;
		buf[len] = '\0';
	}
}

static int
open_stream(const char *path, const char *token, long long last_id)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;
	char req[4096];

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	if (last_id < 0) /* from now */
		n = snprintf(req, sizeof req,
			     "GET %s HTTP/1.1\r\nHost: x\r\n"
			     "Authorization: Bearer %s\r\n\r\n",
			     path, token);
	else
		n = snprintf(req, sizeof req,
			     "GET %s HTTP/1.1\r\nHost: x\r\n"
			     "Authorization: Bearer %s\r\nLast-Event-ID: %lld\r\n\r\n",
			     path, token, last_id);
	ck_assert(write(fd, req, (size_t)n) == n);
	return fd;
}

/* Rows stored before the limits (or around them, by a superuser): an
 * audit entry nested 1,700 levels crashed the server whenever a stream
 * or a page of the log sent it, after every restart. Now it is shown as
 * nested_too_deep, and so is a tenant's stored settings. */
START_TEST(test_stored_deep_entry_is_read_safely)
{
	PGconn *c = testdb_connect(db, NULL);
	static char buf[1 << 16];
	char sql[512], path[160], want[64], *out = NULL;
	long long seq;
	int fd;

	snprintf(sql, sizeof sql,
		 "SELECT tenantry.audit_append('%s', 'tenant.update', "
		 "'tenant', '%s', NULL, ('{\"settings\":' || repeat('{\"a\":', 1700) || '1' "
		 "|| repeat('}', 1700) || '}')::jsonb)",
		 tenant, tenant);
	seq = atoll(testdb_value(c, sql));
	testdb_execf(c, "ALTER TABLE tenantry.tenants DROP CONSTRAINT tenants_settings_check");
	testdb_execf(c,
		     "UPDATE tenantry.tenants SET settings = (repeat('{\"a\":', 1700) || '1' "
		     "|| repeat('}', 1700))::jsonb WHERE id = '%s'",
		     tenant);
	testdb_execf(c, "ALTER TABLE tenantry.tenants ADD CONSTRAINT tenants_settings_check "
			"CHECK (jsonb_typeof(settings) = 'object' "
			"AND tenantry.json_within_limits(settings)) NOT VALID");

	/* the log's pages, per tenant and across tenants */
	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs?newest=1&limit=5", tenant);
	ck_assert_int_eq(testhttp(&srv, "GET", path, platform, NULL, &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "nested_too_deep"));
	free(out);
	ck_assert_int_eq(
	    testhttp(&srv, "GET", "/api/audit-logs?newest=1&limit=50", platform, NULL, &out), 200);
	free(out);
	/* the tenant with its deep settings, one and in a list */
	snprintf(path, sizeof path, "/api/tenants/%s", tenant);
	ck_assert_int_eq(testhttp(&srv, "GET", path, platform, NULL, &out), 200);
	ck_assert_ptr_nonnull(strstr(out, "nested_too_deep"));
	free(out);
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants?limit=500", platform, NULL, NULL),
			 200);
	assert_alive();

	/* a stream resuming just before the entry sends it */
	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs/stream", tenant);
	fd = open_stream(path, platform, seq - 1);
	snprintf(want, sizeof want, "id: %lld\n", seq);
	ck_assert_msg(stream_until(fd, buf, sizeof buf, "nested_too_deep", 5000), "%s", buf);
	ck_assert_msg(strstr(buf, want), "not the entry: %s", buf);
	close(fd);
	/* the all-tenants stream, live, while the tenant's settings change */
	fd = open_stream("/api/audit-logs/stream", platform, -1);
	ck_assert(stream_until(fd, buf, sizeof buf, ": stream open", 5000));
	snprintf(path, sizeof path, "/api/tenants/%s", tenant);
	/* (a row over the limits takes no change that keeps it over them) */
	ck_assert_int_eq(testhttp(&srv, "PUT", path, platform, "{\"name\":\"Deep Corp 2\"}", NULL),
			 422);
	ck_assert_int_eq(testhttp(&srv, "PUT", path, platform,
				  "{\"name\":\"Deep Corp 2\",\"settings\":{}}", NULL),
			 200);
	ck_assert_msg(stream_until(fd, buf, sizeof buf, "Deep Corp 2", 5000), "%s", buf);
	close(fd);
	assert_alive();
	PQfinish(c);
}
END_TEST

/* A resource_id of 40 emoji was cut inside a character when read into
 * char[128], and from then on the tenant's audit log answered 500. */
START_TEST(test_cut_utf8_resource_id)
{
	PGconn *c = testdb_connect(db, NULL);
	char emoji[40 * 4 + 1] = "", body[512], path[160], sql[512], *out = NULL;
	json_t *j;

	for (int i = 0; i < 40; i++)
		strcat(emoji, "\xf0\x9f\x98\x80"); /* U+1F600 */
	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs", tenant);
	snprintf(body, sizeof body, "{\"action\":\"support.note\",\"resource_id\":\"%s\"}", emoji);
	ck_assert_int_eq(send_json("POST", path, support, body, "resource_id"), 422);
	/* an old row holding one */
	snprintf(sql, sizeof sql,
		 "SELECT tenantry.audit_append('%s', 'support.note', 'x', '%s', "
		 "NULL, NULL)",
		 tenant, emoji);
	testdb_exec(c, sql);
	snprintf(path, sizeof path, "/api/tenants/%s/audit-logs?newest=1&limit=1", tenant);
	ck_assert_int_eq(testhttp(&srv, "GET", path, platform, NULL, &out), 200);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	{
		const char *rid = json_string_value(
		    json_object_get(json_array_get(json_object_get(j, "items"), 0), "resource_id"));

		ck_assert_ptr_nonnull(rid);
		ck_assert_int_eq(strlen(rid), 31 * 4); /* whole characters only */
	}
	json_decref(j);
	free(out);
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/audit-logs?newest=1", platform, NULL, NULL),
			 200);
	PQfinish(c);
	assert_alive();
}
END_TEST

/* A User-Agent longer than the audit context holds, with a multi-byte
 * character at the cut, made every request fail with 400. */
START_TEST(test_long_user_agent)
{
	char ua[300] = "User-Agent: ", path[128];
	const char *hdrs[] = { ua, NULL };

	for (int i = 0; i < 30; i++)
		strcat(ua, "\xc3\xa9\xe2\x82\xac"); /* é€: 5 bytes */
	snprintf(path, sizeof path, "/api/tenants/%s", tenant);
	ck_assert_int_eq(testhttp_full(&srv, "PUT", path, platform, hdrs,
				       "{\"name\":\"Deep Corp UA\"}", 23, NULL, NULL),
			 200);
	ck_assert_int_eq(testhttp_full(&srv, "GET", path, platform, hdrs, NULL, 0, NULL, NULL),
			 200);
}
END_TEST

Suite *
suite_hostile(void)
{
	Suite *s = suite_create("hostile");
	TCase *tc = tcase_create("input");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_deep_settings_and_branding);
	tcase_add_test(tc, test_deep_audit_detail_and_json_setting);
	tcase_add_test(tc, test_database_refuses_deep_values);
	tcase_add_test(tc, test_stored_deep_entry_is_read_safely);
	tcase_add_test(tc, test_cut_utf8_resource_id);
	tcase_add_test(tc, test_long_user_agent);
	suite_add_tcase(s, tc);
	return s;
}
