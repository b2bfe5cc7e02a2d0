/* test_oracle.c - no oracles (issue "One truth for who may do what",
 * point 4): for every route of the table in core/routes.h that takes a
 * path parameter, another tenant's real ids and ids that exist nowhere get
 * the same status, the same problem code and title, the same set of keys
 * and the same detail (with the requested ids taken out), and no reply
 * names the other tenant's objects. The walk iterates ROUTES, so a new
 * route is covered without touching this file. It runs as alpha-labs'
 * admin and as an alpha-labs API key holding every scope, and (for the
 * routes without a tenant in the path) as support staff.
 *
 * Timing class: the other tenant's rows (every table with a tenant_id, and
 * its tenants row) keep their xmin and xmax through the walk, so no
 * request read them FOR UPDATE, wrote or deleted them: a foreign id is
 * answered without touching its row, like a missing one.
 *
 * ORACLE_DEBUG=1 prints each pair compared (route, both statuses). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"
#include "core/routes.h"

#define NO_UUID "5b1f2c3a-9d8e-4f7a-8b6c-1d2e3f4a5b6c"
#define NO_UUID2 "c0ffee00-1234-4abc-9def-0123456789ab"

/* The values of a walk's path parameters. */
struct ids {
	const char *tenant, *user, *inv, *key, *alert, *setting, *session, *hook;
};

static char *key_all; /* an alpha-labs key with every scope */
static char b_user[ID_LEN], b_inv[ID_LEN], b_key[ID_LEN], b_alert[ID_LEN], b_session[ID_LEN],
    b_hook[ID_LEN];
#define B_SETTING "beta_private_flag"
#define B_EMAIL "bob@beta.test"

/* A minimal body each write route parses, so the lookup is reached; any
 * other route gets "{}". */
static const struct {
	const char *route, *body;
} bodies[] = {
	{ "TENANT_UPDATE", "{\"name\":\"Renamed\"}" },
	{ "TENANT_TIER", "{\"tier\":\"basic\"}" },
	{ "USER_UPDATE", "{\"role\":\"viewer\"}" },
	{ "INVITATIONS_CREATE", "{\"email\":\"newcomer@elsewhere.test\",\"role\":\"viewer\"}" },
	{ "USAGE_INCREMENT", "{\"resource_type\":\"api_calls\",\"amount\":1}" },
	{ "QUOTAS_CHECK", "{\"resource_type\":\"api_calls\",\"amount\":1}" },
	{ "QUOTA_SET", "{\"limit\":100000}" },
	{ "SETTING_PUT", "{\"type\":\"string\",\"value\":\"y\"}" },
	{ "FEATURE_SET", "{\"enabled\":true}" },
	{ "APIKEYS_CREATE", "{\"name\":\"k\",\"scopes\":[\"tenant:read\"]}" },
	{ "AUDIT_EVENT", "{\"action\":\"test.event\"}" },
	{ "WEBHOOK_UPDATE", "{\"enabled\":false}" },
	{ "WEBHOOK_REDELIVER", "{\"event_id\":\"" NO_UUID2 "\"}" },
};

static const char *
body_for(enum route_id r)
{
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
		if (strcmp(bodies[i].route, route_name(r)) == 0)
			return bodies[i].body;
	return "{}";
}

static bool
has_param(enum route_id r, const char *name)
{
	char p[32];

	snprintf(p, sizeof p, "{%s}", name);
	return strstr(route_pattern(r), p) != NULL;
}

/* Does route r name an object inside the tenant (not just the tenant, a
 * status, a quota resource or a feature)? */
static bool
has_object(enum route_id r)
{
	static const char *const objects[] = { "user", "inv", "key", "alert", "session", "hook" };

	for (size_t i = 0; i < sizeof objects / sizeof *objects; i++)
		if (has_param(r, objects[i]))
			return true;
	return false;
}

/* The path of route r with the parameters of v; false when a parameter
 * has no value in v (and is not one the walk keeps fixed). */
static bool
build_path(char *out, size_t n, enum route_id r, const struct ids *v)
{
	const char *p = route_pattern(r);
	size_t o = 0;

	while (*p && o + 1 < n) {
		const char *end, *val = NULL;
		char name[32];

		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		end = strchr(p, '}');
		ck_assert_ptr_nonnull(end);
		snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
		if (strcmp(name, "id") == 0 || strcmp(name, "tenant") == 0)
			val = v->tenant; /* {tenant}: a purged tenant's (certificates) */
		else if (strcmp(name, "user") == 0)
			val = v->user;
		else if (strcmp(name, "inv") == 0)
			val = v->inv;
		else if (strcmp(name, "key") == 0)
			val = strstr(route_pattern(r), "/settings/") ? v->setting : v->key;
		else if (strcmp(name, "alert") == 0)
			val = v->alert;
		else if (strcmp(name, "session") == 0)
			val = v->session;
		else if (strcmp(name, "hook") == 0)
			val = v->hook;
		else if (strcmp(name, "status") == 0)
			val = "active";
		else if (strcmp(name, "resource") == 0)
			val = "api_calls";
		else if (strcmp(name, "name") == 0)
			val = "sso";
		ck_assert_msg(val || strcmp(name, "id") == 0, "%s: parameter {%s} has no value",
			      route_name(r), name);
		if (!val)
			return false;
		o += (size_t)snprintf(out + o, n - o, "%s", val);
		p = end + 1;
	}
	out[o < n ? o : n - 1] = '\0';
	return true;
}

