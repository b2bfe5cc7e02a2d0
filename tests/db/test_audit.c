/* test_audit.c - the hash-chained audit log and the tenant lifecycle
 * against the real database: chain links and hashes, tampering found by
 * audit_verify and by `tenantry audit verify`, append-only for every role,
 * notifications on append, who may write into which chain, the purge
 * (rows and chain gone, one platform entry keeping the final hash), and
 * every lifecycle transition. */
#include <check.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../testlib.h"
#include "store/store.h"


static char dbname[64];

/* ---- helpers ------------------------------------------------------------- */

static const char *
fmt(const char *f, va_list ap)
{
	static char sql[4096];

	vsnprintf(sql, sizeof sql, f, ap);
	return sql;
}

/* Text of the first value (copied into out, "" for NULL). */
static void __attribute__((format(printf, 4, 5)))
xtext(char *out, size_t n, PGconn *c, const char *f, ...)
{
	va_list ap;
	const char *v;

	va_start(ap, f);
	v = testdb_value(c, fmt(f, ap));
	va_end(ap);
	snprintf(out, n, "%s", v ? v : "");
}

static struct store *
open_store(enum store_role role, const char *tenant)
{
	return teststore_open(dbname, NULL, role, tenant);
}

static void
new_db(void)
{
	snprintf(dbname, sizeof dbname, "%s", testdb_create());
}

static void
create_tenant(struct store *st, const char *slug, const char *tier, bool trial,
	      char id[ID_LEN])
{
	char email[128];
	struct tenant_new n = { .name = slug, .slug = slug, .tier = tier,
				.admin_email = email, .trial = trial };
	struct tenant t;
	struct err e = { 0 };

	snprintf(email, sizeof email, "admin@%s.example", slug);
	ck_assert_msg(store_tenant_create(&t, st, &n, &e) == 0, "%s: %s", slug,
		      e.message);
	snprintf(id, ID_LEN, "%s", t.id);
	tenant_clear(&t);
}

