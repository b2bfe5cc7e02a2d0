/* json.c - JSON codecs of the records of types.h (json.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/json_read.h"
#include "core/text.h"
#include "core/validate.h"

#define I(v) ((json_int_t)(v))

json_t *
tier_to_json(const struct tier *t)
{
	return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:i, "
			 "s:o}",
			 "name", t->name, "display_name", t->display_name, "rank", t->rank,
			 "price_cents", I(t->price_cents), "max_users", I(t->max_users),
			 "storage_limit_bytes", I(t->storage_limit_bytes), "api_calls_per_hour",
			 I(t->api_calls_per_hour), "max_api_keys", I(t->max_api_keys),
			 "invitations_per_day", I(t->invitations_per_day), "trial_days",
			 t->trial_days, "features", feature_mask_to_json(t->features));
}

int
tier_from_json(struct tier *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "name", out->name, sizeof out->name);
	rd_str(&r, "display_name", out->display_name, sizeof out->display_name);
	rd_int(&r, "rank", &out->rank);
	rd_i64(&r, "price_cents", &out->price_cents);
	rd_i64(&r, "max_users", &out->max_users);
	rd_i64(&r, "storage_limit_bytes", &out->storage_limit_bytes);
	rd_i64(&r, "api_calls_per_hour", &out->api_calls_per_hour);
	rd_i64(&r, "max_api_keys", &out->max_api_keys);
	rd_i64(&r, "invitations_per_day", &out->invitations_per_day);
	rd_int(&r, "trial_days", &out->trial_days);
	rd_features(&r, "features", &out->features);
	return rd_done(&r);
}

/* ---- tenants ------------------------------------------------------------- */

/* The fields of a tenant that are plain text. */
static json_t *
tenant_texts(const struct tenant *t)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", t->id, "slug",
			 t->slug, "name", t->name, "domain", t->domain, "tier", t->tier,
			 "billing_email", t->billing_email, "billing_status", t->billing_status,
			 "contact_phone", t->contact_phone, "timezone", t->timezone, "locale",
			 t->locale);
}

json_t *
tenant_to_json(const struct tenant *t)
{
	json_t *j = tenant_texts(t);
	json_t *rest = json_pack(
	    "{s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:f, s:o, s:o, s:o, "
	    "s:o?, s:o?}",
	    "status", tenant_status_name(t->status), "trial_ends_at",
	    time_to_json(t->trial_ends_at), "deletion_due_at", time_to_json(t->deletion_due_at),
	    "created_at", time_to_json(t->created_at), "updated_at", time_to_json(t->updated_at),
	    "members", t->members, "health", t->health, "usage_peak", t->usage_peak, "health_as_of",
	    time_to_json(t->health_at), "features_on", feature_mask_to_json(t->features_on),
	    "features_off", feature_mask_to_json(t->features_off), "settings",
	    jtext_or_null(t->settings_json), "branding", jtext_or_null(t->branding_json));

	if (!j || !rest || json_object_update(j, rest) < 0
	    || (t->settings_json && json_is_null(json_object_get(j, "settings")))
	    || (t->branding_json && json_is_null(json_object_get(j, "branding")))) {
		json_decref(j);
		j = NULL;
	}
	json_decref(rest);
	return j;
}

