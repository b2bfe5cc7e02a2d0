/* test_contract.c - the store contract, run three times: on the libpq
 * store directly ("pg"), on the REST store against a real tenantryd serving
 * the same kind of throwaway database ("rest"), and on the libpq store
 * with no prepared statement ("pg-unnamed", as behind a transaction
 * pooler). Every operation, its
 * success and its main errors must look the same through both: codes,
 * fields, records. The rest of the operations are in test_contract_ops.c,
 * the tenant list's substring filter in test_contract_filter.c; checks
 * that only make sense over HTTP (unreachable server, bad credentials,
 * percent-encoding, identical records through both backends, the live
 * feed over Server-Sent Events) are in test_remote.c, and the few that
 * only concern the libpq store are in test_store.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "core/perm.h"

const char *ct_db;
struct testd ct_srv;
bool ct_remote;
static bool ct_unnamed;
struct store *st;
struct tenant acme, beta;
struct err e;

struct store *
ct_open(enum store_role role, const char *tenant)
{
	struct store_config cfg = { 0 };
	struct store_context ctx = { .role = role, .actor = CT_STAFF, .actor_kind = "staff" };
	struct store *s = NULL;
	struct err oe = { 0 };
	char conninfo[512];

	if (ct_remote)
		return testd_store(&ct_srv, NULL, role, tenant);
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(ct_db, NULL));
	cfg.conninfo = conninfo;
	cfg.master_key_file = getenv("TENANTRY_MASTER_KEY_FILE");
	cfg.unnamed = ct_unnamed;
	ck_assert_msg(store_open(&s, &cfg, &oe) == 0, "%s", oe.message);
	if (tenant)
		snprintf(ctx.tenant_id, sizeof ctx.tenant_id, "%s", tenant);
	ck_assert_msg(store_set_context(s, &ctx, &oe) == 0, "%s", oe.message);
	return s;
}

void
ct_role(enum store_role role, const char *tenant)
{
	store_close(&st);
	st = ct_open(role, tenant);
}

long
ct_audit_count(const char *tenant_id)
{
	PGconn *c = testdb_connect(ct_db, NULL);
	long n = testdb_int(c,
			    "SELECT count(*) FROM tenantry.audit_log WHERE "
			    "tenant_id = '%s'",
			    tenant_id);

	PQfinish(c);
	return n;
}

static void
setup_common(void)
{
	struct tenant_new a = { .name = "Acme Corp",
				.tier = "professional",
				.admin_email = "alice@acme.example",
				.admin_name = "Alice",
				.domain = "acme.example" };
	struct tenant_new b = { .name = "Beta Labs",
				.slug = "beta",
				.tier = "free",
				.admin_email = "bob@beta.example",
				.trial = true };

	err_clear(&e);
	st = ct_open(STORE_ROLE_PLATFORM, NULL);
	OK(testtenant_create(&acme, st, &a, &e));
	OK(testtenant_create(&beta, st, &b, &e));
	tenant_clear(&acme);
	tenant_clear(&beta);
}

void
ct_setup_pg(void)
{
	ct_remote = ct_unnamed = false;
	ct_db = testdb_create();
	setup_common();
}

void
ct_setup_unnamed(void)
{
	ct_remote = false;
	ct_unnamed = true;
	ct_db = testdb_create();
	setup_common();
}

void
ct_setup_rest(void)
{
	ct_remote = true;
	ct_unnamed = false;
	ct_db = testdb_create();
	testd_start(&ct_srv, ct_db);
	setup_common();
}

void
ct_teardown(void)
{
	store_close(&st);
	if (ct_remote)
		testd_stop(&ct_srv);
}

/* ---- tiers and tenants ------------------------------------------------------ */

