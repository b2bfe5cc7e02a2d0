/* test_audit_chain.c - the hash-chained audit log against the real
 * database: chain links and hashes, tampering and deletions found by
 * audit_verify and by `tenantry audit verify`, every chain in one walk,
 * append-only for every role, notifications on append, who may write into
 * which chain, and the purge flag that is no bypass. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

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
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s' AND action = 'tenant.update' AND "
				    "new ->> 'name' = 'Renamed' AND NOT new ? 'search' "
				    "AND NOT old ? 'search'",
				    id),
			 1);
	/* seq runs 1..n without gaps; the first entry has no predecessor. */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT min(seq) FROM tenantry.audit_log "
				    "WHERE tenant_id = '%s'",
				    id),
			 1);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT max(seq) FROM tenantry.audit_log "
				    "WHERE tenant_id = '%s'",
				    id),
			 n);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT octet_length(prev_hash) FROM "
				    "tenantry.audit_log WHERE tenant_id = '%s' AND seq = 1",
				    id),
			 0);
	/* Every prev_hash is the previous entry's hash. */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM (SELECT seq, prev_hash, "
				    "lag(hash) OVER (ORDER BY seq) AS before FROM "
				    "tenantry.audit_log WHERE tenant_id = '%s') x WHERE seq > 1 "
				    "AND prev_hash IS DISTINCT FROM before",
				    id),
			 0);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(DISTINCT hash) FROM tenantry.audit_log "
				    "WHERE tenant_id = '%s'",
				    id),
			 n);
	/* And every hash is sha256(prev_hash || canonical text). The helper
	 * functions name each other unqualified, so use the schema's path. */
	testdb_exec(su, "SET search_path = tenantry, pg_catalog");
	ck_assert_int_eq(
	    testdb_int(su,
		       "SELECT count(*) FROM tenantry.audit_log a WHERE "
		       "a.tenant_id = '%s' AND a.hash <> sha256(a.prev_hash || "
		       "convert_to(tenantry.audit_canonical(a.tenant_id, a.seq, a.at, "
		       "a.actor, a.actor_kind, a.action, a.resource_type, "
		       "a.resource_id, a.old, a.new, a.ip, a.user_agent, a.label), 'UTF8'))",
		       id),
	    0);
	/* The head is the last entry. */
	xtext(head, sizeof head, su,
	      "SELECT encode(hash, 'hex') FROM tenantry.audit_log "
	      "WHERE tenant_id = '%s' AND seq = %lld",
	      id, n);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_heads WHERE "
				    "tenant_id = '%s' AND seq = %lld AND encode(hash, 'hex') = "
				    "'%s'",
				    id, n, head),
			 1);
	/* The event written through the store is in the chain, by its actor. */
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s' AND action = 'report.export' AND actor = "
				    "'test' AND new = '{\"rows\": 12}'",
				    id),
			 1);

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

	testdb_execf(su,
		     "SET session_replication_role = replica; "
		     "UPDATE tenantry.audit_log SET actor = 'mallory' WHERE tenant_id = '%s' "
		     "AND seq = %lld; RESET session_replication_role",
		     id, mid);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s' AND actor = 'mallory'",
				    id),
			 1);
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

		snprintf(sql, sizeof sql,
			 "UPDATE tenantry.audit_log a SET "
			 "new = '{\"forged\": true}', hash = sha256(a.prev_hash || "
			 "convert_to(tenantry.audit_canonical(a.tenant_id, a.seq, a.at, "
			 "a.actor, a.actor_kind, a.action, a.resource_type, a.resource_id, "
			 "a.old, '{\"forged\": true}', a.ip, a.user_agent, a.label), 'UTF8')) "
			 "WHERE a.tenant_id = '%s' AND a.seq = %lld",
			 id, n - 2);
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
	snprintf(sql, sizeof sql,
		 "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' "
		 "AND seq = %lld",
		 a, na);
	tamper(su, sql);
	verify(&v, pf, a);
	ck_assert_int_eq(v.first_broken, na);
	ck_assert_msg(strstr(v.reason, "head"), "%s", v.reason);

	/* One in the middle: the gap is named. */
	snprintf(sql, sizeof sql,
		 "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' "
		 "AND seq = 3",
		 b);
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
	testdb_execf(su,
		     "SELECT tenantry.audit_event('%s'::uuid, 'bulk.event', 'bulk', "
		     "g::text, '{}'::jsonb) FROM generate_series(1, 5200) g",
		     id[3]);
	for (int i = 0; i < 4; i++)
		n[i] = testdb_int(su,
				  "SELECT count(*) FROM tenantry.audit_log WHERE "
				  "tenant_id = '%s'",
				  id[i]);
	ck_assert_int_gt(n[3], 5200);

	ck_assert_msg(store_audit_verify_all(pf, test_chains, &s, &e) == 0, "%s", e.message);
	ck_assert_int_eq(s.n, 5);
	ck_assert_str_eq(s.id[0], PLATFORM_CHAIN); /* the platform's first */
	for (int i = 0; i < 4; i++) {
		const struct audit_verdict *v = test_chain_of(&s, id[i]);

		verify(&one, pf, id[i]);
		ck_assert_int_eq(v->entries, n[i]);
		ck_assert_int_eq(v->first_broken, 0);
		ck_assert_str_eq(v->head_hash, one.head_hash);
	}

	/* Content changed in b, c's last entry gone, a link forged past the
	 * first page of the long chain. */
	snprintf(sql, sizeof sql,
		 "UPDATE tenantry.audit_log SET actor = 'mallory' WHERE "
		 "tenant_id = '%s' AND seq = 2",
		 id[1]);
	tamper(su, sql);
	snprintf(sql, sizeof sql,
		 "DELETE FROM tenantry.audit_log WHERE tenant_id = '%s' "
		 "AND seq = %lld",
		 id[2], n[2]);
	tamper(su, sql);
	snprintf(sql, sizeof sql,
		 "UPDATE tenantry.audit_log SET prev_hash = sha256('x') "
		 "WHERE tenant_id = '%s' AND seq = 5100",
		 id[3]);
	tamper(su, sql);
	memset(&s, 0, sizeof s);
	ck_assert_msg(store_audit_verify_all(pf, test_chains, &s, &e) == 0, "%s", e.message);
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
	ck_assert_str_eq(
	    testdb_statef(su,
			  "INSERT INTO tenantry.audit_log (tenant_id, seq, at, "
			  "actor, actor_kind, action, resource_type, prev_hash, hash) "
			  "VALUES ('%s', 999, now(), 'x', 'x', 'x.y', 'x', '\\x', '\\x')",
			  id),
	    "42501");
	testdb_exec(su, "ROLLBACK");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_platform");
	ck_assert_str_eq(testdb_statef(su, "UPDATE tenantry.audit_heads SET seq = 1"), "42501");
	testdb_exec(su, "ROLLBACK");

	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s'",
				    id),
			 n);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"actor = 'x'"),
			 0);
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
	ck_assert_msg(store_quota_set_limit(&q, pf, id, "invitations", 0, &e) == 0, "%s",
		      e.message);
	su = testdb_connect(dbname, NULL);
	listener = testdb_connect(dbname, NULL);
	testdb_exec(listener, "LISTEN tenantry_audit");

	ck_assert_msg(store_setting_put(&s, pf, id, "site.title", SETTING_STRING, "Loud", &e) == 0,
		      "%s", e.message);
	setting_clear(&s);
	seq = testdb_int(su, "SELECT max(seq) FROM tenantry.audit_log WHERE tenant_id = '%s'", id);
	ck_assert_int_gt(seq, 0);
	/* one wake-up, naming nothing (033_quiet_notify.sql) */
	want[0] = '\0';
	ck_assert_int_eq(testdb_notifies(listener, got, 16, 1, 5000), 1);
	ck_assert_str_eq(got[0], want);

	/* An operation rolled back (its audit entry with it) notifies no one. */
	ck_assert_int_eq(
	    store_invitation_create(&inv, token, pf, id, "g@x.example", ROLE_MEMBER, &e), -1);
	ck_assert_int_eq(e.code, ERR_QUOTA_EXCEEDED);
	ck_assert_int_eq(testdb_notifies(listener, got, 16, 1, 300), 0);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT max(seq) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s'",
				    id),
			 seq);
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
	ck_assert_int_eq(store_audit_event(tn, b, "report.export", "report", "x", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_event(tn, "victim", "report.export", "report", "x", NULL, &e),
			 -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_event(tn, NULL, "staff.login", "user", "x", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOT_FOUND);
	ck_assert_int_eq(store_audit_event(tn, a, "Bad Action", "x", "x", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_INVALID_FIELD);
	ck_assert_str_eq(e.field, "action");
	ck_assert_msg(store_audit_event(tn, a, "report.export", "report", "x", NULL, &e) == 0, "%s",
		      e.message);
	store_close(&tn);

	/* The function itself refuses, not just the store's lookup. */
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", a);
	snprintf(st, sizeof st, "%s",
		 testdb_statef(su,
			       "SELECT tenantry.audit_event('%s', "
			       "'report.export', 'r', '', NULL)",
			       b));
	testdb_exec(su, "ROLLBACK");
	ck_assert_str_eq(st, "P0002");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", a);
	snprintf(st, sizeof st, "%s",
		 testdb_statef(su, "SELECT tenantry.audit_event(NULL, "
				   "'staff.login', 'user', '', NULL)"));
	testdb_exec(su, "ROLLBACK");
	ck_assert_str_eq(st, "P0002");
	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", a);
	snprintf(st, sizeof st, "%s",
		 testdb_statef(su,
			       "SELECT tenantry.audit_event('%s', "
			       "'Bad Action', 'r', '', NULL)",
			       a));
	testdb_exec(su, "ROLLBACK");
	ck_assert_str_eq(st, "22023");

	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s'",
				    a),
			 na + 1);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '%s'",
				    b),
			 nb);
	ck_assert_int_eq(testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE "
					"tenant_id = '" PLATFORM_CHAIN "'"),
			 0);

	/* The platform may write the platform chain. */
	ck_assert_msg(store_audit_event(pf, NULL, "staff.login", "user", "ops", NULL, &e) == 0,
		      "%s", e.message);
	ck_assert_int_eq(testdb_int(su,
				    "SELECT count(*) FROM tenantry.audit_log WHERE "
				    "tenant_id = '" PLATFORM_CHAIN "' AND action = 'staff.login'"),
			 1);
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
	create_tenant(pf, "sneaky", "free", false, id); /* one API key at most */
	store_close(&pf);
	su = testdb_connect(dbname, NULL);
	before =
	    testdb_int(su, "SELECT count(*) FROM tenantry.audit_log WHERE tenant_id = '%s'", id);

	testdb_exec(su, "BEGIN");
	testdb_exec(su, "SET LOCAL ROLE tenantry_tenant");
	testdb_execf(su, "SELECT set_config('tenantry.tenant_id', '%s', true)", id);
	testdb_execf(su, "SELECT set_config('tenantry.purging', '%s', true)", id);
	testdb_execf(su, "UPDATE tenantry.tenants SET name = 'Quiet' WHERE id = '%s'", id);
	testdb_execf(su,
		     "INSERT INTO tenantry.api_keys (tenant_id, prefix, secret_hash) "
		     "VALUES ('%s', 'aaaaaaaa', sha256('a'))",
		     id);
	testdb_exec(su, "SAVEPOINT second_key");
	snprintf(st, sizeof st, "%s",
		 testdb_statef(su,
			       "INSERT INTO tenantry.api_keys "
			       "(tenant_id, prefix, secret_hash) VALUES "
			       "('%s', 'bbbbbbbb', sha256('b'))",
			       id));
	testdb_exec(su, "ROLLBACK TO SAVEPOINT second_key");
	testdb_exec(su, "COMMIT");

	ck_assert_msg(strcmp(st, "TQ001") == 0,
		      "second API key on a one-key tier accepted (sqlstate '%s')", st);
	ck_assert_msg(testdb_int(su,
				 "SELECT count(*) FROM tenantry.audit_log WHERE "
				 "tenant_id = '%s'",
				 id)
			  > before,
		      "tenant changes made with tenantry.purging set were not audited");
	PQfinish(su);
}
END_TEST

Suite *
suite_audit_chain(void)
{
	Suite *s = suite_create("audit_chain");
	TCase *chain = tcase_create("chain");

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
	return s;
}