/* s with each of the values of v replaced by "<id>" (malloc'd). */
static char *
unname(const char *s, const struct ids *v)
{
	const char *vals[] = { v->tenant, v->user,    v->inv,     v->key,
			       v->alert,  v->setting, v->session, v->hook };
	char *out = strdup(s ? s : "");

	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		char *hit;

		if (!vals[i] || !*vals[i])
			continue;
		while ((hit = strstr(out, vals[i]))) {
			size_t len = strlen(out) + 8, vl = strlen(vals[i]);
			char *next = malloc(len);

			snprintf(next, len, "%.*s<id>%s", (int)(hit - out), out, hit + vl);
			free(out);
			out = next;
		}
	}
	return out;
}

/* What the other tenant's objects are known by: none may appear in a
 * reply unless the request itself named it. */
static void
no_leak(const char *reply, const char *path, enum route_id r)
{
	const char *facts[] = { beta,  "beta-works", "Beta Works", B_EMAIL,   "beta.test", b_user,
				b_inv, b_key,        b_alert,      B_SETTING, b_hook };

	for (size_t i = 0; i < sizeof facts / sizeof *facts; i++)
		if (*facts[i] && !strstr(path, facts[i]))
			ck_assert_msg(!strstr(reply, facts[i]), "%s %s reveals %s: %s",
				      route_method(r), path, facts[i], reply);
}

static int
send(const char *token, enum route_id r, const char *path, char **out)
{
	const char *m = route_method(r);
	bool write = strcmp(m, "GET") != 0 && strcmp(m, "DELETE") != 0;

	*out = NULL;
	return testhttp(&srv, m, path, token, write ? body_for(r) : NULL, out);
}

/* Route r as token with the foreign ids f and the missing ids x: the same
 * answer. A foreign tenant in the path never succeeds. */
static void
compare(const char *who, const char *token, enum route_id r, const struct ids *f,
	const struct ids *x)
{
	char pf[512], px[512], *of, *ox;
	int sf, sx;
	json_t *jf, *jx;

	if (!build_path(pf, sizeof pf, r, f) || !build_path(px, sizeof px, r, x))
		return;
	sf = send(token, r, pf, &of);
	sx = send(token, r, px, &ox);
	if (getenv("ORACLE_DEBUG"))
		fprintf(stderr, "%s %s %s %d %d %.100s\n", who, route_method(r), pf, sf, sx,
			of ? of : "");
	ck_assert_msg(sf == sx, "%s %s %s: %d, but %d for %s: %s | %s", who, route_method(r), pf,
		      sf, sx, px, of ? of : "", ox ? ox : "");
	if (has_param(r, "id") && strcmp(f->tenant, "alpha-labs") != 0 && strcmp(f->tenant, alpha))
		ck_assert_msg(sf >= 400, "%s %s %s: %d on another tenant", who, route_method(r), pf,
			      sf);
	no_leak(of ? of : "", pf, r);
	jf = of && *of ? json_loads(of, 0, NULL) : NULL;
	jx = ox && *ox ? json_loads(ox, 0, NULL) : NULL;
	ck_assert_msg(!jf == !jx, "%s %s %s: body %s vs %s", who, route_method(r), pf, of, ox);
	if (json_is_object(jf) && json_is_object(jx)) {
		const char *k;
		json_t *v;

		ck_assert_msg(json_object_size(jf) == json_object_size(jx),
			      "%s %s %s: keys differ: %s | %s", who, route_method(r), pf, of, ox);
		json_object_foreach(jf, k, v)
		{
			json_t *w = json_object_get(jx, k);

			ck_assert_msg(w, "%s %s %s: %s only for the foreign id: %s | %s", who,
				      route_method(r), pf, k, of, ox);
			if (sf >= 400 && json_is_string(v) && strcmp(k, "request_id") != 0) {
				char *a = unname(json_string_value(v), f);
				char *b = unname(json_string_value(w), x);

				ck_assert_msg(strcmp(a, b) == 0, "%s %s %s: %s differs: %s | %s",
					      who, route_method(r), pf, k, of, ox);
				free(a);
				free(b);
			}
		}
	}
	json_decref(jf);
	json_decref(jx);
	free(of);
	free(ox);
}

