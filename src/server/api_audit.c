/* api_audit.c - the routes of the audit log: pages, events, verification, streams: each route's parsing, store call
 * and reply (its permission is its row in routes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_limit.h"
#include "core/json_text.h"
#include "core/text.h"
#include "core/validate.h"
#include "server/api.h"

/* ---- audit, alerts, health, export ------------------------------------------------ */

static void
h_audit_list(struct req *r, struct reply *rp, const char *tenant)
{
	struct audit_query q = { 0 };
	struct audit_entry_list l;
	int64_t after, before, limit;
	struct err e;

	if (api_query_int(r, "after", 0, INT64_MAX, 0, &after, &e) < 0
	    || api_query_int(r, "before", 0, INT64_MAX, 0, &before, &e) < 0
	    || api_query_int(r, "limit", 1, 1000, 100, &limit, &e) < 0)
		return api_fail(rp, &e);
	q.after_seq = after;
	q.before_seq = before;
	q.limit = (int)limit;
	q.newest = api_query_flag(r, "newest");
	q.action = req_query(r, "action");
	q.actor = req_query(r, "actor");
	q.cursor = req_query(r, "cursor");
	if (api_query_time(&q.since, r, "since", &e) < 0)
		return api_fail(rp, &e);
	if (req_query(r, "since") && !q.cursor) {
		err_field(&e, "since", "since goes with cursor");
		return api_fail(rp, &e);
	}
	if (q.cursor && (after || before || q.newest)) {
		err_field(&e, "cursor", "cursor does not go with after, before or newest");
		return api_fail(rp, &e);
	}
	if (q.action && !*q.action)
		q.action = NULL;
	if (q.actor && !*q.actor)
		q.actor = NULL;
	if (OP(r, audit_list, &l, r->st, tenant, &q, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, api_items(LIST_JSON(audit_entry, &l), l.next));
	audit_entry_list_free(&l);
}

static void
h_audit_event(struct req *r, struct reply *rp, const char *tenant)
{
	json_t *b = api_body(r, rp), *detail;
	const char *action, *rtype, *rid;
	char *detail_text = NULL;
	struct err e;
	int rc;

	if (!b)
		return;
	if (api_member_str(&action, b, "action", true, &e) < 0
	    || api_member_str(&rtype, b, "resource_type", false, &e) < 0
	    || api_member_str(&rid, b, "resource_id", false, &e) < 0)
		return api_fail(rp, &e);
	detail = json_object_get(b, "detail");
	if (detail && !json_is_null(detail)) {
		if (!json_is_object(detail)) {
			err_field(&e, "detail", "detail must be an object");
			return api_fail(rp, &e);
		}
		if (json_value_text(&detail_text, detail, "detail", &e) < 0)
			return api_fail(rp, &e);
	}
	rc = OP(r, audit_event, r->st, tenant, action, rtype ? rtype : "", rid ? rid : "",
		detail_text, &e);
	free(detail_text);
	api_no_content(rp, rc, &e);
}

static void
h_audit_verify(struct req *r, struct reply *rp, const char *tenant)
{
	struct audit_verdict v;
	struct err e;

	if (OP(r, audit_verify, &v, r->st, tenant, &e) < 0)
		return api_fail(rp, &e);
	reply_json(rp, 200, audit_verdict_to_json(&v));
}

void
api_audit_all(struct req *r, struct reply *rp)
{
	h_audit_list(r, rp, NULL);
}

void
api_audit_all_event(struct req *r, struct reply *rp)
{
	h_audit_event(r, rp, NULL);
}

void
api_audit_all_verify(struct req *r, struct reply *rp)
{
	h_audit_verify(r, rp, NULL);
}

void
api_audit_all_stream(struct req *r, struct reply *rp)
{
	sse_start(r, rp, NULL);
}

void
api_audit_list(struct req *r, struct reply *rp)
{
	h_audit_list(r, rp, api_tenant(r));
}

void
api_audit_event(struct req *r, struct reply *rp)
{
	h_audit_event(r, rp, api_tenant(r));
}

void
api_audit_stream(struct req *r, struct reply *rp)
{
	sse_start(r, rp, api_tenant(r));
}

void
api_audit_verify(struct req *r, struct reply *rp)
{
	h_audit_verify(r, rp, api_tenant(r));
}
