/* test_contract_ops.c - the store contract, continued (see
 * test_contract.c): quotas and usage, settings, features, API keys, audit,
 * alerts, health, metrics, export, and what a tenant context may see; on
 * the libpq store and on the REST store alike. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract.h"

/* The one api_calls row of a day's usage (the first admin's invitation
 * is the day's other row), or -1 when there is not exactly one. */
static int64_t
api_calls_day(const struct usage_day_list *days)
{
	int64_t amount = -1;
	int n = 0;

	for (size_t i = 0; i < days->n; i++)
		if (strcmp(days->rows[i].resource, "api_calls") == 0) {
			amount = days->rows[i].amount;
			n++;
		}
	return n == 1 ? amount : -1;
}

START_TEST(test_quotas_and_usage)
{
	struct quota q;
	struct quota_list ql;
	struct quota_result r;
	struct usage_summary s;
	struct usage_day_list days;

	OK(store_quota_list(&ql, st, "beta", &e));
	ck_assert_uint_eq(ql.n, RESOURCE_COUNT);
	quota_list_free(&ql);
	OK(store_quota_set_limit(&q, st, "beta", "api_calls", 10, &e));
	ck_assert_int_eq(q.limit, 10);
	ck_assert_str_eq(q.resource, "api_calls");
	OK(store_usage_increment(&r, st, "beta", "api_calls", 7, &e));
	ck_assert(r.allowed);
	ck_assert_int_eq(r.quota.used, 7);
	OK(store_quota_check(&r, st, "beta", "api_calls", 3, &e));
	ck_assert(r.allowed);
	OK(store_quota_check(&r, st, "beta", "api_calls", 4, &e));
	ck_assert(!r.allowed);
	ck_assert_int_eq(r.quota.used, 7);
	FAILS(store_usage_increment(&r, st, "beta", "api_calls", 4, &e), ERR_QUOTA_EXCEEDED);
	ck_assert_int_eq(e.status, 402);
	ck_assert(!r.allowed);
	ck_assert_int_eq(r.quota.used, 7); /* unchanged, and said so */
	ck_assert_int_eq(r.quota.limit, 10);
	OK(store_usage_summary(&s, st, "beta", &e));
	ck_assert_int_eq(s.api_calls_today, 7);
	ck_assert_int_eq(s.api_calls_limit, 10);
	ck_assert_int_eq(s.users_current, 1);
	ck_assert_int_eq(s.users_limit, 5);
	OK(store_usage_list(&days, st, "beta", 7, &e));
	ck_assert_int_eq(api_calls_day(&days), 7);
	usage_day_list_free(&days);
	FAILS_FIELD(store_usage_increment(&r, st, "beta", "gold_bars", 1, &e), "resource");
	/* counted resources follow their rows: no increment moves them */
	{
		struct tenant t0, t1;
		int64_t users = -1;

		OK(store_tenant_get(&t0, st, "beta", &e));
		FAILS_FIELD(store_usage_increment(&r, st, "beta", "users", 5, &e), "resource");
		FAILS_FIELD(store_usage_increment(&r, st, "beta", "api_keys", 1, &e), "resource");
		FAILS_FIELD(store_usage_increment(&r, st, "beta", "invitations", 1, &e),
			    "resource");
		OK(store_tenant_get(&t1, st, "beta", &e));
		ck_assert_int_eq(t1.members, t0.members);
		OK(store_quota_list(&ql, st, "beta", &e));
		for (size_t i = 0; i < ql.n; i++)
			if (strcmp(ql.rows[i].resource, "users") == 0)
				users = ql.rows[i].used;
		quota_list_free(&ql);
		ck_assert_int_eq(users, t0.members);
		tenant_clear(&t0);
		tenant_clear(&t1);
		/* asking whether one more member would fit stays allowed */
		OK(store_quota_check(&r, st, "beta", "users", 1, &e));
	}
	FAILS_FIELD(store_usage_increment(&r, st, "beta", "api_calls", 0, &e), "amount");
	FAILS_FIELD(store_quota_check(&r, st, "beta", "gold_bars", 1, &e), "resource");
	FAILS_FIELD(store_quota_set_limit(&q, st, "beta", "api_calls", -5, &e), "limit");
	FAILS(store_usage_increment(&r, st, "nope", "api_calls", 1, &e), ERR_NOT_FOUND);
	FAILS(store_quota_list(&ql, st, "nope", &e), ERR_NOT_FOUND);
	FAILS_FIELD(store_usage_list(&days, st, "beta", 0, &e), "days");
	OK(store_quota_list(&ql, st, "beta", &e));
	for (size_t i = 0; i < ql.n; i++)
		if (strcmp(ql.rows[i].resource, "api_calls") == 0)
			ck_assert_int_eq(ql.rows[i].used, 7);
	quota_list_free(&ql);
}
END_TEST

