/* json_webhooks.c - webhook endpoints and delivery attempts as JSON
 * (tenantryd's answers, the REST store's reading of them). */
#include <string.h>

#include "core/json.h"
#include "core/json_read.h"
#include "core/webhooks.h"

json_t *
webhook_to_json(const struct webhook *w)
{
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:i, s:o, s:I, s:o, s:s}",
			 "tenant_id", w->tenant_id[0] ? json_string(w->tenant_id) : json_null(),
			 "tenant_slug", w->tenant_slug, "id", w->id, "url", w->url, "description",
			 w->description, "events", w->event_types, "enabled", w->enabled,
			 "disabled_at", time_to_json(w->disabled_at), "disabled_reason",
			 w->disabled_reason, "failures", w->failures, "last_success_at",
			 time_to_json(w->last_success_at), "pending", (json_int_t)w->pending,
			 "created_at", time_to_json(w->created_at), "created_by", w->created_by);
}

int
webhook_from_json(struct webhook *out, json_t *j, struct err *e)
{
	struct rd r;
	json_t *t = json_is_object(j) ? json_object_get(j, "tenant_id") : NULL;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	if (t && !json_is_null(t))
		rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "tenant_slug", out->tenant_slug, sizeof out->tenant_slug);
	rd_str(&r, "id", out->id, sizeof out->id);
	rd_str(&r, "url", out->url, sizeof out->url);
	rd_str(&r, "description", out->description, sizeof out->description);
	rd_str(&r, "events", out->event_types, sizeof out->event_types);
	rd_bool(&r, "enabled", &out->enabled);
	rd_time(&r, "disabled_at", &out->disabled_at);
	rd_str(&r, "disabled_reason", out->disabled_reason, sizeof out->disabled_reason);
	rd_int(&r, "failures", &out->failures);
	rd_time(&r, "last_success_at", &out->last_success_at);
	rd_i64(&r, "pending", &out->pending);
	rd_time(&r, "created_at", &out->created_at);
	rd_str(&r, "created_by", out->created_by, sizeof out->created_by);
	return rd_done(&r);
}

json_t *
webhook_attempt_to_json(const struct webhook_attempt *a)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:i, s:s, s:s, s:s}", "event_id",
			 a->event_id, "event_type", a->event_type, "event_tenant", a->event_tenant,
			 "attempt", a->attempt, "at", time_to_json(a->at), "status",
			 a->status ? json_integer(a->status) : json_null(), "latency_ms",
			 a->latency_ms, "error", a->error, "response", a->response, "state",
			 a->state);
}

int
webhook_attempt_from_json(struct webhook_attempt *out, json_t *j, struct err *e)
{
	struct rd r;
	json_t *st = json_is_object(j) ? json_object_get(j, "status") : NULL;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "event_id", out->event_id, sizeof out->event_id);
	rd_str(&r, "event_type", out->event_type, sizeof out->event_type);
	rd_str(&r, "event_tenant", out->event_tenant, sizeof out->event_tenant);
	rd_int(&r, "attempt", &out->attempt);
	rd_time(&r, "at", &out->at);
	if (st && !json_is_null(st))
		rd_int(&r, "status", &out->status);
	rd_int(&r, "latency_ms", &out->latency_ms);
	rd_str(&r, "error", out->error, sizeof out->error);
	rd_str(&r, "response", out->response, sizeof out->response);
	rd_str(&r, "state", out->state, sizeof out->state);
	return rd_done(&r);
}
