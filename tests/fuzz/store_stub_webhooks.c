/* store_stub_webhooks.c - the webhook and platform history operations of
 * the fuzz store: empty lists, ERR_NOT_FOUND for an endpoint or the
 * history, ERR_UNAVAILABLE for writes. */
#include <string.h>

#include "fuzz/store_stub.h"

int
stub_webhook_list(struct webhook_list *out, struct store *st, const char *tenant, struct err *e)
{
	(void)st, (void)tenant, (void)e;
	memset(out, 0, sizeof *out);
	return 0;
}

int
stub_webhook_create(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN], struct store *st,
		    const struct webhook_new *n, struct err *e)
{
	(void)st, (void)n;
	memset(out, 0, sizeof *out);
	secret_out[0] = '\0';
	return err_set(e, ERR_UNAVAILABLE, "the fuzz store writes nothing");
}

int
stub_webhook_id(struct store *st, const char *id, struct err *e)
{
	(void)st, (void)id;
	return err_set(e, ERR_NOT_FOUND, "nothing in the fuzz store");
}

int
stub_webhook_set_enabled(struct webhook *out, struct store *st, const char *id, bool enabled,
			 struct err *e)
{
	(void)enabled;
	memset(out, 0, sizeof *out);
	return stub_webhook_id(st, id, e);
}

int
stub_webhook_test(char event_out[ID_LEN], struct store *st, const char *id, struct err *e)
{
	event_out[0] = '\0';
	return stub_webhook_id(st, id, e);
}

int
stub_webhook_attempts(struct webhook_attempt_list *out, struct store *st, const char *id, int limit,
		      struct err *e)
{
	(void)limit;
	memset(out, 0, sizeof *out);
	return stub_webhook_id(st, id, e);
}

int
stub_webhook_redeliver(struct store *st, const char *id, const char *event, struct err *e)
{
	(void)event;
	return stub_webhook_id(st, id, e);
}

int
stub_webhook_claim(struct webhook_claim_list *out, struct store *st, const char *runner, int limit,
		   int lease_s, struct err *e)
{
	(void)st, (void)runner, (void)limit, (void)lease_s, (void)e;
	memset(out, 0, sizeof *out);
	return 0;
}

int
stub_webhook_attempt_done(char state_out[WEBHOOK_STATE_LEN], struct store *st,
			  const struct webhook_outcome *o, struct err *e)
{
	(void)st, (void)o;
	state_out[0] = '\0';
	return err_set(e, ERR_UNAVAILABLE, "the fuzz store writes nothing");
}

int
stub_webhook_feed_open(struct audit_feed **out, struct store *st, struct err *e)
{
	(void)st;
	*out = NULL;
	return err_set(e, ERR_UNAVAILABLE, "the fuzz store has no feed");
}

int
stub_alert_groups(struct alert_group_list *out, struct store *st, usec_t since, struct err *e)
{
	(void)st, (void)since, (void)e;
	memset(out, 0, sizeof *out);
	return 0;
}

int
stub_platform_history(struct platform_history *out, struct store *st, struct err *e)
{
	(void)st;
	memset(out, 0, sizeof *out);
	return err_set(e, ERR_NOT_FOUND, "nothing in the fuzz store");
}
