/* test_webhooks_rest.c - webhooks against a real tenantryd and a real
 * receiver on loopback (webhook_receiver.py checks every signature):
 * order, retries with the same webhook-id, a tenant's endpoint and filter,
 * two instances attempting once, disabling and resuming, loopback refused
 * before any connection. Nothing goes beyond 127.0.0.1. */
#include "rest/webhook_recv.h"

static const char *const extra[] = { "--webhook-allow-loopback",
				     "1",
				     "--webhook-retry-base",
				     "100",
				     "--webhook-disable-after",
				     "4",
				     NULL };

/* ---- the tests ------------------------------------------------------------------ */

START_TEST(test_signed_in_order_with_retries)
{
	struct recv r;
	char hook[ID_LEN], gamma[ID_LEN], path[256];
	json_t *ids, *log, *x, *att;
	const char *first;
	size_t i, next = 0;
	int fails = 0;

	recv_start(&r, "order");
	recv_file(&r, "fail", "3", "w");
	endpoint(hook, &r, NULL, platform, "tenant.*,member.*,invitation.*");
	create_tenant(gamma, "Gamma Co", "gia@gamma.test", "basic");
	json_decref(call(200, "POST", "/api/tenants/gamma-co/tier", platform,
			 "{\"tier\":\"professional\"}"));
	json_decref(call(200, "POST", "/api/tenants/gamma-co/status/suspended", platform, NULL));
	json_decref(call(200, "POST", "/api/tenants/gamma-co/status/active", platform, NULL));
	ids = event_ids(gamma, "%", 0);
	ck_assert_int_ge(json_array_size(ids), 6);
	log = wait_delivered(&r, ids);
	first = json_string_value(json_array_get(ids, 0));
	/* each signed; the first answered 500 three times, then delivered with
	 * the same id; each event delivered once, in the order they happened */
	json_array_foreach(log, i, x)
	{
		ck_assert_msg(json_is_true(json_object_get(x, "verified")), "unsigned: %s",
			      jstr(x, "id"));
		if (json_integer_value(json_object_get(x, "status")) == 500) {
			ck_assert_str_eq(jstr(x, "id"), first);
			fails++;
		} else if (next < json_array_size(ids)
			   && strcmp(jstr(x, "id"), json_string_value(json_array_get(ids, next)))
				  == 0) {
			next++;
		}
	}
	ck_assert_int_eq(fails, 3);
	ck_assert_int_eq(next, json_array_size(ids));
	json_array_foreach(ids, i, x) ck_assert_int_eq(delivered(log, json_string_value(x)), 1);
	/* the body is the event */
	x = json_loads(jstr(json_array_get(log, 3), "body"), 0, NULL);
	ck_assert_str_eq(jstr(x, "type"), "tenant.created");
	ck_assert_str_eq(jstr(json_object_get(x, "data"), "tenant_id"), gamma);
	json_decref(x);
	/* the delivery log: 500, 500, 500, then 200, newest first */
	snprintf(path, sizeof path, "/api/webhooks/%s/deliveries?limit=1000", hook);
	att = call(200, "GET", path, platform, NULL);
	{
		json_t *items = json_object_get(att, "items");
		int seen = 0;

		json_array_foreach(items, i, x)
		{
			if (strcmp(jstr(x, "event_id"), first + 4) != 0)
				continue;
			seen++;
			ck_assert_int_eq(
			    json_integer_value(json_object_get(x, "status")),
			    json_integer_value(json_object_get(x, "attempt")) == 4 ? 200 : 500);
		}
		ck_assert_int_eq(seen, 4);
	}
	json_decref(att);
	/* redelivery sends the same event, with the same id, once more */
	snprintf(path, sizeof path, "/api/webhooks/%s/redeliver", hook);
	{
		char body[128];

		snprintf(body, sizeof body, "{\"event_id\":\"%s\"}", first + 4);
		json_decref(call(202, "POST", path, platform, body));
		json_decref(call(404, "POST", path, platform,
				 "{\"event_id\":\"00000000-0000-0000-0000-000000000000\"}"));
	}
	for (int t = 0; t < 300; t++) {
		json_decref(log);
		log = recv_log(&r);
		if (delivered(log, first) == 2)
			break;
		poll(NULL, 0, 100);
	}
	ck_assert_int_eq(delivered(log, first), 2);
	/* gone: later tests' events are not its */
	snprintf(path, sizeof path, "/api/webhooks/%s", hook);
	json_decref(call(204, "DELETE", path, platform, NULL));
	json_decref(call(404, "DELETE", path, platform, NULL));
	json_decref(log);
	json_decref(ids);
	recv_stop(&r);
}
END_TEST