/* A handful of audited changes of different kinds. */
static void
some_changes(struct store *st, const char *id)
{
	struct setting s;
	struct invitation inv;
	struct api_key k;
	struct tenant t;
	struct tenant_patch p = { .name = "Renamed", .billing_email = "bill@x.example" };
	char token[96], secret[128];
	struct err e = { 0 };

	ck_assert_msg(store_setting_put(&s, st, id, "site.title", SETTING_STRING,
					   "Hello", &e) == 0, "%s", e.message);
	setting_clear(&s);
	ck_assert_msg(store_setting_put(&s, st, id, "site.title", SETTING_STRING,
					   "Hello again", &e) == 0, "%s", e.message);
	setting_clear(&s);
	ck_assert_msg(store_invitation_create(&inv, token, st, id, "guest@x.example",
						 ROLE_VIEWER, &e) == 0, "%s", e.message);
	ck_assert_msg(store_apikey_create(&k, secret, st, id, "ci",
					     1u << SCOPE_AUDIT_READ, 0, &e) == 0,
		      "%s", e.message);
	ck_assert_msg(store_tenant_update(&t, st, id, &p, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	ck_assert_msg(store_audit_event(st, id, "report.export", "report", "q3",
					   "{\"rows\": 12}", &e) == 0, "%s", e.message);
}

static void
verify(struct audit_verdict *v, struct store *st, const char *tenant)
{
	struct err e = { 0 };

	ck_assert_msg(store_audit_verify(v, st, tenant, &e) == 0, "%s", e.message);
}

/* Runs the CLI's `audit verify SLUG` as the superuser; returns the exit
 * status and stdout (owned). */
static int
cli_verify(char **out, const char *slug)
{
	char conninfo[512];
	char *err = NULL;
	int rc;

	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(dbname, NULL));
	{
		const char *const argv[] = { "--db", conninfo, "audit", "verify", slug, NULL };

		rc = testcli_run(out, &err, argv);
	}
	ck_assert_msg(rc >= 0, "could not run the tenantry binary");
	ck_assert_ptr_nonnull(*out);
	free(err);
	return rc;
}

/* Superuser edit of the log with the append-only trigger disabled. */
static void
tamper(PGconn *su, const char *sql)
{
	testdb_exec(su, "SET session_replication_role = replica");
	testdb_exec(su, sql);
	testdb_exec(su, "RESET session_replication_role");
}

/* ---- chain ------------------------------------------------------------------ */

START_TEST(chain_links)
{
	char id[ID_LEN], head[65];
	struct store *pf, *tn;
	struct audit_verdict v;
	PGconn *su;
	long long n;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "ledger", "business", false, id);
	some_changes(pf, id);
	su = testdb_connect(dbname, NULL);

	n = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", id);
	ck_assert_int_ge(n, 10);
	/* The rename is logged with its name, not with the derived haystack. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s' AND action = 'tenant.update' AND "
			      "new ->> 'name' = 'Renamed' AND NOT new ? 'search' "
			      "AND NOT old ? 'search'", id), 1);
	/* seq runs 1..n without gaps; the first entry has no predecessor. */
	ck_assert_int_eq(testdb_int(su, "SELECT min(seq) FROM tenantry.audit_log "
			      "WHERE tenant_id = '%s'", id), 1);
	ck_assert_int_eq(testdb_int(su, "SELECT max(seq) FROM tenantry.audit_log "
			      "WHERE tenant_id = '%s'", id), n);
	ck_assert_int_eq(testdb_int(su, "SELECT octet_length(prev_hash) FROM "
			      "tenantry.audit_log WHERE tenant_id = '%s' AND seq = 1", id), 0);
	/* Every prev_hash is the previous entry's hash. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM (SELECT seq, prev_hash, "
			      "lag(hash) OVER (ORDER BY seq) AS before FROM "
			      "tenantry.audit_log WHERE tenant_id = '%s') x WHERE seq > 1 "
			      "AND prev_hash IS DISTINCT FROM before", id), 0);
	ck_assert_int_eq(testdb_int(su, "SELECT count(DISTINCT hash) FROM tenantry.audit_log "
			      "WHERE tenant_id = '%s'", id), n);
	/* And every hash is sha256(prev_hash || canonical text). The helper
	 * functions name each other unqualified, so use the schema's path. */
	testdb_exec(su, "SET search_path = tenantry, pg_catalog");
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log a WHERE "
			      "a.tenant_id = '%s' AND a.hash <> sha256(a.prev_hash || "
			      "convert_to(tenantry.audit_canonical(a.tenant_id, a.seq, a.at, "
			      "a.actor, a.actor_kind, a.action, a.resource_type, "
			      "a.resource_id, a.old, a.new, a.ip, a.user_agent), 'UTF8'))",
			      id), 0);
	/* The head is the last entry. */
	xtext(head, sizeof head, su, "SELECT encode(hash, 'hex') FROM tenantry.audit_log "
	      "WHERE tenant_id = '%s' AND seq = %lld", id, n);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_heads WHERE "
			      "tenant_id = '%s' AND seq = %lld AND encode(hash, 'hex') = "
			      "'%s'", id, n, head), 1);
	/* The event written through the store is in the chain, by its actor. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s' AND action = 'report.export' AND actor = "
			      "'test' AND new = '{\"rows\": 12}'", id), 1);

	verify(&v, pf, id);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, n);
	ck_assert_str_eq(v.head_hash, head);
	ck_assert_str_eq(v.reason, "");
	/* The tenant itself can verify its own chain. */
	tn = open_store(STORE_ROLE_TENANT, id);
	verify(&v, tn, id);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, n);
	ck_assert_str_eq(v.head_hash, head);
	store_close(&tn);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

