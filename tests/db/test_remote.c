/* test_remote.c - what only the REST store and remote mode have: an
 * unreachable server, bad credentials, records identical through both
 * backends, the live audit feed over Server-Sent Events, and the CLI with
 * --url (login, the 0600 token file, output equal to --db). Against a real
 * tenantryd on a throwaway database. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"
#include "core/json.h"

/* ---- transport ------------------------------------------------------------------ */

START_TEST(test_unreachable)
{
	struct testd gone = ct_srv;
	struct store *s;
	struct tenant_list l;
	struct tenant_query q = { .status = -1, .limit = 10 };

	OK(store_ping(st, &e));
	testd_stop(&ct_srv);
	s = testd_store(&gone, NULL, STORE_ROLE_PLATFORM, NULL);
	FAILS(store_ping(s, &e), ERR_UNAVAILABLE);
	FAILS(store_tenant_list(&l, s, &q, &e), ERR_UNAVAILABLE);
	ck_assert_int_eq(e.status, 503);
	ck_assert_ptr_nonnull(strstr(e.message, gone.url));
	/* the store's kept-alive connection is gone too */
	FAILS(store_tenant_list(&l, st, &q, &e), ERR_UNAVAILABLE);
	store_close(&s);
}
END_TEST

START_TEST(test_bad_credentials)
{
	struct store *s = testd_store(&ct_srv, "not-a-token", STORE_ROLE_PLATFORM, NULL);
	struct tenant_list l;
	struct tenant_query q = { .status = -1, .limit = 10 };
	struct store_context ctx = { .role = STORE_ROLE_TENANT };

	FAILS(store_tenant_list(&l, s, &q, &e), ERR_UNAUTHORIZED);
	ck_assert_int_eq(e.status, 401);
	store_close(&s);
	s = testd_store(&ct_srv, "", STORE_ROLE_PLATFORM, NULL);
	FAILS(store_tenant_list(&l, s, &q, &e), ERR_UNAUTHORIZED);
	/* a context value can never become a second header */
	snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "x\r\nX-Evil: 1");
	FAILS(store_set_context(s, &ctx, &e), ERR_BAD_REQUEST);
	store_close(&s);
	/* viewing as an unknown tenant */
	s = testd_store(&ct_srv, NULL, STORE_ROLE_PLATFORM, NULL);
	FAILS(store_view_as_start(&(struct view_session){ 0 }, s, "nope", ROLE_ADMIN, NULL,
				  "a reason", 30, &e),
	      ERR_NOT_FOUND);
	store_close(&s);
}
END_TEST

/* Path parameters are one segment each, whatever they hold. */
START_TEST(test_path_encoding)
{
	struct tenant t;
	struct member_list ml;

	FAILS(store_tenant_get(&t, st, "acme-corp/users", &e), ERR_NOT_FOUND);
	FAILS(store_tenant_get(&t, st, "../tenants", &e), ERR_NOT_FOUND);
	FAILS(store_tenant_get(&t, st, "acme-corp?x=1", &e), ERR_NOT_FOUND);
	FAILS(store_member_list(&ml, st, "acme corp", NULL, &e), ERR_NOT_FOUND);
}
END_TEST

/* The same rows read through libpq and through tenantryd encode to the
 * same JSON: the codecs round-trip every field. */
static void
same_json(json_t *a, json_t *b, const char *what)
{
	char *ta = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	char *tb = json_dumps(b, JSON_SORT_KEYS | JSON_COMPACT);

	ck_assert_msg(ta && tb && json_equal(a, b), "%s differs:\npg   %s\nrest %s", what,
		      ta ? ta : "?", tb ? tb : "?");
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
}