START_TEST(test_tenant_endpoint)
{
	struct recv r;
	char hook[ID_LEN], path[256];
	json_t *log, *x;
	size_t i;
	int alpha_members = 0;
	long long since;

	recv_start(&r, "tenant");
	/* an admin's; a viewer may not; bad filters and URLs are refused */
	json_decref(call(403, "POST", "/api/tenants/alpha-labs/webhooks", viewer,
			 "{\"url\":\"http://127.0.0.1:9/x\"}"));
	x = call(422, "POST", "/api/tenants/alpha-labs/webhooks", admin,
		 "{\"url\":\"http://127.0.0.1:9/x\",\"events\":\"member.nothing\"}");
	check_problem(x, 422, "invalid_field");
	json_decref(x);
	x = call(422, "POST", "/api/tenants/alpha-labs/webhooks", admin,
		 "{\"url\":\"ftp://127.0.0.1:9/x\"}");
	ck_assert_str_eq(jstr(x, "field"), "url");
	json_decref(x);
	json_decref(call(422, "POST", "/api/tenants/alpha-labs/webhooks", admin,
			 "{\"url\":\"http://127.0.0.1:9/x\",\"secret\":\"mine\"}"));
	endpoint(hook, &r, "/api/tenants/alpha-labs/webhooks", admin, "member.*");
	/* its tenant lists it; another tenant's id is not found, as an unknown one */
	x = call(200, "GET", "/api/tenants/alpha-labs/webhooks", admin, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(x, "items")), 1);
	json_decref(x);
	x = call(200, "GET", "/api/webhooks", platform, NULL);
	ck_assert_int_ge(json_array_size(json_object_get(x, "items")), 1);
	json_decref(x);
	{
		char other[ID_LEN];
		struct recv r2;

		recv_start(&r2, "beta");
		endpoint(other, &r2, "/api/tenants/beta-works/webhooks", platform, "");
		snprintf(path, sizeof path, "/api/webhooks/%s/test", other);
		json_decref(call(404, "POST", path, admin, NULL));
		snprintf(path, sizeof path, "/api/webhooks/%s", other);
		json_decref(call(404, "DELETE", path, admin, NULL));
		json_decref(call(204, "DELETE", path, platform, NULL));
		recv_stop(&r2);
	}
	/* a member joins each tenant: only alpha's member.added arrives */
	since = chain_head(alpha);
	free(invite_and_login("alpha-labs", "hook1@alpha.test", "member"));
	free(invite_and_login("beta-works", "hook1@beta.test", "member"));
	{
		json_t *ids = event_ids(alpha, "member.%", since);

		log = wait_delivered(&r, ids);
		json_decref(ids);
	}
	json_array_foreach(log, i, x)
	{
		json_t *ev = json_loads(jstr(x, "body"), 0, NULL);

		ck_assert(json_is_true(json_object_get(x, "verified")));
		ck_assert(strncmp(jstr(ev, "type"), "member.", 7) == 0);
		ck_assert_str_eq(jstr(json_object_get(ev, "data"), "tenant_id"), alpha);
		alpha_members++;
		json_decref(ev);
	}
	ck_assert_int_ge(alpha_members, 1);
	/* a test event reaches this endpoint */
	snprintf(path, sizeof path, "/api/webhooks/%s/test", hook);
	x = call(202, "POST", path, admin, NULL);
	{
		char id[64];
		int n = 0;

		snprintf(id, sizeof id, "evt_%s", jstr(x, "event_id"));
		for (int t = 0; t < 300 && !n; t++) {
			json_decref(log);
			log = recv_log(&r);
			n = delivered(log, id);
			poll(NULL, 0, n ? 0 : 100);
		}
		ck_assert_int_eq(n, 1);
	}
	json_decref(x);
	snprintf(path, sizeof path, "/api/webhooks/%s", hook);
	json_decref(call(204, "DELETE", path, admin, NULL));
	json_decref(log);
	recv_stop(&r);
}
END_TEST