START_TEST(test_settings)
{
	struct setting s;
	struct setting_list l;
	PGconn *c;
	const char *stored;

	OK(store_setting_put(&s, st, "acme-corp", "brand.color", SETTING_COLOR, "#112233", &e));
	ck_assert_str_eq(s.value, "#112233");
	ck_assert_int_eq(s.type, SETTING_COLOR);
	setting_clear(&s);
	FAILS(store_setting_put(&s, st, "acme-corp", "brand.color", SETTING_COLOR, "blue", &e),
	      ERR_INVALID_FIELD);
	FAILS(store_setting_put(&s, st, "acme-corp", "limit", SETTING_INT, "12x", &e),
	      ERR_INVALID_FIELD);
	FAILS(store_setting_put(&s, st, "acme-corp", "Bad Key", SETTING_STRING, "x", &e),
	      ERR_INVALID_FIELD);
	/* a '/' in a key stays inside its path segment */
	FAILS_FIELD(store_setting_put(&s, st, "acme-corp", "a/b", SETTING_STRING, "x", &e), "key");
	OK(store_setting_put(&s, st, "acme-corp", "stripe", SETTING_SECRET, "sk_live_abc", &e));
	ck_assert_str_eq(s.value, "********");
	ck_assert(s.encrypted);
	setting_clear(&s);
	c = testdb_connect(ct_db, NULL);
	stored = testdb_value(c, "SELECT value FROM tenantry.tenant_settings WHERE key = 'stripe'");
	ck_assert(strncmp(stored, "v1:", 3) == 0);
	ck_assert_ptr_null(strstr(stored, "sk_live"));
	ck_assert_str_eq(testdb_value(c, "SELECT count(*) FROM tenantry.audit_log "
					 "WHERE new::text LIKE '%sk_live%'"),
			 "0");
	OK(store_setting_get(&s, st, "acme-corp", "stripe", false, &e));
	ck_assert_str_eq(s.value, "********");
	ck_assert(!s.revealed);
	setting_clear(&s);
	ck_assert_str_eq(testdb_value(c, "SELECT count(*) FROM tenantry.audit_log "
					 "WHERE action = 'secret.reveal'"),
			 "0");
	OK(store_setting_get(&s, st, "acme-corp", "stripe", true, &e));
	ck_assert_str_eq(s.value, "sk_live_abc");
	ck_assert(s.revealed);
	ck_assert_str_eq(s.updated_by, CT_STAFF);
	setting_clear(&s);
	ck_assert_str_eq(testdb_value(c, "SELECT count(*) FROM tenantry.audit_log "
					 "WHERE action = 'secret.reveal'"),
			 "1");
	PQfinish(c);
	OK(store_setting_list(&l, st, "acme-corp", &e));
	ck_assert_uint_eq(l.n, 2);
	setting_list_free(&l);
	OK(store_setting_delete(st, "acme-corp", "brand.color", &e));
	FAILS(store_setting_delete(st, "acme-corp", "brand.color", &e), ERR_NOT_FOUND);
	FAILS(store_setting_get(&s, st, "acme-corp", "brand.color", false, &e), ERR_NOT_FOUND);
	FAILS(store_setting_get(&s, st, "beta", "stripe", false, &e), ERR_NOT_FOUND);
	FAILS(store_setting_delete(st, "beta", "stripe", &e), ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_features_and_apikeys)
{
	struct feature_state fs;
	struct api_key k;
	struct api_key_list l;
	char secret[128];

	OK(store_feature_list(&fs, st, "beta", &e));
	ck_assert(fs.effective & (1u << FEATURE_ANALYTICS));
	ck_assert(!(fs.effective & (1u << FEATURE_SSO)));
	OK(store_feature_set(&fs, st, "beta", FEATURE_SSO, 1, &e));
	ck_assert(fs.effective & (1u << FEATURE_SSO));
	ck_assert(fs.on & (1u << FEATURE_SSO));
	OK(store_feature_set(&fs, st, "beta", FEATURE_ANALYTICS, 0, &e));
	ck_assert(!(fs.effective & (1u << FEATURE_ANALYTICS)));
	ck_assert(fs.off & (1u << FEATURE_ANALYTICS));
	OK(store_feature_set(&fs, st, "beta", FEATURE_ANALYTICS, -1, &e));
	ck_assert(fs.effective & (1u << FEATURE_ANALYTICS));
	ck_assert(!(fs.off & (1u << FEATURE_ANALYTICS)));
	FAILS_FIELD(store_feature_set(&fs, st, "beta", FEATURE_SSO, 7, &e), "state");
	FAILS(store_feature_list(&fs, st, "nope", &e), ERR_NOT_FOUND);

	OK(store_apikey_create(&k, secret, st, "beta", "ci", 1u << SCOPE_USAGE_WRITE, 0, &e));
	ck_assert(strncmp(secret, "tnt_", 4) == 0);
	ck_assert(strstr(secret, k.prefix) != NULL);
	ck_assert_str_eq(k.name, "ci");
	ck_assert_int_eq(k.scopes, 1u << SCOPE_USAGE_WRITE);
	FAILS(store_apikey_create(&k, secret, st, "beta", "second", 1u << SCOPE_USAGE_WRITE, 0, &e),
	      ERR_QUOTA_EXCEEDED); /* free tier: one key */
	FAILS_FIELD(store_apikey_create(&k, secret, st, "beta", "none", 0, 0, &e), "scopes");
	OK(store_apikey_list(&l, st, "beta", &e));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.rows[0].created_by, CT_STAFF);
	FAILS(store_apikey_revoke(st, "acme-corp", l.rows[0].id, &e), ERR_NOT_FOUND);
	OK(store_apikey_revoke(st, "beta", l.rows[0].prefix, &e));
	FAILS(store_apikey_revoke(st, "beta", l.rows[0].prefix, &e), ERR_NOT_FOUND);
	api_key_list_free(&l);
	OK(store_apikey_create(&k, secret, st, "beta", "second", 1u << SCOPE_USAGE_WRITE,
			       (usec_t)4102444800 * 1000000, &e));
	ck_assert_int_eq(k.expires_at, (usec_t)4102444800 * 1000000);
}
END_TEST