START_TEST(tamper_detected)
{
	char id[ID_LEN], want[64], *out = NULL;
	struct store *pf;
	struct audit_verdict v;
	PGconn *su;
	long long n, mid;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "tampered", "business", false, id);
	some_changes(pf, id);
	su = testdb_connect(dbname, NULL);
	n = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", id);
	mid = n / 2;

	/* Intact first, through the CLI too. */
	ck_assert_int_eq(cli_verify(&out, "tampered"), 0);
	ck_assert_msg(strstr(out, "chain intact"), "%s", out);
	free(out);

	testdb_execf(su, "SET session_replication_role = replica; "
	      "UPDATE tenantry.audit_log SET actor = 'mallory' WHERE tenant_id = '%s' "
	      "AND seq = %lld; RESET session_replication_role", id, mid);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s' AND actor = 'mallory'", id), 1);
	verify(&v, pf, id);
	ck_assert_int_eq(v.first_broken, mid);
	ck_assert_msg(strstr(v.reason, "content"), "%s", v.reason);

	ck_assert_int_eq(cli_verify(&out, "tampered"), 1);
	snprintf(want, sizeof want, "broken at entry %lld", mid);
	ck_assert_msg(strstr(out, want), "no '%s' in: %s", want, out);
	free(out);

	/* Put it back: intact again. Then rewrite `new` of a later entry and
	 * recompute its own hash: the next entry's link gives it away. */
	tamper(su, "UPDATE tenantry.audit_log SET actor = 'test' WHERE actor = 'mallory'");
	verify(&v, pf, id);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, n);
	testdb_exec(su, "SET search_path = tenantry, pg_catalog");
	{
		char sql[1024];

		snprintf(sql, sizeof sql, "UPDATE tenantry.audit_log a SET "
			 "new = '{\"forged\": true}', hash = sha256(a.prev_hash || "
			 "convert_to(tenantry.audit_canonical(a.tenant_id, a.seq, a.at, "
			 "a.actor, a.actor_kind, a.action, a.resource_type, a.resource_id, "
			 "a.old, '{\"forged\": true}', a.ip, a.user_agent), 'UTF8')) "
			 "WHERE a.tenant_id = '%s' AND a.seq = %lld", id, n - 2);
		tamper(su, sql);
	}
	verify(&v, pf, id);
	ck_assert_int_eq(v.first_broken, n - 1);
	ck_assert_msg(strstr(v.reason, "prev_hash"), "%s", v.reason);
	ck_assert_int_eq(cli_verify(&out, "tampered"), 1);
	snprintf(want, sizeof want, "broken at entry %lld", n - 1);
	ck_assert_msg(strstr(out, want), "no '%s' in: %s", want, out);
	free(out);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

START_TEST(deletions_detected)
{
	char a[ID_LEN], b[ID_LEN], sql[256];
	struct store *pf;
	struct audit_verdict v;
	PGconn *su;
	long long na, nb;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "cut-end", "business", false, a);
	create_tenant(pf, "cut-middle", "business", false, b);
	some_changes(pf, a);
	some_changes(pf, b);
	su = testdb_connect(dbname, NULL);
	na = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", a);
	nb = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", b);

	/* The last entry: the chain is consistent but shorter than its head. */
	snprintf(sql, sizeof sql, "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' "
		 "AND seq = %lld", a, na);
	tamper(su, sql);
	verify(&v, pf, a);
	ck_assert_int_eq(v.first_broken, na);
	ck_assert_msg(strstr(v.reason, "head"), "%s", v.reason);

	/* One in the middle: the gap is named. */
	snprintf(sql, sizeof sql, "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' "
		 "AND seq = 3", b);
	tamper(su, sql);
	verify(&v, pf, b);
	ck_assert_int_eq(v.first_broken, 3);
	ck_assert_msg(strstr(v.reason, "missing"), "%s", v.reason);
	ck_assert_int_gt(nb, 3);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* Every chain in one walk, in pages that cut a long chain: the verdicts
 * are the one-chain verdicts, damage in any chain is found where it is. */
