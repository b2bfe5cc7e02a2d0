/* test_rest.c - tenantryd end to end: a real server on a free loopback
 * port over a real database. Seed requests, bad input, the permission
 * matrix, tenant isolation (404), view as a tenant, rate limits, quotas;
 * the route table against docs/openapi.yaml, route matching, the command
 * line, and a database restart under a running server. Tokens, logins
 * and TOTP are in test_rest_auth.c; the audit stream and the event loops
 * in test_rest_loop.c. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "rest.h"
#include "core/routes.h"

/* ---- seeds ---------------------------------------------------------------------- */

START_TEST(test_seed_create_and_usage)
{
	json_t *t, *u, *users, *tiers;
	long long limit = -2;
	size_t i;
	json_t *v;

	t = call(200, "GET", "/api/tenants/alpha-labs", platform, NULL);
	ck_assert_str_eq(jstr(t, "tier"), "professional");
	ck_assert_str_eq(jstr(t, "domain"), "alpha.test");
	json_decref(t);
	/* the admin named at creation is a member with the admin role */
	users = call(200, "GET", "/api/tenants/alpha-labs/users?role=admin", platform, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(users, "items")), 2);
	limit = 0;
	json_array_foreach(json_object_get(users, "items"), i, v) limit +=
	    strcmp(jstr(v, "email"), "alice@alpha.test") == 0;
	ck_assert_int_eq(limit, 1);
	json_decref(users);
	limit = -2;

	tiers = call(200, "GET", "/api/tiers", viewer, NULL);
	json_array_foreach(json_object_get(tiers, "items"), i,
			   v) if (strcmp(jstr(v, "name"), "professional") == 0) limit =
	    json_integer_value(json_object_get(v, "max_users"));
	json_decref(tiers);
	ck_assert_int_gt(limit, 0);

	u = call(200, "GET", "/api/tenants/alpha-labs/usage", viewer, NULL);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(u, "users"), "current")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(u, "users"), "limit")),
			 limit);
	ck_assert(json_is_number(json_object_get(json_object_get(u, "storage"), "used_gb")));
	ck_assert(json_is_number(json_object_get(json_object_get(u, "storage"), "limit_gb")));
	ck_assert(json_is_integer(json_object_get(json_object_get(u, "api_calls"), "today")));
	ck_assert(json_is_integer(json_object_get(json_object_get(u, "api_calls"), "limit")));
	json_decref(u);

	/* the other seeds' spellings */
	t = call(201, "POST", "/api/tenants", platform,
		 "{\"organization_name\":\"Seed Two\",\"tenant_tier\":\"business\","
		 "\"billing_email\":\"billing@seedtwo.test\"}");
	ck_assert_str_eq(jstr(t, "tier"), "business");
	ck_assert_str_eq(jstr(t, "slug"), "seed-two");
	json_decref(t);
	u = call(
	    200, "POST", "/api/tenants/seed-two/usage/increment", platform,
	    "{\"resource_type\":\"api_calls\",\"amount\":1,\"description\":\"API endpoint call\"}");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(u, "quota"), "used")),
			 1);
	json_decref(u);
	u = call(200, "PUT", "/api/tenants/seed-two/settings/security_level", platform,
		 "{\"setting_value\":\"advanced\",\"is_encrypted\":false}");
	ck_assert_str_eq(jstr(u, "value"), "advanced");
	ck_assert_str_eq(jstr(u, "type"), "string");
	json_decref(u);
	u = call(200, "GET", "/api/tenants/?status=active&tier=business", platform, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(u, "items")), 1);
	json_decref(u);

	/* the current tenant of a tenant credential */
	t = call(200, "GET", "/api/tenants/current", key_read, NULL);
	ck_assert_str_eq(jstr(t, "id"), alpha);
	json_decref(t);
}
END_TEST

/* ---- bad input ------------------------------------------------------------------ */

