/* test_contract_history.c - the platform's history on both stores (libpq
 * and REST through a real tenantryd): tenants by status at the end of
 * each of the last 24 hours, audited writes per hour, and churn of the
 * month (tenants that left, upgrades, downgrades), from the audit log. */
#include <check.h>
#include <string.h>
#include <time.h>

#include "contract.h"

static int64_t
sum(const int64_t *v)
{
	int64_t n = 0;

	for (int i = 0; i < HISTORY_HOURS; i++)
		n += v[i];
	return n;
}

START_TEST(test_history_counts)
{
	struct platform_history h;
	struct tier_conflict conflict;
	struct tenant t;
	char month[8];
	time_t now = time(NULL);
	struct tm tm;

	OK(store_platform_history(&h, st, &e));
	/* acme and beta, both made this hour: none 23 hours ago */
	for (int s = 0; s < TENANT_STATUS_COUNT; s++)
		ck_assert_int_eq(h.by_status[s][0], 0);
	ck_assert_int_eq(
	    h.by_status[acme.status][HISTORY_HOURS - 1]
		+ (acme.status == beta.status ? 0 : h.by_status[beta.status][HISTORY_HOURS - 1]),
	    2);
	ck_assert_int_gt(h.writes[HISTORY_HOURS - 1], 0);
	ck_assert_int_eq(sum(h.writes), h.writes[HISTORY_HOURS - 1]);
	ck_assert_int_eq(h.churn[HISTORY_MONTHS - 1].left, 0);

	/* suspended, upgraded, downgraded, scheduled for deletion */
	OK(store_tenant_set_status(&t, st, "acme-corp", TENANT_SUSPENDED, &e));
	tenant_clear(&t);
	OK(store_tenant_set_tier(&t, &conflict, st, "beta", "basic", false, &e));
	tenant_clear(&t);
	OK(store_tenant_set_tier(&t, &conflict, st, "acme-corp", "basic", true, &e));
	tenant_clear(&t);
	OK(store_tenant_set_status(&t, st, "beta", TENANT_PENDING_DELETION, &e));
	tenant_clear(&t);
	OK(store_platform_history(&h, st, &e));
	ck_assert_int_eq(h.by_status[TENANT_SUSPENDED][HISTORY_HOURS - 1], 1);
	ck_assert_int_eq(h.by_status[TENANT_PENDING_DELETION][HISTORY_HOURS - 1], 1);
	ck_assert_int_eq(h.by_status[TENANT_SUSPENDED][0], 0);
	gmtime_r(&now, &tm);
	strftime(month, sizeof month, "%Y-%m", &tm);
	ck_assert_str_eq(h.churn[HISTORY_MONTHS - 1].month, month);
	ck_assert_int_eq(h.churn[HISTORY_MONTHS - 1].left, 1);
	ck_assert_int_eq(h.churn[HISTORY_MONTHS - 1].upgrades, 1);
	ck_assert_int_eq(h.churn[HISTORY_MONTHS - 1].downgrades, 1);
	ck_assert_int_eq(h.churn[0].upgrades, 0);

	/* tenant staff may not read it */
	ct_role(STORE_ROLE_TENANT, acme.id);
	FAILS(store_platform_history(&h, st, &e), ERR_FORBIDDEN);
}
END_TEST

CT_SUITE(contract_history, test_history_counts)