START_TEST(test_audit)
{
	struct audit_entry_list l;
	struct audit_query q = { .limit = 100 };
	struct audit_verdict v;
	int64_t last;

	OK(store_audit_list(&l, st, "acme-corp", &q, &e));
	ck_assert_uint_ge(l.n, 7); /* tenant, 5 quotas, member */
	ck_assert_int_eq(l.rows[0].seq, 1);
	ck_assert_str_eq(l.rows[0].action, "tenant.create");
	ck_assert_str_eq(l.rows[0].actor, CT_STAFF);
	ck_assert_ptr_nonnull(l.rows[0].new_json);
	last = l.rows[l.n - 1].seq;
	audit_entry_list_free(&l);
	q.action = "quota.";
	OK(store_audit_list(&l, st, "acme-corp", &q, &e));
	ck_assert_uint_eq(l.n, 5);
	audit_entry_list_free(&l);
	q = (struct audit_query){ .limit = 2, .newest = true };
	OK(store_audit_list(&l, st, "acme-corp", &q, &e));
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.rows[0].seq, last);
	ck_assert_int_eq(l.rows[1].seq, last - 1);
	audit_entry_list_free(&l);
	q = (struct audit_query){ .limit = 10, .after_seq = last - 1 };
	OK(store_audit_list(&l, st, "acme-corp", &q, &e));
	ck_assert_uint_eq(l.n, 1);
	audit_entry_list_free(&l);
	q = (struct audit_query){ .limit = 5000 };
	FAILS_FIELD(store_audit_list(&l, st, "acme-corp", &q, &e), "limit");
	q.limit = 10;
	FAILS(store_audit_list(&l, st, "nope", &q, &e), ERR_NOT_FOUND);
	OK(store_audit_list(&l, st, NULL, &q, &e)); /* every chain */
	ck_assert_uint_eq(l.n, 10);
	audit_entry_list_free(&l);

	OK(store_audit_event(st, "acme-corp", "support.note", "tenant", "acme-corp",
			     "{\"note\": \"called\"}", &e));
	FAILS(store_audit_event(st, "acme-corp", "support.note", "tenant", "acme-corp", "{broken",
				&e),
	      ERR_BAD_JSON);
	FAILS(store_audit_event(st, "nope", "support.note", NULL, NULL, NULL, &e), ERR_NOT_FOUND);
	q = (struct audit_query){ .limit = 1, .newest = true };
	OK(store_audit_list(&l, st, "acme-corp", &q, &e));
	ck_assert_str_eq(l.rows[0].action, "support.note");
	CT_JSON_EQ(l.rows[0].new_json, "{\"note\": \"called\"}");
	audit_entry_list_free(&l);
	OK(store_audit_verify(&v, st, "acme-corp", &e));
	ck_assert_int_eq(v.first_broken, 0);
	ck_assert_int_eq(v.entries, last + 1);
	ck_assert_uint_eq(strlen(v.head_hash), 64);
	OK(store_audit_verify(&v, st, NULL, &e)); /* the platform chain */
	ck_assert_int_eq(v.first_broken, 0);
	FAILS(store_audit_verify(&v, st, "nope", &e), ERR_NOT_FOUND);
	/* Every chain at once: the platform's, then acme's and beta's, each
	 * as its own verify says. */
	{
		struct test_chains w = { 0 };
		struct audit_verdict va, vb;

		OK(store_audit_verify_all(st, test_chains, &w, &e));
		OK(store_audit_verify(&va, st, "acme-corp", &e));
		OK(store_audit_verify(&vb, st, "beta", &e));
		ck_assert_int_eq(w.n, 3);
		ck_assert_str_eq(w.id[0], PLATFORM_CHAIN);
		for (int i = 1; i < 3; i++) {
			const struct audit_verdict *want =
			    strcmp(w.id[i], acme.id) == 0 ? &va : &vb;

			ck_assert(strcmp(w.id[i], acme.id) == 0 || strcmp(w.id[i], beta.id) == 0);
			ck_assert_int_eq(w.v[i].entries, want->entries);
			ck_assert_str_eq(w.v[i].head_hash, want->head_hash);
			ck_assert_int_eq(w.v[i].first_broken, 0);
		}
		ck_assert_str_ne(w.id[1], w.id[2]);
	}
}
END_TEST

