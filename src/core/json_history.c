/* json_history.c - the platform's history as JSON (json_history.h). */
#include <stdio.h>
#include <string.h>

#include "core/json_history.h"
#include "core/json_read.h"

static json_t *
counts(const int64_t *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

json_t *
platform_history_to_json(const struct platform_history *h)
{
	json_t *by = json_object(), *churn = json_array();

	for (int s = 0; s < TENANT_STATUS_COUNT; s++)
		json_object_set_new(by, tenant_status_name((enum tenant_status)s),
				    counts(h->by_status[s], HISTORY_HOURS));
	for (int m = 0; m < HISTORY_MONTHS; m++)
		json_array_append_new(churn,
				      json_pack("{s:s, s:I, s:I, s:I}", "month", h->churn[m].month,
						"left", (json_int_t)h->churn[m].left, "upgrades",
						(json_int_t)h->churn[m].upgrades, "downgrades",
						(json_int_t)h->churn[m].downgrades));
	return json_pack("{s:o, s:o, s:o, s:o}", "by_status", by, "sign_ins",
			 counts(h->sign_ins, HISTORY_HOURS), "writes",
			 counts(h->writes, HISTORY_HOURS), "churn", churn);
}

/* Array `key` of r's object: exactly n integers into v. */
static void
rd_counts(struct rd *r, json_t *obj, const char *key, int64_t *v, int n)
{
	json_t *a = json_object_get(obj, key);

	if (!json_is_array(a) || json_array_size(a) != (size_t)n) {
		rd_fail(r, key, "wants an array of %d counts", n);
		return;
	}
	for (int i = 0; i < n; i++) {
		json_t *x = json_array_get(a, (size_t)i);

		if (!json_is_integer(x)) {
			rd_fail(r, key, "wants integers");
			return;
		}
		v[i] = (int64_t)json_integer_value(x);
	}
}

int
platform_history_from_json(struct platform_history *out, json_t *j, struct err *e)
{
	struct rd r;
	json_t *by, *churn;

	memset(out, 0, sizeof *out);
	rd_open(&r, j, "", e);
	if (rd_done(&r) < 0)
		return -1;
	by = json_object_get(j, "by_status");
	if (!json_is_object(by))
		rd_fail(&r, "by_status", "wants an object");
	for (int s = 0; s < TENANT_STATUS_COUNT && json_is_object(by); s++)
		rd_counts(&r, by, tenant_status_name((enum tenant_status)s), out->by_status[s],
			  HISTORY_HOURS);
	rd_counts(&r, j, "sign_ins", out->sign_ins, HISTORY_HOURS);
	rd_counts(&r, j, "writes", out->writes, HISTORY_HOURS);
	churn = json_object_get(j, "churn");
	if (!json_is_array(churn) || json_array_size(churn) != HISTORY_MONTHS)
		rd_fail(&r, "churn", "wants an array of %d months", HISTORY_MONTHS);
	for (int m = 0; m < HISTORY_MONTHS && json_is_array(churn) && !rd_done(&r)
			&& m < (int)json_array_size(churn);
	     m++) {
		struct rd c;

		rd_element(&c, &r, "churn", (size_t)m, json_array_get(churn, (size_t)m));
		rd_str(&c, "month", out->churn[m].month, sizeof out->churn[m].month);
		rd_i64(&c, "left", &out->churn[m].left);
		rd_i64(&c, "upgrades", &out->churn[m].upgrades);
		rd_i64(&c, "downgrades", &out->churn[m].downgrades);
	}
	return rd_done(&r);
}