/* Every route with a path parameter, as token. Tenant callers: another
 * tenant (slug, id) against no tenant (slug, id), and their own tenant
 * with the other tenant's objects against objects that do not exist.
 * Staff (tenant_routes false): the routes without a tenant in the path. */
static int
walk(const char *who, const char *token, bool tenant_routes)
{
	const struct ids foreign[] = {
		{ "beta-works", b_user, b_inv, b_key, b_alert, B_SETTING, b_session, b_hook },
		{ beta, b_user, b_inv, b_key, b_alert, B_SETTING, b_session, b_hook },
		{ "alpha-labs", b_user, b_inv, b_key, b_alert, B_SETTING, b_session, b_hook },
	};
	const struct ids missing[] = {
		{ "gamma-nowhere", NO_UUID, NO_UUID, NO_UUID, NO_UUID, "no_such_setting", NO_UUID,
		  NO_UUID },
		{ NO_UUID2, NO_UUID, NO_UUID, NO_UUID, NO_UUID, "no_such_setting", NO_UUID,
		  NO_UUID },
		{ "alpha-labs", NO_UUID, NO_UUID, NO_UUID, NO_UUID, "no_such_setting", NO_UUID,
		  NO_UUID },
	};
	int walked = 0;

	for (int r = 0; r < ROUTE_COUNT; r++) {
		/* a webhook endpoint is named by its own id: tenant callers too
		 * (their own tenant, another's endpoint or none) */
		bool hook_only = tenant_routes && has_param(r, "hook") && !has_param(r, "id");

		if (!strchr(route_pattern(r), '{')
		    || (has_param(r, "id") != tenant_routes && !hook_only))
			continue;
		/* staff act on any account (/api/users/{user}/...): there is no
		 * one else's account to hide from them (test_credentials.c) */
		if (has_param(r, "user") && !has_param(r, "id"))
			continue;
		for (size_t i = 0; i < sizeof foreign / sizeof *foreign; i++) {
			/* the own tenant pairs only vary the objects inside it */
			if ((i == 2 && !has_object(r)) || (!tenant_routes && i > 0)
			    || (hook_only && i != 2))
				continue;
			compare(who, token, r, &foreign[i], &missing[i]);
			walked++;
		}
	}
	return walked;
}

/* The other tenant's rows: xmin and xmax of each (text). */
static char *
beta_rows(void)
{
	static const char *tables[] = { "tenant_users", "invitations",     "quotas",
					"usage_daily",  "tenant_settings", "api_keys",
					"audit_log",    "audit_heads",     "alerts" };
	PGconn *c = testdb_connect(db, NULL);
	char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);

	fprintf(f, "tenants:%s\n",
		testdb_value(c, "SELECT xmin || '/' || xmax FROM tenantry.tenants "
				"WHERE slug = 'beta-works'"));
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[512];

		snprintf(sql, sizeof sql,
			 "SELECT coalesce(string_agg(xmin || '/' || xmax, ',' ORDER BY ctid), '') "
			 "FROM tenantry.%s WHERE tenant_id = '%s'",
			 tables[i], beta);
		fprintf(f, "%s:%s\n", tables[i], testdb_value(c, sql));
	}
	fclose(f);
	PQfinish(c);
	return all;
}

/* The other tenant's objects: a member, an invitation, a key, an alert, a
 * setting; a view-as session of platform staff; a high API rate for
 * alpha-labs so the walk is not rate limited. */