START_TEST(test_bad_input)
{
	char *out = NULL, *hdrs = NULL, *big;
	json_t *j;
	int st;

	/* malformed JSON */
	st = testhttp_full(&srv, "POST", "/api/tenants", platform, NULL, "{\"name\":", 8, &out,
			   &hdrs);
	ck_assert_int_eq(st, 400);
	ck_assert_ptr_nonnull(strcasestr(hdrs, "content-type: application/problem+json"));
	j = json_loads(out, 0, NULL);
	check_problem(j, 400, "bad_json");
	json_decref(j);
	free(out);
	free(hdrs);
	/* a JSON array is not an object */
	j = call(400, "POST", "/api/tenants", platform, "[1,2]");
	check_problem(j, 400, "bad_request");
	json_decref(j);
	/* wrong type */
	j = call(422, "POST", "/api/tenants", platform,
		 "{\"name\":5,\"admin_email\":\"x@y.test\"}");
	check_problem(j, 422, "invalid_field");
	ck_assert_str_eq(jstr(j, "field"), "name");
	json_decref(j);
	/* missing field */
	j = call(422, "POST", "/api/tenants", platform, "{\"name\":\"Gamma\"}");
	ck_assert_str_eq(jstr(j, "field"), "admin_email");
	json_decref(j);
	/* invalid field value */
	j = call(422, "POST", "/api/tenants", platform,
		 "{\"name\":\"Gamma\",\"admin_email\":\"not an email\"}");
	check_problem(j, 422, "invalid_field");
	json_decref(j);
	j = call(422, "POST", "/api/tenants/alpha-labs/tier", platform, "{\"tier\":\"platinum\"}");
	check_problem(j, 422, "invalid_field");
	json_decref(j);
	/* invalid UTF-8 */
	st = testhttp_full(&srv, "POST", "/api/tenants", platform, NULL,
			   "{\"name\":\"\xc3\x28\",\"admin_email\":\"a@b.test\"}", 39, &out, NULL);
	ck_assert_int_eq(st, 400);
	j = json_loads(out, 0, NULL);
	check_problem(j, 400, "bad_json");
	json_decref(j);
	free(out);
	/* oversized body */
	big = malloc(100000);
	memset(big, ' ', 99999);
	big[0] = '{';
	big[99998] = '}';
	big[99999] = '\0';
	j = call(413, "POST", "/api/tenants", platform, big);
	check_problem(j, 413, "body_too_large");
	json_decref(j);
	free(big);
	/* unknown ids, routes and methods */
	j = call(404, "GET", "/api/tenants/00000000-0000-0000-0000-000000000001", platform, NULL);
	check_problem(j, 404, "not_found");
	json_decref(j);
	json_decref(call(404, "GET", "/api/tenants/no-such-slug/users", platform, NULL));
	json_decref(call(404, "DELETE",
			 "/api/tenants/alpha-labs/api-keys/00000000-0000-0000-0000-000000000009",
			 platform, NULL));
	json_decref(call(404, "GET", "/api/nothing-here", platform, NULL));
	j = call(405, "PATCH", "/api/tenants", platform, NULL);
	check_problem(j, 405, "method_not_allowed");
	json_decref(j);
	json_decref(call(422, "GET", "/api/tenants?limit=0", platform, NULL));
	json_decref(call(422, "GET", "/api/tenants?sort=shoe-size", platform, NULL));
	json_decref(call(422, "PUT", "/api/tenants/alpha-labs/settings/theme", admin,
			 "{\"type\":\"color\",\"value\":\"not-a-colour\"}"));
	json_decref(call(422, "PUT", "/api/tenants/alpha-labs/features/sso", platform,
			 "{\"enabled\":\"yes\"}"));
	/* a member the route does not know is named, never ignored */
	j = call(422, "PUT", "/api/tenants/alpha-labs", platform,
		 "{\"name\":\"Renamed\",\"tenant_tier\":\"enterprise\"}");
	check_problem(j, 422, "invalid_field");
	ck_assert_str_eq(jstr(j, "field"), "tenant_tier");
	json_decref(j);
	json_decref(call(422, "POST", "/api/tenants/alpha-labs/invitations", admin,
			 "{\"email\":\"x@alpha.test\",\"role\":\"member\",\"permissions\":[]}"));
	json_decref(call(422, "POST", "/api/tenants/purge-due", platform, "{\"force\":true}"));
	/* nothing of it changed anything */
	j = call(200, "GET", "/api/tenants?filter=gamma", platform, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 0);
	json_decref(j);
	j = call(200, "GET", "/api/tenants/alpha-labs", platform, NULL);
	ck_assert_str_eq(jstr(j, "tier"), "professional");
	ck_assert_str_eq(jstr(j, "name"), "Alpha Labs");
	json_decref(j);
}
END_TEST

