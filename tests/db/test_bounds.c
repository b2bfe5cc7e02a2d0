/* test_bounds.c - the tenant database role holds exactly what the API
 * gives a tenant (020_tenant_bounds, 018_staff_roles): each case runs as
 * tenantry_tenant in one tenant's context, in SQL, the way a session
 * with that role could try it, and through tenantryd where a route
 * reaches it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static const char *db;
static char ida[ID_LEN], idb[ID_LEN];

static void
two_tenants(void)
{
	struct store *st;
	struct tenant t;
	struct err e;
	struct tenant_new a = { .name = "Hooli",
				.slug = "hooli",
				.tier = "professional",
				.admin_email = "gavin@hooli.example",
				.domain = "hooli.example.com" };
	struct tenant_new b = { .name = "Pied Piper",
				.slug = "pied-piper",
				.tier = "professional",
				.admin_email = "richard@piper.example" };

	db = testdb_create();
	st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	ck_assert_msg(testtenant_create(&t, st, &a, &e) == 0, "%s", e.message);
	snprintf(ida, sizeof ida, "%s", t.id);
	tenant_clear(&t);
	ck_assert_msg(testtenant_create(&t, st, &b, &e) == 0, "%s", e.message);
	snprintf(idb, sizeof idb, "%s", t.id);
	tenant_clear(&t);
	store_close(&st);
}

/* The SQLSTATE of sql run as tenantry_tenant in tenant's context ("" on
 * success); rolled back either way. */
static const char *
as_tenant(PGconn *c, const char *tenant, const char *sql)
{
	static char state[8];

	testdb_execf(c,
		     "BEGIN; SET LOCAL ROLE tenantry_tenant; "
		     "SELECT set_config('tenantry.tenant_id', '%s', true)",
		     tenant);
	snprintf(state, sizeof state, "%s", testdb_statef(c, "%s", sql));
	testdb_exec(c, "ROLLBACK");
	return state;
}

START_TEST(test_quotas_and_usage_only_through_functions)
{
	PGconn *c;
	char sql[256];

	two_tenants();
	c = testdb_connect(db, NULL);
	ck_assert_str_eq(as_tenant(c, idb, "UPDATE tenantry.quotas SET used = 0"), "42501");
	ck_assert_str_eq(as_tenant(c, idb,
				   "INSERT INTO tenantry.usage_daily (tenant_id, resource, day, "
				   "amount) VALUES (tenantry.current_tenant(), 'api_calls', "
				   "current_date, -5)"),
			 "42501");
	snprintf(sql, sizeof sql, "SELECT * FROM tenantry.usage_increment('%s', 'api_calls', -100)",
		 idb);
	ck_assert_str_eq(as_tenant(c, idb, sql), "22023");
	snprintf(sql, sizeof sql, "SELECT * FROM tenantry.usage_apply('%s', 'api_calls', -100)",
		 idb);
	ck_assert_str_eq(as_tenant(c, idb, sql), "42501");
	/* another tenant's quota: nothing, as if it did not exist */
	snprintf(sql, sizeof sql,
		 "SELECT 1/count(*) FROM tenantry.usage_increment('%s', 'api_calls', 1)", ida);
	ck_assert_str_eq(as_tenant(c, idb, sql), "22012");
	/* its own: counted */
	snprintf(sql, sizeof sql, "SELECT * FROM tenantry.usage_increment('%s', 'api_calls', 2)",
		 idb);
	ck_assert_str_eq(as_tenant(c, idb, sql), "");
	PQfinish(c);
}
END_TEST