START_TEST(test_tiers)
{
	struct tier_list l;
	struct tier t = { .name = "startup",
			  .display_name = "Startup",
			  .rank = 10,
			  .price_cents = 4900,
			  .max_users = 20,
			  .storage_limit_bytes = 1 << 30,
			  .api_calls_per_hour = 2000,
			  .max_api_keys = 3,
			  .invitations_per_day = 30,
			  .trial_days = 7,
			  .features = 1u << FEATURE_SSO };
	struct tier bad = t;

	OK(store_tier_list(&l, st, &e));
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.rows[0].name, "free");
	ck_assert_str_eq(l.rows[4].name, "enterprise");
	ck_assert_int_eq(l.rows[4].max_users, -1);
	tier_list_free(&l);
	OK(store_tier_put(st, &t, &e));
	OK(store_tier_list(&l, st, &e));
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.rows[5].name, "startup");
	ck_assert_int_eq(l.rows[5].features, 1u << FEATURE_SSO);
	ck_assert_int_eq(l.rows[5].storage_limit_bytes, 1 << 30);
	tier_list_free(&l);
	snprintf(bad.name, sizeof bad.name, "Bad Name");
	FAILS_FIELD(store_tier_put(st, &bad, &e), "name");
	bad = t;
	bad.max_users = -7;
	FAILS_FIELD(store_tier_put(st, &bad, &e), "max_users");
	ct_role(STORE_ROLE_TENANT, acme.id);
	FAILS(store_tier_put(st, &t, &e), ERR_FORBIDDEN);
}
END_TEST

START_TEST(test_tenant_create)
{
	static char long_name[202];
	struct tenant t;
	struct tenant_new good = { .name = "Gamma",
				   .admin_email = "g@gamma.example",
				   .billing_email = "bills@gamma.example" };
	struct tenant_new bad[] = {
		{ .name = "", .admin_email = "a@b.example" },
		{ .name = "Xylo", .slug = "Bad Slug", .admin_email = "a@b.example" },
		{ .name = "Xylo", .admin_email = "not-an-email" },
		{ .name = "Xylo", .domain = "no_tld", .admin_email = "a@b.example" },
		{ .name = "Xylo", .tier = "platinum", .admin_email = "a@b.example" },
		{ .name = "Acme Corp", .admin_email = "a@b.example" }, /* slug taken */
		{ .name = "\xff\xfe", .admin_email = "a@b.example" },  /* not UTF-8 */
		{ .name = "Xylo", .admin_email = "a@b.example", .timezone = "Mars/Base" },
		{ .name = "Xylo", .admin_email = "a@b.example", .admin_name = long_name },
	};
	const enum err_code want[] = { ERR_INVALID_FIELD, ERR_INVALID_FIELD, ERR_INVALID_FIELD,
				       ERR_INVALID_FIELD, ERR_INVALID_FIELD, ERR_CONFLICT,
				       ERR_INVALID_FIELD, ERR_INVALID_FIELD, ERR_INVALID_FIELD };
	const char *field[] = { "name", "slug", "admin_email", "domain",    "tier",
				"",     "name", "timezone",    "admin_name" };
	struct tenant_new contact = { .name = "Delta",
				      .admin_email = "d@delta.example",
				      .contact_phone = "+33 1 23 45 67 89",
				      .timezone = "Europe/Paris",
				      .locale = "fr-FR" };
	struct tenant_list l;
	struct tenant_query q = { .status = -1, .limit = 50 };

	memset(long_name, 'n', sizeof long_name - 1); /* 201 bytes */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		ck_assert_int_eq(store_tenant_create(&t, st, &bad[i], &e), -1);
		ck_assert_msg(e.code == want[i], "case %zu: %s (%s)", i, err_code_name(e.code),
			      e.message);
		ck_assert_int_eq(e.status, err_code_status(want[i]));
		if (*field[i])
			ck_assert_str_eq(e.field, field[i]);
	}
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 2); /* nothing was created */
	tenant_list_free(&l);
	OK(store_tenant_create(&t, st, &good, &e));
	ck_assert_str_eq(t.slug, "gamma");
	ck_assert_str_eq(t.tier, "free");
	ck_assert_str_eq(t.billing_email, "bills@gamma.example");
	ck_assert_int_gt(t.created_at, 0);
	ck_assert_str_eq(t.timezone, "UTC"); /* the defaults when not given */
	ck_assert_str_eq(t.locale, "en-US");
	ck_assert_str_eq(t.contact_phone, "");
	tenant_clear(&t);
	/* contact details given at creation are kept */
	OK(store_tenant_create(&t, st, &contact, &e));
	ck_assert_str_eq(t.contact_phone, "+33 1 23 45 67 89");
	ck_assert_str_eq(t.timezone, "Europe/Paris");
	ck_assert_str_eq(t.locale, "fr-FR");
	tenant_clear(&t);
}
END_TEST