START_TEST(verify_all_chains)
{
	const char *slugs[] = { "walk-a", "walk-b", "walk-c", "walk-long" };
	char id[4][ID_LEN], *out = NULL, *err = NULL, conninfo[512], sql[512];
	struct store *pf;
	struct audit_verdict one;
	struct test_chains s = { 0 };
	struct err e = { 0 };
	PGconn *su;
	long long n[4];

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	for (int i = 0; i < 4; i++) {
		create_tenant(pf, slugs[i], "business", false, id[i]);
		some_changes(pf, id[i]);
	}
	su = testdb_connect(dbname, NULL);
	/* Longer than one page of the walk (5000 entries). */
	testdb_execf(su, "SELECT tenantry.audit_event('%s'::uuid, 'bulk.event', 'bulk', "
		     "g::text, '{}'::jsonb) FROM generate_series(1, 5200) g", id[3]);
	for (int i = 0; i < 4; i++)
		n[i] = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
				  "tenant_id = '%s'", id[i]);
	ck_assert_int_gt(n[3], 5200);

	ck_assert_msg(store_audit_verify_all(pf, test_chains, &s, &e) == 0, "%s",
		      e.message);
	ck_assert_int_eq(s.n, 5);
	ck_assert_str_eq(s.id[0], PLATFORM_CHAIN);  /* the platform's first */
	for (int i = 0; i < 4; i++) {
		const struct audit_verdict *v = test_chain_of(&s, id[i]);

		verify(&one, pf, id[i]);
		ck_assert_int_eq(v->entries, n[i]);
		ck_assert_int_eq(v->first_broken, 0);
		ck_assert_str_eq(v->head_hash, one.head_hash);
	}

	/* Content changed in b, c's last entry gone, a link forged past the
	 * first page of the long chain. */
	snprintf(sql, sizeof sql, "UPDATE tenantry.audit_log SET actor = 'mallory' WHERE "
		 "tenant_id = '%s' AND seq = 2", id[1]);
	tamper(su, sql);
	snprintf(sql, sizeof sql, "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' "
		 "AND seq = %lld", id[2], n[2]);
	tamper(su, sql);
	snprintf(sql, sizeof sql, "UPDATE tenantry.audit_log SET prev_hash = sha256('x') "
		 "WHERE tenant_id = '%s' AND seq = 5100", id[3]);
	tamper(su, sql);
	memset(&s, 0, sizeof s);
	ck_assert_msg(store_audit_verify_all(pf, test_chains, &s, &e) == 0, "%s",
		      e.message);
	ck_assert_int_eq(s.n, 5);
	ck_assert_int_eq(test_chain_of(&s, id[0])->first_broken, 0);
	ck_assert_int_eq(test_chain_of(&s, id[1])->first_broken, 2);
	ck_assert_int_eq(test_chain_of(&s, id[2])->first_broken, n[2]);
	ck_assert_msg(strstr(test_chain_of(&s, id[2])->reason, "head"), "%s",
		      test_chain_of(&s, id[2])->reason);
	ck_assert_int_eq(test_chain_of(&s, id[3])->first_broken, 5100);
	for (int i = 1; i < 4; i++) {
		verify(&one, pf, id[i]);
		ck_assert_int_eq(test_chain_of(&s, id[i])->first_broken, one.first_broken);
	}

	/* The CLI names each broken chain by its slug and counts them. */
	snprintf(conninfo, sizeof conninfo, "%s", testdb_conninfo(dbname, NULL));
	{
		const char *const argv[] = { "--db", conninfo, "audit", "verify", NULL };

		ck_assert_int_eq(testcli_run(&out, &err, argv), 1);
	}
	ck_assert_msg(strstr(out, "walk-b: chain broken at entry 2"), "%s", out);
	ck_assert_msg(strstr(out, "walk-long: chain broken at entry 5100"), "%s", out);
	ck_assert_msg(strstr(out, "walk-c: chain broken at entry"), "%s", out);
	ck_assert_msg(!strstr(out, "walk-a:"), "%s", out);
	ck_assert_msg(strstr(out, "5 chains, ") && strstr(out, ", 3 broken"), "%s", out);
	free(out);
	free(err);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

