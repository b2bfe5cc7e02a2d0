/* test_doctor.c - `tenantry doctor` on a clean migrated database exits 0;
 * with each rule broken in turn (as the superuser, on a throwaway
 * database) it exits 1 and names what broke it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* A database with two tenants, each with a member, a setting and a key. */
static const char *
fresh(void)
{
	const char *db = testdb_create();
	PGconn *c = testdb_connect(db, NULL);

	testdb_exec(c, "SELECT tenantry.tenant_create('Alpha', 'alpha', '', 'professional', "
		       "'a@alpha.example', 'A', '', false, '', '', '', sha256('alpha'::bytea))");
	testdb_exec(c, "SELECT tenantry.tenant_create('Beta', 'beta', '', 'professional', "
		       "'b@beta.example', 'B', '', false, '', '', '', sha256('beta'::bytea))");
	/* the first admins as if they had accepted their invitations */
	testdb_exec(c, "INSERT INTO tenantry.users (email, password_hash) VALUES "
		       "('a@alpha.example', 'x'), ('b@beta.example', 'x')");
	testdb_exec(c, "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role) "
		       "SELECT t.id, u.id, 'admin' FROM tenantry.tenants t JOIN tenantry.users u "
		       "ON u.email = left(t.slug, 1) || '@' || t.slug || '.example'");
	testdb_exec(c, "INSERT INTO tenantry.tenant_settings (tenant_id, key, value) "
		       "SELECT id, 'ui.theme', 'dark' FROM tenantry.tenants");
	PQfinish(c);
	return db;
}

static int
doctor(const char *db, bool json, char **out)
{
	char conninfo[512];
	const char *argv[6];
	int n = 0;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	argv[n++] = "--db";
	argv[n++] = conninfo;
	if (json)
		argv[n++] = "--json";
	argv[n++] = "doctor";
	argv[n] = NULL;
	return testcli_run(out, NULL, argv);
}

START_TEST(test_clean_database)
{
	const char *db = fresh();
	char *out = NULL;
	json_t *j;

	ck_assert_msg(doctor(db, false, &out) == 0, "%s", out ? out : "");
	ck_assert_ptr_nonnull(strstr(out, "ok: "));
	free(out);
	ck_assert_int_eq(doctor(db, true, &out), 0);
	j = json_loads(out, 0, NULL);
	ck_assert(json_is_true(json_object_get(j, "ok")));
	ck_assert_int_eq(json_array_size(json_object_get(j, "failures")), 0);
	json_decref(j);
	free(out);
}
END_TEST

/* Each breakage and the line doctor must print for it. */
static const struct {
	const char *sql;
	const char *want;
} breaks[] = {
	{ "ALTER TABLE tenantry.tenant_settings NO FORCE ROW LEVEL SECURITY",
	  "FAIL rls: tenantry.tenant_settings row-level security is not forced" },
	{ "ALTER TABLE tenantry.api_keys DISABLE ROW LEVEL SECURITY",
	  "FAIL rls: tenantry.api_keys row-level security is not enabled" },
	{ "CREATE TABLE tenantry.notes (tenant_id uuid, body text)",
	  "FAIL rls: tenantry.notes row-level security is not enabled, row-level security is "
	  "not forced, it has no policy" },
	{ "ALTER ROLE doctor_app BYPASSRLS",
	  "FAIL login: doctor_app can bypass row-level security" },
	{ "ALTER ROLE doctor_app SUPERUSER", "FAIL login: doctor_app is a superuser" },
	{ "ALTER TABLE tenantry.alerts OWNER TO doctor_app",
	  "FAIL login: doctor_app owns objects" },
	{ "ALTER FUNCTION tenantry.is_purging(uuid) RESET search_path",
	  "FAIL definer: tenantry.is_purging(uuid) search_path is not pinned" },
	{ "GRANT EXECUTE ON FUNCTION tenantry.auth_user(text) TO PUBLIC",
	  "FAIL definer: tenantry.auth_user(text) PUBLIC may execute it" },
	{ "CREATE VIEW tenantry.all_settings AS SELECT * FROM tenantry.tenant_settings",
	  "FAIL view: tenantry.all_settings is not security_invoker" },
	{ "CREATE POLICY leak ON tenantry.tenant_settings FOR SELECT TO tenantry_tenant "
	  "USING (true)",
	  "FAIL probe: tenantry.tenant_settings tenant " },
};

START_TEST(test_each_rule_broken)
{
	const char *db = fresh();
	PGconn *c;
	char *out = NULL;
	json_t *j;
	int rc;

	testdb_login_role(db, "doctor_app", "tenantry_app");
	c = testdb_connect(db, NULL);
	testdb_exec(c, "BEGIN");
	testdb_exec(c, breaks[_i].sql);
	testdb_exec(c, "COMMIT");
	PQfinish(c);
	rc = doctor(db, false, &out);
	/* the login is cluster-wide: put it back for the next breakage */
	c = testdb_connect(db, NULL);
	testdb_exec(c, "ALTER ROLE doctor_app NOSUPERUSER NOBYPASSRLS");
	PQfinish(c);
	ck_assert_msg(rc == 1 && out && strstr(out, breaks[_i].want),
		      "%s: exit %d, want a line \"%s\" in:\n%s", breaks[_i].sql, rc,
		      breaks[_i].want, out ? out : "");
	free(out);
	if (strstr(breaks[_i].sql, "ALTER ROLE"))
		return; /* put back above */
	ck_assert_int_eq(doctor(db, true, &out), 1);
	j = json_loads(out, 0, NULL);
	ck_assert(json_is_false(json_object_get(j, "ok")));
	ck_assert_int_ge(json_array_size(json_object_get(j, "failures")), 1);
	json_decref(j);
	free(out);
}
END_TEST

Suite *
suite_doctor(void)
{
	Suite *s = suite_create("doctor");
	TCase *tc = tcase_create("doctor");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean_database);
	tcase_add_loop_test(tc, test_each_rule_broken, 0, (int)(sizeof breaks / sizeof breaks[0]));
	suite_add_tcase(s, tc);
	return s;
}
