/* test_store.c - every store operation over libpq against a real database:
 * the happy path, then each bad input getting a clear error and changing
 * nothing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testlib.h"

static const char *db;
static struct store *st;
static struct tenant acme, beta;
static struct err e;

static void
set_role(enum store_role role, const char *tenant_id)
{
	struct store_context ctx = { .role = role, .actor = "tester@example.com",
				     .actor_kind = "staff" };

	if (tenant_id)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant_id);
	ck_assert_int_eq(st->ops->set_context(st, &ctx, &e), 0);
}

static void
setup(void)
{
	struct store_config cfg = { 0 };
	struct tenant_new a = { .name = "Acme Corp", .tier = "professional",
				.admin_email = "alice@acme.example", .admin_name = "Alice",
				.domain = "acme.example" };
	struct tenant_new b = { .name = "Beta Labs", .slug = "beta", .tier = "free",
				.admin_email = "bob@beta.example", .trial = true };
	char conninfo[512];

	db = testdb_create();
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(db, NULL));
	cfg.conninfo = conninfo;
	cfg.master_key_file = getenv("TENANTRY_MASTER_KEY_FILE");
	err_clear(&e);
	ck_assert_msg(store_open(&st, &cfg, &e) == 0, "%s", e.message);
	set_role(STORE_ROLE_PLATFORM, NULL);
	ck_assert_msg(st->ops->tenant_create(&acme, st, &a, &e) == 0, "%s", e.message);
	ck_assert_msg(st->ops->tenant_create(&beta, st, &b, &e) == 0, "%s", e.message);
	tenant_clear(&acme);
	tenant_clear(&beta);
}

static void
teardown(void)
{
	store_close(&st);
}

/* Number of audit entries of a tenant, read as the superuser. */
static long
audit_count(const char *tenant_id)
{
	PGconn *c = testdb_connect(db, NULL);
	char sql[200];
	long n;

	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", tenant_id);
	n = atol(testdb_value(c, sql));
	PQfinish(c);
	return n;
}

START_TEST(test_tenant_create_bad_inputs)
{
	struct tenant t;
	struct tenant_new bad[] = {
		{ .name = "", .admin_email = "a@b.example" },
		{ .name = "Xylo", .slug = "Bad Slug", .admin_email = "a@b.example" },
		{ .name = "Xylo", .admin_email = "not-an-email" },
		{ .name = "Xylo", .domain = "no_tld", .admin_email = "a@b.example" },
		{ .name = "Xylo", .tier = "platinum", .admin_email = "a@b.example" },
		{ .name = "Acme Corp", .admin_email = "a@b.example" },    /* slug taken */
		{ .name = "\xff\xfe", .admin_email = "a@b.example" },     /* invalid UTF-8 */
	};
	const enum err_code want[] = { ERR_INVALID_FIELD, ERR_INVALID_FIELD,
				       ERR_INVALID_FIELD, ERR_INVALID_FIELD,
				       ERR_INVALID_FIELD, ERR_CONFLICT, ERR_INVALID_FIELD };
	const char *field[] = { "name", "slug", "admin_email", "domain", "tier", "", "name" };
	struct tenant_list l;
	struct tenant_query q = { .status = -1, .limit = 50 };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		ck_assert_int_eq(st->ops->tenant_create(&t, st, &bad[i], &e), -1);
		ck_assert_msg(e.code == want[i], "case %zu: %s (%s)", i,
			      err_code_name(e.code), e.message);
		if (*field[i])
			ck_assert_str_eq(e.field, field[i]);
	}
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), 0);
	ck_assert_uint_eq(l.n, 2);  /* nothing was created */
	tenant_list_free(&l);
}
END_TEST