int
tenant_from_json(struct tenant *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "id", out->id, sizeof out->id);
	rd_str(&r, "slug", out->slug, sizeof out->slug);
	rd_str(&r, "name", out->name, sizeof out->name);
	rd_str(&r, "domain", out->domain, sizeof out->domain);
	rd_str(&r, "tier", out->tier, sizeof out->tier);
	RD_ENUM(&r, "status", tenant_status_parse, &out->status);
	rd_time(&r, "trial_ends_at", &out->trial_ends_at);
	rd_time(&r, "deletion_due_at", &out->deletion_due_at);
	rd_time(&r, "created_at", &out->created_at);
	rd_time(&r, "updated_at", &out->updated_at);
	rd_int(&r, "members", &out->members);
	rd_int(&r, "health", &out->health);
	rd_real(&r, "usage_peak", &out->usage_peak);
	rd_time(&r, "health_as_of", &out->health_at);
	rd_str(&r, "billing_email", out->billing_email, sizeof out->billing_email);
	rd_str(&r, "billing_status", out->billing_status, sizeof out->billing_status);
	rd_str(&r, "contact_phone", out->contact_phone, sizeof out->contact_phone);
	rd_str(&r, "timezone", out->timezone, sizeof out->timezone);
	rd_str(&r, "locale", out->locale, sizeof out->locale);
	rd_features(&r, "features_on", &out->features_on);
	rd_features(&r, "features_off", &out->features_off);
	rd_json_text(&r, "settings", &out->settings_json);
	rd_json_text(&r, "branding", &out->branding_json);
	if (rd_done(&r) == 0)
		return 0;
	free(out->settings_json);
	free(out->branding_json);
	out->settings_json = out->branding_json = NULL;
	return -1;
}

/* ---- members and invitations --------------------------------------------- */

json_t *
member_to_json(const struct member *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o}", "tenant_id", m->tenant_id,
			 "user_id", m->user_id, "email", m->email, "full_name", m->full_name,
			 "role", member_role_name(m->role), "permissions",
			 perm_overrides_to_json(&m->over), "active", m->active, "joined_at",
			 time_to_json(m->joined_at), "last_active_at",
			 time_to_json(m->last_active_at));
}

int
member_from_json(struct member *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "user_id", out->user_id, sizeof out->user_id);
	rd_str(&r, "email", out->email, sizeof out->email);
	rd_str(&r, "full_name", out->full_name, sizeof out->full_name);
	RD_ENUM(&r, "role", member_role_parse, &out->role);
	rd_overrides(&r, "permissions", &out->over);
	rd_bool(&r, "active", &out->active);
	rd_time(&r, "joined_at", &out->joined_at);
	rd_time(&r, "last_active_at", &out->last_active_at);
	return rd_done(&r);
}

json_t *
invite_row_to_json(const struct invite_row *v)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "email", v->email, "role",
			      member_role_name(v->role), "result", invite_outcome_name(v->outcome));

	if (j && v->detail[0])
		json_object_set_new(j, "detail", json_string(v->detail));
	if (j && v->outcome == INVITE_SENT) {
		json_object_set_new(j, "invitation", invitation_to_json(&v->invitation));
		json_object_set_new(j, "token", json_string(v->token));
	}
	return j;
}

int
invite_row_from_json(struct invite_row *out, json_t *j, struct err *e)
{
	struct rd r;
	json_t *inv = json_object_get(j, "invitation");

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "email", out->email, sizeof out->email);
	RD_ENUM(&r, "role", member_role_parse, &out->role);
	RD_ENUM(&r, "result", invite_outcome_parse, &out->outcome);
	if (json_is_string(json_object_get(j, "detail")))
		rd_str(&r, "detail", out->detail, sizeof out->detail);
	if (out->outcome == INVITE_SENT)
		rd_str(&r, "token", out->token, sizeof out->token);
	if (rd_done(&r) < 0)
		return -1;
	if (out->outcome == INVITE_SENT && invitation_from_json(&out->invitation, inv, e) < 0)
		return -1;
	return 0;
}

json_t *
invitation_to_json(const struct invitation *v)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "tenant_id", v->tenant_id,
			 "id", v->id, "email", v->email, "role", member_role_name(v->role),
			 "invited_by", v->invited_by, "created_at", time_to_json(v->created_at),
			 "expires_at", time_to_json(v->expires_at), "accepted_at",
			 time_to_json(v->accepted_at), "revoked_at", time_to_json(v->revoked_at));
}