/* ---- permissions ---------------------------------------------------------------- */

struct case_ {
	const char *method, *path, *body;
	int ok;
	/* platform support oncall admin manager member viewer key_read key_users */
	bool allow[9];
};

START_TEST(test_permission_matrix)
{
	static const struct case_ cases[] = {
		{ "GET", "/api/tenants/alpha-labs", NULL, 200, { 1, 1, 1, 1, 1, 1, 1, 1, 0 } },
		{ "PUT",
		  "/api/tenants/alpha-labs",
		  "{\"locale\":\"en-GB\"}",
		  200,
		  { 1, 0, 0, 1, 1, 0, 0, 0, 0 } },
		{ "GET",
		  "/api/tenants/alpha-labs/users",
		  NULL,
		  200,
		  { 1, 1, 0, 1, 1, 1, 1, 0, 1 } },
		{ "PUT",
		  "/api/tenants/alpha-labs/settings/greeting",
		  "{\"type\":\"string\",\"value\":\"hello\"}",
		  200,
		  { 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
		{ "GET",
		  "/api/tenants/alpha-labs/settings",
		  NULL,
		  200,
		  { 1, 1, 0, 1, 1, 1, 1, 0, 0 } },
		{ "POST",
		  "/api/tenants/alpha-labs/usage/increment",
		  "{\"resource\":\"storage_bytes\",\"amount\":1}",
		  200,
		  { 1, 0, 0, 1, 1, 1, 0, 0, 1 } },
		{ "PUT",
		  "/api/tenants/alpha-labs/quotas/storage_bytes",
		  "{\"limit\":100000000000}",
		  200,
		  { 1, 0, 1, 0, 0, 0, 0, 0, 0 } },
		{ "GET",
		  "/api/tenants/alpha-labs/audit-logs?limit=5",
		  NULL,
		  200,
		  { 1, 1, 1, 1, 1, 0, 0, 0, 0 } },
		{ "GET", "/api/tenants/metrics", NULL, 200, { 1, 1, 1, 0, 0, 0, 0, 0, 0 } },
		{ "POST",
		  "/api/tenants/alpha-labs/api-keys",
		  "{\"name\":\"m\",\"scopes\":[\"audit:read\"]}",
		  201,
		  { 1, 0, 0, 1, 0, 0, 0, 0, 0 } },
		{ "POST", "/api/tiers", NULL, 0, { 0, 0, 0, 0, 0, 0, 0, 0, 0 } },
	};
	char *who[9] = { platform, support, oncall,   admin,    manager,
			 member,   viewer,  key_read, key_users };
	static const char *names[9] = {
		"platform", "support",         "oncall",
		"admin",    "manager",         "member",
		"viewer",   "key tenant:read", "key users:read+usage:write"
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		if (!cases[c].ok)
			continue;
		for (int w = 0; w < 9; w++) {
			char *out = NULL;
			int st = testhttp(&srv, cases[c].method, cases[c].path, who[w],
					  cases[c].body, &out);
			int want = cases[c].allow[w] ? cases[c].ok : 403;

			ck_assert_msg(st == want, "%s %s as %s: %d, wanted %d: %s", cases[c].method,
				      cases[c].path, names[w], st, want, out ? out : "");
			free(out);
		}
	}
	/* audit entries name who did it */
	{
		json_t *j =
		    call(200, "GET",
			 "/api/tenants/alpha-labs/audit-logs?action=setting.&newest=1&limit=1",
			 platform, NULL);

		ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "items"), 0), "actor"),
				 "admin2@alpha.test");
		json_decref(j);
	}
}
END_TEST