START_TEST(test_two_instances_attempt_once)
{
	struct testsrv two;
	struct recv r;
	char hook[ID_LEN], path[256];
	json_t *ids, *log;
	PGconn *c;

	testsrv_start(&two, db, extra);
	recv_start(&r, "two");
	long long since = chain_head(beta);

	endpoint(hook, &r, "/api/tenants/beta-works/webhooks", platform, "tenant.status_changed");
	for (int i = 0; i < 15; i++) {
		json_decref(
		    call(200, "POST", "/api/tenants/beta-works/status/suspended", platform, NULL));
		json_decref(
		    call(200, "POST", "/api/tenants/beta-works/status/active", platform, NULL));
	}
	ids = event_ids(beta, "tenant.status_changed", since);
	ck_assert_int_ge(json_array_size(ids), 30);
	log = wait_delivered(&r, ids);
	{
		size_t i;
		json_t *x;

		json_array_foreach(ids, i, x)
		    ck_assert_int_eq(delivered(log, json_string_value(x)), 1);
		ck_assert_int_eq(json_array_size(log), json_array_size(ids));
	}
	/* one attempt each, whichever instance made it (the last record is
	 * written after the receiver has answered: it may come a moment after
	 * the delivery) */
	c = testdb_connect(db, NULL);
	{
		char sql[512];
		int n = 0;

		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM tenantry.webhook_attempts WHERE endpoint_id = '%s'",
			 hook);
		for (int waited = 0; waited < 10000; waited += 100) {
			if ((n = atoi(testdb_value(c, sql))) >= (int)json_array_size(ids))
				break;
			poll(NULL, 0, 100);
		}
		ck_assert_int_eq(n, (int)json_array_size(ids));
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM (SELECT 1 FROM tenantry.webhook_attempts "
			 "WHERE endpoint_id = '%s' GROUP BY event_tenant, seq, type "
			 "HAVING count(*) > 1) x",
			 hook);
		ck_assert_str_eq(testdb_value(c, sql), "0");
	}
	PQfinish(c);
	snprintf(path, sizeof path, "/api/webhooks/%s", hook);
	json_decref(call(204, "DELETE", path, platform, NULL));
	json_decref(log);
	json_decref(ids);
	recv_stop(&r);
	testsrv_stop(&two);
}
END_TEST

