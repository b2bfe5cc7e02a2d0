/* test_matrix.c - one truth for who may do what. A representative
 * operation of each kind of store operation runs as each staff role
 * (platform_admin, support, oncall) and each member role (admin, manager,
 * member, viewer), through both backends: the libpq store as a database
 * login that is a member of exactly its staff role (`tenantry operator
 * --role`), and the REST store against a real tenantryd with that staff
 * member's token. Both must allow and refuse the same operations, and
 * what they allow must be the matrix of src/core/perm.c. The matrix the
 * database keeps (staff_permissions, member_permissions) and the one
 * docs/tenantry.1 prints must be the same table too. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"
#include "store/admin.h"
#include "testlib.h"

/* One operation: which permission it needs, and how to run it. */
struct probe {
	enum perm perm;
	const char *what;
	int (*run)(struct store *st, int n, struct err *e);
};

static const char *db;
static struct testd srv;
static char acme[ID_LEN], bob[ID_LEN];

static int
op_tenant_get(struct store *st, int n, struct err *e)
{
	struct tenant t;
	int rc = store_tenant_get(&t, st, acme, e);

	(void)n;
	tenant_clear(&t);
	return rc;
}

static int
op_tenant_update(struct store *st, int n, struct err *e)
{
	struct tenant_patch p = { .timezone = "UTC" };
	struct tenant t;
	int rc = store_tenant_update(&t, st, acme, &p, e);

	(void)n;
	tenant_clear(&t);
	return rc;
}

static int
op_export(struct store *st, int n, struct err *e)
{
	char *json = NULL;
	int rc = store_tenant_export(&json, st, acme, e);

	(void)n;
	free(json);
	return rc;
}

static int
op_tier(struct store *st, int n, struct err *e)
{
	struct tenant t;
	struct tier_conflict c[8];
	int rc = store_tenant_set_tier(&t, c, st, acme, "professional", false, e);

	(void)n;
	tenant_clear(&t);
	return rc;
}

static int
op_members(struct store *st, int n, struct err *e)
{
	struct member_list l;
	struct member_query q = { .role = -1, .active = -1 };
	int rc = store_member_list(&l, st, acme, &q, e);

	(void)n;
	member_list_free(&l);
	return rc;
}

static int
op_member_update(struct store *st, int n, struct err *e)
{
	struct member m;
	enum member_role r = ROLE_MEMBER;

	(void)n;
	return store_member_update(&m, st, acme, bob, &r, -1, NULL, e);
}

static int
op_invite(struct store *st, int n, struct err *e)
{
	struct invitation v;
	char token[96], email[64];

	snprintf(email, sizeof email, "invitee%d@acme.example", n);
	return store_invitation_create(&v, token, st, acme, email, ROLE_VIEWER, e);
}

static int
op_quotas(struct store *st, int n, struct err *e)
{
	struct quota_list l;
	int rc = store_quota_list(&l, st, acme, e);

	(void)n;
	quota_list_free(&l);
	return rc;
}

static int
op_quota_set(struct store *st, int n, struct err *e)
{
	struct quota q;

	(void)n;
	return store_quota_set_limit(&q, st, acme, "storage_bytes", 107374182400LL, e);
}

static int
op_usage(struct store *st, int n, struct err *e)
{
	struct quota_result q;

	(void)n;
	return store_usage_increment(&q, st, acme, "api_calls", 1, e);
}

static int
op_settings(struct store *st, int n, struct err *e)
{
	struct setting_list l;
	int rc = store_setting_list(&l, st, acme, e);

	(void)n;
	setting_list_free(&l);
	return rc;
}

static int
op_setting_put(struct store *st, int n, struct err *e)
{
	struct setting s;
	int rc = store_setting_put(&s, st, acme, "ui.theme", SETTING_STRING, "dark", e);

	(void)n;
	setting_clear(&s);
	return rc;
}

static int
op_reveal(struct store *st, int n, struct err *e)
{
	struct setting s;
	int rc = store_setting_get(&s, st, acme, "smtp.password", true, e);

	(void)n;
	setting_clear(&s);
	return rc;
}

static int
op_feature(struct store *st, int n, struct err *e)
{
	struct feature_state f;

	(void)n;
	return store_feature_set(&f, st, acme, FEATURE_SSO, 1, e);
}

static int
op_apikey(struct store *st, int n, struct err *e)
{
	struct api_key k;
	char secret[128];

	(void)n;
	return store_apikey_create(&k, secret, st, acme, "probe", 1u << SCOPE_TENANT_READ, 0, e);
}

static int
op_audit(struct store *st, int n, struct err *e)
{
	struct audit_entry_list l;
	struct audit_query q = { .limit = 10, .newest = true };
	int rc = store_audit_list(&l, st, acme, &q, e);

	(void)n;
	audit_entry_list_free(&l);
	return rc;
}

static int
op_metrics(struct store *st, int n, struct err *e)
{
	struct platform_metrics m;

	(void)n;
	return store_metrics(&m, st, e);
}