/* The first admin's name given at creation is the new account's when
 * they accept without one of their own; one they give wins. */
START_TEST(test_first_admin_name)
{
	struct tenant_new n = { .name = "Epsilon",
				.admin_email = "eve@epsilon.example",
				.admin_name = "Eve Epsilon" };
	struct tenant_new z = { .name = "Zeta",
				.admin_email = "zed@zeta.example",
				.admin_name = "Zed Zeta" };
	char token[96];
	struct tenant t;
	struct member m;

	n.invitation_token = token;
	OK(store_tenant_create(&t, st, &n, &e));
	tenant_clear(&t);
	OK(store_invitation_accept(&m, st, token, NULL, "correct horse battery", &e));
	ck_assert_str_eq(m.full_name, "Eve Epsilon");
	z.invitation_token = token;
	OK(store_tenant_create(&t, st, &z, &e));
	tenant_clear(&t);
	OK(store_invitation_accept(&m, st, token, "Zed Z.", "correct horse battery", &e));
	ck_assert_str_eq(m.full_name, "Zed Z.");
}
END_TEST

START_TEST(test_tenant_get)
{
	struct tenant t;
	struct quota_list ql;
	struct member_list ml;
	int users = 0;

	OK(store_tenant_get(&t, st, "acme-corp", &e));
	ck_assert_str_eq(t.name, "Acme Corp");
	ck_assert_str_eq(t.tier, "professional");
	ck_assert_str_eq(t.domain, "acme.example");
	ck_assert_int_eq(t.status, TENANT_ACTIVE);
	ck_assert_int_eq(t.members, 1);
	ck_assert_ptr_nonnull(t.settings_json);
	tenant_clear(&t);
	OK(store_tenant_get(&t, st, acme.id, &e));
	ck_assert_str_eq(t.slug, "acme-corp");
	tenant_clear(&t);
	OK(store_tenant_get(&t, st, "beta", &e));
	ck_assert_int_eq(t.status, TENANT_ACTIVE); /* a trial, but free has no trial days */
	tenant_clear(&t);
	/* quotas from the tier; the admin is a member and a user */
	OK(store_quota_list(&ql, st, "acme-corp", &e));
	ck_assert_uint_eq(ql.n, RESOURCE_COUNT);
	for (size_t i = 0; i < ql.n; i++)
		if (strcmp(ql.rows[i].resource, "users") == 0) {
			ck_assert_int_eq(ql.rows[i].limit, 50);
			ck_assert_int_eq(ql.rows[i].used, 1);
			users++;
		}
	ck_assert_int_eq(users, 1);
	quota_list_free(&ql);
	OK(store_member_list(&ml, st, "acme-corp", NULL, &e));
	ck_assert_uint_eq(ml.n, 1);
	ck_assert_str_eq(ml.rows[0].email, "alice@acme.example");
	ck_assert_int_eq(ml.rows[0].role, ROLE_ADMIN);
	member_list_free(&ml);
	FAILS(store_tenant_get(&t, st, "nope", &e), ERR_NOT_FOUND);
	ck_assert_int_eq(e.status, 404);
	FAILS(store_tenant_get(&t, st, "00000000-0000-0000-0000-000000000001", &e), ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_tenant_list)
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
		OK(store_tenant_create(&t, st, &n, &e));
		tenant_clear(&t);
	}
	do { /* pages of 3 by name: every tenant once, in order */
		OK(store_tenant_list(&l, st, &q, &e));
		for (size_t i = 1; i < l.n; i++)
			ck_assert_int_lt(strcmp(l.rows[i - 1].name, l.rows[i].name), 0);
		seen += (int)l.n;
		snprintf(cursor, sizeof cursor, "%s", l.next);
		q.after = cursor;
		tenant_list_free(&l);
	} while (*cursor);
	ck_assert_int_eq(seen, 9);
	q = (struct tenant_query){ .status = -1, .limit = 50, .filter = "AMMA 0" };
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 7);
	tenant_list_free(&l);
	/* The same filter a page at a time: the first pages come from the
	 * walk in name order, the last from the trigram index. */
	q.limit = 3;
	seen = 0;
	do {
		struct tenant_list pg;

		OK(store_tenant_list(&pg, st, &q, &e));
		for (size_t i = 0; i < pg.n; i++) {
			char want[32];

			snprintf(want, sizeof want, "Gamma %02d", seen++);
			ck_assert_str_eq(pg.rows[i].name, want);
		}
		snprintf(cursor, sizeof cursor, "%s", pg.next);
		q.after = cursor;
		tenant_list_free(&pg);
	} while (*cursor);
	ck_assert_int_eq(seen, 7);
	q.after = NULL;
	q.limit = 50;
	q.filter = "%"; /* literal, not a wildcard */
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 0);
	tenant_list_free(&l);
	q = (struct tenant_query){ .status = TENANT_ACTIVE,
				   .limit = 50,
				   .tier = "basic",
				   .sort = TENANT_SORT_NAME,
				   .desc = true };
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 7);
	ck_assert_str_eq(l.rows[0].name, "Gamma 06");
	tenant_list_free(&l);
	q = (struct tenant_query){ .status = -1,
				   .limit = 50,
				   .sort = TENANT_SORT_TIER,
				   .desc = true };
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 9);
	ck_assert_str_eq(l.rows[0].tier, "professional");
	ck_assert_str_eq(l.rows[l.n - 1].tier, "basic");
	tenant_list_free(&l);
	q = (struct tenant_query){ .status = -1, .limit = 501 };
	FAILS_FIELD(store_tenant_list(&l, st, &q, &e), "limit");
	q.limit = 10;
	q.after = "garbage!";
	FAILS_FIELD(store_tenant_list(&l, st, &q, &e), "after");
	q.after = NULL;
	q.filter = "\xc3\x28";
	FAILS_FIELD(store_tenant_list(&l, st, &q, &e), "filter");
}
END_TEST

