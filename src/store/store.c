/* store.c - opening a store and releasing what its operations return. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

int store_pg_open(struct store **out, const struct store_config *cfg, struct err *e);
/* The REST backend is linked in when src/store/store_rest.c exists. */
int store_rest_open(struct store **out, const struct store_config *cfg, struct err *e)
    __attribute__((weak));

static const char *const sort_names[] = {
#define X(e, s) s,
	TENANT_SORTS(X)
#undef X
};

const char *
tenant_sort_name(enum tenant_sort s)
{
	return (unsigned)s < TENANT_SORT_COUNT ? sort_names[s] : "?";
}

int
tenant_sort_parse(const char *s, enum tenant_sort *out)
{
	for (int i = 0; s && i < TENANT_SORT_COUNT; i++)
		if (strcmp(s, sort_names[i]) == 0) {
			*out = (enum tenant_sort)i;
			return 0;
		}
	return -1;
}

int
store_open(struct store **out, const struct store_config *cfg, struct err *e)
{
	int rc;

	*out = NULL;
	if (cfg->url && *cfg->url) {
		if (!store_rest_open)
			return err_set(e, ERR_UNAVAILABLE,
				       "this build has no remote (--url) backend");
		rc = store_rest_open(out, cfg, e);
	} else {
		rc = store_pg_open(out, cfg, e);
	}
	if (rc < 0)
		return -1;
	if ((rc = (*out)->ops->version) != STORE_OPS_VERSION) {
		store_close(out);
		return err_set(e, ERR_INTERNAL, "store backend of version %d, not %d", rc,
			       STORE_OPS_VERSION);
	}
	(*out)->read_only = cfg->read_only;
	return 0;
}

int
store_verify_each(struct store *st, audit_chain_fn *fn, void *arg, struct err *e)
{
	struct tenant_query q = { .status = -1, .limit = 500 };
	struct tenant_list l;
	struct audit_verdict v;
	char cursor[CURSOR_LEN] = "";
	int stop;

	if (st->ops->audit_verify(&v, st, NULL, e) < 0)
		return -1;
	if ((stop = fn(arg, PLATFORM_CHAIN, &v)))
		return stop;
	do {
		if (st->ops->tenant_list(&l, st, &q, e) < 0)
			return -1;
		for (size_t i = 0; i < l.n && !stop; i++) {
			if (st->ops->audit_verify(&v, st, l.rows[i].id, e) < 0)
				stop = -1;
			else
				stop = fn(arg, l.rows[i].id, &v);
		}
		if (stop) {
			tenant_list_free(&l);
			return stop;
		}
		memcpy(cursor, l.next, sizeof cursor);
		q.after = cursor;
		tenant_list_free(&l);
	} while (*cursor);
	return 0;
}

void
store_close(struct store **st)
{
	if (st && *st) {
		(*st)->ops->close(*st);
		*st = NULL;
	}
}

void
tenant_clear(struct tenant *t)
{
	free(t->settings_json);
	free(t->branding_json);
	t->settings_json = t->branding_json = NULL;
}

void
setting_clear(struct setting *s)
{
	free(s->value);
	s->value = NULL;
}

void
audit_entry_clear(struct audit_entry *a)
{
	free(a->old_json);
	free(a->new_json);
	free(a->user_agent);
	a->old_json = a->new_json = a->user_agent = NULL;
}

/* clang-format off */
#define LIST_FREE_WITH(T, clear)                                             \
	void T##_list_free(struct T##_list *l)                               \
	{                                                                    \
		if (!l)                                                      \
			return;                                              \
		for (size_t i = 0; i < l->n; i++)                            \
			clear(&l->rows[i]);                                  \
		free(l->rows);                                               \
		memset(l, 0, sizeof *l);                                     \
	}
/* clang-format on */
#define NOTHING(row) ((void)(row))
LIST_FREE_WITH(tier, NOTHING)
LIST_FREE_WITH(member, NOTHING)
LIST_FREE_WITH(invitation, NOTHING)
LIST_FREE_WITH(quota, NOTHING)
LIST_FREE_WITH(usage_day, NOTHING)
LIST_FREE_WITH(api_key, NOTHING)
LIST_FREE_WITH(view_session, NOTHING)
LIST_FREE_WITH(alert, NOTHING)
LIST_FREE_WITH(alert_group, NOTHING)
LIST_FREE_WITH(tenant, tenant_clear)
LIST_FREE_WITH(setting, setting_clear)
LIST_FREE_WITH(audit_entry, audit_entry_clear)

static store_run_fn *offload_fn;

void
store_offload_hook(store_run_fn *run)
{
	offload_fn = run;
}

void
store_offload(void (*fn)(void *), void *arg)
{
	if (offload_fn)
		offload_fn(fn, arg);
	else
		fn(arg);
}
