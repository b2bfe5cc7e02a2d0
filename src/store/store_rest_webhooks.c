/* store_rest_webhooks.c - webhook endpoints over tenantryd (routes.h).
 * Delivering is tenantryd's own (ERR_METHOD here). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "store/store_rest.h"

REST_ONE(webhook)
REST_LIST(webhook)
REST_LIST(webhook_attempt)

static int
rest_webhook_list(struct webhook_list *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && *tenant)
		rest_route(&p, ROUTE_TENANT_WEBHOOKS_LIST, tenant);
	else
		rest_route(&p, ROUTE_WEBHOOKS_ALL);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return webhook_items(out, reply, e);
}

static int
rest_webhook_create(struct webhook *out, char secret_out[WEBHOOK_SECRET_LEN], struct store *st,
		    const struct webhook_new *n, struct err *e)
{
	struct rest_path p;
	json_t *body = json_object(), *reply;
	const char *secret;

	memset(out, 0, sizeof *out);
	secret_out[0] = '\0';
	if (!body)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (rest_set_str(body, "url", n->url ? n->url : "", "url", e) < 0
	    || (n->description
		&& rest_set_str(body, "description", n->description, "description", e) < 0)
	    || (n->event_types && rest_set_str(body, "events", n->event_types, "events", e) < 0)) {
		json_decref(body);
		return -1;
	}
	if (n->tenant && *n->tenant)
		rest_route(&p, ROUTE_TENANT_WEBHOOKS_CREATE, n->tenant);
	else
		rest_route(&p, ROUTE_WEBHOOKS_PLATFORM_CREATE);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	secret = json_string_value(json_object_get(reply, "secret"));
	if (!secret || strlen(secret) >= WEBHOOK_SECRET_LEN) {
		json_decref(reply);
		return rest_bad_reply(e, "webhook endpoint", NULL);
	}
	snprintf(secret_out, WEBHOOK_SECRET_LEN, "%s", secret);
	if (webhook_reply(out, reply, e) < 0) {
		memset(secret_out, 0, WEBHOOK_SECRET_LEN);
		return -1;
	}
	return 0;
}

static int
rest_webhook_delete(struct store *st, const char *id, struct err *e)
{
	struct rest_path p;

	if (!id || !*id)
		return err_field(e, "id", "endpoint id missing");
	rest_route(&p, ROUTE_WEBHOOK_DELETE, id);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

static int
rest_webhook_set_enabled(struct webhook *out, struct store *st, const char *id, bool enabled,
			 struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (!id || !*id)
		return err_field(e, "id", "endpoint id missing");
	rest_route(&p, ROUTE_WEBHOOK_UPDATE, id);
	if (rest_call(rest_of(st), &p, json_pack("{s:b}", "enabled", enabled), &reply, e) < 0)
		return -1;
	return webhook_reply(out, reply, e);
}

static int
rest_webhook_test(char event_out[ID_LEN], struct store *st, const char *id, struct err *e)
{
	struct rest_path p;
	json_t *reply;
	const char *ev;

	event_out[0] = '\0';
	if (!id || !*id)
		return err_field(e, "id", "endpoint id missing");
	rest_route(&p, ROUTE_WEBHOOK_TEST, id);
	if (rest_call(rest_of(st), &p, json_object(), &reply, e) < 0)
		return -1;
	ev = json_string_value(json_object_get(reply, "event_id"));
	if (!ev || strlen(ev) >= ID_LEN) {
		json_decref(reply);
		return rest_bad_reply(e, "webhook test", NULL);
	}
	snprintf(event_out, ID_LEN, "%s", ev);
	json_decref(reply);
	return 0;
}

static int
rest_webhook_attempts(struct webhook_attempt_list *out, struct store *st, const char *id, int limit,
		      struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (!id || !*id)
		return err_field(e, "id", "endpoint id missing");
	rest_route(&p, ROUTE_WEBHOOK_DELIVERIES, id);
	rest_query_i64(&p, "limit", limit < 1 || limit > 1000 ? 100 : limit);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return webhook_attempt_items(out, reply, e);
}

static int
rest_webhook_redeliver(struct store *st, const char *id, const char *event, struct err *e)
{
	struct rest_path p;
	json_t *reply = NULL, *body = json_object();

	if (!id || !*id)
		return err_field(e, "id", "endpoint id missing");
	if (!body || rest_set_str(body, "event_id", event ? event : "", "event_id", e) < 0) {
		json_decref(body);
		return body ? -1 : err_set(e, ERR_INTERNAL, "out of memory");
	}
	rest_route(&p, ROUTE_WEBHOOK_REDELIVER, id);
	if (rest_call(rest_of(st), &p, body, &reply, e) < 0)
		return -1;
	json_decref(reply);
	return 0;
}

static int
rest_webhook_claim(struct webhook_claim_list *out, struct store *st, const char *runner, int limit,
		   int lease_s, struct err *e)
{
	(void)st;
	(void)runner;
	(void)limit;
	(void)lease_s;
	memset(out, 0, sizeof *out);
	return rest_over_db(e, "delivering webhooks");
}

static int
rest_webhook_attempt_done(char state_out[WEBHOOK_STATE_LEN], struct store *st,
			  const struct webhook_outcome *o, struct err *e)
{
	(void)st;
	(void)o;
	state_out[0] = '\0';
	return rest_over_db(e, "delivering webhooks");
}

static int
rest_webhook_feed_open(struct audit_feed **out, struct store *st, struct err *e)
{
	(void)st;
	*out = NULL;
	return rest_over_db(e, "delivering webhooks");
}

void
rest_ops_webhooks(struct store_ops *ops)
{
	ops->webhook_list = rest_webhook_list;
	ops->webhook_create = rest_webhook_create;
	ops->webhook_delete = rest_webhook_delete;
	ops->webhook_set_enabled = rest_webhook_set_enabled;
	ops->webhook_test = rest_webhook_test;
	ops->webhook_attempts = rest_webhook_attempts;
	ops->webhook_redeliver = rest_webhook_redeliver;
	ops->webhook_claim = rest_webhook_claim;
	ops->webhook_attempt_done = rest_webhook_attempt_done;
	ops->webhook_feed_open = rest_webhook_feed_open;
}