START_TEST(test_other_tenant_is_not_found)
{
	static const char *paths[] = {
		"/api/tenants/beta-works",
		"/api/tenants/beta-works/users",
		"/api/tenants/beta-works/settings",
		"/api/tenants/beta-works/quotas",
		"/api/tenants/beta-works/audit-logs",
		"/api/tenants/beta-works/usage",
	};
	char path[128];
	json_t *j;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		j = call(404, "GET", paths[i], admin, NULL);
		check_problem(j, 404, "not_found");
		json_decref(j);
	}
	/* by id too, and for writes */
	snprintf(path, sizeof path, "/api/tenants/%s", beta);
	json_decref(call(404, "GET", path, admin, NULL));
	json_decref(call(404, "PUT", path, admin, "{\"name\":\"Taken Over\"}"));
	json_decref(call(404, "PUT", "/api/tenants/beta-works/settings/x", admin,
			 "{\"type\":\"string\",\"value\":\"y\"}"));
	json_decref(call(404, "GET", "/api/tenants/beta-works", key_read, NULL));
	/* and the list shows exactly one tenant */
	j = call(200, "GET", "/api/tenants", admin, NULL);
	ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 1);
	json_decref(j);
	j = call(200, "GET", "/api/tenants/beta-works", platform, NULL);
	ck_assert_str_eq(jstr(j, "name"), "Beta Works");
	json_decref(j);
}
END_TEST

/* A support session of token in tenant as role: its X-View-As header
 * line (static), or NULL when refused with want. */
static const char *
view_session(const char *token, const char *tenant, const char *role, int want)
{
	static char line[2][96];
	static int k;
	char body[256];
	json_t *v;

	snprintf(body, sizeof body,
		 "{\"tenant\":\"%s\",\"role\":\"%s\",\"reason\":\"ticket 4711\"}", tenant, role);
	v = call(want, "POST", "/api/view-as", token, body);
	if (want != 201) {
		json_decref(v);
		return NULL;
	}
	k = !k;
	snprintf(line[k], sizeof line[k], "X-View-As: %s", jstr(v, "id"));
	json_decref(v);
	return line[k];
}

START_TEST(test_view_as_tenant)
{
	const char *h_viewer[] = { view_session(platform, "alpha-labs", "viewer", 201), NULL };
	const char *h_admin[] = { view_session(platform, "alpha-labs", "admin", 201), NULL };
	const char *h_support[] = { view_session(support, "alpha-labs", "viewer", 201), NULL };
	const char *h_old[] = { "X-View-As: alpha-labs", "X-View-As-Role: admin", NULL };
	char *out = NULL;

	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/alpha-labs/users", support,
				       h_support, NULL, 0, &out, NULL),
			 200);
	free(out);
	/* the tenant role's context: another tenant is not there at all */
	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/beta-works", support, h_support,
				       NULL, 0, NULL, NULL),
			 404);
	/* a session is its staff member's own */
	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/alpha-labs", support, h_admin,
				       NULL, 0, NULL, NULL),
			 403);
	/* naming a tenant is not a session */
	ck_assert_int_eq(testhttp_full(&srv, "PUT", "/api/tenants/alpha-labs", platform, h_old,
				       "{\"locale\":\"de-DE\"}", 18, NULL, NULL),
			 403);
	/* a viewer may not write, whatever the staff role */
	ck_assert_int_eq(testhttp_full(&srv, "PUT", "/api/tenants/alpha-labs", platform, h_viewer,
				       "{\"locale\":\"de-DE\"}", 18, NULL, NULL),
			 403);
	ck_assert_int_eq(testhttp_full(&srv, "PUT", "/api/tenants/alpha-labs", platform, h_admin,
				       "{\"locale\":\"de-DE\"}", 18, NULL, NULL),
			 200);
	/* oncall may not view as a tenant */
	ck_assert_ptr_null(view_session(oncall, "alpha-labs", "viewer", 403));
	ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/alpha-labs", oncall, h_viewer,
				       NULL, 0, NULL, NULL),
			 403);
	/* acknowledging an alert is a write: refused to a viewer before any
	 * lookup; an admin gets as far as the (unknown) alert */
	ck_assert_int_eq(testhttp_full(&srv, "POST",
				       "/api/tenants/alpha-labs/alerts/"
				       "00000000-0000-4000-8000-00000000abcd/ack",
				       platform, h_viewer, NULL, 0, NULL, NULL),
			 403);
	ck_assert_int_eq(testhttp_full(&srv, "POST",
				       "/api/tenants/alpha-labs/alerts/"
				       "00000000-0000-4000-8000-00000000abcd/ack",
				       platform, h_admin, NULL, 0, NULL, NULL),
			 404);
	ck_assert_int_eq(testhttp(&srv, "POST",
				  "/api/tenants/alpha-labs/alerts/"
				  "00000000-0000-4000-8000-00000000abcd/ack",
				  oncall, NULL, NULL),
			 404);
}
END_TEST