START_TEST(test_tenant_create_and_get)
{
	struct tenant t;
	struct quota_list ql;
	struct member_list ml;

	ck_assert_int_eq(st->ops->tenant_get(&t, st, "acme-corp", &e), 0);
	ck_assert_str_eq(t.name, "Acme Corp");
	ck_assert_str_eq(t.tier, "professional");
	ck_assert_str_eq(t.domain, "acme.example");
	ck_assert_int_eq(t.status, TENANT_ACTIVE);
	ck_assert_int_eq(t.members, 1);
	ck_assert_ptr_nonnull(t.settings_json);
	tenant_clear(&t);
	/* by id too */
	ck_assert_int_eq(st->ops->tenant_get(&t, st, acme.id, &e), 0);
	ck_assert_str_eq(t.slug, "acme-corp");
	tenant_clear(&t);
	/* trial tenants get the tier's trial */
	ck_assert_int_eq(st->ops->tenant_get(&t, st, "beta", &e), 0);
	ck_assert_int_eq(t.status, TENANT_ACTIVE); /* free has no trial days */
	tenant_clear(&t);
	/* quotas from the tier, admin membership */
	ck_assert_int_eq(st->ops->quota_list(&ql, st, "acme-corp", &e), 0);
	ck_assert_uint_eq(ql.n, RESOURCE_COUNT);
	for (size_t i = 0; i < ql.n; i++)
		if (strcmp(ql.rows[i].resource, "users") == 0) {
			ck_assert_int_eq(ql.rows[i].limit, 50);
			ck_assert_int_eq(ql.rows[i].used, 1);
		}
	quota_list_free(&ql);
	ck_assert_int_eq(st->ops->member_list(&ml, st, "acme-corp", NULL, &e), 0);
	ck_assert_uint_eq(ml.n, 1);
	ck_assert_str_eq(ml.rows[0].email, "alice@acme.example");
	ck_assert_int_eq(ml.rows[0].role, ROLE_ADMIN);
	member_list_free(&ml);
	/* unknown ids and slugs */
	ck_assert_int_eq(st->ops->tenant_get(&t, st, "nope", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->tenant_get(&t, st, "00000000-0000-0000-0000-000000000001", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_tenant_list_keyset_and_filter)
{
	struct tenant_query q = { .status = -1, .limit = 3 };
	struct tenant_list l;
	char cursor[CURSOR_LEN];
	int seen = 0;

	for (int i = 0; i < 7; i++) {
		char name[32], email[64];
		struct tenant t;
		struct tenant_new n = { .name = name, .admin_email = email, .tier = "basic" };

		snprintf(name, sizeof name, "Gamma %02d", i);
		snprintf(email, sizeof email, "admin%d@gamma.example", i);
		ck_assert_msg(st->ops->tenant_create(&t, st, &n, &e) == 0, "%s", e.message);
		tenant_clear(&t);
	}
	/* 9 tenants, pages of 3 by name: every tenant exactly once, in order */
	q.after = NULL;
	do {
		ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), 0);
		for (size_t i = 1; i < l.n; i++)
			ck_assert_int_lt(strcmp(l.rows[i - 1].name, l.rows[i].name), 0);
		seen += (int)l.n;
		snprintf(cursor, sizeof cursor, "%s", l.next);
		q.after = cursor;
		tenant_list_free(&l);
	} while (*cursor);
	ck_assert_int_eq(seen, 9);
	/* substring filter, case-insensitive, LIKE metacharacters are literal */
	q = (struct tenant_query){ .status = -1, .limit = 50, .filter = "AMMA 0" };
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), 0);
	ck_assert_uint_eq(l.n, 7);
	tenant_list_free(&l);
	q.filter = "%";
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), 0);
	ck_assert_uint_eq(l.n, 0);
	tenant_list_free(&l);
	/* by tier, descending */
	q = (struct tenant_query){ .status = -1, .limit = 50, .sort = TENANT_SORT_TIER,
				   .desc = true };
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), 0);
	ck_assert_str_eq(l.rows[0].tier, "professional");
	ck_assert_str_eq(l.rows[l.n - 1].tier, "basic");
	tenant_list_free(&l);
	/* bad inputs */
	q = (struct tenant_query){ .status = -1, .limit = 0 };
	q.limit = 501;
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), -1);
	ck_assert_str_eq(e.field, "limit");
	q.limit = 10;
	q.after = "garbage!";
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), -1);
	ck_assert_str_eq(e.field, "after");
	q.after = NULL;
	q.filter = "\xc3\x28";
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), -1);
	ck_assert_str_eq(e.field, "filter");
}
END_TEST