START_TEST(append_only)
{
	static const char *const writes[] = {
		"UPDATE tenantry.audit_log SET actor = 'x' WHERE tenant_id = '%s'",
		"DELETE FROM tenantry.audit_log WHERE tenant_id = '%s'",
		"DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' AND seq = 1",
		"TRUNCATE tenantry.audit_log /* %s */",
	};
	char id[ID_LEN];
	struct store *pf;
	struct audit_verdict v;
	PGconn *su;
	long long n;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "sealed", "business", false, id);
	some_changes(pf, id);
	su = testdb_connect(dbname, NULL);
	n = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", id);

	for (size_t i = 0; i < sizeof writes / sizeof *writes; i++) {
		/* The superuser, triggers active. */
		ck_assert_msg(strcmp(testdb_statef(su, writes[i], id), "42501") == 0,
			      "superuser: %s", writes[i]);
		/* The platform role. */
		testdb_exec(su, "BEGIN");
		testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
		ck_assert_msg(strcmp(testdb_statef(su, writes[i], id), "42501") == 0,
			      "platform: %s", writes[i]);
		testdb_exec(su, "ROLLBACK");
	}
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "INSERT INTO tenantry.audit_log (tenant_id, seq, at, "
				"actor, actor_kind, action, resource_type, prev_hash, hash) "
				"VALUES ('%s', 999, now(), 'x', 'x', 'x.y', 'x', '\\x', '\\x')",
				id), "42501");
	testdb_exec(su, "ROLLBACK");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "UPDATE tenantry.audit_heads SET seq = 1"), "42501");
	testdb_exec(su, "ROLLBACK");

	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s'", id), n);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "actor = 'x'"), 0);
	verify(&v, pf, id);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, n);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

START_TEST(notify_on_append)
{
	char id[ID_LEN], want[128], got[16][128], token[96];
	struct store *pf;
	struct setting s;
	struct invitation inv;
	struct quota q;
	struct err e = { 0 };
	PGconn *su, *listener;
	long long seq;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "loud", "business", false, id);
	ck_assert_msg(store_quota_set_limit(&q, pf, id, "invitations", 0, &e) == 0,
		      "%s", e.message);
	su = testdb_connect(dbname, NULL);
	listener = testdb_connect(dbname, NULL);
	testdb_exec(listener, "LISTEN tenantry_audit");

	ck_assert_msg(store_setting_put(&s, pf, id, "site.title", SETTING_STRING,
					   "Loud", &e) == 0, "%s", e.message);
	setting_clear(&s);
	seq = testdb_int(su, "SELECT max(seq) FROM tenantry.audit_log WHERE tenant_id = '%s'", id);
	snprintf(want, sizeof want, "%s:%lld", id, seq);
	ck_assert_int_eq(testdb_notifies(listener, got, 16, 1, 5000), 1);
	ck_assert_str_eq(got[0], want);

	/* An operation rolled back (its audit entry with it) notifies no one. */
	ck_assert_int_eq(store_invitation_create(&inv, token, pf, id, "g@x.example",
						    ROLE_MEMBER, &e), -1);
	ck_assert_int_eq(e.code, ERR_QUOTA_EXCEEDED);
	ck_assert_int_eq(testdb_notifies(listener, got, 16, 1, 300), 0);
	ck_assert_int_eq(testdb_int(su, "SELECT max(seq) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s'", id), seq);
	PQfinish(listener);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