/* Support access over REST needs a reason and a bounded duration, is
 * audited at its start and end, and platform admins list and end it. */
START_TEST(test_view_as_sessions)
{
	json_t *v, *l, *a;
	const char *id;
	char path[128], hdr[96];
	const char *h[] = { hdr, NULL };
	size_t i, n, mine = 0, starts = 0, ends = 0;

	json_decref(call(422, "POST", "/api/view-as", support,
			 "{\"tenant\":\"alpha-labs\",\"role\":\"viewer\"}"));
	json_decref(call(422, "POST", "/api/view-as", support,
			 "{\"tenant\":\"alpha-labs\",\"reason\":\"ticket 1\",\"minutes\":241}"));
	json_decref(call(422, "POST", "/api/view-as", support,
			 "{\"tenant\":\"alpha-labs\",\"reason\":\"ticket 1\",\"minutes\":0}"));
	json_decref(call(404, "POST", "/api/view-as", support,
			 "{\"tenant\":\"no-such-tenant\",\"reason\":\"ticket 1\"}"));
	v = call(201, "POST", "/api/view-as", support,
		 "{\"tenant\":\"beta-works\",\"reason\":\"ticket 2\"}");
	id = jstr(v, "id");
	/* 30 minutes unless asked, as a viewer */
	ck_assert_str_eq(jstr(v, "role"), "viewer");
	snprintf(hdr, sizeof hdr, "X-View-As: %s", id);
	snprintf(path, sizeof path, "/api/view-as/%s", id);
	/* the platform sees it; support sees its own only */
	l = call(200, "GET", "/api/view-as", platform, NULL);
	n = json_array_size(json_object_get(l, "items"));
	for (i = 0; i < n; i++)
		mine += strcmp(jstr(json_array_get(json_object_get(l, "items"), i), "id"), id) == 0;
	ck_assert_uint_eq(mine, 1);
	json_decref(l);
	l = call(200, "GET", "/api/view-as", support, NULL);
	n = json_array_size(json_object_get(l, "items"));
	for (i = 0; i < n; i++)
		ck_assert_str_eq(jstr(json_array_get(json_object_get(l, "items"), i), "staff"),
				 "help@ops.test");
	json_decref(l);
	ck_assert_int_eq(
	    testhttp_full(&srv, "GET", "/api/tenants/beta-works", support, h, NULL, 0, NULL, NULL),
	    200);
	/* a platform admin ends it early: the header no longer works */
	json_decref(call(204, "DELETE", path, platform, NULL));
	json_decref(call(404, "DELETE", path, platform, NULL));
	ck_assert_int_eq(
	    testhttp_full(&srv, "GET", "/api/tenants/beta-works", support, h, NULL, 0, NULL, NULL),
	    403);
	/* start and end, on the tenant's chain */
	a = call(200, "GET", "/api/tenants/beta-works/audit-logs?action=support.view_as", platform,
		 NULL);
	n = json_array_size(json_object_get(a, "items"));
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(json_object_get(a, "items"), i);

		starts += strcmp(jstr(e, "action"), "support.view_as.start") == 0;
		ends += strcmp(jstr(e, "action"), "support.view_as.end") == 0;
	}
	ck_assert_uint_eq(starts, 1);
	ck_assert_uint_eq(ends, 1);
	json_decref(a);
	json_decref(v);
}
END_TEST

