/* bench_ops.c - the store operations the bench measures, each as one call
 * with a drawn integer (tenant n or filter term k), in the context a real
 * caller would have: a tenant's own context for tenant operations (what
 * tenantryd does for a tenant token), platform staff for the lists. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "store/store.h"

static int
fail(char *err, size_t n, const struct err *e)
{
	snprintf(err, n, "%s: %s", err_code_name(e->code), e->message);
	return -1;
}

static int
as_tenant(struct store *st, const char *id, struct err *e)
{
	struct store_context c = { .role = STORE_ROLE_TENANT,
				   .actor = "bench@example.com",
				   .actor_kind = "user" };

	snprintf(c.tenant_id, sizeof c.tenant_id, "%s", id);
	return store_set_context(st, &c, e);
}

static int
as_platform(struct store *st, struct err *e)
{
	struct store_context c = { .role = STORE_ROLE_PLATFORM,
				   .actor = "admin@example.com",
				   .actor_kind = "staff" };

	return store_set_context(st, &c, e);
}

static int
op_tenant_get(struct store *st, long n, char *err, size_t errlen)
{
	char id[ID_LEN];
	struct tenant t;
	struct err e = { 0 };

	bench_tenant_id(id, n);
	if (as_tenant(st, id, &e) < 0 || store_tenant_get(&t, st, id, &e) < 0)
		return fail(err, errlen, &e);
	tenant_clear(&t);
	return 0;
}

/* The page after tenant n in name order: the cursor a client holds after
 * paging to n (base64url of the sort key: name 0x1f id). */
static int
op_tenant_page(struct store *st, long n, char *err, size_t errlen)
{
	char key[160], cursor[CURSOR_LEN], id[ID_LEN];
	struct tenant_query q = { .sort = TENANT_SORT_NAME,
				  .status = -1,
				  .limit = 50,
				  .after = cursor };
	struct tenant_list l;
	struct err e = { 0 };
	size_t len;

	bench_tenant_id(id, n);
	bench_tenant_name(key, sizeof key, n);
	len = strlen(key);
	snprintf(key + len, sizeof key - len, "\x1f%s", id);
	sodium_bin2base64(cursor, sizeof cursor, (const unsigned char *)key, strlen(key),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (as_platform(st, &e) < 0 || store_tenant_list(&l, st, &q, &e) < 0)
		return fail(err, errlen, &e);
	tenant_list_free(&l);
	return 0;
}

static int
op_tenant_filter(struct store *st, long k, char *err, size_t errlen)
{
	struct tenant_query q = { .filter = bench_term((int)k),
				  .sort = TENANT_SORT_NAME,
				  .status = -1,
				  .limit = 50 };
	struct tenant_list l;
	struct err e = { 0 };

	if (as_platform(st, &e) < 0 || store_tenant_list(&l, st, &q, &e) < 0)
		return fail(err, errlen, &e);
	tenant_list_free(&l);
	return 0;
}

static int
op_quota_consume(struct store *st, long n, char *err, size_t errlen)
{
	char id[ID_LEN];
	struct quota_result r;
	struct err e = { 0 };

	bench_tenant_id(id, n);
	if (as_tenant(st, id, &e) < 0 || store_usage_increment(&r, st, id, "api_calls", 1, &e) < 0)
		return fail(err, errlen, &e);
	return 0;
}

static int
op_audit_latest(struct store *st, long n, char *err, size_t errlen)
{
	char id[ID_LEN];
	struct audit_query q = { .limit = 100, .newest = true };
	struct audit_entry_list l;
	struct err e = { 0 };

	bench_tenant_id(id, n);
	if (as_tenant(st, id, &e) < 0 || store_audit_list(&l, st, id, &q, &e) < 0)
		return fail(err, errlen, &e);
	if (l.n != 100) {
		audit_entry_list_free(&l);
		snprintf(err, errlen, "tenant %ld: %zu audit entries, not 100", n, l.n);
		return -1;
	}
	audit_entry_list_free(&l);
	return 0;
}

static int
op_audit_append(struct store *st, long n, char *err, size_t errlen)
{
	char id[ID_LEN];
	struct err e = { 0 };

	bench_tenant_id(id, n);
	if (as_tenant(st, id, &e) < 0
	    || store_audit_event(st, id, "bench.event", "bench", "", "{\"bench\": 1}", &e) < 0)
		return fail(err, errlen, &e);
	return 0;
}

const struct bench_op bench_ops[] = {
	{ "tenant_get", "tenant by id", DRAW_TENANT, op_tenant_get },
	{ "tenant_page", "tenant list page (50, by name, keyset)", DRAW_TENANT, op_tenant_page },
	{ "tenant_filter", "substring filter page (50, trigram)", DRAW_TERM, op_tenant_filter,
	  false, "where its pages are shorter" },
	{ "tenant_filter_full", "substring filter (50, full at both sizes)", DRAW_FULL_TERM,
	  op_tenant_filter, true },
	{ "quota_consume", "quota consume (random tenant)", DRAW_TENANT, op_quota_consume },
	{ "quota_consume_hot", "quota consume (one hot tenant)", DRAW_HOT, op_quota_consume },
	{ "audit_latest", "latest 100 audit entries of a tenant", DRAW_TENANT10, op_audit_latest },
	{ "audit_append", "audit append (chain + notify)", DRAW_TENANT, op_audit_append },
};
const int bench_nops = sizeof bench_ops / sizeof bench_ops[0];
