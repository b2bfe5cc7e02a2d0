/* test_self_deletion.c - what tenant.lifecycle lets a tenant's own admins
 * do (057), on a real tenantryd: request their tenant's deletion (the
 * platform restores it), with a plain refusal for anything else
 * (suspending, another role, an API key, another tenant), the same from
 * tenantryd and the database. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

/* token's request: its status, and the detail of a refusal in detail. */
static int
ask(const char *token, const char *method, const char *path, char *detail, size_t size)
{
	char *out = NULL;
	int st = testhttp(&srv, method, path, token, NULL, &out);
	json_t *j = out ? json_loads(out, 0, NULL) : NULL;

	snprintf(detail, size, "%s",
		 json_is_string(json_object_get(j, "detail"))
		     ? json_string_value(json_object_get(j, "detail"))
		     : (out ? out : ""));
	json_decref(j);
	free(out);
	return st;
}

static const char *
status_of(void)
{
	static char s[32];
	json_t *t = call(200, "GET", "/api/tenants/alpha-labs", platform, NULL);

	snprintf(s, sizeof s, "%s", jstr(t, "status"));
	json_decref(t);
	return s;
}

START_TEST(test_admin_requests_deletion)
{
	PGconn *c = testdb_connect(db, NULL);
	char d[512];

	/* the request: pending deletion, with its grace, audited as theirs */
	ck_assert_msg(ask(admin, "DELETE", "/api/tenants/alpha-labs", d, sizeof d) == 200, "%s", d);
	ck_assert_str_eq(status_of(), "pending_deletion");
	ck_assert_str_eq(testdb_value(c, "SELECT status_reason || ' ' || "
					 "(deletion_due_at > now() + interval '29 days')::text "
					 "FROM tenantry.tenants WHERE slug = 'alpha-labs'"),
			 "tenant_request true");
	ck_assert_str_eq(testdb_value(c, "SELECT actor FROM tenantry.audit_log WHERE action = "
					 "'tenant.delete_request' ORDER BY at DESC LIMIT 1"),
			 "admin2@alpha.test");
	/* from then on the tenant's tokens are refused; the platform restores */
	ck_assert_int_eq(ask(admin, "GET", "/api/tenants/alpha-labs", d, sizeof d), 401);
	ck_assert_int_eq(
	    ask(platform, "POST", "/api/tenants/alpha-labs/status/active", d, sizeof d), 200);
	ck_assert_str_eq(testdb_value(c, "SELECT coalesce(status_reason, '-') || ' ' || "
					 "coalesce(deletion_due_at::text, '-') FROM "
					 "tenantry.tenants WHERE slug = 'alpha-labs'"),
			 "- -");
	/* suspending is not theirs: a plain sentence, nothing changed */
	ck_assert_int_eq(
	    ask(admin, "POST", "/api/tenants/alpha-labs/status/suspended", d, sizeof d), 403);
	ck_assert_msg(strstr(d, "a tenant may only request its own deletion"), "%s", d);
	ck_assert_ptr_null(strstr(d, "permission denied"));
	ck_assert_str_eq(status_of(), "active");
	/* a platform deletion is not marked as the tenant's */
	ck_assert_int_eq(ask(platform, "DELETE", "/api/tenants/alpha-labs", d, sizeof d), 200);
	ck_assert_str_eq(testdb_value(c, "SELECT coalesce(status_reason, '-') FROM "
					 "tenantry.tenants WHERE slug = 'alpha-labs'"),
			 "-");
	ck_assert_int_eq(
	    ask(platform, "POST", "/api/tenants/alpha-labs/status/active", d, sizeof d), 200);

	/* other roles, and API keys, may not */
	ck_assert_int_eq(ask(manager, "DELETE", "/api/tenants/alpha-labs", d, sizeof d), 403);
	ck_assert_int_eq(ask(key_read, "DELETE", "/api/tenants/alpha-labs", d, sizeof d), 403);
	ck_assert_int_eq(ask(admin, "DELETE", "/api/tenants/beta-works", d, sizeof d), 404);
	ck_assert_str_eq(status_of(), "active");
	ck_assert_str_eq(testdb_value(c, "SELECT status FROM tenantry.tenants "
					 "WHERE slug = 'beta-works'"),
			 "active");
	PQfinish(c);
}
END_TEST

/* The database holds the tenant role to the same, whoever calls. */
START_TEST(test_database_holds_tenant_role)
{
	PGconn *c = testdb_connect(db, NULL);
	char sql[512];

	snprintf(sql, sizeof sql,
		 "BEGIN; SET LOCAL ROLE tenantry_tenant; "
		 "SELECT set_config('tenantry.tenant_id', '%s', true), "
		 "set_config('tenantry.member_role', 'manager;', true)",
		 alpha);
	testdb_exec(c, sql);
	ck_assert_str_eq(
	    testdb_sqlstate(c, "SELECT tenantry.tenant_self_status('pending_deletion')"), "42501");
	testdb_exec(c, "ROLLBACK");
	testdb_exec(c, sql);
	ck_assert_str_eq(
	    testdb_sqlstate(c, "UPDATE tenantry.tenants SET status = 'pending_deletion'"), "42501");
	testdb_exec(c, "ROLLBACK");
	PQfinish(c);
}
END_TEST

Suite *
suite_self_deletion(void)
{
	Suite *s = suite_create("self_deletion");
	TCase *tc = tcase_create("server");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_admin_requests_deletion);
	tcase_add_test(tc, test_database_holds_tenant_role);
	suite_add_tcase(s, tc);
	return s;
}
