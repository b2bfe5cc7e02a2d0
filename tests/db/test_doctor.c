/* test_doctor.c - `tenantry doctor` on a clean migrated database exits 0;
 * with each rule broken in turn (as the superuser, on a throwaway
 * database) it exits 1 and names what broke it. The same for `doctor
 * --citus`: the migrated schema can be distributed, and each scratch table
 * or key that Citus would refuse is named. */
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

/* doctor --citus [--json] on db: its exit status, its output in *out. */
static int
doctor_citus(const char *db, bool json, char **out)
{
	char conninfo[512];
	const char *argv[] = {
		"--db", conninfo, "doctor", "--citus", json ? "--json" : NULL, NULL
	};

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	return testcli_run(out, NULL, argv);
}

/* The migrated schema can be distributed: every table with a tenant_id
 * (as the catalog says, not a list kept here) by it, co-located, every
 * other as a reference table, each after what it references. */
START_TEST(test_citus_schema)
{
	const char *db = testdb_create();
	PGconn *c = testdb_connect(db, NULL);
	PGresult *r;
	char *out = NULL, want[300];
	const char *tiers, *tenants, *users, *resets, *first_dist, *last_ref;
	json_t *j, *dist;

	ck_assert_msg(doctor_citus(db, false, &out) == 0, "%s", out ? out : "");
	tiers = strstr(out, "SELECT create_reference_table('tenantry.tiers');");
	tenants = strstr(out, "SELECT create_reference_table('tenantry.tenants');");
	users = strstr(out, "SELECT create_reference_table('tenantry.users');");
	resets = strstr(out, "SELECT create_reference_table('tenantry.password_resets');");
	ck_assert_msg(tiers && tenants && users && resets, "%s", out);
	ck_assert_msg(tiers < tenants && users < resets, "not in dependency order:\n%s", out);
	first_dist = strstr(out, "SELECT create_distributed_table(");
	last_ref = strstr(out, "SELECT create_reference_table('tenantry.password_resets');");
	ck_assert_msg(first_dist && first_dist > last_ref, "%s", out);
	ck_assert_ptr_null(strstr(out, "FAIL"));
	/* tenant_terms keeps (term, name, tenant_id) for the search: a note */
	ck_assert_ptr_nonnull(strstr(out, "-- note: tenantry.tenant_terms primary key"));

	r = PQexec(c, "SELECT c.oid::regclass::text FROM pg_class c "
		      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' "
		      "WHERE c.relnamespace = 'tenantry'::regnamespace AND c.relkind = 'r' "
		      "ORDER BY 1");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_ge(PQntuples(r), 10);
	for (int i = 0; i < PQntuples(r); i++) {
		snprintf(want, sizeof want, "SELECT create_distributed_table('%s', 'tenant_id'",
			 PQgetvalue(r, i, 0));
		ck_assert_msg(strstr(out, want), "no \"%s\" in:\n%s", want, out);
	}
	free(out);

	ck_assert_int_eq(doctor_citus(db, true, &out), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_true(json_object_get(j, "ok")));
	dist = json_object_get(j, "distributed");
	ck_assert_int_eq(json_array_size(dist), PQntuples(r));
	ck_assert_str_eq(json_string_value(json_object_get(j, "colocate_with")),
			 json_string_value(json_array_get(dist, 0)));
	ck_assert_int_eq(json_array_size(json_object_get(j, "script")),
			 json_array_size(dist) + json_array_size(json_object_get(j, "reference")));
	ck_assert_int_eq(json_array_size(json_object_get(j, "failures")), 0);
	json_decref(j);
	free(out);
	PQclear(r);
	PQfinish(c);
}
END_TEST

/* Scratch tables and keys that Citus would refuse, each on a throwaway
 * copy of the migrated database, and the line that must name it. */