/* clang-format off */
#define LIST_JSON(T, l)                                                      \
	({                                                                   \
		json_t *a_ = json_array();                                   \
		for (size_t i_ = 0; i_ < (l)->n; i_++)                       \
			json_array_append_new(a_, T##_to_json(&(l)->rows[i_])); \
		a_;                                                          \
	})
/* clang-format on */

/* A forecast made at another moment by the other read: the same once its
 * times are taken from a common as_of. */
static void
as_of_common(struct quota_forecast *f)
{
	const usec_t common = INT64_C(1000000000000000);

	for (int i = 0; i < FORECAST_LEVELS; i++)
		if (f->at[i])
			f->at[i] = f->at[i] - f->as_of + common;
	if (f->as_of)
		f->as_of = common;
}

static void
quotas_as_of_common(struct quota_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		as_of_common(&l->rows[i].forecast);
}

static void
metrics_as_of_common(struct platform_metrics *m)
{
	for (size_t i = 0; i < m->nnearest; i++)
		as_of_common(&m->nearest[i].forecast);
}

START_TEST(test_records_identical)
{
	struct store *pg;
	struct tenant t1, t2;
	struct tenant_list tl1, tl2;
	struct tenant_query tq = { .status = -1, .limit = 50 };
	struct audit_entry_list al1, al2;
	struct audit_query aq = { .limit = 100 };
	struct member_list ml1, ml2;
	struct quota_list ql1, ql2;
	struct platform_metrics m1, m2;
	struct health h1, h2;
	struct tenant_patch p = { .settings_json = "{\"b\": [1, 2.5, \"\\u00e9\"], \"a\": null}" };
	struct quota_result r;

	ct_remote = false;
	pg = ct_open(STORE_ROLE_PLATFORM, NULL);
	ct_remote = true;
	OK(store_tenant_update(&t1, st, "acme-corp", &p, &e));
	tenant_clear(&t1);
	OK(store_usage_increment(&r, st, "acme-corp", "storage_bytes", 12345, &e));
	OK(store_tenant_get(&t1, pg, "acme-corp", &e));
	OK(store_tenant_get(&t2, st, "acme-corp", &e));
	same_json(tenant_to_json(&t1), tenant_to_json(&t2), "tenant");
	tenant_clear(&t1);
	tenant_clear(&t2);
	OK(store_tenant_list(&tl1, pg, &tq, &e));
	OK(store_tenant_list(&tl2, st, &tq, &e));
	same_json(LIST_JSON(tenant, &tl1), LIST_JSON(tenant, &tl2), "tenant list");
	tenant_list_free(&tl1);
	tenant_list_free(&tl2);
	OK(store_audit_list(&al1, pg, "acme-corp", &aq, &e));
	OK(store_audit_list(&al2, st, "acme-corp", &aq, &e));
	same_json(LIST_JSON(audit_entry, &al1), LIST_JSON(audit_entry, &al2), "audit");
	audit_entry_list_free(&al1);
	audit_entry_list_free(&al2);
	OK(store_member_list(&ml1, pg, "acme-corp", NULL, &e));
	OK(store_member_list(&ml2, st, "acme-corp", NULL, &e));
	same_json(LIST_JSON(member, &ml1), LIST_JSON(member, &ml2), "members");
	member_list_free(&ml1);
	member_list_free(&ml2);
	OK(store_quota_list(&ql1, pg, "acme-corp", &e));
	OK(store_quota_list(&ql2, st, "acme-corp", &e));
	quotas_as_of_common(&ql1);
	quotas_as_of_common(&ql2);
	same_json(LIST_JSON(quota, &ql1), LIST_JSON(quota, &ql2), "quotas");
	quota_list_free(&ql1);
	quota_list_free(&ql2);
	OK(store_metrics(&m1, pg, &e));
	OK(store_metrics(&m2, st, &e));
	metrics_as_of_common(&m1);
	metrics_as_of_common(&m2);
	same_json(platform_metrics_to_json(&m1), platform_metrics_to_json(&m2), "metrics");
	OK(store_health_get(&h1, pg, "acme-corp", &e));
	OK(store_health_get(&h2, st, "acme-corp", &e));
	same_json(health_to_json(&h1), health_to_json(&h2), "health");
	store_close(&pg);
}
END_TEST

/* ---- the live audit feed ------------------------------------------------------------ */

/* Waits up to ms for the feed's descriptor, then reads what is there. */
static int
feed_wait(struct audit_feed *f, struct audit_key *keys, int max, int ms)
{
	struct pollfd p = { .fd = store_feed_fd(st, f), .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return 0;
	return store_feed_read(st, f, keys, max, &e);
}

static int64_t
newest_seq(const char *tenant)
{
	struct audit_entry_list l;
	struct audit_query q = { .limit = 1, .newest = true };
	int64_t seq;

	OK(store_audit_list(&l, st, tenant, &q, &e));
	seq = l.rows[0].seq;
	audit_entry_list_free(&l);
	return seq;
}

START_TEST(test_feed_one_tenant)
{
	struct audit_feed *f;
	struct audit_key keys[16];
	struct setting s;
	int n;

	OK(store_feed_open(&f, st, "acme-corp", &e));
	ck_assert_int_eq(store_feed_read(st, f, keys, 16, &e), 0); /* nothing yet */
	OK(store_setting_put(&s, st, "beta", "motd", SETTING_STRING, "other", &e));
	setting_clear(&s);
	OK(store_setting_put(&s, st, "acme-corp", "motd", SETTING_STRING, "hello", &e));
	setting_clear(&s);
	n = feed_wait(f, keys, 16, 5000);
	ck_assert_int_eq(n, 1); /* acme's entry, not beta's */
	ck_assert_str_eq(keys[0].tenant_id, acme.id);
	ck_assert_int_eq(keys[0].seq, newest_seq("acme-corp"));
	ck_assert_int_eq(store_feed_read(st, f, keys, 16, &e), 0);
	store_feed_close(st, f);
}
END_TEST

START_TEST(test_feed_all_chains)
{
	struct audit_feed *f;
	struct audit_key keys[16];
	struct setting s;
	bool saw_acme = false, saw_beta = false;

	OK(store_feed_open(&f, st, NULL, &e));
	OK(store_setting_put(&s, st, "beta", "motd", SETTING_STRING, "b", &e));
	setting_clear(&s);
	OK(store_setting_put(&s, st, "acme-corp", "motd", SETTING_STRING, "a", &e));
	setting_clear(&s);
	for (int tries = 0; tries < 10 && !(saw_acme && saw_beta); tries++) {
		int n = feed_wait(f, keys, 16, 1000);

		ck_assert_int_ge(n, 0);
		for (int i = 0; i < n; i++) {
			saw_acme |= strcmp(keys[i].tenant_id, acme.id) == 0
				    && keys[i].seq == newest_seq("acme-corp");
			saw_beta |= strcmp(keys[i].tenant_id, beta.id) == 0
				    && keys[i].seq == newest_seq("beta");
		}
	}
	ck_assert(saw_acme && saw_beta);
	store_feed_close(st, f);
}
END_TEST

START_TEST(test_feed_errors_and_loss)
{
	struct audit_feed *f = NULL;
	struct audit_key keys[4];
	struct store *bad = testd_store(&ct_srv, "not-a-token", STORE_ROLE_PLATFORM, NULL);
	struct pollfd p;

	FAILS(store_feed_open(&f, st, "nope", &e), ERR_NOT_FOUND);
	ck_assert_ptr_null(f);
	FAILS(store_feed_open(&f, bad, "acme-corp", &e), ERR_UNAUTHORIZED);
	store_close(&bad);
	/* a feed closed while idle, then one whose server goes away */
	OK(store_feed_open(&f, st, "acme-corp", &e));
	store_feed_close(st, f);
	OK(store_feed_open(&f, st, "acme-corp", &e));
	testd_stop(&ct_srv);
	p = (struct pollfd){ .fd = store_feed_fd(st, f), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	FAILS(store_feed_read(st, f, keys, 4, &e), ERR_UNAVAILABLE);
	FAILS(store_feed_read(st, f, keys, 4, &e), ERR_UNAVAILABLE); /* stays lost */
	store_feed_close(st, f);
	FAILS(store_feed_open(&f, st, "acme-corp", &e), ERR_UNAVAILABLE);
}
END_TEST

/* ---- the CLI with --url ----------------------------------------------------------------- */

static char *out, *errout;

static int
run(const char *const argv[])
{
	free(out);
	free(errout);
	out = errout = NULL;
	return testcli_run(&out, &errout, argv);
}
#define REMOTE(...) run((const char *const[]){ "--url", ct_srv.url, __VA_ARGS__, NULL })

/* A private state directory for the saved tokens of this test. */
static void
state_home(char *dir, size_t size)
{
	snprintf(dir, size, "%s/state-%s", getenv("TENANTRY_TEST_TMP"), ct_db);
	setenv("XDG_STATE_HOME", dir, 1);
	unsetenv("TENANTRY_TOKEN");
}

START_TEST(test_cli_login_and_token_file)
{
	char dir[512], path[600], pw[600];
	struct stat sb;
	FILE *f;

	state_home(dir, sizeof dir);
	snprintf(pw, sizeof pw, "%s/staff.pw", getenv("TENANTRY_TEST_TMP"));
	ck_assert_int_eq(REMOTE("tenants", "list"), 77); /* not signed in */
	ck_assert_ptr_nonnull(strstr(errout, "login EMAIL"));
	ck_assert_int_eq(REMOTE("login", CT_STAFF, "--password-file", "/nonexistent"), 66);
	snprintf(path, sizeof path, "%s/wrong.pw", dir);
	mkdir(dir, 0700);
	f = fopen(path, "w");
	fputs("not the password\n", f);
	fclose(f);
	ck_assert_int_eq(REMOTE("login", CT_STAFF, "--password-file", path), 77);
	ck_assert_int_eq(REMOTE("login", CT_STAFF, "--password-file", pw), 0);
	ck_assert_ptr_nonnull(strstr(out, "signed in to"));
	ck_assert_ptr_nonnull(strstr(out, "platform_admin"));
	snprintf(path, sizeof path, "%s", strstr(out, "token saved in ") + 15);
	path[strcspn(path, "\n")] = '\0';
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	*strrchr(path, '/') = '\0';
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0700);
	snprintf(path + strlen(path), sizeof path - strlen(path), "%s", strstr(out, "/token-"));
	path[strcspn(path, "\n")] = '\0';
	ck_assert_int_eq(REMOTE("tenants", "show", "acme-corp"), 0);
	ck_assert_ptr_nonnull(strstr(out, "Acme Corp"));
	/* a trailing slash names the same server */
	ck_assert_int_eq(run((const char *const[]){ "--url", strcat(strcpy(pw, ct_srv.url), "/"),
						    "tenants", "show", "beta", NULL }),
			 0);
	/* a token file others may read is refused, like ssh does */
	chmod(path, 0644);
	ck_assert_int_eq(REMOTE("tenants", "list"), 77);
	ck_assert_ptr_nonnull(strstr(errout, "readable by others"));
	chmod(path, 0600);
	/* --token-file and TENANTRY_TOKEN win over the saved token */
	snprintf(pw, sizeof pw, "%s/bad.token", dir);
	f = fopen(pw, "w");
	fputs("garbage\n", f);
	fclose(f);
	ck_assert_int_eq(run((const char *const[]){ "--url", ct_srv.url, "--token-file", pw,
						    "tenants", "list", NULL }),
			 77);
	setenv("TENANTRY_TOKEN", ct_srv.token, 1);
	ck_assert_int_eq(REMOTE("tenants", "list"), 0);
	unsetenv("TENANTRY_TOKEN");
	/* database-only commands refuse --url */
	ck_assert_int_eq(REMOTE("migrate"), 64);
	ck_assert_ptr_nonnull(strstr(errout, "--db"));
	ck_assert_int_eq(REMOTE("logout"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(REMOTE("tenants", "list"), 77);
}
END_TEST

START_TEST(test_cli_same_output)
{
	static const char *const cmds[][6] = {
		{ "tenants", "list" },
		{ "--json", "tenants", "list" },
		{ "tenants", "show", "acme-corp" },
		{ "--json", "tenants", "show", "acme-corp" },
		{ "tenants", "list", "--tier", "free", "--status", "active" },
		{ "tenants", "health", "acme-corp" },
		{ "tiers" },
		{ "users", "list", "acme-corp" },
		{ "invite", "list", "acme-corp" },
		{ "quota", "list", "beta" },
		{ "usage", "beta" },
		{ "usage", "daily", "beta" },
		{ "settings", "list", "acme-corp" },
		{ "settings", "get", "acme-corp", "stripe", "--reveal" },
		{ "features", "list", "beta" },
		{ "apikey", "list", "beta" },
		{ "audit", "list", "acme-corp", "--limit", "5" },
		{ "--json", "audit", "list", "beta" },
		{ "audit", "verify", "acme-corp" },
		{ "alerts", "list" },
		{ "metrics" },
		{ "--json", "export", "beta" },
		{ "tenants", "show", "nope" },
		{ "settings", "set", "acme-corp", "brand.color", "blue", "--type" },
		{ "quota", "set", "beta", "gold_bars", "5" },
	};
	char conninfo[512], dir[512], *db_out, *db_err;
	struct setting s;
	struct quota_result r;
	char token[96];
	struct invitation v;

	OK(store_setting_put(&s, st, "acme-corp", "stripe", SETTING_SECRET, "sk_1", &e));
	setting_clear(&s);
	OK(store_usage_increment(&r, st, "beta", "api_calls", 3, &e));
	OK(store_invitation_create(&v, token, st, "acme-corp", "x@acme.example", ROLE_VIEWER, &e));
	state_home(dir, sizeof dir);
	setenv("TENANTRY_TOKEN", ct_srv.token, 1);
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(ct_db, NULL));
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		const char *db_argv[10] = { "--db", conninfo },
			   *url_argv[10] = { "--url", ct_srv.url };
		int db_rc, url_rc, k;

		for (k = 0; k < 6 && cmds[i][k]; k++)
			db_argv[2 + k] = url_argv[2 + k] = cmds[i][k];
		/* "export" writes an audit entry each time: read it the other
		 * way round too, so both see one export before theirs */
		db_rc = run(db_argv);
		db_out = out, db_err = errout;
		out = errout = NULL;
		url_rc = run(url_argv);
		ck_assert_msg(db_rc == url_rc, "%s: exit %d with --db, %d with --url (%s)",
			      cmds[i][0], db_rc, url_rc, errout);
		if (!cmds[i][1] || strcmp(cmds[i][1], "export") != 0)
			ck_assert_msg(strcmp(db_out, out) == 0, "%s %s:\n--db:\n%s\n--url:\n%s",
				      cmds[i][0], cmds[i][1] ? cmds[i][1] : "", db_out, out);
		ck_assert_msg(strcmp(db_err, errout) == 0, "%s stderr:\n--db: %s\n--url: %s",
			      cmds[i][0], db_err, errout);
		free(db_out);
		free(db_err);
	}
	unsetenv("TENANTRY_TOKEN");
}
END_TEST

static void
setup(void)
{
	out = errout = NULL;
	ct_setup_rest();
}

static void
teardown(void)
{
	free(out);
	free(errout);
	ct_teardown();
}

Suite *
suite_remote(void)
{
	Suite *s = suite_create("remote");
	TCase *tc = tcase_create("rest");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_bad_credentials);
	tcase_add_test(tc, test_path_encoding);
	tcase_add_test(tc, test_records_identical);
	tcase_add_test(tc, test_feed_one_tenant);
	tcase_add_test(tc, test_feed_all_chains);
	tcase_add_test(tc, test_feed_errors_and_loss);
	tcase_add_test(tc, test_cli_login_and_token_file);
	tcase_add_test(tc, test_cli_same_output);
	suite_add_tcase(s, tc);
	return s;
}