START_TEST(test_no_hashes)
{
	PGconn *c;
	struct store *st;
	struct invitation v;
	struct api_key k;
	char token[96], secret[128];
	struct err e;

	two_tenants();
	st = teststore_open(db, NULL, STORE_ROLE_TENANT, idb);
	ck_assert_msg(
	    store_invitation_create(&v, token, st, idb, "dinesh@piper.example", ROLE_MEMBER, &e)
		== 0,
	    "%s", e.message);
	ck_assert_msg(store_apikey_create(&k, secret, st, idb, "ci", 1u << SCOPE_TENANT_READ, 0, &e)
			  == 0,
		      "%s", e.message);
	store_close(&st);
	c = testdb_connect(db, NULL);
	ck_assert_str_eq(as_tenant(c, idb, "SELECT secret_hash FROM tenantry.api_keys"), "42501");
	ck_assert_str_eq(as_tenant(c, idb, "SELECT token_hash FROM tenantry.invitations"), "42501");
	ck_assert_str_eq(as_tenant(c, idb, "SELECT * FROM tenantry.api_keys"), "42501");
	ck_assert_str_eq(as_tenant(c, idb, "SELECT * FROM tenantry.auth_api_key('x')"), "42501");
	ck_assert_str_eq(as_tenant(c, idb, "SELECT prefix, name FROM tenantry.api_keys"), "");
	ck_assert_str_eq(as_tenant(c, idb, "SELECT email FROM tenantry.invitations"), "");
	PQfinish(c);
}
END_TEST

/* auth_check from one tenant's context says the same about another
 * tenant's member and about a stranger: revoked. */
START_TEST(test_auth_check_says_nothing_of_others)
{
	PGconn *c;
	char gavin[ID_LEN], sql[512];

	two_tenants();
	c = testdb_connect(db, NULL);
	snprintf(
	    gavin, sizeof gavin, "%s",
	    testdb_value(c, "SELECT id FROM tenantry.users WHERE email = 'gavin@hooli.example'"));
	snprintf(sql, sizeof sql,
		 "SELECT tenantry.auth_check('%s', 9223372036854775807, NULL, '%s', NULL, NULL)",
		 gavin, ida);
	ck_assert_str_eq(as_tenant(c, ida, sql), ""); /* its own member */
	ck_assert_str_eq(as_tenant(c, idb, sql), "TA001");
	snprintf(
	    sql, sizeof sql,
	    "SELECT tenantry.auth_check(gen_random_uuid(), 9223372036854775807, NULL, '%s', NULL, NULL)",
	    ida);
	ck_assert_str_eq(as_tenant(c, idb, sql), "TA001");
	/* a user without a tenant: only staff can be asked about */
	snprintf(sql, sizeof sql,
		 "SELECT tenantry.auth_check('%s', 9223372036854775807, NULL, NULL, NULL, NULL)",
		 gavin);
	ck_assert_str_eq(as_tenant(c, idb, sql), "TA001");
	PQfinish(c);
}
END_TEST

/* A domain is one tenant's whatever its case; someone else's is refused
 * as invalid, the way a malformed one is (422), not as taken (409). */
START_TEST(test_domains)
{
	struct store *st;
	struct tenant t;
	struct tenant_patch p = { .domain = "HOOLI.example.com" };
	struct testd d;
	struct err e;
	char path[128], *body = NULL;
	int status;
	json_t *j;

	two_tenants();
	st = teststore_open(db, NULL, STORE_ROLE_TENANT, idb);
	ck_assert_int_eq(store_tenant_update(&t, st, idb, &p, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_str_eq(e.field, "domain");
	p.domain = "piper.example.com";
	ck_assert_msg(store_tenant_update(&t, st, idb, &p, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	store_close(&st);

	testd_start(&d, db);
	snprintf(path, sizeof path, "/api/tenants/%s", ida);
	status =
	    testhttp(&d.srv, "PUT", path, d.token, "{\"domain\":\"PIPER.example.com\"}", &body);
	ck_assert_msg(status == 422, "%d %s", status, body ? body : "");
	j = json_loads(body, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "field")), "domain");
	json_decref(j);
	free(body);
	status = testhttp(&d.srv, "PUT", path, d.token, "{\"domain\":\"not a domain\"}", &body);
	ck_assert_msg(status == 422, "%d %s", status, body ? body : "");
	free(body);
	testd_stop(&d);
}
END_TEST

Suite *
suite_bounds(void)
{
	Suite *s = suite_create("bounds");
	TCase *tc = tcase_create("bounds");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_quotas_and_usage_only_through_functions);
	tcase_add_test(tc, test_no_hashes);
	tcase_add_test(tc, test_auth_check_says_nothing_of_others);
	tcase_add_test(tc, test_domains);
	suite_add_tcase(s, tc);
	return s;
}
