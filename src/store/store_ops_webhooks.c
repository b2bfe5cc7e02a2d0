/* store_ops_webhooks.c - the webhook operations callers use (store.h):
 * each runs its backend's operation, writes refused on a read-only store. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static int
refuse_write(struct err *e, const char *op)
{
	return err_set(e, ERR_FORBIDDEN, "read-only: %s is a write", op);
}

/* ---- webhooks ------------------------------------------------------------------ */

int
store_webhook_list(struct webhook_list *out, struct store *st, const char *tenant, struct err *e)
{
	return st->ops->webhook_list(out, st, tenant, e);
}

int
store_webhook_create(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN], struct store *st,
		     const struct webhook_new *n, struct err *e)
{
	if (st->read_only) {
		memset(out, 0, sizeof *out);
		secret_out[0] = '\0';
		return refuse_write(e, "webhook_create");
	}
	return st->ops->webhook_create(out, secret_out, st, n, e);
}

int
store_webhook_delete(struct store *st, const char *id, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "webhook_delete");
	return st->ops->webhook_delete(st, id, e);
}

int
store_webhook_set_enabled(struct webhook *out, struct store *st, const char *id, bool enabled,
			  struct err *e)
{
	if (st->read_only) {
		memset(out, 0, sizeof *out);
		return refuse_write(e, "webhook_set_enabled");
	}
	return st->ops->webhook_set_enabled(out, st, id, enabled, e);
}

int
store_webhook_test(char event_out[ID_LEN], struct store *st, const char *id, struct err *e)
{
	if (st->read_only) {
		event_out[0] = '\0';
		return refuse_write(e, "webhook_test");
	}
	return st->ops->webhook_test(event_out, st, id, e);
}

int
store_webhook_attempts(struct webhook_attempt_list *out, struct store *st, const char *id,
		       int limit, struct err *e)
{
	return st->ops->webhook_attempts(out, st, id, limit, e);
}

int
store_webhook_redeliver(struct store *st, const char *id, const char *event, struct err *e)
{
	if (st->read_only)
		return refuse_write(e, "webhook_redeliver");
	return st->ops->webhook_redeliver(st, id, event, e);
}

int
store_webhook_claim(struct webhook_claim_list *out, struct store *st, const char *runner, int limit,
		    int lease_s, struct err *e)
{
	if (st->read_only) {
		memset(out, 0, sizeof *out);
		return refuse_write(e, "webhook_claim");
	}
	return st->ops->webhook_claim(out, st, runner, limit, lease_s, e);
}

int
store_webhook_attempt_done(char state_out[WEBHOOK_STATE_LEN], struct store *st,
			   const struct webhook_outcome *o, struct err *e)
{
	if (st->read_only) {
		state_out[0] = '\0';
		return refuse_write(e, "webhook_attempt_done");
	}
	return st->ops->webhook_attempt_done(state_out, st, o, e);
}

int
store_webhook_feed_open(struct audit_feed **out, struct store *st, struct err *e)
{
	*out = NULL;
	return st->ops->webhook_feed_open(out, st, e);
}

void
webhook_claim_list_free(struct webhook_claim_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->rows[i].data);
	free(l->rows);
	l->rows = NULL;
	l->n = 0;
}