static int
op_create(struct store *st, int n, struct err *e)
{
	char slug[32];
	struct tenant_new t = { .name = "Probe", .tier = "free", .admin_email = "p@probe.example" };
	struct tenant out;
	int rc;

	snprintf(slug, sizeof slug, "probe-%d", n);
	t.slug = slug;
	rc = store_tenant_create(&out, st, &t, e);
	tenant_clear(&out);
	return rc;
}

static const struct probe probes[] = {
	{ PERM_TENANT_READ, "tenant get", op_tenant_get },
	{ PERM_TENANT_UPDATE, "tenant update", op_tenant_update },
	{ PERM_TENANT_LIFECYCLE, "export", op_export },
	{ PERM_TENANT_TIER, "tier", op_tier },
	{ PERM_MEMBERS_READ, "members list", op_members },
	{ PERM_MEMBERS_MANAGE, "member update", op_member_update },
	{ PERM_INVITATIONS_MANAGE, "invite", op_invite },
	{ PERM_QUOTAS_READ, "quotas list", op_quotas },
	{ PERM_QUOTAS_SET, "quota set", op_quota_set },
	{ PERM_USAGE_WRITE, "usage increment", op_usage },
	{ PERM_SETTINGS_READ, "settings list", op_settings },
	{ PERM_SETTINGS_WRITE, "setting put", op_setting_put },
	{ PERM_SECRETS_REVEAL, "secret reveal", op_reveal },
	{ PERM_FEATURES_SET, "feature set", op_feature },
	{ PERM_APIKEYS_MANAGE, "api key create", op_apikey },
	{ PERM_AUDIT_READ, "audit list", op_audit },
	{ PERM_PLATFORM_METRICS, "platform metrics", op_metrics },
	{ PERM_TENANTS_CREATE, "tenant create", op_create },
};
#define NPROBES (sizeof probes / sizeof probes[0])

/* The subjects: staff roles, then member roles viewed as by the
 * platform admin. */
struct subject {
	const char *name;
	bool staff;
	enum staff_role staff_role;
	enum member_role member_role;
};
static const struct subject subjects[] = {
	{ "platform_admin", true, STAFF_PLATFORM_ADMIN, 0 },
	{ "support", true, STAFF_SUPPORT, 0 },
	{ "oncall", true, STAFF_ONCALL, 0 },
	{ "admin", false, 0, ROLE_ADMIN },
	{ "manager", false, 0, ROLE_MANAGER },
	{ "member", false, 0, ROLE_MEMBER },
	{ "viewer", false, 0, ROLE_VIEWER },
};
#define NSUBJECTS (sizeof subjects / sizeof subjects[0])

static void
fixture(void)
{
	struct store *st = teststore_open(db, NULL, STORE_ROLE_PLATFORM, NULL);
	struct tenant_new a = { .name = "Acme Corp",
				.slug = "acme-corp",
				.tier = "professional",
				.admin_email = "alice@acme.example" };
	struct tenant t;
	struct err e;
	struct setting s;
	char token[96];
	struct member m;
	struct invitation v;

	ck_assert_msg(testtenant_create(&t, st, &a, &e) == 0, "%s", e.message);
	snprintf(acme, sizeof acme, "%s", t.id);
	tenant_clear(&t);
	ck_assert_msg(
	    store_setting_put(&s, st, acme, "smtp.password", SETTING_SECRET, "hunter22", &e) == 0,
	    "%s", e.message);
	setting_clear(&s);
	ck_assert(store_invitation_create(&v, token, st, acme, "bob@acme.example", ROLE_MEMBER, &e)
		  == 0);
	ck_assert_msg(store_invitation_accept(&m, st, token, "Bob", "bob's long password", &e) == 0,
		      "%s", e.message);
	snprintf(bob, sizeof bob, "%s", m.user_id);
	store_close(&st);
}

/* A store as the subject on backend rest (or the libpq one). */
static struct store *
open_as(const struct subject *s, bool rest)
{
	struct store_config cfg = { .master_key_file = getenv("TENANTRY_MASTER_KEY_FILE") };
	struct store_context ctx = { .role = STORE_ROLE_SESSION,
				     .actor = "matrix",
				     .actor_kind = "staff" };
	enum staff_role login = s->staff ? s->staff_role : STAFF_PLATFORM_ADMIN;
	char name[64], conninfo[512];
	struct store *st = NULL;
	struct err e = { 0 };

	if (!s->staff) {
		ctx.role = STORE_ROLE_TENANT;
		ctx.view_role = s->member_role;
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", acme);
	}
	if (rest) {
		char *tok;

		snprintf(name, sizeof name, "%s@staff.example", staff_role_name(login));
		tok = testsrv_staff_token(&srv.srv, name, staff_role_name(login));
		cfg.url = srv.url;
		cfg.token = tok;
		ck_assert_msg(store_open(&st, &cfg, &e) == 0, "%s", e.message);
		free(tok);
		if (!s->staff) { /* a tenant role over REST: a support session */
			struct store_context staff = { .role = STORE_ROLE_PLATFORM };
			struct view_session v;

			ck_assert_msg(store_set_context(st, &staff, &e) == 0, "%s", e.message);
			ck_assert_msg(store_view_as_start(&v, st, acme, s->member_role, NULL,
							  "matrix test", 60, &e)
					  == 0,
				      "%s", e.message);
			snprintf(ctx.view_session, sizeof ctx.view_session, "%s", v.id);
		}
	} else {
		snprintf(name, sizeof name, "matrix_%s", staff_role_name(login));
		ck_assert_msg(admin_operator(testdb_conninfo(db, NULL), name, login, NULL, &e) == 0,
			      "%s", e.message);
		snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, name));
		cfg.conninfo = conninfo;
		ck_assert_msg(store_open(&st, &cfg, &e) == 0, "%s", e.message);
	}
	ck_assert_msg(store_set_context(st, &ctx, &e) == 0, "%s", e.message);
	return st;
}

