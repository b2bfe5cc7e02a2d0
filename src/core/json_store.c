/* json_store.c - JSON codecs of the health score, the platform overview and
 * the store's result structs (json.h). */
#include <string.h>

#include "core/health.h"
#include "core/json.h"
#include "core/json_read.h"

#define I(v) ((json_int_t)(v))

/* ---- health -------------------------------------------------------------- */

/* {"score": 82, "parts": {"engagement": {"value", "weight", "explain"}, ...}} */
json_t *
health_to_json(const struct health *h)
{
	json_t *parts = json_object();

	for (int p = 0; parts && p < HEALTH_PART_COUNT; p++) {
		json_t *part =
		    json_pack("{s:f, s:i, s:s}", "value", h->part[p], "weight",
			      health_part_weight((enum health_part)p), "explain", h->explain[p]);
		if (json_object_set_new(parts, health_part_name((enum health_part)p), part) < 0) {
			json_decref(parts);
			return NULL;
		}
	}
	return json_pack("{s:i, s:o}", "score", h->score, "parts", parts);
}

int
health_from_json(struct health *out, json_t *j, struct err *e)
{
	struct rd r, parts, part;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_int(&r, "score", &out->score);
	rd_child(&parts, &r, "parts");
	for (int p = 0; p < HEALTH_PART_COUNT; p++) {
		rd_child(&part, &parts, health_part_name((enum health_part)p));
		rd_real(&part, "value", &out->part[p]);
		rd_str(&part, "explain", out->explain[p], sizeof out->explain[p]);
	}
	return rd_done(&r);
}

/* ---- platform metrics ---------------------------------------------------- */

static json_t *
metrics_tiers(const struct platform_metrics *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->ntiers && i < METRICS_TIERS; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "tier", m->tiers[i].tier,
						       "tenants", I(m->tiers[i].tenants),
						       "mrr_cents", I(m->tiers[i].mrr_cents)))
		    < 0)
			goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}

static json_t *
metrics_nearest(const struct platform_metrics *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < m->nnearest && i < METRICS_NEAREST; i++)
		if (json_array_append_new(
			a, json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "tenant_id",
				     m->nearest[i].tenant_id, "slug", m->nearest[i].slug,
				     "resource", m->nearest[i].resource, "used",
				     I(m->nearest[i].used), "limit", I(m->nearest[i].limit),
				     "forecast", forecast_to_json(&m->nearest[i].forecast)))
		    < 0)
			goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}

json_t *
platform_metrics_to_json(const struct platform_metrics *m)
{
	json_t *by_status = json_object();

	for (int s = 0; by_status && s < TENANT_STATUS_COUNT; s++)
		if (json_object_set_new(by_status, tenant_status_name((enum tenant_status)s),
					json_integer(m->by_status[s]))
		    < 0) {
			json_decref(by_status);
			return NULL;
		}
	return json_pack("{s:I, s:o, s:o, s:I, s:o}", "tenants_total", I(m->tenants_total),
			 "by_status", by_status, "tiers", metrics_tiers(m), "open_alerts",
			 I(m->open_alerts), "nearest", metrics_nearest(m));
}

static void
metrics_read_tiers(struct rd *r, struct platform_metrics *out)
{
	json_t *a = rd_array(r, "tiers", METRICS_TIERS), *v;
	struct rd t;
	size_t i;

	json_array_foreach(a, i, v)
	{
		rd_element(&t, r, "tiers", i, v);
		rd_str(&t, "tier", out->tiers[i].tier, sizeof out->tiers[i].tier);
		rd_i64(&t, "tenants", &out->tiers[i].tenants);
		rd_i64(&t, "mrr_cents", &out->tiers[i].mrr_cents);
		out->ntiers = i + 1;
	}
}

