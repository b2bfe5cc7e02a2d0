/* store_rest_audit.c - the audit log and quota alerts over tenantryd
 * (routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/text.h"
#include "core/validate.h"
#include "store/store_rest.h"

REST_ONE(audit_verdict)
REST_LIST(audit_entry)
REST_LIST(alert)
REST_LIST(alert_group)

/* ---- audit ----------------------------------------------------------------------------- */

/* The route of one tenant (one) or of every chain the caller sees (all). */
static void
tenant_or_all(struct rest_path *p, const char *tenant, enum route_id one, enum route_id all)
{
	if (tenant)
		rest_route(p, one, tenant);
	else
		rest_route(p, all);
}

static int
rest_audit_list(struct audit_entry_list *out, struct store *st, const char *tenant,
		const struct audit_query *q, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	if ((q->action && validate_utf8(q->action, "action", e) < 0)
	    || (q->actor && validate_utf8(q->actor, "actor", e) < 0))
		return -1;
	tenant_or_all(&p, tenant, ROUTE_AUDIT_LIST, ROUTE_AUDIT_ALL);
	if (q->after_seq)
		rest_query_i64(&p, "after", q->after_seq);
	if (q->before_seq)
		rest_query_i64(&p, "before", q->before_seq);
	if (q->limit)
		rest_query_i64(&p, "limit", q->limit);
	if (q->newest)
		rest_query(&p, "newest", "1");
	rest_query(&p, "action", q->action);
	rest_query(&p, "actor", q->actor);
	rest_query(&p, "cursor", q->cursor);
	if (q->since) {
		char t[40];

		time_format(t, sizeof t, q->since);
		rest_query(&p, "since", t);
	}
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return audit_entry_items(out, reply, e);
}

static int
rest_audit_event(struct store *st, const char *tenant, const char *action, const char *rtype,
		 const char *rid, const char *detail, struct err *e)
{
	struct rest_path p;
	json_t *body, *d = NULL;

	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	if (!action || !*action)
		return err_field(e, "action", "action missing");
	if (detail && !(d = json_loads(detail, JSON_DECODE_ANY, NULL)))
		return err_set(e, ERR_BAD_JSON, "detail is not valid JSON");
	if (!(body = json_object())) {
		json_decref(d);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	if (d)
		json_object_set_new(body, "detail", d);
	if (rest_set_str(body, "action", action, "action", e) < 0
	    || rest_set_str(body, "resource_type", rtype, "resource_type", e) < 0
	    || rest_set_str(body, "resource_id", rid, "resource_id", e) < 0) {
		json_decref(body);
		return -1;
	}
	tenant_or_all(&p, tenant, ROUTE_AUDIT_EVENT, ROUTE_AUDIT_ALL_EVENT);
	return rest_call(rest_of(st), &p, body, NULL, e);
}

static int
rest_audit_verify(struct audit_verdict *out, struct store *st, const char *tenant, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	tenant_or_all(&p, tenant, ROUTE_AUDIT_VERIFY, ROUTE_AUDIT_ALL_VERIFY);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return audit_verdict_reply(out, reply, e);
}

/* ---- alerts ---------------------------------------------------------------------- */

/* ?since=, when since is a time. */
static void
query_since(struct rest_path *p, usec_t since)
{
	char t[40];

	if (!since)
		return;
	time_format(t, sizeof t, since);
	rest_query(p, "since", t);
}

static int
rest_alert_list(struct alert_list *out, struct store *st, const char *tenant, bool open_only,
		usec_t since, const char *resource, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	if (tenant && !*tenant)
		return err_field(e, "tenant", "tenant missing");
	tenant_or_all(&p, tenant, ROUTE_ALERTS_LIST, ROUTE_ALERTS_ALL);
	if (open_only)
		rest_query(&p, "open", "1");
	if (resource)
		rest_query(&p, "resource", resource);
	query_since(&p, since);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return alert_items(out, reply, e);
}

static int
rest_alert_ack(struct store *st, const char *tenant, const char *alert, struct err *e)
{
	struct rest_path p;

	REST_NEED_TENANT(tenant, e);
	if (!alert || !*alert)
		return err_field(e, "alert", "alert missing");
	rest_route(&p, ROUTE_ALERT_ACK, tenant, alert);
	return rest_call(rest_of(st), &p, NULL, NULL, e);
}

static int
rest_alert_groups(struct alert_group_list *out, struct store *st, usec_t since, struct err *e)
{
	struct rest_path p;
	json_t *reply;

	memset(out, 0, sizeof *out);
	rest_route(&p, ROUTE_ALERT_GROUPS);
	query_since(&p, since);
	if (rest_call(rest_of(st), &p, NULL, &reply, e) < 0)
		return -1;
	return alert_group_items(out, reply, e);
}

void
rest_ops_audit(struct store_ops *ops)
{
	ops->audit_list = rest_audit_list;
	ops->audit_event = rest_audit_event;
	ops->audit_verify = rest_audit_verify;
	ops->alert_list = rest_alert_list;
	ops->alert_ack = rest_alert_ack;
	ops->alert_groups = rest_alert_groups;
	ops->audit_verify_all = store_verify_each;
}