START_TEST(test_tenant_update)
{
	struct tenant t;
	struct tenant_patch p = { .name = "Acme Corporation",
				  .timezone = "Europe/Paris",
				  .settings_json = "{\"x\": 1}",
				  .branding_json = "{\"logo\": \"a.png\"}" };
	struct tenant_patch bad_tz = { .timezone = "Mars/Olympus Mons!" };
	struct tenant_patch bad_json = { .branding_json = "{nope" };
	struct tenant_patch bad_status = { .billing_status = "bankrupt" };
	long before;

	OK(store_tenant_update(&t, st, "acme-corp", &p, &e));
	ck_assert_str_eq(t.name, "Acme Corporation");
	ck_assert_str_eq(t.timezone, "Europe/Paris");
	CT_JSON_EQ(t.settings_json, "{\"x\": 1}");
	if (!ct_remote) /* the libpq store: jsonb as PostgreSQL prints it */
		ck_assert_str_eq(t.settings_json, "{\"x\": 1}");
	CT_JSON_EQ(t.branding_json, "{\"logo\": \"a.png\"}");
	tenant_clear(&t);
	before = ct_audit_count(acme.id);
	FAILS_FIELD(store_tenant_update(&t, st, "acme-corp", &bad_tz, &e), "timezone");
	FAILS_FIELD(store_tenant_update(&t, st, "acme-corp", &bad_json, &e), "branding_json");
	FAILS(store_tenant_update(&t, st, "acme-corp", &bad_status, &e), ERR_INVALID_FIELD);
	FAILS(store_tenant_update(&t, st, "missing", &p, &e), ERR_NOT_FOUND);
	ck_assert_int_eq(ct_audit_count(acme.id), before); /* nothing changed */
}
END_TEST

