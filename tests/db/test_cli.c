/* test_cli.c - the real `tenantry` binary against a real database: output,
 * --json, exit statuses (sysexits) and error messages on stderr. */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

static char conninfo[512], dbname[64];
static char *out, *errout;

static void
setup(void)
{
	snprintf(dbname, sizeof dbname, "%s", testdb_create());
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(dbname, NULL));
	out = errout = NULL;
}

static void
teardown(void)
{
	free(out);
	free(errout);
}

/* Runs tenantry --db <test db> ARGS...; returns the exit status. */
/* clang-format off */
#define RUN(...)                                                             \
	(free(out), free(errout), out = errout = NULL,                       \
	 testcli_run(&out, &errout,                                           \
		     (const char *const[]){ "--db", conninfo, __VA_ARGS__, NULL }))
/* clang-format on */

START_TEST(test_usage_errors)
{
	ck_assert_int_eq(RUN("frobnicate"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "unknown command 'frobnicate'"));
	ck_assert_int_eq(RUN("tenants", "list", "--sort", "shoe-size"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "unknown sort shoe-size"));
	ck_assert_int_eq(RUN("tenants", "--help"), 0);
	ck_assert_ptr_nonnull(strstr(out, "usage: tenantry tenants list"));
	ck_assert_int_eq(RUN("invite"), 64);
	ck_assert_int_eq(RUN("--help"), 0);
	ck_assert_ptr_nonnull(strstr(out, "commands:"));
}
END_TEST

/* Global options before or after the command, stray arguments, slips
 * with a suggestion, -V. */
