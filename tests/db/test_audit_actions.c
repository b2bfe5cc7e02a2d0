/* test_audit_actions.c - audit entries say what happened (052): the
 * action list is the code's, the database's and the manual's; a
 * suspension, a resumption, a tier change, an invitation revoked, a key
 * revoked and a role changed each have their own action and a readable
 * label; the labelled chain still verifies. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/audit_actions.h"

START_TEST(action_list_is_one)
{
	char want[4096] = "{", *man;
	size_t n;
	FILE *f;
	PGconn *su;

	new_db();
	su = testdb_connect(dbname, NULL);
	for (int i = 0; i < AUDIT_ACTION_COUNT; i++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "," : "",
			 audit_action_name((enum audit_action)i));
	strcat(want, "}");
	ck_assert_str_eq(testdb_value(su, "SELECT tenantry.audit_action_names()::text"), want);
	PQfinish(su);
	man = calloc(1, 1 << 18);
	f = fopen("docs/tenantry.1", "r");
	ck_assert(man && f);
	n = fread(man, 1, (1 << 18) - 1, f);
	man[n] = '\0';
	fclose(f);
	for (int i = 0; i < AUDIT_ACTION_COUNT; i++) {
		char item[96];

		snprintf(item, sizeof item, ".It Li %s\n", audit_action_name((enum audit_action)i));
		ck_assert_msg(strstr(man, item), "docs/tenantry.1 lacks %s", item);
	}
	free(man);
}
END_TEST

/* The newest entry of tenant id: "action|label". */
static const char *
newest(PGconn *su, const char *id)
{
	static char out[512];

	xtext(out, sizeof out, su,
	      "SELECT action || '|' || coalesce(label, '') FROM tenantry.audit_log "
	      "WHERE tenant_id = '%s' ORDER BY seq DESC LIMIT 1",
	      id);
	return out;
}

START_TEST(actions_say_what_happened)
{
	char id[ID_LEN], token[96], secret[128];
	struct store *pf;
	struct tenant t;
	struct tier_conflict tc;
	struct invitation inv;
	struct api_key k;
	struct audit_verdict v;
	struct err e = { 0 };
	PGconn *su;

	new_db();
	pf = open_store(STORE_ROLE_PLATFORM, NULL);
	create_tenant(pf, "labelled", "business", false, id);
	su = testdb_connect(dbname, NULL);
	ck_assert_msg(store_tenant_set_status(&t, pf, id, TENANT_SUSPENDED, &e) == 0, "%s",
		      e.message);
	tenant_clear(&t);
	ck_assert_str_eq(newest(su, id), "tenant.suspend|");
	ck_assert_msg(store_tenant_set_status(&t, pf, id, TENANT_ACTIVE, &e) == 0, "%s", e.message);
	tenant_clear(&t);
	ck_assert_str_eq(newest(su, id), "tenant.resume|");
	memset(&tc, 0, sizeof tc);
	ck_assert_msg(store_tenant_set_tier(&t, &tc, pf, id, "enterprise", false, &e) == 0, "%s",
		      e.message);
	tenant_clear(&t);
	ck_assert_str_eq(newest(su, id), "tenant.tier|");
	ck_assert_msg(
	    store_invitation_create(&inv, token, pf, id, "Dana@Labelled.Example", ROLE_MEMBER, &e)
		== 0,
	    "%s", e.message);
	ck_assert_msg(strstr(newest(su, id), "invitation.create|"), "%s", newest(su, id));
	ck_assert_msg(store_invitation_revoke(pf, id, inv.id, &e) == 0, "%s", e.message);
	ck_assert_msg(strncmp(newest(su, id), "invitation.revoke|", 18) == 0
			  && strcasestr(newest(su, id), "dana@labelled.example"),
		      "%s", newest(su, id));
	ck_assert_msg(
	    store_apikey_create(&k, secret, pf, id, "ci deploy", 1u << SCOPE_TENANT_READ, 0, &e)
		== 0,
	    "%s", e.message);
	ck_assert_msg(store_apikey_revoke(pf, id, k.id, &e) == 0, "%s", e.message);
	{
		char want[96];

		snprintf(want, sizeof want, "api_key.revoke|tnt_%s ci deploy", k.prefix);
		ck_assert_str_eq(newest(su, id), want);
	}
	{
		struct member m;
		enum member_role admin = ROLE_MEMBER;
		char user[ID_LEN];

		xtext(user, sizeof user, su,
		      "SELECT user_id FROM tenantry.tenant_users WHERE tenant_id = '%s' LIMIT 1",
		      id);
		/* a second admin first, so the first may become a member */
		testdb_execf(
		    su,
		    "INSERT INTO tenantry.users (email) VALUES ('second@labelled.example'); "
		    "INSERT INTO tenantry.tenant_users (tenant_id, user_id, role) SELECT '%s', "
		    "id, 'admin' FROM tenantry.users WHERE email = 'second@labelled.example'",
		    id);
		ck_assert_msg(store_member_update(&m, pf, id, user, &admin, -1, NULL, &e) == 0,
			      "%s", e.message);
		ck_assert_msg(strncmp(newest(su, id), "member.role|", 12) == 0
				  && strchr(newest(su, id), '@'),
			      "%s", newest(su, id));
	}
	/* every action written is in the list */
	{
		PGresult *r = PQexec(su, "SELECT DISTINCT action FROM tenantry.audit_log");
		enum audit_action a;

		for (int i = 0; i < PQntuples(r); i++)
			ck_assert_msg(audit_action_parse(PQgetvalue(r, i, 0), &a) == 0,
				      "%s is not in AUDIT_ACTIONS", PQgetvalue(r, i, 0));
		PQclear(r);
	}
	/* the labels are in the hash: the chain verifies, and a changed label
	 * breaks it (one added where there was none too) */
	ck_assert_msg(store_audit_verify(&v, pf, id, &e) == 0, "%s", e.message);
	ck_assert_int_eq(v.first_broken, 0);
	testdb_execf(su,
		     "ALTER TABLE tenantry.audit_log DISABLE TRIGGER append_only; "
		     "UPDATE tenantry.audit_log SET label = 'someone else' WHERE tenant_id = '%s' "
		     "AND action = 'api_key.revoke'; "
		     "ALTER TABLE tenantry.audit_log ENABLE TRIGGER append_only",
		     id);
	ck_assert_msg(store_audit_verify(&v, pf, id, &e) == 0, "%s", e.message);
	ck_assert_int_gt(v.first_broken, 0);
	PQfinish(su);
	store_close(&pf);
}
END_TEST

Suite *
suite_audit_actions(void)
{
	Suite *s = suite_create("audit_actions");
	TCase *tc = tcase_create("actions");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, action_list_is_one);
	tcase_add_test(tc, actions_say_what_happened);
	suite_add_tcase(s, tc);
	return s;
}