/* ---- rates, quotas ----------------------------------------------------------------- */

START_TEST(test_rate_limit_and_quota)
{
	char delta[ID_LEN], *key, *hdrs = NULL, *out = NULL, *metrics = NULL;
	json_t *j;
	int st, ok = 0;

	create_tenant(delta, "Delta Rate", "dora@delta.test", "basic");
	json_decref(call(200, "PUT", "/api/tenants/delta-rate/quotas/api_calls", platform,
			 "{\"limit\":3}"));
	key = make_key("delta-rate", "[\"tenant:read\",\"usage:write\",\"usage:read\"]");
	for (int i = 0; i < 5; i++) {
		st = testhttp_full(&srv, "GET", "/api/tenants/current", key, NULL, NULL, 0, &out,
				   &hdrs);
		if (st == 200)
			ok++;
		else {
			ck_assert_int_eq(st, 429);
			ck_assert_ptr_nonnull(strcasestr(hdrs, "\nRetry-After: "));
			j = json_loads(out, 0, NULL);
			check_problem(j, 429, "rate_limited");
			json_decref(j);
		}
		free(out);
		free(hdrs);
	}
	ck_assert_int_eq(ok, 3);
	/* other tenants are not affected */
	ck_assert_int_eq(testhttp(&srv, "GET", "/api/tenants/current", key_read, NULL, NULL), 200);
	ck_assert_int_eq(testhttp(&srv, "GET", "/metrics", NULL, NULL, NULL), 401);
	ck_assert_int_eq(testhttp(&srv, "GET", "/metrics", admin, NULL, NULL), 403);
	ck_assert_int_eq(testhttp(&srv, "GET", "/metrics", oncall, NULL, &metrics), 200);
	ck_assert_ptr_nonnull(strstr(metrics, "tenantryd_rate_limited_total 2\n"));
	ck_assert_ptr_nonnull(strstr(
	    metrics, "tenantryd_requests_total{route=\"TENANT_CURRENT\",status=\"429\"} 2\n"));
	ck_assert_ptr_nonnull(
	    strstr(metrics,
		   "tenantryd_request_duration_seconds_bucket{route=\"TENANT_GET\",le=\"+Inf\"}"));
	ck_assert_ptr_nonnull(strstr(metrics, "tenantryd_pool_size 3\n"));
	free(metrics);
	free(key);

	/* 402 when a quota is used up, and nothing is consumed */
	json_decref(call(200, "PUT", "/api/tenants/beta-works/quotas/storage_bytes", platform,
			 "{\"limit\":100}"));
	j = call(200, "POST", "/api/tenants/beta-works/usage/increment", platform,
		 "{\"resource\":\"storage_bytes\",\"amount\":60}");
	ck_assert(json_is_true(json_object_get(j, "allowed")));
	json_decref(j);
	j = call(402, "POST", "/api/tenants/beta-works/usage/increment", platform,
		 "{\"resource\":\"storage_bytes\",\"amount\":50}");
	check_problem(j, 402, "quota_exceeded");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "quota"), "used")),
			 60);
	json_decref(j);
	j = call(200, "POST", "/api/tenants/beta-works/quotas/check", platform,
		 "{\"resource\":\"storage_bytes\",\"amount\":40}");
	ck_assert(json_is_true(json_object_get(j, "allowed")));
	json_decref(j);
	json_decref(call(422, "POST", "/api/tenants/beta-works/usage/increment", platform,
			 "{\"resource\":\"storage_bytes\",\"amount\":-5}"));
	json_decref(call(422, "POST", "/api/tenants/beta-works/usage/increment", platform,
			 "{\"resource\":\"bananas\",\"amount\":1}"));
	/* a downgrade below usage is refused with what it would break */
	j = call(409, "POST", "/api/tenants/alpha-labs/tier", platform, "{\"tier\":\"free\"}");
	check_problem(j, 409, "downgrade_blocked");
	ck_assert(json_array_size(json_object_get(j, "conflicts")) > 0);
	json_decref(j);
}
END_TEST