START_TEST(test_lifecycle_and_tier)
{
	struct tenant t;
	struct tier_conflict c;
	struct member m;
	struct tenant_list tl;
	int purged;

	OK(store_tenant_set_status(&t, st, "acme-corp", TENANT_SUSPENDED, &e));
	ck_assert_int_eq(t.status, TENANT_SUSPENDED);
	FAILS(store_tenant_set_status(&t, st, "acme-corp", TENANT_TRIAL, &e),
	      ERR_INVALID_TRANSITION);
	ck_assert_int_eq(e.status, 409);
	FAILS(store_tenant_set_status(&t, st, "acme-corp", TENANT_DELETED, &e),
	      ERR_INVALID_TRANSITION);
	OK(store_tenant_set_status(&t, st, "acme-corp", TENANT_PENDING_DELETION, &e));
	ck_assert_int_gt(t.deletion_due_at, t.updated_at + (usec_t)29 * 86400 * 1000000);
	OK(store_tenant_purge_due(&purged, st, &e));
	ck_assert_int_eq(purged, 0); /* the grace has not passed */
	OK(store_tenant_set_status(&t, st, "acme-corp", TENANT_ACTIVE, &e));
	ck_assert_int_eq(t.deletion_due_at, 0);
	FAILS(store_tenant_set_status(&t, st, "nope", TENANT_ACTIVE, &e), ERR_NOT_FOUND);

	for (int i = 0; i < 5; i++) { /* 6 members on a 5-user tier */
		char email[64], token[96];
		struct invitation v;

		snprintf(email, sizeof email, "m%d@acme.example", i);
		OK(store_invitation_create(&v, token, st, "acme-corp", email, ROLE_MEMBER, &e));
		OK(store_invitation_accept(&m, st, token, "M", "correct horse battery", &e));
	}
	FAILS(store_tenant_set_tier(&t, &c, st, "acme-corp", "free", false, &e),
	      ERR_DOWNGRADE_BLOCKED);
	ck_assert_int_eq(e.status, 409);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.rows[0].resource, "users");
	ck_assert_int_eq(c.rows[0].used, 6);
	ck_assert_int_eq(c.rows[0].limit, 5);
	OK(store_tenant_get(&t, st, "acme-corp", &e));
	ck_assert_str_eq(t.tier, "professional");
	tenant_clear(&t);
	OK(store_tenant_set_tier(&t, &c, st, "acme-corp", "free", true, &e));
	ck_assert_str_eq(t.tier, "free");
	ck_assert_uint_eq(c.n, 0);
	/* its usage peak (6 users of 5, not capped) and health follow at once,
	 * with the time they were computed, and the list agrees */
	ck_assert_msg(t.usage_peak > 1.19, "usage peak %g", t.usage_peak);
	ck_assert_int_gt(t.health_at, 0);
	{
		struct tenant_query uq = { .filter = "acme-corp", .status = -1 };

		OK(store_tenant_list(&tl, st, &uq, &e));
		ck_assert_uint_eq(tl.n, 1);
		ck_assert(tl.rows[0].usage_peak > 1.19);
		ck_assert_int_eq(tl.rows[0].health_at, t.health_at);
		tenant_list_free(&tl);
	}
	FAILS_FIELD(store_tenant_set_tier(&t, &c, st, "acme-corp", "gold", false, &e), "tier");
	FAILS(store_tenant_set_tier(&t, &c, st, "nope", "basic", false, &e), ERR_NOT_FOUND);
}
END_TEST

/* ---- members and invitations ---------------------------------------------------- */