START_TEST(test_alerts_health_metrics_export)
{
	struct quota q2;
	struct quota_result r;
	struct alert_list al;
	struct health h;
	struct platform_metrics m;
	int n;
	char *json;

	OK(store_quota_set_limit(&q2, st, "acme-corp", "storage_bytes", 100, &e));
	OK(store_usage_increment(&r, st, "acme-corp", "storage_bytes", 96, &e));
	OK(store_alert_list(&al, st, "acme-corp", true, 0, NULL, &e));
	ck_assert_uint_eq(al.n, 2); /* 80 and 95 */
	OK(store_alert_ack(st, "acme-corp", al.rows[0].id, &e));
	FAILS(store_alert_ack(st, "acme-corp", al.rows[0].id, &e), ERR_NOT_FOUND);
	FAILS(store_alert_ack(st, "beta", al.rows[1].id, &e), ERR_NOT_FOUND);
	alert_list_free(&al);
	OK(store_alert_list(&al, st, NULL, true, 0, NULL, &e));
	ck_assert_uint_eq(al.n, 1);
	alert_list_free(&al);
	OK(store_alert_list(&al, st, "acme-corp", false, 0, NULL, &e));
	ck_assert_uint_eq(al.n, 2);
	ck_assert_str_eq(al.rows[0].acknowledged_by[0] ? al.rows[0].acknowledged_by
						       : al.rows[1].acknowledged_by,
			 CT_STAFF);
	/* each with its tenant's slug; none raised after an hour from now,
	 * both in the last hour */
	ck_assert_str_eq(al.rows[0].slug, "acme-corp");
	alert_list_free(&al);
	/* by resource */
	OK(store_alert_list(&al, st, NULL, false, 0, "storage_bytes", &e));
	ck_assert_uint_eq(al.n, 2);
	alert_list_free(&al);
	OK(store_alert_list(&al, st, NULL, false, 0, "api_calls", &e));
	ck_assert_uint_eq(al.n, 0);
	alert_list_free(&al);
	/* a name of the list, or refused before the database */
	FAILS_FIELD(store_alert_list(&al, st, NULL, false, 0, "storage_bytes' OR 1=1", &e),
		    "resource");
	ck_assert_ptr_null(strstr(e.message, "OR 1=1"));
	/* and folded: one group, two alerts, one open */
	{
		struct alert_group_list gl;

		OK(store_alert_groups(&gl, st, 0, &e));
		ck_assert_uint_eq(gl.n, 1);
		ck_assert_str_eq(gl.rows[0].slug, "acme-corp");
		ck_assert_str_eq(gl.rows[0].resource, "storage_bytes");
		ck_assert_int_eq(gl.rows[0].count, 2);
		ck_assert_int_eq(gl.rows[0].open, 1);
		ck_assert_int_eq(gl.rows[0].threshold, 95);
		ck_assert_str_eq(gl.rows[0].acked_by, CT_STAFF);
		alert_group_list_free(&gl);
		OK(store_alert_groups(&gl, st, ((usec_t)time(NULL) + 3600) * 1000000, &e));
		ck_assert_uint_eq(gl.n, 0);
		alert_group_list_free(&gl);
	}
	OK(store_alert_list(&al, st, NULL, false, ((usec_t)time(NULL) + 3600) * 1000000, NULL, &e));
	ck_assert_uint_eq(al.n, 0);
	alert_list_free(&al);
	OK(store_alert_list(&al, st, "acme-corp", false, ((usec_t)time(NULL) - 3600) * 1000000,
			    NULL, &e));
	ck_assert_uint_eq(al.n, 2);
	alert_list_free(&al);

	OK(store_health_get(&h, st, "acme-corp", &e));
	ck_assert_int_ge(h.score, 0);
	ck_assert_int_le(h.score, 100);
	ck_assert(strlen(h.explain[HEALTH_HEADROOM]) > 0);
	FAILS(store_health_get(&h, st, "nope", &e), ERR_NOT_FOUND);
	OK(store_health_refresh(&n, st, &e));
	ck_assert_int_eq(n, 2);
	OK(store_metrics(&m, st, &e));
	ck_assert_int_eq(m.tenants_total, 2);
	ck_assert_int_eq(m.by_status[TENANT_ACTIVE], 2);
	ck_assert_int_eq(m.open_alerts, 1);
	ck_assert_uint_eq(m.ntiers, 5);
	ck_assert_str_eq(m.nearest[0].slug, "acme-corp");

	OK(store_tenant_export(&json, st, "acme-corp", &e));
	ck_assert_ptr_nonnull(strstr(json, "\"tenantry-export-1\""));
	ck_assert_ptr_nonnull(strstr(json, "alice@acme.example"));
	ck_assert_ptr_null(strstr(json, "bob@beta.example"));
	ck_assert_ptr_null(strstr(json, "token_hash"));
	free(json);
	FAILS(store_tenant_export(&json, st, "nope", &e), ERR_NOT_FOUND);
	ck_assert_ptr_null(json);
}
END_TEST