START_TEST(test_every_route_documented)
{
	FILE *f = fopen("docs/openapi.yaml", "r");
	char line[512], path[256] = "";
	int found[ROUTE_COUNT] = { 0 }, ops = 0;

	ck_assert_msg(f, "docs/openapi.yaml is missing");
	while (fgets(line, sizeof line, f)) {
		char method[16];
		bool matched = false;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
			snprintf(path, sizeof path, "%.*s", (int)strlen(line) - 3, line + 2);
			continue;
		}
		if (strncmp(line, "    ", 4) != 0 || line[4] == ' ' || !path[0]
		    || sscanf(line + 4, "%15[a-z]:", method) != 1 || line[4 + strlen(method)] != ':'
		    || line[5 + strlen(method)] != '\0')
			continue;
		if (strcmp(method, "get") && strcmp(method, "post") && strcmp(method, "put")
		    && strcmp(method, "delete") && strcmp(method, "patch"))
			continue;
		for (char *m = method; *m; m++)
			*m = (char)(*m - 'a' + 'A');
		for (int r = 0; r < ROUTE_COUNT; r++)
			if (!strcmp(route_pattern(r), path) && !strcmp(route_method(r), method)) {
				found[r]++;
				matched = true;
			}
		ck_assert_msg(matched, "the spec has %s %s, which the server does not serve",
			      method, path);
		ops++;
	}
	fclose(f);
	for (int r = 0; r < ROUTE_COUNT; r++)
		ck_assert_msg(found[r] == 1, "%s %s is %s in docs/openapi.yaml", route_method(r),
			      route_pattern(r), found[r] ? "twice" : "not");
	ck_assert_int_eq(ops, ROUTE_COUNT);
}
END_TEST

START_TEST(test_route_matching)
{
	struct route_match m;

	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/current"), 0);
	ck_assert_int_eq(m.id, ROUTE_TENANT_CURRENT);
	/* an encoded slash is part of the parameter, never a separator */
	ck_assert_int_eq(route_find(&m, "PUT", "/api/tenants/acme/settings/a%2Fb"), 0);
	ck_assert_int_eq(m.id, ROUTE_SETTING_PUT);
	ck_assert_str_eq(route_param(&m, "key"), "a/b");
	ck_assert_int_eq(route_find(&m, "POST", "/api/tenants/ac%20me/invitations/xy/resend"), 0);
	ck_assert_int_eq(m.id, ROUTE_INVITATION_RESEND);
	ck_assert_str_eq(route_param(&m, "id"), "ac me");
	ck_assert_str_eq(route_param(&m, "inv"), "xy");
	ck_assert_ptr_null(route_param(&m, "user"));
	ck_assert_int_eq(route_find(&m, "PATCH", "/api/tenants/acme"), -1);
	ck_assert(m.path_known);
	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/acme/bogus"), -1);
	ck_assert(!m.path_known);
	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/%zz"), -1);
	ck_assert_int_eq(route_find(&m, "GET", "/api/tenants/"), 0);
	ck_assert_int_eq(m.id, ROUTE_TENANTS_LIST);
}
END_TEST