START_TEST(test_conventions)
{
	json_t *j;

	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Conv Co", "--admin-email", "c@conv.example"), 0);
	ck_assert_int_eq(RUN("tenants", "list", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(json_is_array(j), "not a JSON array: %s", out);
	json_decref(j);
	ck_assert_int_eq(RUN("tenants", "--json", "list", "--filter", "conv"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_uint_eq(json_array_size(j), 1);
	json_decref(j);
	ck_assert_int_eq(RUN("tenants", "show", "conv-co", "--read-only", "--json"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"slug\""));

	ck_assert_int_eq(RUN("tenants", "list", "stray"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "list takes no arguments"));
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(RUN("tenants", "purge-due", "stray"), 64);
	ck_assert_int_eq(RUN("tiers", "list", "stray"), 64);
	ck_assert_int_eq(RUN("metrics", "stray"), 64);
	ck_assert_int_eq(RUN("settings", "list", "conv-co", "stray"), 64);

	ck_assert_int_eq(RUN("tenant", "list"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "unknown command 'tenant'; did you mean 'tenants'?"));
	ck_assert_int_eq(RUN("tenants", "lsit"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "unknown subcommand 'lsit'; did you mean 'list'?"));
	ck_assert_int_eq(RUN("audit", "verfy"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "did you mean 'verify'?"));
	ck_assert_int_eq(RUN("settings", "delet", "conv-co", "k"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "did you mean 'delete'?"));
	ck_assert_int_eq(RUN("zzzzzz"), 64); /* nothing near: no suggestion */
	ck_assert_ptr_null(strstr(errout, "did you mean"));

	ck_assert_int_eq(RUN("-V"), 0);
	ck_assert_ptr_nonnull(strstr(out, "tenantry "));
}
END_TEST

/* Every write and every report answers --json. */
START_TEST(test_json_everywhere)
{
	json_t *j;
	char id[128];

	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Json Co", "--admin-email", "j@json.example"), 0);
	ck_assert_int_eq(RUN("settings", "set", "json-co", "motd", "hello"), 0);
	ck_assert_int_eq(RUN("settings", "delete", "json-co", "motd", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "done")), "deleted");
	ck_assert_str_eq(json_string_value(json_object_get(j, "id")), "motd");
	json_decref(j);

	ck_assert_int_eq(RUN("invite", "json-co", "bob@json.example", "--json"), 0);
	j = json_loads(out, 0, NULL);
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	ck_assert_int_eq(RUN("invite", "revoke", "json-co", id, "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "done")), "revoked");
	json_decref(j);

	ck_assert_int_eq(
	    RUN("apikey", "create", "json-co", "--name", "ci", "--scopes", "tenant:read", "--json"),
	    0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
	json_decref(j);
	ck_assert_int_eq(RUN("apikey", "revoke", "json-co", id, "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "done")), "revoked");
	json_decref(j);

	/* a quota crossed writes alerts; one acknowledged */
	ck_assert_int_eq(RUN("quota", "set", "json-co", "api_calls", "10"), 0);
	ck_assert_int_eq(RUN("usage", "add", "json-co", "api_calls", "10"), 0);
	ck_assert_int_eq(RUN("alerts", "list", "json-co", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(json_array_size(j) > 0, "no alerts: %s", out);
	snprintf(id, sizeof id, "%s",
		 json_string_value(json_object_get(json_array_get(j, 0), "id")));
	json_decref(j);
	ck_assert_int_eq(RUN("alerts", "ack", "json-co", id, "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "done")), "acknowledged");
	json_decref(j);

	ck_assert_int_eq(RUN("audit", "verify", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	ck_assert_int_ge(json_integer_value(json_object_get(j, "chains")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "broken")), 0);
	json_decref(j);
	ck_assert_int_eq(RUN("tenants", "purge-due", "--json"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_msg(j, "not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "done")), "purged");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "tenants")), 0);
	json_decref(j);
}
END_TEST

START_TEST(test_tenant_round_trip)
{
	json_t *j, *first;
	json_error_t je;

	ck_assert_int_eq(RUN("tenants", "create", "--name", "Acme Corp", "--admin-email",
			     "alice@acme.example", "--tier", "business"),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "acme-corp"));
	/* same slug again: conflict, exit 1, message on stderr, stdout empty */
	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Acme Corp", "--admin-email", "x@acme.example"), 1);
	ck_assert_ptr_nonnull(strstr(errout, "already in use"));
	ck_assert_str_eq(out, "");
	/* invalid field: EX_DATAERR, naming the field */
	ck_assert_int_eq(RUN("tenants", "create", "--name", "Beta", "--admin-email", "nope"), 65);
	ck_assert_ptr_nonnull(strstr(errout, "admin_email"));
	ck_assert_int_eq(RUN("--json", "tenants", "list"), 0);
	j = json_loads(out, 0, &je);
	ck_assert_msg(j != NULL, "not JSON: %s", je.text);
	ck_assert_uint_eq(json_array_size(j), 1);
	first = json_array_get(j, 0);
	ck_assert_str_eq(json_string_value(json_object_get(first, "slug")), "acme-corp");
	ck_assert_str_eq(json_string_value(json_object_get(first, "tier")), "business");
	json_decref(j);
	ck_assert_int_eq(RUN("tenants", "show", "nope"), 1);
	ck_assert_ptr_nonnull(strstr(errout, "no tenant nope"));
	ck_assert_int_eq(RUN("tenants", "suspend", "acme-corp"), 0);
	ck_assert_int_eq(RUN("tenants", "show", "acme-corp"), 0);
	ck_assert_ptr_nonnull(strstr(out, "suspended"));
	/* read-only refuses writes and changes nothing */
	free(out);
	free(errout);
	ck_assert_int_eq(
	    testcli_run(&out, &errout,
			(const char *const[]){ "--db", conninfo, "--read-only", "tenants", "resume",
					       "acme-corp", NULL }),
	    77);
	ck_assert_int_eq(RUN("tenants", "show", "acme-corp"), 0);
	ck_assert_ptr_nonnull(strstr(out, "suspended"));
}
END_TEST

/* Support access from the command line: start (a reason required), list,
 * end; both ends on the tenant's audit chain. */
START_TEST(test_view_as_sessions)
{
	PGconn *c;
	json_t *j;
	char id[ID_LEN];

	ck_assert_int_eq(RUN("tenants", "create", "--name", "Viewed Corp", "--admin-email",
			     "alice@viewed.example"),
			 0);
	ck_assert_int_eq(RUN("view-as", "start", "viewed-corp"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "--reason"));
	ck_assert_int_eq(
	    RUN("view-as", "start", "viewed-corp", "--reason", "ticket 12", "--minutes", "999"),
	    64);
	ck_assert_int_eq(RUN("--json", "view-as", "start", "viewed-corp", "--reason", "ticket 12",
			     "--role", "manager"),
			 0);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	snprintf(id, sizeof id, "%s",
		 json_string_value(json_object_get(json_array_get(j, 0), "id")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "role")),
			 "manager");
	json_decref(j);
	ck_assert_int_eq(RUN("view-as", "list"), 0);
	ck_assert_ptr_nonnull(strstr(out, id));
	ck_assert_ptr_nonnull(strstr(out, "ticket 12"));
	ck_assert_int_eq(RUN("view-as", "end", id), 0);
	ck_assert_int_eq(RUN("view-as", "end", id), 1);
	ck_assert_int_eq(RUN("view-as", "list"), 0);
	ck_assert_ptr_null(strstr(out, id));
	ck_assert_int_eq(RUN("audit", "list", "viewed-corp", "--action", "support.view_as"), 0);
	ck_assert_ptr_nonnull(strstr(out, "support.view_as.start"));
	ck_assert_ptr_nonnull(strstr(out, "support.view_as.end"));
	/* as one member: their role (a role beside it is a usage error); the
	 * admin was invited, and is a member once the invitation is taken */
	ck_assert_int_eq(RUN("view-as", "start", "viewed-corp", "--reason", "ticket 13", "--role",
			     "viewer", "--member", "alice@viewed.example"),
			 64);
	ck_assert_int_eq(RUN("view-as", "start", "viewed-corp", "--reason", "ticket 13", "--member",
			     "bob@viewed.example"),
			 65);
	ck_assert_ptr_nonnull(strstr(errout, "bob@viewed.example is not a member of viewed-corp"));
	c = testdb_connect(dbname, NULL);
	testdb_exec(c, "SET ROLE tenantry_owner; INSERT INTO tenantry.users (email) "
		       "VALUES ('alice@viewed.example') ON CONFLICT DO NOTHING; "
		       "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role) "
		       "SELECT t.id, u.id, 'admin' FROM tenantry.tenants t, tenantry.users u "
		       "WHERE t.slug = 'viewed-corp' AND u.email = 'alice@viewed.example' "
		       "ON CONFLICT DO NOTHING");
	PQfinish(c);
	ck_assert_msg(RUN("view-as", "start", "viewed-corp", "--reason", "ticket 13", "--member",
			  "ALICE@viewed.example")
			  == 0,
		      "%s", errout);
	ck_assert_int_eq(RUN("view-as", "list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "alice@viewed.example"));
	ck_assert_ptr_nonnull(strstr(out, " admin "));
}
END_TEST

/* A password file of the run's own; its path in out. */
static void
password_file(char *path, size_t n, const char *name, const char *pw)
{
	FILE *f;

	snprintf(path, n, "/tmp/tenantry-cli-%d-%s", (int)getpid(), name);
	ck_assert((f = fopen(path, "w")) != NULL);
	fprintf(f, "%s\n", pw);
	fclose(f);
}

/* The token after "token: " in out. */
static void
token_of(char *tok, size_t n, const char *text)
{
	const char *p = strstr(text ? text : "", "token: ");

	ck_assert_msg(p, "no token in: %s", text ? text : "");
	snprintf(tok, n, "%.*s", (int)strcspn(p + 7, "\n"), p + 7);
}

/* The first admin accepts the invitation of tenants create; staff issue a
 * reset token, the user sets a password with it once (the policy first);
 * staff reset the second factor and sign the user out. */
START_TEST(test_account_credentials)
{
	char good[256], shrt[256], tok[128];

	password_file(good, sizeof good, "good", "a fresh passphrase here");
	password_file(shrt, sizeof shrt, "short", "password2024");
	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Cred Co", "--admin-email", "c@cred.example"), 0);
	token_of(tok, sizeof tok, out);
	ck_assert_int_eq(RUN("invite", "accept", tok, "--password-file", shrt), 65);
	ck_assert_int_eq(RUN("invite", "accept", tok, "--password-file", good), 0);
	ck_assert_ptr_nonnull(strstr(out, "c@cred.example joined as admin"));
	ck_assert_int_eq(RUN("account", "reset-password", "c@cred.example"), 0);
	token_of(tok, sizeof tok, out);
	ck_assert(strncmp(tok, "tnr_", 4) == 0);
	ck_assert_int_eq(RUN("account", "set-password", tok, "--password-file", shrt), 65);
	ck_assert_ptr_nonnull(strstr(errout, "too common"));
	ck_assert_int_eq(RUN("account", "set-password", tok, "--password-file", good), 0);
	ck_assert_int_ne(RUN("account", "set-password", tok, "--password-file", good), 0);
	ck_assert_int_eq(RUN("account", "reset-password", "nobody@cred.example"), 1);
	/* --mail: sealed for the mailer (with the master key), shown to nobody */
	{
		char key[512];

		snprintf(key, sizeof key, "%s", getenv("TENANTRY_MASTER_KEY_FILE"));
		unsetenv("TENANTRY_MASTER_KEY_FILE");
		ck_assert_int_eq(RUN("account", "reset-password", "c@cred.example", "--mail"), 1);
		ck_assert_ptr_nonnull(strstr(errout, "master key"));
		setenv("TENANTRY_MASTER_KEY_FILE", key, 1);
	}
	ck_assert_int_eq(RUN("account", "reset-password", "c@cred.example", "--mail"), 0);
	ck_assert_ptr_nonnull(strstr(out, "mailed to the account"));
	ck_assert_ptr_null(strstr(out, "tnr_"));
	{
		const char *db = strstr(conninfo, "dbname=") + 7;
		char name[64];
		PGconn *c;

		snprintf(name, sizeof name, "%.*s", (int)strcspn(db, " "), db);
		c = testdb_connect(name, NULL);
		ck_assert_int_eq(testdb_int(c, "SELECT count(*) FROM tenantry.outbox WHERE type = "
					       "'user.password_reset_requested' AND sealed LIKE "
					       "'v1:%%' AND mail_state = 'pending'"),
				 1);
		PQfinish(c);
	}
	ck_assert_int_eq(RUN("account", "mfa-reset", "c@cred.example"), 0);
	ck_assert_int_eq(RUN("account", "unlock", "c@cred.example"), 0);
	ck_assert_ptr_nonnull(strstr(out, "sign-in block lifted"));
	ck_assert_int_eq(RUN("account", "sign-out", "c@cred.example"), 0);
	ck_assert_int_eq(RUN("account", "frobnicate", "x"), 64);
	ck_assert_int_eq(RUN("--json", "audit", "list", "--action", "user.", "--limit", "50"), 0);
	ck_assert_ptr_nonnull(strstr(out, "user.password_reset_issue"));
	ck_assert_ptr_nonnull(strstr(out, "user.mfa_reset"));
	ck_assert_ptr_nonnull(strstr(out, "user.sign_out_everywhere"));
	ck_assert_ptr_nonnull(strstr(out, "user.sign_in_unlock"));
	remove(good);
	remove(shrt);
}
END_TEST

START_TEST(test_invite_quota_settings_export)
{
	json_t *j;

	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Tiny Co", "--admin-email", "t@tiny.example"), 0);
	/* the first admin is invited, the token printed once */
	ck_assert_ptr_nonnull(strstr(out, "admin invited   t@tiny.example"));
	ck_assert_ptr_nonnull(strstr(out, "token: tni_"));
	ck_assert_int_eq(RUN("invite", "tiny-co", "bob@tiny.example", "viewer"), 0);
	ck_assert_ptr_nonnull(strstr(out, "token: tni_"));
	ck_assert_int_eq(RUN("invite", "tiny-co", "bob@tiny.example"), 1);
	ck_assert_ptr_nonnull(strstr(errout, "pending invitation"));
	ck_assert_int_eq(RUN("quota", "set", "tiny-co", "api_calls", "5"), 0);
	ck_assert_int_eq(RUN("usage", "add", "tiny-co", "api_calls", "5"), 0);
	ck_assert_int_eq(RUN("usage", "add", "tiny-co", "api_calls", "1"), 75);
	ck_assert_ptr_nonnull(strstr(errout, "exhausted"));
	ck_assert_int_eq(
	    RUN("settings", "set", "tiny-co", "brand.color", "#zzz", "--type", "color"), 65);
	ck_assert_int_eq(
	    RUN("settings", "set", "tiny-co", "brand.color", "#123", "--type", "color"), 0);
	/* without --type the setting stays a colour, and is checked as one */
	ck_assert_int_eq(RUN("settings", "set", "tiny-co", "brand.color", "not a colour"), 65);
	ck_assert_int_eq(RUN("settings", "set", "tiny-co", "brand.color", "#456"), 0);
	ck_assert_int_eq(RUN("--json", "settings", "get", "tiny-co", "brand.color"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"color\""));
	ck_assert_int_eq(RUN("--json", "export", "tiny-co"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "tenant"), "slug")),
			 "tiny-co");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "invitations")), 2); /* admin, bob */
	ck_assert_uint_eq(json_array_size(json_object_get(j, "settings")), 1);
	ck_assert_uint_gt(json_array_size(json_object_get(j, "audit_log")), 8);
	json_decref(j);
	ck_assert_int_eq(RUN("audit", "verify", "tiny-co"), 0);
	ck_assert_ptr_nonnull(strstr(out, "chain intact"));
	ck_assert_int_eq(RUN("audit", "list", "tiny-co", "--action", "tenant.export"), 0);
	ck_assert_ptr_nonnull(strstr(out, "tenant.export"));
}
END_TEST

/* quota list's FORECAST column and the forecast in --json, from usage
 * written straight into the database: 1,000 bytes a day for 14 days. */
START_TEST(test_quota_forecast)
{
	PGconn *c;
	json_t *j, *v, *f = NULL;
	size_t i;

	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Grow Co", "--admin-email", "g@grow.example"), 0);
	c = testdb_connect(dbname, NULL);
	testdb_exec(c, "INSERT INTO tenantry.usage_daily SELECT t.id, 'storage_bytes', "
		       "(now() AT TIME ZONE 'UTC')::date - g, 1000 FROM tenantry.tenants t, "
		       "generate_series(1, 14) g WHERE t.slug = 'grow-co'");
	testdb_exec(c, "UPDATE tenantry.quotas q SET used = 10000, quota_limit = 100000 "
		       "FROM tenantry.tenants t WHERE t.id = q.tenant_id AND t.slug = 'grow-co' "
		       "AND q.resource = 'storage_bytes'");
	PQfinish(c);
	ck_assert_int_eq(RUN("quota", "list", "grow-co"), 0);
	ck_assert_ptr_nonnull(strstr(out, "FORECAST"));
	ck_assert_ptr_nonnull(strstr(out, "80% in 70 d, 100% in 90 d"));
	ck_assert_ptr_nonnull(strstr(out, "flat"));
	ck_assert_int_eq(RUN("--json", "quota", "list", "grow-co"), 0);
	j = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	json_array_foreach(j, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "resource")), "storage_bytes") == 0)
			f = json_object_get(v, "forecast");
	}
	ck_assert_ptr_nonnull(f);
	ck_assert_double_eq_tol(json_number_value(json_object_get(f, "per_day")), 1000, 1e-6);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "full"), "state")),
			 "projected");
	json_decref(j);
}
END_TEST

START_TEST(test_demo)
{
	PGconn *c;
	const char *db = strstr(conninfo, "dbname=") + 7;
	char name[64];

	snprintf(name, sizeof name, "%.*s", (int)strcspn(db, " "), db);
	ck_assert_int_eq(testcli_run(&out, &errout,
				     (const char *const[]){ "--db", conninfo, "--master-key-file",
							    getenv("TENANTRY_MASTER_KEY_FILE"),
							    "demo", "--tenants", "12", NULL }),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "demo: 12 tenants"));
	c = testdb_connect(name, NULL);
	/* all tiers, several statuses, every role, invitations in every state,
	 * secrets, keys, alerts and a good number of audit entries */
	ck_assert_int_ge(atoi(testdb_value(c, "SELECT count(DISTINCT tier) FROM tenantry.tenants")),
			 4);
	ck_assert_int_ge(
	    atoi(testdb_value(c, "SELECT count(DISTINCT status) FROM tenantry.tenants")), 3);
	ck_assert_str_eq(testdb_value(c, "SELECT count(DISTINCT role) FROM tenantry.tenant_users"),
			 "4");
	ck_assert_int_ge(atoi(testdb_value(c, "SELECT count(*) FROM tenantry.invitations "
					      "WHERE expires_at < now() AND accepted_at IS NULL")),
			 1);
	ck_assert_int_ge(atoi(testdb_value(c, "SELECT count(*) FROM tenantry.tenant_settings "
					      "WHERE encrypted")),
			 12);
	ck_assert_int_ge(atoi(testdb_value(c, "SELECT count(*) FROM tenantry.alerts")), 1);
	/* history before today, for the quota forecasts */
	ck_assert_int_ge(atoi(testdb_value(c, "SELECT count(DISTINCT day) FROM "
					      "tenantry.usage_daily WHERE day < "
					      "(now() AT TIME ZONE 'UTC')::date")),
			 14);
	ck_assert_int_ge(atoi(testdb_value(c, "SELECT count(*) FROM tenantry.audit_log")), 300);
	/* the demo login is platform staff, never a superuser */
	ck_assert_str_eq(testdb_value(c, "SELECT rolsuper::text || rolbypassrls::text FROM "
					 "pg_roles WHERE rolname = 'demo_operator'"),
			 "falsefalse");
	ck_assert_str_eq(testdb_value(c, "SELECT pg_has_role('demo_operator', "
					 "'tenantry_platform', 'USAGE')::text"),
			 "true");
	/* a member's overrides, set and shown by the CLI */
	{
		char slug[64], email[128];

		snprintf(slug, sizeof slug, "%s",
			 testdb_value(c, "SELECT t.slug FROM tenantry.tenants t JOIN "
					 "tenantry.tenant_users tu ON tu.tenant_id = t.id "
					 "WHERE tu.role = 'viewer' AND tu.active AND t.status = "
					 "'active' ORDER BY t.slug LIMIT 1"));
		snprintf(email, sizeof email, "%s",
			 testdb_value(c,
				      "SELECT u.email FROM tenantry.users u JOIN "
				      "tenantry.tenant_users tu ON tu.user_id = u.id JOIN "
				      "tenantry.tenants t ON t.id = tu.tenant_id WHERE tu.role = "
				      "'viewer' AND tu.active AND t.status = 'active' "
				      "ORDER BY t.slug, u.email LIMIT 1"));
		ck_assert_int_eq(RUN("users", "permissions", slug, email, "--grant", "quotas.set"),
				 64);
		ck_assert_int_eq(RUN("users", "permissions", slug, email, "--revoke",
				     "members.read", "--grant", "usage.write"),
				 0);
		ck_assert_int_eq(RUN("users", "list", slug, "--role", "viewer"), 0);
		ck_assert_ptr_nonnull(strstr(out, "-members.read,+usage.write"));
		ck_assert_int_eq(RUN("users", "permissions", slug, email), 0);
		ck_assert_ptr_null(strstr(out, "+usage.write"));
	}
	PQfinish(c);
}
END_TEST

START_TEST(test_terminal_escapes_never_printed)
{
	const char *db = strstr(conninfo, "dbname=") + 7;
	char name[64];
	PGconn *c;

	snprintf(name, sizeof name, "%.*s", (int)strcspn(db, " "), db);
	ck_assert_int_eq(
	    RUN("tenants", "create", "--name", "Esc Co", "--admin-email", "e@esc.example"), 0);
	/* written past the application, as a hostile row would be */
	c = testdb_connect(name, NULL);
	testdb_exec(c, "INSERT INTO tenantry.tenant_settings (tenant_id, key, value) "
		       "SELECT id, 'motd', E'\\x1b]0;pwned\\x07\\x1b[2Jhi' FROM tenantry.tenants");
	testdb_exec(c, "UPDATE tenantry.tenants SET name = E'Esc\\x1b[31m Co'");
	PQfinish(c);
	ck_assert_int_eq(RUN("settings", "get", "esc-co", "motd"), 0);
	ck_assert_ptr_nonnull(strstr(out, "hi"));
	ck_assert_ptr_null(strchr(out, 0x1b));
	ck_assert_ptr_null(strchr(out, 0x07));
	ck_assert_int_eq(RUN("tenants", "show", "esc-co"), 0);
	ck_assert_ptr_null(strchr(out, 0x1b));
	ck_assert_int_eq(RUN("tenants", "list"), 0);
	ck_assert_ptr_null(strchr(out, 0x1b));
	ck_assert_int_eq(RUN("audit", "list", "esc-co"), 0);
	ck_assert_ptr_null(strchr(out, 0x1b));
}
END_TEST

Suite *
suite_cli(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("binary");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_conventions);
	tcase_add_test(tc, test_json_everywhere);
	tcase_add_test(tc, test_tenant_round_trip);
	tcase_add_test(tc, test_invite_quota_settings_export);
	tcase_add_test(tc, test_account_credentials);
	tcase_add_test(tc, test_view_as_sessions);
	tcase_add_test(tc, test_quota_forecast);
	tcase_add_test(tc, test_demo);
	tcase_add_test(tc, test_terminal_escapes_never_printed);
	suite_add_tcase(s, tc);
	return s;
}