static void
oracle_setup(void)
{
	PGconn *c;
	json_t *j;

	setup();
	key_all = make_key("alpha-labs", "[\"tenant:read\",\"tenant:write\",\"users:read\","
					 "\"users:write\",\"usage:read\",\"usage:write\","
					 "\"settings:read\",\"settings:write\",\"audit:read\"]");
	json_decref(call(200, "PUT", "/api/tenants/alpha-labs/quotas/api_calls", platform,
			 "{\"limit\":100000000}"));
	j = call(201, "POST", "/api/tenants/beta-works/invitations", platform,
		 "{\"email\":\"carol@beta.test\",\"role\":\"member\"}");
	snprintf(b_inv, sizeof b_inv, "%s", jstr(j, "id"));
	json_decref(j);
	j = call(201, "POST", "/api/tenants/beta-works/api-keys", platform,
		 "{\"name\":\"bk\",\"scopes\":[\"tenant:read\"]}");
	snprintf(b_key, sizeof b_key, "%s", jstr(j, "id"));
	json_decref(j);
	json_decref(call(200, "PUT", "/api/tenants/beta-works/settings/" B_SETTING, platform,
			 "{\"type\":\"string\",\"value\":\"secret-ish\"}"));
	j = call(201, "POST", "/api/tenants/beta-works/webhooks", platform,
		 "{\"url\":\"https://hooks.beta.example/in\"}");
	snprintf(b_hook, sizeof b_hook, "%s", jstr(j, "id"));
	json_decref(j);
	j = call(201, "POST", "/api/view-as", platform,
		 "{\"tenant\":\"beta-works\",\"reason\":\"oracle walk\"}");
	snprintf(b_session, sizeof b_session, "%s", jstr(j, "id"));
	json_decref(j);
	c = testdb_connect(db, NULL);
	snprintf(b_user, sizeof b_user, "%s",
		 testdb_value(c, "SELECT id FROM tenantry.users WHERE email = '" B_EMAIL "'"));
	testdb_execf(c,
		     "INSERT INTO tenantry.alerts (tenant_id, resource, threshold, period_start) "
		     "VALUES ('%s', 'api_calls', 80, now())",
		     beta);
	snprintf(b_alert, sizeof b_alert, "%s",
		 testdb_value(c, "SELECT id FROM tenantry.alerts WHERE resource = 'api_calls' "
				 "AND threshold = 80 AND tenant_id = (SELECT id FROM "
				 "tenantry.tenants WHERE slug = 'beta-works')"));
	PQfinish(c);
	ck_assert(*b_user && *b_alert);
}

static void
oracle_teardown(void)
{
	free(key_all);
	key_all = NULL;
	teardown();
}

START_TEST(test_no_oracle_admin)
{
	char *before = beta_rows(), *after;

	ck_assert_int_gt(walk("admin", admin, true), 40);
	after = beta_rows();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_no_oracle_api_key)
{
	char *before = beta_rows(), *after;

	ck_assert_int_gt(walk("api key", key_all, true), 40);
	after = beta_rows();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* Routes without a tenant in the path: a tenant admin, a key, support
 * staff (another staff member's view-as session against none). */
START_TEST(test_no_oracle_other_routes)
{
	ck_assert_int_gt(walk("admin", admin, false), 0);
	ck_assert_int_gt(walk("api key", key_all, false), 0);
	ck_assert_int_gt(walk("support", support, false), 0);
	/* X-View-As naming another staff member's session or none */
	{
		char hf[96], hx[96], *of = NULL, *ox = NULL;
		const char *h1[] = { hf, NULL }, *h2[] = { hx, NULL };
		json_t *jf, *jx;

		snprintf(hf, sizeof hf, "X-View-As: %s", b_session);
		snprintf(hx, sizeof hx, "X-View-As: %s", NO_UUID);
		ck_assert_int_eq(testhttp_full(&srv, "GET", "/api/tenants/beta-works", support, h1,
					       NULL, 0, &of, NULL),
				 testhttp_full(&srv, "GET", "/api/tenants/beta-works", support, h2,
					       NULL, 0, &ox, NULL));
		jf = json_loads(of, 0, NULL);
		jx = json_loads(ox, 0, NULL);
		ck_assert_str_eq(jstr(jf, "code"), jstr(jx, "code"));
		ck_assert_str_eq(jstr(jf, "detail"), jstr(jx, "detail"));
		json_decref(jf);
		json_decref(jx);
		free(of);
		free(ox);
	}
}
END_TEST

/* Setting one's domain to another tenant's is answered like an invalid
 * domain (the unique constraint must not say it is taken). */
START_TEST(test_domain_taken_is_invalid)
{
	json_t *a =
	    call(422, "PUT", "/api/tenants/alpha-labs", admin, "{\"domain\":\"beta.test\"}");
	json_t *b = call(422, "PUT", "/api/tenants/alpha-labs", admin, "{\"domain\":\"-bad-\"}");

	ck_assert_str_eq(jstr(a, "code"), jstr(b, "code"));
	ck_assert_str_eq(jstr(a, "title"), jstr(b, "title"));
	ck_assert_str_eq(jstr(a, "field"), jstr(b, "field"));
	ck_assert_ptr_null(strstr(jstr(a, "detail"), "beta"));
	ck_assert_int_eq(json_object_size(a), json_object_size(b));
	json_decref(a);
	json_decref(b);
}
END_TEST

Suite *
suite_oracle(void)
{
	Suite *s = suite_create("oracle");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, oracle_setup, oracle_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_no_oracle_admin);
	tcase_add_test(tc, test_no_oracle_api_key);
	tcase_add_test(tc, test_no_oracle_other_routes);
	tcase_add_test(tc, test_domain_taken_is_invalid);
	suite_add_tcase(s, tc);
	return s;
}