static int
sh(const char *fmt, const char *arg)
{
	char cmd[2048];

	snprintf(cmd, sizeof cmd, fmt, arg, arg);
	return system(cmd);
}

/* The database goes away: 503 and a failing /readyz, then it comes back
 * and the same server answers again without a restart. */
START_TEST(test_database_restart)
{
	char conninfo[768], pwfile[600], *out = NULL, *tok;
	struct testcluster pgc = { 0 };
	struct testsrv s2;
	FILE *f;

	testcluster_start(&pgc, "restart-pg");
	snprintf(pwfile, sizeof pwfile, "%s.pw", pgc.dir);
	f = fopen(pwfile, "w");
	fputs(PW "\n", f);
	fclose(f);
	ck_assert_int_eq(testcli_run(NULL, NULL,
				     (const char *const[]){ "--db", pgc.conninfo, "staff", "add",
							    "ops@restart.test", "--role", "oncall",
							    "--password-file", pwfile, NULL }),
			 0);
	snprintf(conninfo, sizeof conninfo, "host=%s/run port=%d dbname=postgres", pgc.dir,
		 pgc.port);
	testsrv_start(&s2, conninfo, NULL);
	tok = testsrv_login(&s2, "ops@restart.test", PW, NULL);
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(testhttp(&s2, "GET", "/api/tenants", tok, NULL, NULL), 200);

	testcluster_stop(&pgc);
	ck_assert_int_eq(testhttp(&s2, "GET", "/api/tenants", tok, NULL, &out), 503);
	ck_assert_ptr_nonnull(strstr(out, "\"code\":\"unavailable\""));
	free(out);
	ck_assert_int_eq(testhttp(&s2, "GET", "/readyz", NULL, NULL, NULL), 503);
	ck_assert_int_eq(testhttp(&s2, "GET", "/healthz", NULL, NULL, NULL), 200);

	testcluster_start(&pgc, "restart-pg");
	ck_assert_int_eq(testhttp(&s2, "GET", "/readyz", NULL, NULL, NULL), 200);
	ck_assert_int_eq(testhttp(&s2, "GET", "/api/tenants", tok, NULL, NULL), 200);
	free(tok);
	testsrv_stop(&s2);
	testcluster_stop(&pgc);
}
END_TEST

START_TEST(test_options)
{
	const char *bin = getenv("TENANTRY_SERVER_BIN");
	char cmd[1024];

	ck_assert_ptr_nonnull(bin);
	ck_assert_int_eq(sh("%s --help | grep -q -- '--jwt-public-key'", bin), 0);
	ck_assert_int_eq(sh("%s --version | grep -q '^tenantryd [0-9]'", bin), 0);
	snprintf(cmd, sizeof cmd, "%s --bogus 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 64);
	snprintf(cmd, sizeof cmd, "%s --db x --listen nowhere 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 64);
	snprintf(cmd, sizeof cmd, "%s --db x --db-pool 0 2>/dev/null", bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 64);
	/* no key: refuses to start rather than accept unsigned tokens */
	snprintf(cmd, sizeof cmd, "%s --db x 2>&1 | grep -q 'jwt-secret-file'", bin);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *
suite_rest(void)
{
	Suite *s = suite_create("rest");
	TCase *tc = tcase_create("server");
	TCase *unit = tcase_create("static");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_seed_create_and_usage);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_permission_matrix);
	tcase_add_test(tc, test_other_tenant_is_not_found);
	tcase_add_test(tc, test_view_as_tenant);
	tcase_add_test(tc, test_view_as_sessions);
	tcase_add_test(tc, test_rate_limit_and_quota);
	suite_add_tcase(s, tc);
	tcase_add_test(unit, test_every_route_documented);
	tcase_add_test(unit, test_route_matching);
	tcase_add_test(unit, test_options);
	suite_add_tcase(s, unit);
	{
		TCase *restart = tcase_create("restart");

		tcase_set_timeout(restart, 120);
		tcase_add_test(restart, test_database_restart);
		suite_add_tcase(s, restart);
	}
	return s;
}