START_TEST(test_tenant_update)
{
	struct tenant t;
	struct tenant_patch p = { .name = "Acme Corporation", .timezone = "Europe/Paris",
				  .settings_json = "{\"x\": 1}" };
	struct tenant_patch bad_tz = { .timezone = "Mars/Olympus Mons!" };
	struct tenant_patch bad_json = { .branding_json = "{nope" };
	struct tenant_patch bad_status = { .billing_status = "bankrupt" };
	long before;

	ck_assert_msg(st->ops->tenant_update(&t, st, "acme-corp", &p, &e) == 0, "%s", e.message);
	ck_assert_str_eq(t.name, "Acme Corporation");
	ck_assert_str_eq(t.timezone, "Europe/Paris");
	ck_assert_str_eq(t.settings_json, "{\"x\": 1}");
	tenant_clear(&t);
	before = audit_count(acme.id);
	ck_assert_int_eq(st->ops->tenant_update(&t, st, "acme-corp", &bad_tz, &e), -1);
	ck_assert_str_eq(e.field, "timezone");
	ck_assert_int_eq(st->ops->tenant_update(&t, st, "acme-corp", &bad_json, &e), -1);
	ck_assert_str_eq(e.field, "branding_json");
	ck_assert_int_eq(st->ops->tenant_update(&t, st, "acme-corp", &bad_status, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_int_eq(st->ops->tenant_update(&t, st, "missing", &p, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(audit_count(acme.id), before);  /* nothing changed */
}
END_TEST

START_TEST(test_tenant_lifecycle_and_tier)
{
	struct tenant t;
	struct tier_conflict c;
	struct member m;

	ck_assert_int_eq(st->ops->tenant_set_status(&t, st, "acme-corp", TENANT_SUSPENDED, &e), 0);
	ck_assert_int_eq(t.status, TENANT_SUSPENDED);
	ck_assert_int_eq(st->ops->tenant_set_status(&t, st, "acme-corp", TENANT_TRIAL, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_TRANSITION);
	ck_assert_int_eq(st->ops->tenant_set_status(&t, st, "acme-corp", TENANT_DELETED, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_TRANSITION);
	ck_assert_int_eq(st->ops->tenant_set_status(&t, st, "acme-corp",
						    TENANT_PENDING_DELETION, &e), 0);
	ck_assert_int_gt(t.deletion_due_at, t.updated_at + (usec_t)29 * 86400 * 1000000);
	ck_assert_int_eq(st->ops->tenant_set_status(&t, st, "acme-corp", TENANT_ACTIVE, &e), 0);
	ck_assert_int_eq(t.deletion_due_at, 0);

	/* downgrade below usage: 6 members on a 5-user tier */
	for (int i = 0; i < 5; i++) {
		char email[64], token[96];
		struct invitation v;

		snprintf(email, sizeof email, "m%d@acme.example", i);
		ck_assert_msg(st->ops->invitation_create(&v, token, st, "acme-corp", email,
							 ROLE_MEMBER, &e) == 0, "%s", e.message);
		ck_assert_msg(st->ops->invitation_accept(&m, st, token, "M", "correct horse", &e) == 0,
			      "%s", e.message);
	}
	ck_assert_int_eq(st->ops->tenant_set_tier(&t, &c, st, "acme-corp", "free", false, &e), -1);
	ck_assert_int_eq(e.code, ERR_DOWNGRADE_BLOCKED);
	ck_assert_uint_eq(c.n, 1);  /* users 6 > 5; keys and storage fit */
	ck_assert_str_eq(c.rows[0].resource, "users");
	ck_assert_int_eq(c.rows[0].used, 6);
	ck_assert_int_eq(c.rows[0].limit, 5);
	ck_assert_int_eq(st->ops->tenant_get(&t, st, "acme-corp", &e), 0);
	ck_assert_str_eq(t.tier, "professional");
	tenant_clear(&t);
	ck_assert_int_eq(st->ops->tenant_set_tier(&t, &c, st, "acme-corp", "free", true, &e), 0);
	ck_assert_str_eq(t.tier, "free");
	ck_assert_int_eq(st->ops->tenant_set_tier(&t, &c, st, "acme-corp", "gold", false, &e), -1);
	ck_assert_str_eq(e.field, "tier");
}
END_TEST

START_TEST(test_members)
{
	struct member m;
	enum member_role viewer = ROLE_VIEWER, admin = ROLE_ADMIN;
	struct member_list l;
	struct member_query q = { .role = ROLE_VIEWER, .active = -1 };
	char token[96];
	struct invitation v;

	ck_assert_int_eq(st->ops->invitation_create(&v, token, st, "acme-corp",
						    "carol@acme.example", ROLE_MEMBER, &e), 0);
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, token, "Carol", "password123", &e), 0);
	ck_assert_int_eq(st->ops->member_update(&m, st, "acme-corp", "carol@acme.example",
						&viewer, -1, &e), 0);
	ck_assert_int_eq(m.role, ROLE_VIEWER);
	ck_assert_int_eq(st->ops->member_list(&l, st, "acme-corp", &q, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	member_list_free(&l);
	/* the last admin stays */
	ck_assert_int_eq(st->ops->member_update(&m, st, "acme-corp", "alice@acme.example",
						&viewer, -1, &e), -1);
	ck_assert_int_eq(e.code, ERR_CONFLICT);
	ck_assert_int_eq(st->ops->member_remove(st, "acme-corp", "alice@acme.example", &e), -1);
	ck_assert_int_eq(e.code, ERR_CONFLICT);
	/* with a second admin, the first can go */
	ck_assert_int_eq(st->ops->member_update(&m, st, "acme-corp", m.user_id, &admin, -1, &e), -1);
	ck_assert_int_eq(st->ops->member_update(&m, st, "acme-corp", "carol@acme.example",
						&admin, -1, &e), 0);
	ck_assert_int_eq(st->ops->member_update(&m, st, "acme-corp", "alice@acme.example",
						NULL, 0, &e), 0);
	ck_assert(!m.active);
	/* unknown member; a member of another tenant */
	ck_assert_int_eq(st->ops->member_remove(st, "acme-corp", "nobody@x.example", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->member_remove(st, "beta", "carol@acme.example", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_invitations)
{
	struct invitation v, v2;
	struct invitation_list l;
	struct member m;
	char token[96], token2[96];
	PGconn *c;
	char sql[256];

	ck_assert_int_eq(st->ops->invitation_create(&v, token, st, "acme-corp",
						    "dave@acme.example", ROLE_MANAGER, &e), 0);
	ck_assert(strncmp(token, "tni_", 4) == 0);
	/* one pending invitation per email */
	ck_assert_int_eq(st->ops->invitation_create(&v2, token2, st, "acme-corp",
						    "DAVE@acme.example", ROLE_MEMBER, &e), -1);
	ck_assert_int_eq(e.code, ERR_CONFLICT);
	ck_assert_int_eq(st->ops->invitation_create(&v2, token2, st, "acme-corp",
						    "dave@", ROLE_MEMBER, &e), -1);
	ck_assert_str_eq(e.field, "email");
	/* resend replaces the token: the old one no longer works */
	ck_assert_int_eq(st->ops->invitation_resend(&v2, token2, st, "acme-corp", v.id, &e), 0);
	ck_assert_str_ne(token, token2);
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, token, NULL, "password123", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, token2, "Dave", "short", &e), -1);
	ck_assert_str_eq(e.field, "password");
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, token2, "Dave", "password123", &e), 0);
	ck_assert_int_eq(m.role, ROLE_MANAGER);
	/* single use */
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, token2, "Dave", "password123", &e), -1);
	ck_assert_int_eq(e.code, ERR_GONE);
	/* expired */
	ck_assert_int_eq(st->ops->invitation_create(&v, token, st, "acme-corp",
						    "erin@acme.example", ROLE_MEMBER, &e), 0);
	c = testdb_connect(db, NULL);
	snprintf(sql, sizeof sql, "UPDATE tenantry.invitations SET expires_at = now() - "
		 "interval '1 day' WHERE id = '%s'", v.id);
	testdb_exec(c, sql);
	PQfinish(c);
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, token, "Erin", "password123", &e), -1);
	ck_assert_int_eq(e.code, ERR_GONE);
	/* revoke; revoking twice or another tenant's invitation is 404 */
	ck_assert_int_eq(st->ops->invitation_revoke(st, "acme-corp", v.id, &e), 0);
	ck_assert_int_eq(st->ops->invitation_revoke(st, "acme-corp", v.id, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->invitation_revoke(st, "beta", v.id, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->invitation_revoke(st, "acme-corp", "not-a-uuid", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->invitation_list(&l, st, "acme-corp", &e), 0);
	ck_assert_uint_eq(l.n, 2);
	invitation_list_free(&l);
	ck_assert_int_eq(st->ops->invitation_accept(&m, st, "garbage", NULL, NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_quotas_and_usage)
{
	struct quota q;
	struct quota_result r;
	struct usage_summary s;
	struct usage_day_list days;

	ck_assert_int_eq(st->ops->quota_set_limit(&q, st, "beta", "api_calls", 10, &e), 0);
	ck_assert_int_eq(q.limit, 10);
	ck_assert_int_eq(st->ops->usage_increment(&r, st, "beta", "api_calls", 7, &e), 0);
	ck_assert(r.allowed);
	ck_assert_int_eq(r.quota.used, 7);
	ck_assert_int_eq(st->ops->quota_check(&r, st, "beta", "api_calls", 3, &e), 0);
	ck_assert(r.allowed);
	ck_assert_int_eq(st->ops->quota_check(&r, st, "beta", "api_calls", 4, &e), 0);
	ck_assert(!r.allowed);
	ck_assert_int_eq(st->ops->usage_increment(&r, st, "beta", "api_calls", 4, &e), -1);
	ck_assert_int_eq(e.code, ERR_QUOTA_EXCEEDED);
	ck_assert_int_eq(r.quota.used, 7);  /* unchanged */
	ck_assert_int_eq(st->ops->usage_summary(&s, st, "beta", &e), 0);
	ck_assert_int_eq(s.api_calls_today, 7);
	ck_assert_int_eq(s.api_calls_limit, 10);
	ck_assert_int_eq(s.users_current, 1);
	ck_assert_int_eq(s.users_limit, 5);
	ck_assert_int_eq(st->ops->usage_list(&days, st, "beta", 7, &e), 0);
	ck_assert_uint_eq(days.n, 1);
	ck_assert_int_eq(days.rows[0].amount, 7);
	usage_day_list_free(&days);
	/* bad inputs */
	ck_assert_int_eq(st->ops->usage_increment(&r, st, "beta", "gold_bars", 1, &e), -1);
	ck_assert_str_eq(e.field, "resource");
	ck_assert_int_eq(st->ops->usage_increment(&r, st, "beta", "api_calls", 0, &e), -1);
	ck_assert_str_eq(e.field, "amount");
	ck_assert_int_eq(st->ops->quota_set_limit(&q, st, "beta", "api_calls", -5, &e), -1);
	ck_assert_str_eq(e.field, "limit");
	ck_assert_int_eq(st->ops->usage_increment(&r, st, "nope", "api_calls", 1, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->usage_list(&days, st, "beta", 0, &e), -1);
	ck_assert_str_eq(e.field, "days");
}
END_TEST

START_TEST(test_settings)
{
	struct setting s;
	struct setting_list l;
	PGconn *c;
	const char *stored;

	ck_assert_int_eq(st->ops->setting_put(&s, st, "acme-corp", "brand.color", SETTING_COLOR,
					      "#112233", &e), 0);
	setting_clear(&s);
	ck_assert_int_eq(st->ops->setting_put(&s, st, "acme-corp", "brand.color", SETTING_COLOR,
					      "blue", &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_int_eq(st->ops->setting_put(&s, st, "acme-corp", "limit", SETTING_INT, "12x", &e), -1);
	ck_assert_int_eq(st->ops->setting_put(&s, st, "acme-corp", "Bad Key", SETTING_STRING, "x", &e), -1);
	ck_assert_int_eq(st->ops->setting_put(&s, st, "acme-corp", "stripe", SETTING_SECRET,
					      "sk_live_abc", &e), 0);
	ck_assert_str_eq(s.value, "********");
	setting_clear(&s);
	/* the database holds ciphertext, never the secret */
	c = testdb_connect(db, NULL);
	stored = testdb_value(c, "SELECT value FROM tenantry.tenant_settings WHERE key = 'stripe'");
	ck_assert(strncmp(stored, "v1:", 3) == 0);
	ck_assert_ptr_null(strstr(stored, "sk_live"));
	ck_assert_str_eq(testdb_value(c, "SELECT count(*) FROM tenantry.audit_log "
				      "WHERE new::text LIKE '%sk_live%'"), "0");
	ck_assert_int_eq(st->ops->setting_get(&s, st, "acme-corp", "stripe", false, &e), 0);
	ck_assert_str_eq(s.value, "********");
	setting_clear(&s);
	ck_assert_int_eq(st->ops->setting_get(&s, st, "acme-corp", "stripe", true, &e), 0);
	ck_assert_str_eq(s.value, "sk_live_abc");
	ck_assert(s.revealed);
	setting_clear(&s);
	ck_assert_str_eq(testdb_value(c, "SELECT count(*) FROM tenantry.audit_log "
				      "WHERE action = 'secret.reveal'"), "1");
	PQfinish(c);
	ck_assert_int_eq(st->ops->setting_list(&l, st, "acme-corp", &e), 0);
	ck_assert_uint_eq(l.n, 2);
	setting_list_free(&l);
	ck_assert_int_eq(st->ops->setting_delete(st, "acme-corp", "brand.color", &e), 0);
	ck_assert_int_eq(st->ops->setting_delete(st, "acme-corp", "brand.color", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->setting_get(&s, st, "beta", "stripe", false, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_features_and_apikeys)
{
	struct feature_state fs;
	struct api_key k;
	struct api_key_list l;
	char secret[128];

	ck_assert_int_eq(st->ops->feature_list(&fs, st, "beta", &e), 0);
	ck_assert(fs.effective & (1u << FEATURE_ANALYTICS));
	ck_assert(!(fs.effective & (1u << FEATURE_SSO)));
	ck_assert_int_eq(st->ops->feature_set(&fs, st, "beta", FEATURE_SSO, 1, &e), 0);
	ck_assert(fs.effective & (1u << FEATURE_SSO));
	ck_assert_int_eq(st->ops->feature_set(&fs, st, "beta", FEATURE_ANALYTICS, 0, &e), 0);
	ck_assert(!(fs.effective & (1u << FEATURE_ANALYTICS)));
	ck_assert_int_eq(st->ops->feature_set(&fs, st, "beta", FEATURE_ANALYTICS, -1, &e), 0);
	ck_assert(fs.effective & (1u << FEATURE_ANALYTICS));
	ck_assert_int_eq(st->ops->feature_set(&fs, st, "beta", FEATURE_SSO, 7, &e), -1);
	ck_assert_str_eq(e.field, "state");

	ck_assert_int_eq(st->ops->apikey_create(&k, secret, st, "beta", "ci",
						1u << SCOPE_USAGE_WRITE, 0, &e), 0);
	ck_assert(strncmp(secret, "tnt_", 4) == 0);
	ck_assert(strstr(secret, k.prefix) != NULL);
	/* free tier: one key */
	ck_assert_int_eq(st->ops->apikey_create(&k, secret, st, "beta", "second",
						1u << SCOPE_USAGE_WRITE, 0, &e), -1);
	ck_assert_int_eq(e.code, ERR_QUOTA_EXCEEDED);
	ck_assert_int_eq(st->ops->apikey_create(&k, secret, st, "beta", "none", 0, 0, &e), -1);
	ck_assert_str_eq(e.field, "scopes");
	ck_assert_int_eq(st->ops->apikey_list(&l, st, "beta", &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(st->ops->apikey_revoke(st, "beta", l.rows[0].prefix, &e), 0);
	ck_assert_int_eq(st->ops->apikey_revoke(st, "acme-corp", l.rows[0].id, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	api_key_list_free(&l);
	/* revoking freed the slot */
	ck_assert_int_eq(st->ops->apikey_create(&k, secret, st, "beta", "second",
						1u << SCOPE_USAGE_WRITE, 0, &e), 0);
}
END_TEST

START_TEST(test_audit_alerts_health_metrics_export)
{
	struct audit_entry_list l;
	struct audit_query q = { .limit = 100 };
	struct quota q2;
	struct quota_result r;
	struct alert_list al;
	struct health h;
	struct platform_metrics m;
	struct audit_verdict v;
	int n;
	char *json;

	ck_assert_int_eq(st->ops->audit_list(&l, st, "acme-corp", &q, &e), 0);
	ck_assert_uint_ge(l.n, 7);  /* tenant, 5 quotas, member */
	ck_assert_int_eq(l.rows[0].seq, 1);
	ck_assert_str_eq(l.rows[0].action, "tenant.create");
	ck_assert_str_eq(l.rows[0].actor, "tester@example.com");
	audit_entry_list_free(&l);
	q.action = "quota.";
	ck_assert_int_eq(st->ops->audit_list(&l, st, "acme-corp", &q, &e), 0);
	ck_assert_uint_eq(l.n, 5);
	audit_entry_list_free(&l);
	ck_assert_int_eq(st->ops->audit_event(st, "acme-corp", "support.note", "tenant",
					      "acme-corp", "{\"note\": \"called\"}", &e), 0);
	ck_assert_int_eq(st->ops->audit_event(st, "acme-corp", "support.note", "tenant",
					      "acme-corp", "{broken", &e), -1);
	ck_assert_int_eq(e.code, ERR_BAD_JSON);
	ck_assert_int_eq(st->ops->audit_verify(&v, st, "acme-corp", &e), 0);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_ge(v.entries, 8);

	ck_assert_int_eq(st->ops->quota_set_limit(&q2, st, "acme-corp", "storage_bytes", 100, &e), 0);
	ck_assert_int_eq(st->ops->usage_increment(&r, st, "acme-corp", "storage_bytes", 96, &e), 0);
	ck_assert_int_eq(st->ops->alert_list(&al, st, "acme-corp", true, &e), 0);
	ck_assert_uint_eq(al.n, 2);  /* 80 and 95 */
	ck_assert_int_eq(st->ops->alert_ack(st, "acme-corp", al.rows[0].id, &e), 0);
	ck_assert_int_eq(st->ops->alert_ack(st, "acme-corp", al.rows[0].id, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	alert_list_free(&al);
	ck_assert_int_eq(st->ops->alert_list(&al, st, NULL, true, &e), 0);
	ck_assert_uint_eq(al.n, 1);
	alert_list_free(&al);

	ck_assert_int_eq(st->ops->health_get(&h, st, "acme-corp", &e), 0);
	ck_assert_int_ge(h.score, 0);
	ck_assert_int_le(h.score, 100);
	ck_assert(strlen(h.explain[HEALTH_HEADROOM]) > 0);
	ck_assert_int_eq(st->ops->health_refresh(&n, st, &e), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(st->ops->metrics(&m, st, &e), 0);
	ck_assert_int_eq(m.tenants_total, 2);
	ck_assert_int_eq(m.open_alerts, 1);
	ck_assert_uint_eq(m.ntiers, 5);
	ck_assert_str_eq(m.nearest[0].slug, "acme-corp");

	ck_assert_int_eq(st->ops->tenant_export(&json, st, "acme-corp", &e), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"tenantry-export-1\""));
	ck_assert_ptr_nonnull(strstr(json, "alice@acme.example"));
	ck_assert_ptr_null(strstr(json, "bob@beta.example"));
	ck_assert_ptr_null(strstr(json, "token_hash"));
	free(json);
	ck_assert_int_eq(st->ops->tenant_export(&json, st, "nope", &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_tenant_context_sees_only_itself)
{
	struct tenant t;
	struct member_list ml;
	struct tenant_list l;
	struct tenant_query q = { .status = -1, .limit = 50 };

	set_role(STORE_ROLE_TENANT, acme.id);
	ck_assert_int_eq(st->ops->tenant_list(&l, st, &q, &e), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.rows[0].slug, "acme-corp");
	tenant_list_free(&l);
	ck_assert_int_eq(st->ops->tenant_get(&t, st, beta.id, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(st->ops->member_list(&ml, st, "beta", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	/* tenants cannot change their own tier or status */
	ck_assert_int_eq(st->ops->tenant_set_status(&t, st, acme.id, TENANT_SUSPENDED, &e), -1);
	ck_assert_int_eq(e.code, ERR_FORBIDDEN);
}
END_TEST

START_TEST(test_tiers)
{
	struct tier_list l;
	struct tier t = { .name = "startup", .display_name = "Startup", .rank = 10,
			  .price_cents = 4900, .max_users = 20, .storage_limit_bytes = 1 << 30,
			  .api_calls_per_hour = 2000, .max_api_keys = 3,
			  .invitations_per_day = 30, .trial_days = 7,
			  .features = 1u << FEATURE_SSO };
	struct tier bad = t;

	ck_assert_int_eq(st->ops->tier_list(&l, st, &e), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.rows[0].name, "free");
	ck_assert_str_eq(l.rows[4].name, "enterprise");
	ck_assert_int_eq(l.rows[4].max_users, -1);
	tier_list_free(&l);
	ck_assert_msg(st->ops->tier_put(st, &t, &e) == 0, "%s", e.message);
	ck_assert_int_eq(st->ops->tier_list(&l, st, &e), 0);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.rows[5].name, "startup");
	ck_assert_int_eq(l.rows[5].features, 1u << FEATURE_SSO);
	tier_list_free(&l);
	snprintf(bad.name, sizeof bad.name, "Bad Name");
	ck_assert_int_eq(st->ops->tier_put(st, &bad, &e), -1);
	ck_assert_str_eq(e.field, "name");
	bad = t;
	bad.max_users = -7;
	ck_assert_int_eq(st->ops->tier_put(st, &bad, &e), -1);
	ck_assert_str_eq(e.field, "max_users");
	/* tenants cannot change the catalog */
	set_role(STORE_ROLE_TENANT, acme.id);
	ck_assert_int_eq(st->ops->tier_put(st, &t, &e), -1);
	ck_assert_int_eq(e.code, ERR_FORBIDDEN);
}
END_TEST

Suite *
suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("pg");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tenant_create_bad_inputs);
	tcase_add_test(tc, test_tenant_create_and_get);
	tcase_add_test(tc, test_tenant_list_keyset_and_filter);
	tcase_add_test(tc, test_tenant_update);
	tcase_add_test(tc, test_tenant_lifecycle_and_tier);
	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_invitations);
	tcase_add_test(tc, test_quotas_and_usage);
	tcase_add_test(tc, test_settings);
	tcase_add_test(tc, test_features_and_apikeys);
	tcase_add_test(tc, test_audit_alerts_health_metrics_export);
	tcase_add_test(tc, test_tenant_context_sees_only_itself);
	tcase_add_test(tc, test_tiers);
	suite_add_tcase(s, tc);
	return s;
}