/* A tenant context (X-View-As over REST) sees its own tenant only; the
 * other tenant's ids answer not found, never forbidden. */
START_TEST(test_tenant_context)
{
	struct tenant t;
	struct member_list ml;
	struct tenant_list l;
	struct tenant_query q = { .status = -1, .limit = 50 };
	struct invitation v;
	struct setting s;
	char token[96];

	OK(store_invitation_create(&v, token, st, "beta", "zed@beta.example", ROLE_MEMBER, &e));
	OK(store_setting_put(&s, st, "beta", "motd", SETTING_STRING, "hi", &e));
	setting_clear(&s);
	ct_role(STORE_ROLE_TENANT, acme.id);
	OK(store_tenant_list(&l, st, &q, &e));
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.rows[0].slug, "acme-corp");
	tenant_list_free(&l);
	OK(store_tenant_get(&t, st, "acme-corp", &e));
	tenant_clear(&t);
	FAILS(store_tenant_get(&t, st, beta.id, &e), ERR_NOT_FOUND);
	FAILS(store_tenant_get(&t, st, "beta", &e), ERR_NOT_FOUND);
	FAILS(store_member_list(&ml, st, "beta", NULL, &e), ERR_NOT_FOUND);
	FAILS(store_invitation_revoke(st, "beta", v.id, &e), ERR_NOT_FOUND);
	FAILS(store_invitation_revoke(st, "acme-corp", v.id, &e), ERR_NOT_FOUND);
	FAILS(store_setting_get(&s, st, "beta", "motd", false, &e), ERR_NOT_FOUND);
	/* tenants cannot change their own status */
	FAILS(store_tenant_set_status(&t, st, acme.id, TENANT_SUSPENDED, &e), ERR_FORBIDDEN);
	ck_assert_int_eq(e.status, 403);
	OK(store_member_list(&ml, st, "acme-corp", NULL, &e));
	ck_assert_uint_eq(ml.n, 1);
	member_list_free(&ml);
}
END_TEST