START_TEST(test_members)
{
	struct member m;
	enum member_role viewer = ROLE_VIEWER, admin = ROLE_ADMIN;
	struct member_list l;
	struct member_query q = { .role = ROLE_VIEWER, .active = -1 };
	char token[96];
	struct invitation v;
	struct tenant t0, t1;
	struct tenant_list tl;
	struct tenant_query tq = { .filter = "acme-corp", .status = -1 };

	OK(store_tenant_get(&t0, st, "acme-corp", &e));
	OK(store_invitation_create(&v, token, st, "acme-corp", "carol@acme.example", ROLE_MEMBER,
				   &e));
	OK(store_invitation_accept(&m, st, token, "Carol", "a long enough passphrase", &e));
	ck_assert_str_eq(m.tenant_id, acme.id);
	/* the tenant counts its members as they join; joining is not an edit */
	OK(store_tenant_get(&t1, st, "acme-corp", &e));
	ck_assert_int_eq(t1.members, t0.members + 1);
	ck_assert(t1.updated_at == t0.updated_at);
	OK(store_tenant_list(&tl, st, &tq, &e));
	ck_assert_uint_eq(tl.n, 1);
	ck_assert_int_eq(tl.rows[0].members, t0.members + 1);
	tenant_list_free(&tl);
	tenant_clear(&t1);
	OK(store_member_update(&m, st, "acme-corp", "carol@acme.example", &viewer, -1, NULL, &e));
	ck_assert_int_eq(m.role, ROLE_VIEWER);
	/* overrides: replaced whole, read back, a platform one refused */
	{
		struct perm_overrides over = { 0 };

		perm_overrides_set(&over, PERM_SETTINGS_WRITE, 1);
		perm_overrides_set(&over, PERM_MEMBERS_READ, -1);
		OK(store_member_update(&m, st, "acme-corp", "carol@acme.example", NULL, -1, &over,
				       &e));
		ck_assert_uint_eq(m.over.grant, over.grant);
		ck_assert_uint_eq(m.over.revoke, over.revoke);
		ck_assert_int_eq(m.role, ROLE_VIEWER);
		over.grant |= (perm_mask)1 << PERM_QUOTAS_SET;
		FAILS_FIELD(store_member_update(&m, st, "acme-corp", "carol@acme.example", NULL, -1,
						&over, &e),
			    "permissions");
		OK(store_member_list(&l, st, "acme-corp", &q, &e));
		ck_assert_uint_eq(l.rows[0].over.revoke, (perm_mask)1 << PERM_MEMBERS_READ);
		member_list_free(&l);
		memset(&over, 0, sizeof over);
		OK(store_member_update(&m, st, "acme-corp", "carol@acme.example", NULL, -1, &over,
				       &e));
		ck_assert_uint_eq(m.over.grant | m.over.revoke, 0);
	}
	OK(store_member_list(&l, st, "acme-corp", &q, &e));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.rows[0].full_name, "Carol");
	member_list_free(&l);
	/* the last admin stays */
	FAILS(store_member_update(&m, st, "acme-corp", "alice@acme.example", &viewer, -1, NULL, &e),
	      ERR_CONFLICT);
	FAILS(store_member_remove(st, "acme-corp", "alice@acme.example", &e), ERR_CONFLICT);
	/* a failed update leaves no member behind; a user is required */
	ck_assert_str_eq(m.user_id, "");
	FAILS_FIELD(store_member_update(&m, st, "acme-corp", m.user_id, &admin, -1, NULL, &e),
		    "user");
	OK(store_member_update(&m, st, "acme-corp", "carol@acme.example", &admin, -1, NULL, &e));
	OK(store_member_update(&m, st, "acme-corp", "alice@acme.example", NULL, 0, NULL, &e));
	ck_assert(!m.active);
	OK(store_tenant_get(&t1, st, "acme-corp", &e));
	ck_assert_int_eq(t1.members, t0.members); /* a deactivated member is not counted */
	tenant_clear(&t1);
	tenant_clear(&t0);
	q = (struct member_query){ .role = -1, .active = 0 };
	OK(store_member_list(&l, st, "acme-corp", &q, &e));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.rows[0].email, "alice@acme.example");
	member_list_free(&l);
	/* unknown member; a member of another tenant; an unknown tenant */
	FAILS(store_member_remove(st, "acme-corp", "nobody@x.example", &e), ERR_NOT_FOUND);
	FAILS(store_member_remove(st, "beta", "carol@acme.example", &e), ERR_NOT_FOUND);
	FAILS(store_member_update(&m, st, "beta", "carol@acme.example", &viewer, -1, NULL, &e),
	      ERR_NOT_FOUND);
	FAILS(store_member_list(&l, st, "nope", NULL, &e), ERR_NOT_FOUND);
	/* carol is the only active admin now */
	FAILS(store_member_remove(st, "acme-corp", "carol@acme.example", &e), ERR_CONFLICT);
}
END_TEST