START_TEST(test_failing_endpoint_disabled_then_resumed)
{
	struct recv r;
	char hook[ID_LEN], path[256];
	json_t *ids, *x;
	bool disabled = false;

	recv_start(&r, "disable");
	recv_file(&r, "fail", "1000", "w");
	long long since = chain_head(alpha);

	endpoint(hook, &r, "/api/tenants/alpha-labs/webhooks", platform, "api_key.*");
	free(make_key("alpha-labs", "[\"tenant:read\"]"));
	/* four failed attempts in a row (--webhook-disable-after 4) */
	for (int t = 0; t < 300 && !disabled; t++) {
		x = call(200, "GET", "/api/tenants/alpha-labs/webhooks", platform, NULL);
		disabled = json_is_false(
		    json_object_get(json_array_get(json_object_get(x, "items"), 0), "enabled"));
		json_decref(x);
		poll(NULL, 0, disabled ? 0 : 100);
	}
	ck_assert(disabled);
	/* the log says so */
	{
		FILE *f = fopen(srv.log_file, "r");
		char line[2048];
		bool logged = false;

		while (f && fgets(line, sizeof line, f))
			logged |= strstr(line, "webhook endpoint disabled") && strstr(line, hook);
		if (f)
			fclose(f);
		ck_assert(logged);
	}
	/* and an alert */
	x = call(200, "GET", "/api/tenants/alpha-labs/alerts", platform, NULL);
	{
		size_t i;
		json_t *a;
		bool found = false;

		json_array_foreach(json_object_get(x, "items"), i, a)
		{
			found |= strcmp(jstr(a, "kind"), "webhook") == 0
				 && strncmp(jstr(a, "resource"), hook, 8) == 0;
		}
		ck_assert_msg(found, "%s %s", hook, json_dumps(x, 0));
	}
	json_decref(x);
	/* enabled again, the waiting delivery goes out: nothing was lost */
	recv_file(&r, "fail", "0", "w");
	snprintf(path, sizeof path, "/api/webhooks/%s", hook);
	x = call(200, "PUT", path, admin, "{\"enabled\":true}");
	ck_assert(json_is_true(json_object_get(x, "enabled")));
	json_decref(x);
	json_decref(call(422, "PUT", path, admin, "{\"enabled\":\"yes\"}"));
	ids = event_ids(alpha, "api_key.%", since);
	json_decref(wait_delivered(&r, ids));
	json_decref(ids);
	json_decref(call(204, "DELETE", path, platform, NULL));
	recv_stop(&r);
}
END_TEST

/* With the loopback allowance off, neither the API nor a delivery lets
 * an endpoint reach loopback, private or link-local addresses. */
START_TEST(test_loopback_refused)
{
	static const char *const bad[] = {
		"http://127.0.0.1:%d/x",
		"https://127.0.0.1:%d/x",
		"https://[::1]:%d/x",
		"https://localhost:%d/x",
		"https://10.0.0.1:%d/x",
		"https://169.254.169.254:%d/x",
		"https://[::ffff:127.0.0.1]:%d/",
		"https://[fe80::1]:%d/x",
	};
	const char *db2 = testdb_create();
	struct testsrv strict;
	struct recv r;
	struct store *st;
	struct webhook w;
	struct webhook_new n = { .tenant = NULL };
	char url[128], whsec[WEBHOOK_SECRET_LEN], *tok;
	struct err e;
	PGconn *c;
	int attempts = 0;

	recv_start(&r, "strict");
	testsrv_start(&strict, db2, (const char *const[]){ "--webhook-retry-base", "100", NULL });
	tok = testsrv_staff_token(&strict, "root@strict.test", "platform_admin");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char body[256], *out = NULL;

		snprintf(url, sizeof url, bad[i], r.port);
		snprintf(body, sizeof body, "{\"url\":\"%s\"}", url);
		ck_assert_msg(testhttp(&strict, "POST", "/api/webhooks", tok, body, &out) == 422,
			      "%s: %s", url, out);
		ck_assert_msg(strstr(out, "\"field\":\"url\"") || strstr(out, "\"field\": \"url\""),
			      "%s", out);
		free(out);
	}
	/* one stored straight in the database: every attempt is refused
	 * before connecting, and the receiver hears nothing */
	st = teststore_open(db2, NULL, STORE_ROLE_PLATFORM, NULL);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", r.port);
	n.url = url;
	ck_assert_msg(store_webhook_create(&w, whsec, st, &n, &e) == 0, "%s", e.message);
	store_close(&st);
	{
		char tid[ID_LEN];

		testsrv_tenant(&strict, tok, tid, "Strict Co", "sam@strict.test");
	}
	c = testdb_connect(db2, NULL);
	for (int t = 0; t < 300 && attempts == 0; t++) {
		attempts = atoi(testdb_value(c, "SELECT count(*) FROM tenantry.webhook_attempts "
						"WHERE error LIKE 'refused before connecting%'"));
		poll(NULL, 0, attempts ? 0 : 100);
	}
	ck_assert_int_ge(attempts, 1);
	ck_assert_str_eq(testdb_value(c, "SELECT count(*) FROM tenantry.webhook_attempts "
					 "WHERE error NOT LIKE 'refused before connecting%'"),
			 "0");
	PQfinish(c);
	{
		json_t *log = recv_log(&r);

		ck_assert_int_eq(json_array_size(log), 0);
		json_decref(log);
	}
	free(tok);
	testsrv_stop(&strict);
	recv_stop(&r);
}
END_TEST