int
invitation_from_json(struct invitation *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "id", out->id, sizeof out->id);
	rd_str(&r, "email", out->email, sizeof out->email);
	RD_ENUM(&r, "role", member_role_parse, &out->role);
	rd_str(&r, "invited_by", out->invited_by, sizeof out->invited_by);
	rd_time(&r, "created_at", &out->created_at);
	rd_time(&r, "expires_at", &out->expires_at);
	rd_time(&r, "accepted_at", &out->accepted_at);
	rd_time(&r, "revoked_at", &out->revoked_at);
	return rd_done(&r);
}

/* ---- quotas and usage ---------------------------------------------------- */

json_t *
quota_to_json(const struct quota *q)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:o, s:o}", "resource", q->resource, "limit",
			 I(q->limit), "used", I(q->used), "window", quota_window_name(q->window),
			 "window_start", time_to_json(q->window_start), "forecast",
			 forecast_to_json(&q->forecast));
}

void
rd_quota(struct rd *r, struct quota *out)
{
	rd_str(r, "resource", out->resource, sizeof out->resource);
	rd_i64(r, "limit", &out->limit);
	rd_i64(r, "used", &out->used);
	RD_ENUM(r, "window", quota_window_parse, &out->window);
	rd_time(r, "window_start", &out->window_start);
	rd_forecast(r, "forecast", &out->forecast);
}

int
quota_from_json(struct quota *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_quota(&r, out);
	return rd_done(&r);
}

json_t *
usage_day_to_json(const struct usage_day *u)
{
	return json_pack("{s:s, s:s, s:I}", "resource", u->resource, "day", u->day, "amount",
			 I(u->amount));
}

int
usage_day_from_json(struct usage_day *out, json_t *j, struct err *e)
{
	struct rd r;
	usec_t t;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "resource", out->resource, sizeof out->resource);
	rd_str(&r, "day", out->day, sizeof out->day);
	if (rd_done(&r) == 0
	    && (strlen(out->day) != 10 || time_parse(&t, out->day, "day", NULL) < 0))
		rd_fail(&r, "day", "expected a day like 2026-11-22");
	rd_i64(&r, "amount", &out->amount);
	return rd_done(&r);
}

json_t *
usage_summary_to_json(const struct usage_summary *u)
{
	return json_pack("{s:{s:I, s:I, s:o}, s:{s:f, s:f, s:o}, s:{s:I, s:I, s:o}}", "users",
			 "current", I(u->users_current), "limit", I(u->users_limit), "forecast",
			 forecast_to_json(&u->users_forecast), "storage", "used_gb",
			 u->storage_used_gb, "limit_gb", u->storage_limit_gb, "forecast",
			 forecast_to_json(&u->storage_forecast), "api_calls", "today",
			 I(u->api_calls_today), "limit", I(u->api_calls_limit), "forecast",
			 forecast_to_json(&u->api_calls_forecast));
}

int
usage_summary_from_json(struct usage_summary *out, json_t *j, struct err *e)
{
	struct rd r, users, storage, calls;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_child(&users, &r, "users");
	rd_i64(&users, "current", &out->users_current);
	rd_i64(&users, "limit", &out->users_limit);
	rd_forecast(&users, "forecast", &out->users_forecast);
	rd_child(&storage, &r, "storage");
	rd_real(&storage, "used_gb", &out->storage_used_gb);
	rd_real(&storage, "limit_gb", &out->storage_limit_gb);
	rd_forecast(&storage, "forecast", &out->storage_forecast);
	rd_child(&calls, &r, "api_calls");
	rd_i64(&calls, "today", &out->api_calls_today);
	rd_i64(&calls, "limit", &out->api_calls_limit);
	rd_forecast(&calls, "forecast", &out->api_calls_forecast);
	return rd_done(&r);
}

/* ---- settings and API keys ----------------------------------------------- */

json_t *
setting_to_json(const struct setting *s)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:o, s:o, s:s}", "key", s->key, "type",
			 setting_type_name(s->type), "encrypted", s->encrypted, "revealed",
			 s->revealed, "value", jstr_or_null(s->value), "updated_at",
			 time_to_json(s->updated_at), "updated_by", s->updated_by);
}