START_TEST(test_invitations)
{
	struct invitation v, v2;
	struct invitation_list l;
	struct member m;
	char token[96], token2[96];
	PGconn *c;

	OK(store_invitation_create(&v, token, st, "acme-corp", "dave@acme.example", ROLE_MANAGER,
				   &e));
	ck_assert(strncmp(token, "tni_", 4) == 0);
	ck_assert_str_eq(v.email, "dave@acme.example");
	ck_assert_int_eq(v.role, ROLE_MANAGER);
	FAILS(store_invitation_create(&v2, token2, st, "acme-corp", "DAVE@acme.example",
				      ROLE_MEMBER, &e),
	      ERR_CONFLICT);
	FAILS_FIELD(store_invitation_create(&v2, token2, st, "acme-corp", "dave@", ROLE_MEMBER, &e),
		    "email");
	OK(store_invitation_resend(&v2, token2, st, "acme-corp", v.id, &e));
	ck_assert_str_ne(token, token2);
	FAILS(store_invitation_accept(&m, st, token, NULL, "a long enough passphrase", &e),
	      ERR_NOT_FOUND);
	FAILS_FIELD(store_invitation_accept(&m, st, token2, "Dave", "short", &e), "password");
	FAILS_FIELD(store_invitation_accept(&m, st, token2, "Dave", "Password2024!", &e),
		    "password");
	OK(store_invitation_accept(&m, st, token2, "Dave", "a long enough passphrase", &e));
	ck_assert_int_eq(m.role, ROLE_MANAGER);
	FAILS(store_invitation_accept(&m, st, token2, "Dave", "a long enough passphrase", &e),
	      ERR_GONE);
	ck_assert_int_eq(e.status, 410);
	OK(store_invitation_create(&v, token, st, "acme-corp", "erin@acme.example", ROLE_MEMBER,
				   &e));
	c = testdb_connect(ct_db, NULL);
	testdb_execf(c,
		     "UPDATE tenantry.invitations SET expires_at = now() - "
		     "interval '1 day' WHERE id = '%s'",
		     v.id);
	PQfinish(c);
	FAILS(store_invitation_accept(&m, st, token, "Erin", "a long enough passphrase", &e),
	      ERR_GONE);
	OK(store_invitation_revoke(st, "acme-corp", v.id, &e));
	FAILS(store_invitation_revoke(st, "acme-corp", v.id, &e), ERR_NOT_FOUND);
	FAILS(store_invitation_revoke(st, "beta", v.id, &e), ERR_NOT_FOUND);
	FAILS(store_invitation_resend(&v2, token2, st, "beta", v.id, &e), ERR_NOT_FOUND);
	FAILS(store_invitation_revoke(st, "acme-corp", "not-a-uuid", &e), ERR_NOT_FOUND);
	OK(store_invitation_list(&l, st, "acme-corp", &e));
	ck_assert_uint_eq(l.n, 3); /* with the first admin's, accepted */
	invitation_list_free(&l);
	OK(store_invitation_list(&l, st, "beta", &e));
	ck_assert_uint_eq(l.n, 1);
	invitation_list_free(&l);
	FAILS(store_invitation_accept(&m, st, "garbage", NULL, NULL, &e), ERR_NOT_FOUND);
}
END_TEST

/* A tenant's audit log a page at a time: next is the last seq of a full
 * page, and after= continues from it without gap or repeat. */
START_TEST(test_audit_pages)
{
	struct audit_query q = { .limit = 2 };
	struct audit_entry_list l;
	long total = ct_audit_count(acme.id), seen = 0;
	int64_t last = 0;

	ck_assert_int_ge(total, 3);
	/* a malformed action is the caller's field error, and writes nothing */
	FAILS_FIELD(store_audit_event(st, acme.id, "Report Export", "", "", NULL, &e), "action");
	ck_assert_int_eq(ct_audit_count(acme.id), total);
	do {
		OK(store_audit_list(&l, st, acme.id, &q, &e));
		for (size_t i = 0; i < l.n; i++) {
			ck_assert_int_eq(l.rows[i].seq, last + 1);
			last = l.rows[i].seq;
		}
		seen += (long)l.n;
		if (l.n == 2)
			ck_assert_int_eq(atoll(l.next), last);
		else
			ck_assert_str_eq(l.next, "");
		q.after_seq = *l.next ? atoll(l.next) : 0;
		audit_entry_list_free(&l);
	} while (q.after_seq);
	ck_assert_int_eq(seen, total);
}
END_TEST

CT_SUITE(contract, test_tiers, test_tenant_create, test_first_admin_name, test_tenant_get,
	 test_tenant_list, test_tenant_update, test_lifecycle_and_tier, test_members,
	 test_invitations, test_audit_pages)