/* A redirect is not followed and a slow receiver is cut off at
 * --webhook-timeout: both are failed attempts, retried until one succeeds. */
START_TEST(test_redirect_and_timeout)
{
	const char *db3 = testdb_create();
	struct testsrv quick;
	struct recv r;
	char hook[ID_LEN], path[256], tid[ID_LEN], *tok;
	json_t *att = NULL, *log;
	bool redirected = false, timed_out = false, delivered_ok = false;

	recv_start(&r, "quick");
	recv_file(&r, "mode", "redirect", "w");
	testsrv_start(&quick, db3,
		      (const char *const[]){ "--webhook-allow-loopback", "1", "--webhook-timeout",
					     "1", "--webhook-retry-base", "100", NULL });
	tok = testsrv_staff_token(&quick, "root@quick.test", "platform_admin");
	{
		char body[256], *out = NULL;
		json_t *w;

		snprintf(body, sizeof body,
			 "{\"url\":\"http://127.0.0.1:%d/hook\",\"events\":\"tenant.created\"}",
			 r.port);
		ck_assert_int_eq(testhttp(&quick, "POST", "/api/webhooks", tok, body, &out), 201);
		w = json_loads(out, 0, NULL);
		snprintf(hook, sizeof hook, "%s", jstr(w, "id"));
		recv_file(&r, "secrets", jstr(w, "secret"), "w");
		json_decref(w);
		free(out);
	}
	testsrv_tenant(&quick, tok, tid, "Quick Co", "q@quick.test");
	snprintf(path, sizeof path, "/api/webhooks/%s/deliveries", hook);
	for (int t = 0; t < 300 && !delivered_ok; t++) {
		char *out = NULL;
		size_t i;
		json_t *x;

		if (redirected && !timed_out)
			recv_file(&r, "mode", "slow 3", "w");
		if (timed_out)
			recv_file(&r, "mode", "", "w");
		ck_assert_int_eq(testhttp(&quick, "GET", path, tok, NULL, &out), 200);
		att = json_loads(out, 0, NULL);
		free(out);
		json_array_foreach(json_object_get(att, "items"), i, x)
		{
			int st = (int)json_integer_value(json_object_get(x, "status"));

			redirected |= st == 302;
			timed_out |= st == 0 && strcasestr(jstr(x, "error"), "timed out");
			delivered_ok |= st == 200;
		}
		json_decref(att);
		poll(NULL, 0, delivered_ok ? 0 : 100);
	}
	ck_assert(redirected && timed_out && delivered_ok);
	/* nothing ever followed the redirect */
	log = recv_log(&r);
	{
		size_t i;
		json_t *x;

		json_array_foreach(log, i, x) ck_assert_str_eq(jstr(x, "path"), "/hook");
	}
	json_decref(log);
	free(tok);
	testsrv_stop(&quick);
	recv_stop(&r);
}
END_TEST

Suite *
suite_webhooks_rest(void)
{
	Suite *s = suite_create("webhooks_rest");
	TCase *tc = tcase_create("server");

	srv_extra = extra;
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_signed_in_order_with_retries);
	tcase_add_test(tc, test_tenant_endpoint);
	tcase_add_test(tc, test_two_instances_attempt_once);
	tcase_add_test(tc, test_failing_endpoint_disabled_then_resumed);
	tcase_add_test(tc, test_loopback_refused);
	tcase_add_test(tc, test_redirect_and_timeout);
	suite_add_tcase(s, tc);
	return s;
}
