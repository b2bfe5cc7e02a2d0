/* test_store_table.c - what holds for the operations table of both
 * backends: every slot filled (an operation a backend does not do answers
 * ERR_METHOD, it never crashes on a NULL), the version checked when a
 * store opens, and a read-only store refusing every write before the
 * backend is asked. */
#include <check.h>
#include <stddef.h>
#include <stdio.h>

#include "contract.h"

START_TEST(test_every_slot_filled)
{
	const struct store_ops *ops = st->ops;
	/* the function pointers follow version and kind */
	const size_t first = offsetof(struct store_ops, close);
	const size_t n = (sizeof *ops - first) / sizeof(void (*)(void));
	void (*const *slot)(void) = (void (*const *)(void))((const char *)ops + first);

	ck_assert_int_eq(ops->version, STORE_OPS_VERSION);
	ck_assert_ptr_nonnull(ops->kind);
	ck_assert_uint_gt(n, 50);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(slot[i] != NULL, "the %s store's operation %zu of %zu is NULL",
			      ops->kind, i, n);
}
END_TEST

START_TEST(test_read_only_refuses_writes)
{
	struct tenant_new n = { .name = "Never Co",
				.admin_email = "a@never.test",
				.tier = "basic" };
	struct tenant_query q = { .status = -1, .limit = 10 };
	struct tenant_list l;
	struct tenant t;
	struct setting set;
	struct quota_result qr;
	long before = ct_audit_count(acme.id);

	st->read_only = true;
	FAILS(store_tenant_create(&t, st, &n, &e), ERR_FORBIDDEN);
	FAILS(store_setting_put(&set, st, acme.id, "motd", SETTING_STRING, "x", &e), ERR_FORBIDDEN);
	FAILS(store_usage_increment(&qr, st, acme.id, "api_calls", 1, &e), ERR_FORBIDDEN);
	FAILS(store_tenant_set_status(&t, st, acme.id, TENANT_SUSPENDED, &e), ERR_FORBIDDEN);
	FAILS(store_audit_event(st, acme.id, "support.note", "x", "y", NULL, &e), ERR_FORBIDDEN);
	OK(store_tenant_list(&l, st, &q, &e)); /* reads go on */
	tenant_list_free(&l);
	ck_assert_int_eq(ct_audit_count(acme.id), before);
	st->read_only = false;
}
END_TEST

CT_SUITE(store_table, test_every_slot_filled, test_read_only_refuses_writes)