static const struct {
	const char *sql;
	const char *want;
} citus_breaks[] = {
	{ "CREATE TABLE tenantry.scratch (tenant_id uuid NOT NULL, id uuid PRIMARY KEY)",
	  "FAIL citus: tenantry.scratch primary key scratch_pkey (id) does not hold tenant_id" },
	{ "CREATE UNIQUE INDEX scratch_email ON tenantry.invitations (lower(email))",
	  "FAIL citus: tenantry.invitations unique index scratch_email (lower(email)) does not "
	  "hold tenant_id" },
	{ "CREATE TABLE tenantry.scratch (tenant_id uuid, body text)",
	  "FAIL citus: tenantry.scratch tenant_id may be NULL" },
	{ "CREATE TABLE tenantry.scratch (id int PRIMARY KEY, key_tenant uuid NOT NULL, "
	  "key_id uuid NOT NULL, FOREIGN KEY (key_tenant, key_id) "
	  "REFERENCES tenantry.api_keys (tenant_id, id))",
	  "FAIL citus: tenantry.scratch foreign key scratch_key_tenant_key_id_fkey (key_tenant, "
	  "key_id) references tenantry.api_keys: a reference table" },
	{ "CREATE TABLE tenantry.scratch (tenant_id uuid NOT NULL, invitation uuid NOT NULL, "
	  "PRIMARY KEY (tenant_id, invitation), FOREIGN KEY (tenant_id, invitation) "
	  "REFERENCES tenantry.invitations (id, tenant_id))",
	  "FAIL citus: tenantry.scratch foreign key scratch_tenant_id_invitation_fkey "
	  "(tenant_id, invitation) references tenantry.invitations (id, tenant_id) without "
	  "pairing tenant_id with tenant_id" },
	{ "ALTER TABLE tenantry.alerts ADD FOREIGN KEY (tenant_id) REFERENCES tenantry.tenants "
	  "ON DELETE SET NULL",
	  "FAIL citus: tenantry.alerts foreign key alerts_tenant_id_fkey1 (tenant_id) is ON "
	  "DELETE SET NULL" },
	{ "CREATE TABLE public.scratch (id uuid PRIMARY KEY); "
	  "ALTER TABLE tenantry.tenant_settings ADD COLUMN scratch uuid "
	  "REFERENCES public.scratch",
	  "FAIL citus: tenantry.tenant_settings foreign key tenant_settings_scratch_fkey "
	  "(scratch) references scratch, outside the tenantry schema" },
};

START_TEST(test_citus_offenders)
{
	const char *db = testdb_create();
	PGconn *c = testdb_connect(db, NULL);
	char *out = NULL;
	json_t *j, *fails;
	int rc;

	testdb_exec(c, citus_breaks[_i].sql);
	PQfinish(c);
	rc = doctor_citus(db, false, &out);
	ck_assert_msg(rc == 1 && out && strstr(out, citus_breaks[_i].want),
		      "%s: exit %d, want a line \"%s\" in:\n%s", citus_breaks[_i].sql, rc,
		      citus_breaks[_i].want, out ? out : "");
	/* offenders, and no script that would stop halfway */
	ck_assert_ptr_null(strstr(out, "create_distributed_table"));
	free(out);
	ck_assert_int_eq(doctor_citus(db, true, &out), 1);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_false(json_object_get(j, "ok")));
	fails = json_object_get(j, "failures");
	ck_assert_int_eq(json_array_size(fails), 1);
	ck_assert_int_eq(json_array_size(json_object_get(j, "script")), 0);
	ck_assert_msg(strstr(citus_breaks[_i].want, json_string_value(json_object_get(
							json_array_get(fails, 0), "object"))),
		      "%s", out);
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
	tcase_add_test(tc, test_citus_schema);
	tcase_add_loop_test(tc, test_citus_offenders, 0,
			    (int)(sizeof citus_breaks / sizeof citus_breaks[0]));
	suite_add_tcase(s, tc);
	return s;
}