static void
metrics_read_nearest(struct rd *r, struct platform_metrics *out)
{
	json_t *a = rd_array(r, "nearest", METRICS_NEAREST), *v;
	struct rd n;
	size_t i;

	json_array_foreach(a, i, v)
	{
		rd_element(&n, r, "nearest", i, v);
		rd_str(&n, "tenant_id", out->nearest[i].tenant_id,
		       sizeof out->nearest[i].tenant_id);
		rd_str(&n, "slug", out->nearest[i].slug, sizeof out->nearest[i].slug);
		rd_str(&n, "resource", out->nearest[i].resource, sizeof out->nearest[i].resource);
		rd_i64(&n, "used", &out->nearest[i].used);
		rd_i64(&n, "limit", &out->nearest[i].limit);
		rd_forecast(&n, "forecast", &out->nearest[i].forecast);
		out->nnearest = i + 1;
	}
}

int
platform_metrics_from_json(struct platform_metrics *out, json_t *j, struct err *e)
{
	struct rd r, by_status;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_i64(&r, "tenants_total", &out->tenants_total);
	rd_child(&by_status, &r, "by_status");
	for (int s = 0; s < TENANT_STATUS_COUNT; s++)
		rd_i64(&by_status, tenant_status_name((enum tenant_status)s), &out->by_status[s]);
	metrics_read_tiers(&r, out);
	rd_i64(&r, "open_alerts", &out->open_alerts);
	metrics_read_nearest(&r, out);
	return rd_done(&r);
}

/* ---- store results ------------------------------------------------------- */

json_t *
feature_state_to_json(const struct feature_state *f)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "tier", feature_mask_to_json(f->tier), "on",
			 feature_mask_to_json(f->on), "off", feature_mask_to_json(f->off),
			 "effective", feature_mask_to_json(f->effective));
}

int
feature_state_from_json(struct feature_state *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_features(&r, "tier", &out->tier);
	rd_features(&r, "on", &out->on);
	rd_features(&r, "off", &out->off);
	rd_features(&r, "effective", &out->effective);
	return rd_done(&r);
}

json_t *
tier_conflict_to_json(const struct tier_conflict *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n && i < RESOURCE_COUNT; i++)
		if (json_array_append_new(
			a, json_pack("{s:s, s:I, s:I}", "resource", c->rows[i].resource, "used",
				     I(c->rows[i].used), "limit", I(c->rows[i].limit)))
		    < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int
tier_conflict_from_json(struct tier_conflict *out, json_t *j, struct err *e)
{
	struct rd row, top = { .e = e };
	size_t i;
	json_t *v;

	memset(out, 0, sizeof *out);
	top.failed = &top.own_failed;
	if (!json_is_array(j) || json_array_size(j) > RESOURCE_COUNT)
		return err_field(e, "conflicts",
				 "conflicts: expected an array "
				 "of at most %d rows",
				 RESOURCE_COUNT);
	json_array_foreach(j, i, v)
	{
		rd_element(&row, &top, "conflicts", i, v);
		rd_str(&row, "resource", out->rows[i].resource, sizeof out->rows[i].resource);
		rd_i64(&row, "used", &out->rows[i].used);
		rd_i64(&row, "limit", &out->rows[i].limit);
		out->n = i + 1;
	}
	if (rd_done(&top) == 0)
		return 0;
	memset(out, 0, sizeof *out);
	return -1;
}

json_t *
audit_verdict_to_json(const struct audit_verdict *v)
{
	return json_pack("{s:I, s:I, s:s, s:s}", "entries", I(v->entries), "first_broken",
			 I(v->first_broken), "reason", v->reason, "head_hash", v->head_hash);
}

int
audit_verdict_from_json(struct audit_verdict *out, json_t *j, struct err *e)
{
	struct rd r;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_i64(&r, "entries", &out->entries);
	rd_i64(&r, "first_broken", &out->first_broken);
	rd_str(&r, "reason", out->reason, sizeof out->reason);
	rd_str(&r, "head_hash", out->head_hash, sizeof out->head_hash);
	return rd_done(&r);
}

json_t *
quota_result_to_json(const struct quota_result *q)
{
	return json_pack("{s:b, s:o}", "allowed", q->allowed, "quota", quota_to_json(&q->quota));
}

int
quota_result_from_json(struct quota_result *out, json_t *j, struct err *e)
{
	struct rd r, quota;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	rd_bool(&r, "allowed", &out->allowed);
	rd_child(&quota, &r, "quota");
	rd_quota(&quota, &out->quota);
	return rd_done(&r);
}