START_TEST(audit_event_chains)
{
	char a[ID_LEN], b[ID_LEN];
	struct store *pf, *tn;
	struct err e = { 0 };
	PGconn *su;
	long long na, nb;
	char st[6];

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "writer", "business", false, a);
	create_tenant(pf, "victim", "business", false, b);
	su = testdb_connect(dbname, NULL);
	na = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", a);
	nb = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", b);

	tn = open_store(STORE_ROLE_TENANT, a);
	ck_assert_int_eq(store_audit_event(tn, b, "report.export", "report", "x",
					      NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_event(tn, "victim", "report.export", "report",
					      "x", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_event(tn, NULL, "staff.login", "user", "x",
					      NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_event(tn, a, "Bad Action", "x", "x", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_str_eq(e.field, "action");
	ck_assert_msg(store_audit_event(tn, a, "report.export", "report", "x", NULL,
					   &e) == 0, "%s", e.message);
	store_close(&tn);

	/* The function itself refuses, not just the store's lookup. */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", a);
	snprintf(st, sizeof st, "%s", testdb_statef(su, "SELECT tenantry.audit_event('%s', "
					     "'report.export', 'r', '', NULL)", b));
	testdb_exec(su, "ROLLBACK");
	ck_assert_str_eq(st, "P0002");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", a);
	snprintf(st, sizeof st, "%s", testdb_statef(su, "SELECT tenantry.audit_event(NULL, "
					     "'staff.login', 'user', '', NULL)"));
	testdb_exec(su, "ROLLBACK");
	ck_assert_str_eq(st, "P0002");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", a);
	snprintf(st, sizeof st, "%s", testdb_statef(su, "SELECT tenantry.audit_event('%s', "
					     "'Bad Action', 'r', '', NULL)", a));
	testdb_exec(su, "ROLLBACK");
	ck_assert_str_eq(st, "22023");

	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s'", a), na + 1);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '%s'", b), nb);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '" PLATFORM_CHAIN "'"), 0);

	/* The platform may write the platform chain. */
	ck_assert_msg(store_audit_event(pf, NULL, "staff.login", "user", "ops",
					   NULL, &e) == 0, "%s", e.message);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '" PLATFORM_CHAIN "' AND action = 'staff.login'"), 1);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* Regression: the purge used to be signalled by a session setting any
 * role could set to switch auditing and quota counting off for a tenant.
 * Only tenant_purge() can mark a tenant as being purged now. */
START_TEST(purging_flag_is_not_a_bypass)
{
	char id[ID_LEN];
	struct store *pf;
	PGconn *su;
	long long before;
	char st[6];

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "sneaky", "free", false, id);   /* one API key at most */
	store_close(&pf);
	su = testdb_connect(dbname, NULL);
	before = testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'",
		      id);

	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", id);
	testdb_execf(su, "SELECT set_config('tenantry.purging', '%s', true)", id);
	testdb_execf(su, "UPDATE tenantry.tenants SET name = 'Quiet' WHERE id = '%s'", id);
	testdb_execf(su, "INSERT INTO tenantry.api_keys (tenant_id, prefix, secret_hash) "
	      "VALUES ('%s', 'aaaaaaaa', sha256('a'))", id);
	testdb_exec(su, "SAVEPOINT second_key");
	snprintf(st, sizeof st, "%s", testdb_statef(su, "INSERT INTO tenantry.api_keys "
					     "(tenant_id, prefix, secret_hash) VALUES "
					     "('%s', 'bbbbbbbb', sha256('b'))", id));
	testdb_exec(su, "ROLLBACK TO SAVEPOINT second_key");
	testdb_exec(su, "COMMIT");

	ck_assert_msg(strcmp(st, "TQ001") == 0,
		      "second API key on a one-key tier accepted (sqlstate '%s')", st);
	ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			   "tenant_id = '%s'", id) > before,
		      "tenant changes made with tenantry.purging set were not audited");
	PQfinish(su);
}
END_TEST

/* ---- purge ------------------------------------------------------------------ */

START_TEST(purge)
{
	static const char *const tables[] = { "tenant_users", "invitations", "quotas",
		"usage_daily", "tenant_settings", "api_keys", "audit_log", "alerts",
		"audit_heads" };
	char p[ID_LEN], w[ID_LEN], k[ID_LEN], final_hash[65], sql[256];
	struct store *pf;
	struct tenant t;
	struct quota_result qr;
	struct audit_verdict v;
	struct err e = { 0 };
	PGconn *su;
	long long last;
	int purged = -1;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "doomed", "business", false, p);
	create_tenant(pf, "waiting", "business", false, w);
	create_tenant(pf, "alive", "business", false, k);
	some_changes(pf, p);
	ck_assert_msg(store_usage_increment(&qr, pf, p, "api_calls", 3, &e) == 0, "%s",
		      e.message);
	ck_assert_msg(store_tenant_set_status(&t, pf, p, TENANT_PENDING_DELETION, &e)
		      == 0, "%s", e.message);
	ck_assert_msg(store_tenant_set_status(&t, pf, w, TENANT_PENDING_DELETION, &e)
		      == 0, "%s", e.message);
	su = testdb_connect(dbname, NULL);
	testdb_execf(su, "UPDATE tenantry.tenants SET deletion_due_at = now() - interval '1 day' "
	      "WHERE id = '%s'", p);
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
		ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s WHERE "
				   "tenant_id = '%s'", tables[i], p) > 0 || i == 7,
			      "no %s rows before the purge", tables[i]);
	last = testdb_int(su, "SELECT max(seq) FROM tenantry.audit_log WHERE tenant_id = '%s'", p);
	xtext(final_hash, sizeof final_hash, su, "SELECT encode(hash, 'hex') FROM "
	      "tenantry.audit_log WHERE tenant_id = '%s' AND seq = %lld", p, last);
	ck_assert_int_eq(strlen(final_hash), 64);

	/* Not yet due, or not pending at all: a direct purge is refused. */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.tenant_purge('%s')", w), "TL001");
	testdb_exec(su, "ROLLBACK");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.tenant_purge('%s')", k), "TL001");
	testdb_exec(su, "ROLLBACK");
	/* Nor may a tenant purge anything, even itself. */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", p);
	ck_assert_str_eq(testdb_statef(su, "SELECT tenantry.tenant_purge('%s')", p), "42501");
	testdb_exec(su, "ROLLBACK");

	ck_assert_msg(store_tenant_purge_due(&purged, pf, &e) == 0, "%s", e.message);
	ck_assert_int_eq(purged, 1);

	/* Every row of the purged tenant is gone, its chain included. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE id = '%s'",
			      p), 0);
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
		ck_assert_msg(testdb_int(su, "SELECT count(*) FROM tenantry.%s WHERE "
				   "tenant_id = '%s'", tables[i], p) == 0,
			      "%s rows left after the purge", tables[i]);
	ck_assert_int_eq(store_tenant_get(&t, pf, p, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);

	/* The others are untouched. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE id IN "
			      "('%s', '%s')", w, k), 2);
	verify(&v, pf, w);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_gt(v.entries, 0);

	/* One platform entry keeps the final hash of the purged chain. */
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
			      "tenant_id = '" PLATFORM_CHAIN "'"), 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM tenantry.audit_log WHERE "
		 "tenant_id = '" PLATFORM_CHAIN "' AND action = 'tenant.purge' "
		 "AND resource_id = '%s'", p);
	ck_assert_int_eq(testdb_int(su, "%s", sql), 1);
	ck_assert_str_eq(testdb_value(su, "SELECT new->>'final_hash' FROM "
				      "tenantry.audit_log WHERE tenant_id = '" PLATFORM_CHAIN "'"),
			 final_hash);
	ck_assert_int_eq(testdb_int(su, "SELECT (new->>'entries')::int8 FROM tenantry.audit_log "
			      "WHERE tenant_id = '" PLATFORM_CHAIN "'"), last);
	ck_assert_str_eq(testdb_value(su, "SELECT new->>'slug' FROM tenantry.audit_log "
				      "WHERE tenant_id = '" PLATFORM_CHAIN "'"), "doomed");
	verify(&v, pf, NULL);
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, 1);

	/* Nothing else is due. */
	ck_assert_msg(store_tenant_purge_due(&purged, pf, &e) == 0, "%s", e.message);
	ck_assert_int_eq(purged, 0);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