/* Calls tenantryd served: added past the limit (they were served), the
 * day's usage with them, 0 only reads, a tenant out of sight untouched. */
START_TEST(test_api_calls_served)
{
	struct api_calls_count rows[2];
	struct usage_day_list days;
	struct quota q;

	memset(rows, 0, sizeof rows);
	snprintf(rows[0].tenant_id, sizeof rows[0].tenant_id, "%s", beta.id);
	snprintf(rows[1].tenant_id, sizeof rows[1].tenant_id, "%s", acme.id);
	rows[0].calls = 5;
	rows[1].calls = 2;
	if (ct_remote) { /* tenantryd's own bookkeeping: not an API */
		FAILS(store_api_calls_served(rows, 2, st, &e), ERR_METHOD);
		return;
	}
	rows[0].calls = -1;
	FAILS_FIELD(store_api_calls_served(rows, 2, st, &e), "calls");
	rows[0].calls = 5;
	snprintf(rows[1].tenant_id, sizeof rows[1].tenant_id, "acme-corp");
	FAILS_FIELD(store_api_calls_served(rows, 2, st, &e), "tenant_id");
	snprintf(rows[1].tenant_id, sizeof rows[1].tenant_id, "%s", acme.id);
	OK(store_quota_set_limit(&q, st, "beta", "api_calls", 4, &e));
	OK(store_api_calls_served(rows, 2, st, &e));
	ck_assert(rows[0].found && rows[1].found);
	ck_assert_int_eq(rows[0].used, 5);
	ck_assert_int_eq(rows[0].limit, 4);
	ck_assert_int_eq(rows[1].used, 2);
	ck_assert_int_gt(rows[0].window_start, 0);
	OK(store_usage_list(&days, st, "beta", 1, &e));
	ck_assert_int_eq(api_calls_day(&days), 5);
	usage_day_list_free(&days);
	rows[0].calls = 0;
	OK(store_api_calls_served(rows, 1, st, &e));
	ck_assert(rows[0].found);
	ck_assert_int_eq(rows[0].used, 5);
	/* a tenant's context counts its own calls only */
	ct_role(STORE_ROLE_TENANT, acme.id);
	rows[0].calls = rows[1].calls = 1;
	OK(store_api_calls_served(rows, 2, st, &e));
	ck_assert(!rows[0].found);
	ck_assert(rows[1].found);
	ck_assert_int_eq(rows[1].used, 3);
	ct_role(STORE_ROLE_PLATFORM, NULL);
	rows[0].calls = 0;
	OK(store_api_calls_served(rows, 1, st, &e));
	ck_assert_int_eq(rows[0].used, 5);
	st->read_only = true;
	FAILS(store_api_calls_served(rows, 1, st, &e), ERR_FORBIDDEN);
	st->read_only = false;
}
END_TEST

