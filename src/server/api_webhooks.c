/* api_webhooks.c - the routes of events and webhook endpoints: the event
 * types, endpoints (the platform's and a tenant's), enabling, testing,
 * the delivery log and redelivery. Each route's permission is its row in
 * routes.h; an endpoint's URL and address are checked (deliver.c) before
 * it is stored. */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/webhooks.h"
#include "server/api.h"
#include "server/deliver.h"

void
api_event_types(struct req *r, struct reply *rp)
{
	json_t *a = json_array();

	(void)r;
	for (int i = 0; a && i < EVENT_TYPE_COUNT; i++)
		json_array_append_new(
		    a, json_pack("{s:s, s:s}", "type", event_type_name((enum event_type)i),
				 "description", event_type_description((enum event_type)i)));
	reply_json(rp, 200, api_items(a, NULL));
}

static void
reply_list(struct reply *rp, const char *tenant, struct store *st)
{
	struct webhook_list l;
	struct err e;

	if (store_webhook_list(&l, st, tenant, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(webhook, &l), NULL));
	webhook_list_free(&l);
}

void
api_webhooks_all(struct req *r, struct reply *rp)
{
	reply_list(rp, NULL, r->st);
}

void
api_tenant_webhooks_list(struct req *r, struct reply *rp)
{
	reply_list(rp, api_tenant(r), r->st);
}

/* "events": a comma-separated string or an array of strings, into buf. */
static int
events_member(const char **out, char buf[WEBHOOK_TYPES_LEN], json_t *b, struct err *e)
{
	json_t *v = json_object_get(b, "events"), *x;
	size_t i, len = 0;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return 0;
	}
	if (!json_is_array(v))
		return err_field(e, "events", "a list of event types");
	buf[0] = '\0';
	json_array_foreach(v, i, x)
	{
		int n;

		if (!json_is_string(x))
			return err_field(e, "events", "a list of event types");
		n = snprintf(buf + len, WEBHOOK_TYPES_LEN - len, "%s%s", len ? "," : "",
			     json_string_value(x));
		if (n < 0 || len + (size_t)n >= WEBHOOK_TYPES_LEN)
			return err_field(e, "events", "too long");
		len += (size_t)n;
	}
	*out = buf;
	return 0;
}

static void
create(struct req *r, struct reply *rp, const char *tenant)
{
	json_t *b = api_body(r, rp), *j;
	struct webhook_new n = { .tenant = tenant };
	struct webhook w;
	char secret[WEBHOOK_SECRET_LEN], types[WEBHOOK_TYPES_LEN];
	struct err e;

	if (!b)
		return;
	if (api_member_str(&n.url, b, "url", true, &e) < 0
	    || api_member_str(&n.description, b, "description", false, &e) < 0
	    || events_member(&n.event_types, types, b, &e) < 0
	    || webhook_filter_check(n.event_types, &e) < 0
	    || deliver_check_url(NULL, n.url, false, &e) < 0)
		return api_fail(rp, &e);
	if (store_webhook_create(&w, secret, r->st, &n, &e) < 0)
		return api_fail(rp, &e);
	j = webhook_to_json(&w);
	if (j)
		json_object_set_new(j, "secret", json_string(secret));
	memset(secret, 0, sizeof secret);
	reply_json(rp, 201, j);
}

void
api_webhooks_platform_create(struct req *r, struct reply *rp)
{
	create(r, rp, NULL);
}

void
api_tenant_webhooks_create(struct req *r, struct reply *rp)
{
	create(r, rp, api_tenant(r));
}

void
api_webhook_update(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	struct webhook w;
	bool enabled = false;
	struct err e;

	if (!b)
		return;
	if (!json_object_get(b, "enabled")) {
		err_field(&e, "enabled", "enabled is required");
		return api_fail(rp, &e);
	}
	if (api_member_bool(&enabled, b, "enabled", &e) < 0
	    || store_webhook_set_enabled(&w, r->st, route_param(&r->match, "hook"), enabled, &e)
		   < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, webhook_to_json(&w));
}

void
api_webhook_delete(struct req *r, struct reply *rp)
{
	struct err e;
	int rc = store_webhook_delete(r->st, route_param(&r->match, "hook"), &e);

	api_no_content(rp, rc, &e);
}

void
api_webhook_test(struct req *r, struct reply *rp)
{
	char event[ID_LEN];
	struct err e;

	if (store_webhook_test(event, r->st, route_param(&r->match, "hook"), &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 202, json_pack("{s:s}", "event_id", event));
}

void
api_webhook_deliveries(struct req *r, struct reply *rp)
{
	struct webhook_attempt_list l;
	int64_t limit;
	struct err e;

	if (api_query_int(r, "limit", 1, 1000, 100, &limit, &e) < 0
	    || store_webhook_attempts(&l, r->st, route_param(&r->match, "hook"), (int)limit, &e)
		   < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(webhook_attempt, &l), NULL));
	webhook_attempt_list_free(&l);
}

void
api_webhook_redeliver(struct req *r, struct reply *rp)
{
	json_t *b = api_body(r, rp);
	const char *event;
	struct err e;

	if (!b)
		return;
	if (api_member_str(&event, b, "event_id", true, &e) < 0
	    || store_webhook_redeliver(r->st, route_param(&r->match, "hook"), event, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 202, json_pack("{s:s}", "event_id", event));
}