int
setting_from_json(struct setting *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "key", out->key, sizeof out->key);
	RD_ENUM(&r, "type", setting_type_parse, &out->type);
	rd_bool(&r, "encrypted", &out->encrypted);
	rd_bool(&r, "revealed", &out->revealed);
	rd_time(&r, "updated_at", &out->updated_at);
	rd_str(&r, "updated_by", out->updated_by, sizeof out->updated_by);
	rd_strdup(&r, "value", &out->value);
	return rd_done(&r);
}

json_t *
api_key_to_json(const struct api_key *k)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, "
			 "s:o}",
			 "tenant_id", k->tenant_id, "id", k->id, "prefix", k->prefix, "name",
			 k->name, "scopes", scope_mask_to_json(k->scopes), "created_by",
			 k->created_by, "created_at", time_to_json(k->created_at), "expires_at",
			 time_to_json(k->expires_at), "last_used_at", time_to_json(k->last_used_at),
			 "revoked_at", time_to_json(k->revoked_at));
}

int
api_key_from_json(struct api_key *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "id", out->id, sizeof out->id);
	rd_str(&r, "prefix", out->prefix, sizeof out->prefix);
	rd_str(&r, "name", out->name, sizeof out->name);
	rd_scopes(&r, "scopes", &out->scopes);
	rd_str(&r, "created_by", out->created_by, sizeof out->created_by);
	rd_time(&r, "created_at", &out->created_at);
	rd_time(&r, "expires_at", &out->expires_at);
	rd_time(&r, "last_used_at", &out->last_used_at);
	rd_time(&r, "revoked_at", &out->revoked_at);
	return rd_done(&r);
}

json_t *
view_session_to_json(const struct view_session *v)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o}", "id", v->id,
			 "tenant_id", v->tenant_id, "staff", v->staff, "role",
			 member_role_name(v->role), "reason", v->reason, "started_at",
			 time_to_json(v->started_at), "ends_at", time_to_json(v->ends_at),
			 "ended_at", time_to_json(v->ended_at), "ended_by", v->ended_by, "member",
			 v->member[0] ? json_string(v->member) : json_null(), "permissions",
			 perm_overrides_to_json(&v->over));
}

int
view_session_from_json(struct view_session *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "id", out->id, sizeof out->id);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "staff", out->staff, sizeof out->staff);
	RD_ENUM(&r, "role", member_role_parse, &out->role);
	rd_str(&r, "reason", out->reason, sizeof out->reason);
	rd_time(&r, "started_at", &out->started_at);
	rd_time(&r, "ends_at", &out->ends_at);
	rd_time(&r, "ended_at", &out->ended_at);
	rd_str(&r, "ended_by", out->ended_by, sizeof out->ended_by);
	if (json_is_string(json_object_get(j, "member"))) /* null: a bare role */
		rd_str(&r, "member", out->member, sizeof out->member);
	rd_overrides(&r, "permissions", &out->over);
	return rd_done(&r);
}

/* ---- audit and alerts ---------------------------------------------------- */