/* The background jobs (034_jobs.sql): their state on both backends, a
 * run on the database's only, a purged tenant's certificate by slug; a
 * tenant's context reads neither. */
START_TEST(test_jobs)
{
	struct job_run_opts o = { .runner = "contract", .name = "purge", .force = true };
	struct job_info_list l;
	struct job_result r;
	struct tenant t;
	char *json = NULL;
	PGconn *su;
	int n;

	OK(store_job_list(&l, st, &e));
	ck_assert_uint_eq(l.n, JOB_COUNT);
	ck_assert_str_eq(l.rows[0].name, "event_retention" /* by name */);
	ck_assert_int_gt(l.rows[0].interval_s, 0);
	job_info_list_free(&l);
	FAILS(store_deletion_certificate(&json, st, "beta", &e), ERR_NOT_FOUND);
	OK(store_tenant_set_status(&t, st, "beta", TENANT_PENDING_DELETION, &e));
	tenant_clear(&t);
	su = testdb_connect(ct_db, NULL);
	testdb_exec(su, "UPDATE tenantry.tenants SET deletion_due_at = now() - interval '1 day' "
			"WHERE slug = 'beta'");
	PQfinish(su);
	if (ct_remote) {
		FAILS(store_job_run(&r, st, &o, &e), ERR_METHOD);
		OK(store_tenant_purge_due(&n, st, &e));
		ck_assert_int_eq(n, 1);
	} else {
		OK(store_job_run(&r, st, &o, &e));
		ck_assert(r.ran && r.ok && r.recorded);
		ck_assert_int_eq(r.count, 1);
		OK(store_job_run(&r, st, &o, &e));
		ck_assert_int_eq(r.count, 0);
	}
	OK(store_deletion_certificate(&json, st, "beta", &e));
	ck_assert_ptr_nonnull(strstr(json, "\"rows_after\": 0"));
	ck_assert_ptr_nonnull(strstr(json, "tenantry-deletion-certificate-1"));
	free(json);
	st->read_only = true;
	FAILS(store_job_run(&r, st, &o, &e), ERR_FORBIDDEN);
	st->read_only = false;
	ct_role(STORE_ROLE_TENANT, acme.id);
	FAILS(store_job_list(&l, st, &e), ERR_FORBIDDEN);
	ct_role(STORE_ROLE_PLATFORM, NULL);
}
END_TEST

CT_SUITE(contract_ops, test_quotas_and_usage, test_api_calls_served, test_settings,
	 test_features_and_apikeys, test_audit, test_alerts_health_metrics_export,
	 test_tenant_context, test_jobs)