/* ---- lifecycle --------------------------------------------------------------- */

static bool
transition_valid(enum tenant_status from, enum tenant_status to)
{
	switch (from) {
	case TENANT_TRIAL:
		return to == TENANT_ACTIVE || to == TENANT_SUSPENDED
		       || to == TENANT_PENDING_DELETION;
	case TENANT_ACTIVE:
		return to == TENANT_SUSPENDED || to == TENANT_PENDING_DELETION;
	case TENANT_SUSPENDED:
		return to == TENANT_ACTIVE || to == TENANT_PENDING_DELETION;
	case TENANT_PENDING_DELETION:
		return to == TENANT_ACTIVE || to == TENANT_SUSPENDED;
	default:
		return false;   /* deleted is final; only the purge gets there */
	}
}

START_TEST(lifecycle_transitions)
{
	struct store *pf;
	PGconn *su;
	int valid = 0, invalid = 0;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	su = testdb_connect(dbname, NULL);
	for (int from = 0; from < TENANT_STATUS_COUNT; from++) {
		for (int to = 0; to < TENANT_STATUS_COUNT; to++) {
			char slug[32], id[ID_LEN];
			struct tenant t;
			struct err e = { 0 };
			int rc;
			long long now_s;

			if (from == to)
				continue;
			snprintf(slug, sizeof slug, "lc-%d-%d", from, to);
			create_tenant(pf, slug, "basic", from == TENANT_TRIAL, id);
			if (from == TENANT_SUSPENDED || from == TENANT_PENDING_DELETION) {
				ck_assert_msg(store_tenant_set_status(&t, pf, id,
					(enum tenant_status)from, &e) == 0, "%s", e.message);
			} else if (from == TENANT_DELETED) {
				char sql[256];

				snprintf(sql, sizeof sql, "UPDATE tenantry.tenants SET "
					 "status = 'deleted' WHERE id = '%s'", id);
				tamper(su, sql);
			}
			rc = store_tenant_set_status(&t, pf, id, (enum tenant_status)to, &e);
			now_s = (long long)time(NULL);
			if (transition_valid((enum tenant_status)from, (enum tenant_status)to)) {
				valid++;
				ck_assert_msg(rc == 0, "%s -> %s refused: %s",
					      tenant_status_name((enum tenant_status)from),
					      tenant_status_name((enum tenant_status)to),
					      e.message);
				ck_assert_int_eq(t.status, to);
				if (to == TENANT_PENDING_DELETION)
					ck_assert_msg(llabs(t.deletion_due_at / 1000000
							    - (now_s + 30 * 86400)) < 120,
						      "deletion due at %lld",
						      (long long)t.deletion_due_at);
				else
					ck_assert_int_eq(t.deletion_due_at, 0);
				if (from == TENANT_TRIAL)
					ck_assert_int_le(t.trial_ends_at / 1000000, now_s + 5);
			} else {
				invalid++;
				ck_assert_msg(rc == -1 && e.code == ERR_INVALID_TRANSITION,
					      "%s -> %s: rc %d, %s",
					      tenant_status_name((enum tenant_status)from),
					      tenant_status_name((enum tenant_status)to), rc,
					      err_code_name(e.code));
			}
			{
				char sql[256];

				snprintf(sql, sizeof sql, "SELECT status FROM tenantry.tenants "
					 "WHERE id = '%s'", id);
				ck_assert_str_eq(testdb_value(su, sql),
						 tenant_status_name(rc == 0
						   ? (enum tenant_status)to
						   : (enum tenant_status)from));
			}
		}
	}
	ck_assert_int_eq(valid, 9);
	ck_assert_int_eq(invalid, 11);

	/* Restore within the grace clears the deletion date. */
	{
		char id[ID_LEN];
		struct tenant t;
		struct err e = { 0 };

		create_tenant(pf, "restored", "business", false, id);
		ck_assert_int_eq(store_tenant_set_status(&t, pf, id,
			TENANT_PENDING_DELETION, &e), 0);
		ck_assert_int_gt(t.deletion_due_at, 0);
		ck_assert_int_eq(store_tenant_set_status(&t, pf, id, TENANT_ACTIVE, &e), 0);
		ck_assert_int_eq(t.deletion_due_at, 0);
		ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.tenants WHERE "
				      "id = '%s' AND deletion_due_at IS NULL", id), 1);
	}
	PQfinish(su);
	store_close(&pf);
}
END_TEST

Suite *
suite_audit(void)
{
	Suite *s = suite_create("audit");
	TCase *chain = tcase_create("chain");
	TCase *life = tcase_create("lifecycle");

	tcase_set_timeout(chain, 60);
	tcase_add_test(chain, chain_links);
	tcase_add_test(chain, tamper_detected);
	tcase_add_test(chain, deletions_detected);
	tcase_add_test(chain, verify_all_chains);
	tcase_add_test(chain, append_only);
	tcase_add_test(chain, notify_on_append);
	tcase_add_test(chain, audit_event_chains);
	tcase_add_test(chain, purging_flag_is_not_a_bypass);
	suite_add_tcase(s, chain);
	tcase_set_timeout(life, 60);
	tcase_add_test(life, purge);
	tcase_add_test(life, lifecycle_transitions);
	suite_add_tcase(s, life);
	return s;
}