json_t *
audit_entry_to_json(const struct audit_entry *a)
{
	json_t *j = json_pack(
	    "{s:s, s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o?, s:o?, "
	    "s:o, s:s, s:s}",
	    "tenant_id", a->tenant_id, "seq", I(a->seq), "at", time_to_json(a->at), "actor",
	    a->actor, "actor_kind", a->actor_kind, "action", a->action, "resource_type",
	    a->resource_type, "resource_id", a->resource_id, "label", a->label, "ip", a->ip, "old",
	    jtext_or_null(a->old_json), "new", jtext_or_null(a->new_json), "user_agent",
	    jstr_or_null(a->user_agent), "hash", a->hash, "cursor", a->cursor);

	if (j
	    && ((a->old_json && json_is_null(json_object_get(j, "old")))
		|| (a->new_json && json_is_null(json_object_get(j, "new"))))) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

int
audit_entry_from_json(struct audit_entry *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_i64(&r, "seq", &out->seq);
	rd_time(&r, "at", &out->at);
	rd_str(&r, "actor", out->actor, sizeof out->actor);
	rd_str(&r, "actor_kind", out->actor_kind, sizeof out->actor_kind);
	rd_str(&r, "action", out->action, sizeof out->action);
	rd_str(&r, "resource_type", out->resource_type, sizeof out->resource_type);
	rd_str(&r, "resource_id", out->resource_id, sizeof out->resource_id);
	rd_str(&r, "ip", out->ip, sizeof out->ip);
	rd_str(&r, "hash", out->hash, sizeof out->hash);
	rd_json_text(&r, "old", &out->old_json);
	rd_json_text(&r, "new", &out->new_json);
	rd_strdup(&r, "user_agent", &out->user_agent);
	if (rd_done(&r) == 0) {
		/* optional: servers before 052_audit_actions send no label */
		const char *label = json_string_value(json_object_get(j, "label"));

		if (label)
			utf8_copy(out->label, sizeof out->label, label, strlen(label));
	}
	if (rd_done(&r) == 0) {
		/* optional: servers before the audit cursor do not send it */
		const char *cursor = json_string_value(json_object_get(j, "cursor"));

		snprintf(out->cursor, sizeof out->cursor, "%s", cursor ? cursor : "");
		return 0;
	}
	free(out->old_json);
	free(out->new_json);
	free(out->user_agent);
	out->old_json = out->new_json = out->user_agent = NULL;
	return -1;
}

json_t *
alert_to_json(const struct alert *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s, s:o}", "tenant_id",
			 a->tenant_id, "slug", a->slug, "id", a->id, "kind", a->kind, "resource",
			 a->resource, "threshold", a->threshold, "at", time_to_json(a->at),
			 "acknowledged_at", time_to_json(a->acknowledged_at), "acknowledged_by",
			 a->acknowledged_by, "forecast", forecast_to_json(&a->forecast));
}

json_t *
alert_group_to_json(const struct alert_group *g)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:o, s:s}", "tenant_id", g->tenant_id,
			 "slug", g->slug, "kind", g->kind, "resource", g->resource, "threshold",
			 g->threshold, "count", g->count, "open", g->open, "latest",
			 time_to_json(g->latest), "acknowledged_by", g->acked_by);
}

int
alert_group_from_json(struct alert_group *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "slug", out->slug, sizeof out->slug);
	rd_str(&r, "kind", out->kind, sizeof out->kind);
	rd_str(&r, "resource", out->resource, sizeof out->resource);
	rd_int(&r, "threshold", &out->threshold);
	rd_int(&r, "count", &out->count);
	rd_int(&r, "open", &out->open);
	rd_time(&r, "latest", &out->latest);
	rd_str(&r, "acknowledged_by", out->acked_by, sizeof out->acked_by);
	return rd_done(&r);
}

int
alert_from_json(struct alert *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_str(&r, "tenant_id", out->tenant_id, sizeof out->tenant_id);
	rd_str(&r, "id", out->id, sizeof out->id);
	rd_str(&r, "kind", out->kind, sizeof out->kind);
	rd_str(&r, "resource", out->resource, sizeof out->resource);
	rd_int(&r, "threshold", &out->threshold);
	rd_time(&r, "at", &out->at);
	rd_time(&r, "acknowledged_at", &out->acknowledged_at);
	rd_str(&r, "acknowledged_by", out->acknowledged_by, sizeof out->acknowledged_by);
	rd_forecast(&r, "forecast", &out->forecast);
	if (rd_done(&r) < 0)
		return -1;
	/* optional: servers before the slug do not send it */
	{
		const char *slug = json_string_value(json_object_get(j, "slug"));

		snprintf(out->slug, sizeof out->slug, "%s", slug ? slug : "");
	}
	return 0;
}