static bool
expected(const struct subject *s, enum perm p)
{
	return s->staff ? perm_staff(s->staff_role, p) : perm_member(s->member_role, p);
}

START_TEST(test_same_answer_both_backends)
{
	bool got[2][NSUBJECTS][NPROBES];
	int n = 0;
	char report[8192] = "";
	size_t len = 0;

	db = testdb_create();
	fixture();
	testd_start(&srv, db);
	for (int b = 0; b < 2; b++) {
		for (size_t i = 0; i < NSUBJECTS; i++) {
			struct store *st = open_as(&subjects[i], b == 1);

			for (size_t k = 0; k < NPROBES; k++) {
				struct err e = { 0 };
				int rc = probes[k].run(st, ++n, &e);

				got[b][i][k] = rc == 0;
				/* A refusal is a refusal, never another error. */
				if (rc < 0 && e.code != ERR_FORBIDDEN && len < sizeof report - 200)
					len += (size_t)snprintf(
					    report + len, sizeof report - len,
					    "%s %s %s: %s (%s), not forbidden\n", b ? "rest" : "pg",
					    subjects[i].name, probes[k].what, e.message,
					    err_code_name(e.code));
			}
			store_close(&st);
		}
	}
	testd_stop(&srv);
	for (size_t i = 0; i < NSUBJECTS; i++)
		for (size_t k = 0; k < NPROBES && len < sizeof report - 200; k++) {
			bool want = expected(&subjects[i], probes[k].perm);

			if (got[0][i][k] != want || got[1][i][k] != want)
				len += (size_t)snprintf(report + len, sizeof report - len,
							"%s %s (%s): pg %s, rest %s, matrix %s\n",
							subjects[i].name, probes[k].what,
							perm_name(probes[k].perm),
							got[0][i][k] ? "allows" : "refuses",
							got[1][i][k] ? "allows" : "refuses",
							want ? "allows" : "refuses");
		}
	ck_assert_msg(len == 0, "\n%s", report);
}
END_TEST

/* The matrix the database keeps is perm.c's. */
START_TEST(test_database_matrix_is_perm_table)
{
	PGconn *c;

	db = testdb_create();
	c = testdb_connect(db, NULL);
	for (int p = 0; p < PERM_COUNT; p++) {
		for (size_t i = 0; i < NSUBJECTS; i++) {
			const struct subject *s = &subjects[i];
			long long n = testdb_int(
			    c,
			    "SELECT count(*) FROM tenantry.%s WHERE %s = '%s' AND permission = '%s'",
			    s->staff ? "staff_permissions" : "member_permissions",
			    s->staff ? "staff_role" : "role", s->name, perm_name((enum perm)p));

			ck_assert_msg((n == 1) == expected(s, (enum perm)p),
				      "%s %s: database %s, perm.c %s", s->name,
				      perm_name((enum perm)p), n ? "allows" : "refuses",
				      expected(s, (enum perm)p) ? "allows" : "refuses");
		}
	}
	PQfinish(c);
}
END_TEST

/* docs/tenantry.1 prints the matrix as perm_table() does. */
START_TEST(test_man_page_matrix_is_perm_table)
{
	static char man[1 << 18], table[8192];
	FILE *f = fopen("docs/tenantry.1", "r");
	size_t n;
	const char *start, *end;

	ck_assert_msg(f != NULL, "docs/tenantry.1");
	n = fread(man, 1, sizeof man - 1, f);
	fclose(f);
	man[n] = '\0';
	ck_assert_int_lt(perm_table(table, sizeof table), (int)sizeof table);
	start = strstr(man, ".\\\" matrix begin\n.Bd -literal\n");
	end = strstr(man, ".Ed\n.\\\" matrix end");
	ck_assert_msg(start && end && end > start, "the matrix markers in docs/tenantry.1");
	start += strlen(".\\\" matrix begin\n.Bd -literal\n");
	ck_assert_msg((size_t)(end - start) == strlen(table)
			  && !strncmp(start, table, strlen(table)),
		      "docs/tenantry.1's matrix differs from perm_table():\n%s", table);
}
END_TEST

Suite *
suite_matrix(void)
{
	Suite *s = suite_create("matrix");
	TCase *tc = tcase_create("matrix");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_same_answer_both_backends);
	tcase_add_test(tc, test_database_matrix_is_perm_table);
	tcase_add_test(tc, test_man_page_matrix_is_perm_table);
	suite_add_tcase(s, tc);
	return s;
}
